"""The literature case table (``examples/sources/literature-cases.csv``) → case studies.

One row → one ``srkg:CaseStudy`` ``id/case/lit-{iso3}-{slug(title)}`` with its ``srkg:Site`` and one
``srkg:TechnologyApplication`` per technology named in the ``technology`` prose (see ``phrases``).

A row is accepted when its country, at least one pollutant and at least one technology are reconciled (what the
shapes require of every case); a technique named only in the title is taken with a Warning, unless the row
describes planned works (see ``read_required``). Any other row is left out whole and gets a Violation starting "Row not
accepted" for each missing part. Within an accepted row, a value that cannot be reconciled or is not a clean
number is reported and kept as text (``srkg:dataNote``), never guessed.

Columns → RDF: title → dcterms:title (and dcterms:license CC BY 4.0: the table is open data of the project, see
examples/sources/README.md); country → site srkg:country; location → site rdfs:label and
srkg:locationDescription (the title labels the site when location is blank); site_type → srkg:siteType (every
site-type concept the text names) and srkg:siteTypeAsStated; pollutants → srkg:pollutant and (verbatim)
srkg:pollutantAsStated; technology → steps;
scale → srkg:scale; nbs → srkg:natureBasedCategory; area_ha → srkg:areaTreated (unit:HA); start_year,
duration_months; outcome → srkg:outcomeSummary (verbatim); source_url, other_source_urls → dcterms:source;
notes and cost_note → srkg:dataNote.

Costs: ``cost_usd`` becomes an ``srkg:Cost`` only when its price year can be read from the row, i.e. when one
';'-clause of ``cost_note`` states that same amount and exactly one year (e.g. "USD 41 million … (baonghean
2012)"); its basis is the whole project (the column holds one amount per case; unit rates are in cost_note).
Otherwise the amount stays in a data note, with an Info problem saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Literal, URIRef

from ingest.namespaces import SRKG, concept_iri, data_iri
from ingest.provenance import slug
from ingest.reconcile.api import Reconciles
from ingest.records import MappingResult
from ingest.sources.case_builder import CaseBuilder
from ingest.sources.common import (
    REJECTED,
    CachedReconciler,
    CsvRow,
    Recorder,
    clean_decimal,
    decimal_literal,
    default_reconciler,
    integer_literal,
    read_csv,
    suggestion_labels,
)
from ingest.sources.concepts import Found, find_concepts, read_pollutants, unrecognised
from ingest.sources.costs import price_year_for
from ingest.sources.plants import named_plants
from ingest.vocabulary import Vocabulary

_PLANNED = re.compile(r"\bplann(?:ed|ing)\b|\bdesign stage\b", re.IGNORECASE)

COLUMNS = (
    "title", "country", "site_type", "pollutants", "technology", "nbs", "scale", "area_ha", "start_year",
    "duration_months", "cost_usd", "outcome", "source_url", "location", "cost_note", "other_source_urls", "notes",
)  # fmt: skip


@dataclass
class RequiredParts:
    """Country, pollutants and technologies of one row, and why the row cannot be accepted (if it cannot)."""

    country: URIRef | None = None
    iso3: str | None = None
    pollutants: list[URIRef] = field(default_factory=list)
    technologies: list[Found] = field(default_factory=list)
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)


def map_literature(
    path: Path, reconciler: Reconciles | None = None, vocabulary: Vocabulary | None = None
) -> MappingResult:
    """Map the literature table; see the module docstring for the rules."""
    rec = Recorder(path.name, CachedReconciler(reconciler or default_reconciler()))
    keys: dict[str, int] = {}
    for row in read_csv(path, COLUMNS):
        rec.result.rows_read += 1
        parts = read_required(rec, row.number, row.get("country"), row.get("pollutants"), "pollutants",
                              row.get("technology"), vocabulary,
                              nature_based=row.get("nbs").strip().lower() == "yes", title=row.get("title"))
        if not row.get("title"):
            parts.reasons.insert(0, ("title", "the title is blank"))
        key = f"lit-{parts.iso3}-{slug(row.get('title'))}"
        if not parts.reasons and key in keys:
            parts.reasons.append(("title", f"same title and country as row {keys[key]} (one identifier)"))
        if parts.reasons:
            reject(rec, row.number, parts.reasons, row.values)
            continue
        keys[key] = row.number
        _write(rec, row, parts, key, vocabulary)
    return rec.result


def read_required(
    rec: Recorder,
    row: int,
    country: str,
    pollutants: str,
    pollutant_column: str,
    technology: str,
    vocabulary: Vocabulary | None,
    nature_based: bool = False,
    title: str = "",
) -> RequiredParts:
    """Reconcile what every case needs; each missing part becomes a reason (shared with the field trials).

    With ``nature_based`` (the row's own flag), a technique cell that only lists plants AGROVOC knows is read as
    the generic phytoremediation, with a Warning (see ``plants``). When the technique cell names no technique,
    the techniques the row's ``title`` names are taken, with a Warning — unless the row describes planned or
    designed works (title or cell saying "planned", "planning", "design stage"): a plan is not an application."""
    parts = RequiredParts()
    if not country:
        parts.reasons.append(("country", "the country is blank (a site needs its country)"))
    else:
        iri, reconciliation = rec.lookup("country", country, row, "country")
        if iri is None:
            hint = ", ".join(suggestion_labels(reconciliation)) or "none"
            parts.reasons.append(("country", f"'{country}' is not a known country (suggestions: {hint})"))
        else:
            parts.country, parts.iso3 = iri, str(iri).rstrip("/").rsplit("/", 1)[-1].lower()
    parts.pollutants = read_pollutants(rec, row, pollutant_column, pollutants) if pollutants else []
    if not parts.pollutants:
        why = "no pollutant from the SRKG list is named" if pollutants else "the pollutant cell is blank"
        parts.reasons.append((pollutant_column, why))
    parts.technologies = find_concepts(rec, row, "technology", technology, "technology", vocabulary=vocabulary)
    if not parts.technologies and nature_based and (plants := named_plants(technology)):
        phytoremediation = concept_iri("technology", "phytoremediation")
        names = ", ".join(plants)
        rec.record_match(row, "technology", "technology", names, phytoremediation, "phytoremediation",
                         "plants named (generic concept)")
        rec.problem("Warning", row, "technology", f"the technique is read as phytoremediation because the row, "
                    f"flagged nature-based, names the plants grown ({names}); name the technique if the source "
                    "gives it", value=technology)
        parts.technologies = [Found(phytoremediation, names, technology)]
    if not parts.technologies and title and technology and not _PLANNED.search(f"{title} {technology}"):
        parts.technologies = _from_title(rec, row, title, technology, vocabulary)
    if not parts.technologies:
        if technology:
            unrecognised(rec, row, "technology", technology, "technology", "technology", "Info")
        why = "no technology from the SRKG list is named" if technology else "the technology cell is blank"
        parts.reasons.append(("technology", why))
    return parts


def _from_title(rec: Recorder, row: int, title: str, technology: str, vocabulary: Vocabulary | None) -> list[Found]:
    found = find_concepts(rec, row, "title", title, "technology", vocabulary=vocabulary)
    if found:
        named = "; ".join(f"'{item.phrase}'" for item in found)
        rec.problem("Warning", row, "technology", f"no technique from the SRKG list is named in this cell; the "
                    f"technique is read from the title ({named}); name it in the technology cell if the source "
                    "gives it", value=technology)
    return [Found(item.iri, item.phrase, technology) for item in found]


def reject(rec: Recorder, row: int, reasons: list[tuple[str, str]], values: dict[str, str]) -> None:
    for column, reason in reasons:
        rec.problem("Violation", row, column, f"{REJECTED}: {reason}.", value=(values.get(column) or None))


def _write(rec: Recorder, row: CsvRow, parts: RequiredParts, key: str, vocabulary: Vocabulary | None) -> None:
    n = row.number
    case = CaseBuilder(rec, key, vocabulary)
    case.title(row.get("title"))
    case.pollutants(parts.pollutants, [row.get("pollutants")])
    case.site_place(row.get("location") or row.get("title"), parts.country, row.get("location"))  # type: ignore[arg-type]
    case.site_type(n, "site_type", row.get("site_type"))
    case.technologies(parts.technologies)
    case.concept(n, "scale", row.get("scale"), "scale", SRKG.scale)
    case.concept(n, "nbs", row.get("nbs"), "nbs-category", SRKG.natureBasedCategory)
    case.area(n, "area_ha", row.get("area_ha"))
    case.start_year(n, "start_year", row.get("start_year"))
    case.duration(n, "duration_months", row.get("duration_months"))
    _cost(case, n, row.get("cost_usd"), row.get("cost_note"))
    case.sources(n, {"source_url": row.get("source_url"), "other_source_urls": row.get("other_source_urls")})
    if row.get("outcome"):
        case.add(SRKG.outcomeSummary, Literal(row.get("outcome")))
    if row.get("notes"):
        case.add(SRKG.dataNote, Literal(row.get("notes")))
    if row.get("cost_note"):
        case.note(f"Cost note (verbatim): {row.get('cost_note')}")
    case.finish()
    rec.result.case_rows[case.iri] = rec.location(n)
    rec.produced(n, case.resources)


def _cost(case: CaseBuilder, row: int, text: str, note: str) -> None:
    if not text:
        return
    amount = clean_decimal(text)
    if amount is None:
        case.not_a_number(row, "cost_usd", text)
        return
    found = price_year_for(amount, note)
    if found is None:
        case.rec.problem(
            "Info", row, "cost_usd",
            "no price year can be read from the row (cost_note must state this amount and one year in the same "
            "clause), so the amount is kept as text only", value=text,
        )  # fmt: skip
        case.note(f"Cost as stated: USD {text} (cost_usd column; no price year in the row).")
        return
    year, clause = found
    currency, reconciliation = case.rec.lookup("currency", "USD", row, "cost_usd")
    if currency is None:
        case.rec.problem("Warning", row, "cost_usd", "currency USD is not in the SRKG currency list; cost left out",
                         suggestions=suggestion_labels(reconciliation))
        return
    cost = data_iri("cost", f"{case.key}-1")
    case.resources.append(cost)
    case.add(SRKG.cost, cost)
    case.add(RDF.type, SRKG.Cost, cost)
    case.add(SRKG.amount, decimal_literal(amount), cost)
    case.add(SRKG.currency, currency, cost)
    case.add(SRKG.priceYear, integer_literal(year), cost)
    project, _ = case.rec.lookup("cost-basis", "project", row, "cost_usd")
    if project is not None:  # the column holds one amount per case, never a unit rate (those are in cost_note)
        case.add(SRKG.costBasis, project, cost)
    case.add(SRKG.statedAs, Literal(clause), cost)
    case.note(f"Price year {year} of the cost read from the cost note: '{clause}'.")
