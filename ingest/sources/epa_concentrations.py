"""EPA Superfund site contaminant concentrations (``data-sources/registers/epa-superfund-site-concentrations/``)
→ contamination observations at sites.

Input: the original zip (ten regional CSVs, Latin-1; ``__MACOSX/`` entries ignored) or a CSV with the same
columns (e.g. the derived ``soil_concentrations.csv``, UTF-8). Only soil rows are mapped (``rmedia_desc`` Soil,
Surface Soil, Subsurface Soil; 52,588 rows of 1,348 sites in the zip); the rows of other media are counted and
reported once per file (Info, on its first such row) — outside this mapper's scope, not errors. A problem
names the regional file inside the zip and the row there (header = row 1).

Each soil row → one ``srkg:ContaminationObservation`` ``id/observation/epa-{site}-{hash}`` (hash of the row's
cells: stable whatever the row order; an identical row repeats the same observation and is reported):
sosa:hasFeatureOfInterest the site ``id/site/epa-npl-{site_epa_id}`` (the same IRI as the NPL mapper's, so the
two join; sites get rdfs:label, srkg:country, srkg:registerId here too); srkg:pollutant when the CAS number or the
name reconciles (else reported, with suggestions; the name stays in srkg:pollutantAsStated); srkg:sampledMedium
soil and srkg:mediumAsStated; srkg:statistic "maximum" (the values are document maxima); sosa:hasResult a
qudt:QuantityValue when cc_max_conc_value_nmbr is a clean number and the unit reconciles, else
srkg:resultAsStated; the contaminant group, CAS number, document type, operable unit and contaminant-of-concern
flag as stated. A blank value is no result (about 40% of the rows): the observation still says what was found.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from ingest.namespaces import QUDT, SRKG, data_iri
from ingest.reconcile.api import Reconciles
from ingest.records import MappingResult, SourceError, SourceLocation
from ingest.sources.common import (
    REJECTED,
    CachedReconciler,
    CsvRow,
    Recorder,
    accepted,
    clean_decimal,
    decimal_literal,
    default_reconciler,
    suggestion_labels,
)
from ingest.sources.epa_npl import site_iri
from ingest.sources.registers import EPA_CONCENTRATIONS, HAS_FEATURE_OF_INTEREST, HAS_RESULT, us_country

COLUMNS = ("rregion_code", "site_epa_id", "site_id", "site_name", "rstate_code", "rnpl_status_code",
           "rnon_npl_status_code", "rat_short_name", "act_code_id", "ou_id", "rmedia_desc", "wsmc_name",
           "cc_max_conc_value_nmbr", "cc_cont_of_cncrn_flag", "rconc_units_desc", "rhs_nmbr", "rhs_name",
           "rcg_name", "rcg_code")
SOIL_MEDIA = frozenset({"Soil", "Surface Soil", "Subsurface Soil"})
# Terms used once per row, looked up once (52,588 rows: attribute lookups and literal parsing add up).
_TYPE, _OBSERVATION, _MEDIUM, _MEDIUM_STATED = RDF.type, SRKG.ContaminationObservation, SRKG.sampledMedium, (
    SRKG.mediumAsStated)
_POLLUTANT, _POLLUTANT_STATED, _CAS_STATED = SRKG.pollutant, SRKG.pollutantAsStated, SRKG.casNumberAsStated
_COC, _RESULT_STATED, _STATISTIC = SRKG.isContaminantOfConcern, SRKG.resultAsStated, SRKG.statistic
_AS_STATED = (("rcg_name", SRKG.contaminantGroupAsStated), ("rat_short_name", SRKG.sourceDocumentType),
              ("ou_id", SRKG.operableUnit))
_QUANTITY, _VALUE, _UNIT = QUDT.QuantityValue, QUDT.numericValue, QUDT.unit
_TRUE = Literal(True, datatype=XSD.boolean)
_CAS = re.compile(r"^\d{2,7}-\d{2}-\d$")
_EPA_ID = re.compile(r"^[A-Z0-9]{6,20}$")


def read_tables(path: Path) -> Iterator[tuple[str, Iterator[CsvRow]]]:
    """(file name, rows) for each CSV: the regional files of the zip, or the CSV itself."""
    if path.suffix.lower() != ".zip":
        yield path.name, _rows(path.open(encoding="utf-8-sig", newline=""), path.name)
        return
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise SourceError(SourceLocation(path.name), f"not a readable zip archive: {error}") from None
    with archive:
        names = sorted(
            (n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX/")),
            key=lambda n: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", n)],
        )
        for name in names:
            yield f"{path.name}/{name}", _rows(io.TextIOWrapper(archive.open(name), encoding="latin-1", newline=""),
                                               name)


def _rows(handle: io.TextIOBase, name: str) -> Iterator[CsvRow]:
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(SourceLocation(name, row=1), f"the header lacks the column(s) {', '.join(missing)}")
        for number, values in enumerate(reader, start=2):
            yield CsvRow(number, values)


def map_concentrations(path: Path, reconciler: Reconciles | None = None,
                       media: frozenset[str] = SOIL_MEDIA) -> MappingResult:
    """Map the concentration table(s); see the module docstring."""
    reconcile = CachedReconciler(reconciler or default_reconciler())
    result = MappingResult(graph=Graph(store="SimpleMemory"))  # several times faster to fill than the default
    EPA_CONCENTRATIONS.describe(result.graph)
    mapper = _Mapper(reconcile, result)
    for name, rows in read_tables(path):
        rec = Recorder(name, reconcile, result)
        skipped: list[CsvRow] = []
        for row in rows:
            if row.get("rmedia_desc") not in media:
                skipped.append(row)
                continue
            result.rows_read += 1
            mapper.map(rec, row)
        if skipped:
            others = ", ".join(sorted({r.get("rmedia_desc") or "(blank)" for r in skipped}))
            rec.problem("Info", skipped[0].number, "rmedia_desc",
                        f"this row and {len(skipped) - 1} more rows of this file are about other media ({others}), "
                        f"outside this mapper's scope ({', '.join(sorted(media))}); they were not read",
                        value=skipped[0].get("rmedia_desc"))
    return result


class _Mapper:
    def __init__(self, reconcile: CachedReconciler, result: MappingResult) -> None:
        self.graph = result.graph
        self.add = partial(self.graph.store.add, context=self.graph, quoted=False)  # skips Graph.add's checks
        self.sites: set[str] = set()
        self.observations: dict[URIRef, str] = {}  # observation → "file row n", to report identical rows
        self.soil = accepted(reconcile("medium", "soil"))
        self.maximum = Literal("maximum", datatype=XSD.string)
        self._literals: dict[str, Literal] = {}
        # IRI prefixes read once (data_iri looks up the configured base IRI on every call)
        self.observation_prefix = str(data_iri("observation", "epa-"))
        self.quantity_prefix = str(data_iri("quantity", "epa-"))

    def literal(self, text: str) -> Literal:
        found = self._literals.get(text)
        if found is None:
            found = self._literals[text] = Literal(text)
        return found

    def map(self, rec: Recorder, row: CsvRow) -> None:
        epa_id = row.get("site_epa_id")
        if not _EPA_ID.match(epa_id):
            rec.problem("Violation", row.number, "site_epa_id", f"{REJECTED}: no usable EPA site ID.",
                        value=epa_id or None)
            return
        site = site_iri(epa_id)
        if epa_id not in self.sites:
            self._site(rec, row, site, epa_id)
        digest = hashlib.sha256("\x1f".join(row.get(c) for c in COLUMNS).encode("utf-8")).hexdigest()[:16]
        key = f"{epa_id.lower()}-{digest}"
        obs = URIRef(self.observation_prefix + key)
        if obs in self.observations:
            rec.problem("Info", row.number, None, f"identical to {self.observations[obs]}; the same observation")
            rec.produced(row.number, [obs])
            return
        self.observations[obs] = f"{rec.file} row {row.number}"
        add = self.add
        add((obs, _TYPE, _OBSERVATION))
        add((obs, HAS_FEATURE_OF_INTEREST, site))
        add((obs, _STATISTIC, self.maximum))
        if self.soil is not None:
            add((obs, _MEDIUM, self.soil))
        medium = row.get("rmedia_desc") + (f" ({row.get('wsmc_name')})" if row.get("wsmc_name") else "")
        add((obs, _MEDIUM_STATED, self.literal(medium)))
        self._pollutant(rec, row, obs)
        for column, predicate in _AS_STATED:
            if row.get(column):
                add((obs, predicate, self.literal(row.get(column))))
        if row.get("cc_cont_of_cncrn_flag") == "Yes":
            add((obs, _COC, _TRUE))
        resources = [obs]
        quantity = self._result(rec, row, obs, key)
        if quantity is not None:
            resources.append(quantity)
        rec.produced(row.number, resources)

    def _site(self, rec: Recorder, row: CsvRow, site: URIRef, epa_id: str) -> None:
        self.sites.add(epa_id)
        add = self.graph.add
        add((site, RDF.type, SRKG.Site))
        add((site, RDFS.label, Literal(row.get("site_name") or epa_id)))
        add((site, SRKG.registerId, Literal(epa_id)))
        add((site, SRKG.inRegister, EPA_CONCENTRATIONS.iri))
        iso3 = us_country(row.get("rstate_code"))
        country, _ = rec.lookup("country", iso3, row.number, "rstate_code")
        if country is not None:
            add((site, SRKG.country, country))
        if row.get("rstate_code"):
            add((site, SRKG.locationDescription, Literal(row.get("rstate_code"))))
        rec.produced(row.number, [site])

    def _pollutant(self, rec: Recorder, row: CsvRow, obs: URIRef) -> None:
        """By CAS number first (a code), else by name; only the deciding attempt is recorded and reported."""
        name, cas = row.get("rhs_name"), row.get("rhs_nmbr")
        if name:
            self.add((obs, _POLLUTANT_STATED, self.literal(name)))
        if _CAS.match(cas):
            self.add((obs, _CAS_STATED, self.literal(cas)))
            if accepted(rec.reconcile("pollutant", cas)) is not None:
                iri, _ = rec.lookup("pollutant", cas, row.number, "rhs_nmbr")
                self.add((obs, _POLLUTANT, iri))  # type: ignore[arg-type]
                return
        if not name:
            return
        iri, reconciliation = rec.lookup("pollutant", name, row.number, "rhs_name")
        if iri is not None:
            self.add((obs, _POLLUTANT, iri))
            return
        rec.problem("Warning", row.number, "rhs_name", "not in the SRKG pollutant list; the observation keeps the "
                    "name as stated", value=name, suggestions=suggestion_labels(reconciliation))

    def _result(self, rec: Recorder, row: CsvRow, obs: URIRef, key: str) -> URIRef | None:
        text, unit_text = row.get("cc_max_conc_value_nmbr"), row.get("rconc_units_desc")
        if not text:
            return None
        value = clean_decimal(text)
        unit, reconciliation = rec.lookup("unit", unit_text, row.number, "rconc_units_desc") if unit_text else (
            None, None)
        if value is None or unit is None:
            column = "cc_max_conc_value_nmbr" if value is None else "rconc_units_desc"
            why = "not a clean number" if value is None else (
                "no unit" if not unit_text else "unit not in the SRKG unit list")
            suggestions = suggestion_labels(reconciliation) if reconciliation is not None and value is not None else ()
            rec.problem("Warning", row.number, column, f"{why}; the value is kept as stated",
                        value=f"{text} {unit_text}".strip(), suggestions=suggestions)
            self.add((obs, _RESULT_STATED, Literal(f"{text} {unit_text}".strip())))
            return None
        quantity = URIRef(self.quantity_prefix + key)
        self.add((obs, HAS_RESULT, quantity))
        self.add((quantity, _TYPE, _QUANTITY))
        self.add((quantity, _VALUE, decimal_literal(value)))
        self.add((quantity, _UNIT, unit))
        return quantity
