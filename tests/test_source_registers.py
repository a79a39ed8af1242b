"""The real registers (data-sources/registers/): US EPA NPL sites, EPA soil concentrations, Swiss DDPS sites."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from ingest.namespaces import GEO, QUDT, QUDT_UNIT, SRKG, concept_iri, data_iri
from ingest.reconcile import default_reconciler
from ingest.records import MappingResult
from ingest.sources.epa_concentrations import COLUMNS as CONCENTRATION_COLUMNS
from ingest.sources.epa_concentrations import map_concentrations
from ingest.sources.epa_npl import map_npl
from ingest.sources.registers import BOXES, HAS_FEATURE_OF_INTEREST, HAS_RESULT
from ingest.sources.swiss_vbs import map_vbs

REGISTERS = Path(__file__).resolve().parent.parent / "data-sources" / "registers"
NPL = REGISTERS / "epa-npl-sites" / "Superfund_National_Priorities_List_NPL_Sites_with_Status_Information.csv"
VBS = REGISTERS / "swiss-vbs-contaminated-sites" / "vbs-belastete-standorte_bereinigt.json"
CONCENTRATIONS = REGISTERS / "epa-superfund-site-concentrations" / "epa_superfund_site_concentrations.zip"
POINT = re.compile(r"^POINT\((-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)\)$")


@cache
def npl() -> MappingResult:
    return map_npl(NPL, default_reconciler())


@cache
def vbs() -> MappingResult:
    return map_vbs(VBS, default_reconciler())


@cache
def concentrations() -> MappingResult:
    return map_concentrations(CONCENTRATIONS, default_reconciler())


def sites(result: MappingResult) -> set[URIRef]:
    return set(result.graph.subjects(RDF.type, SRKG.Site))


def counted(result: MappingResult, predicate: URIRef) -> Counter:
    return Counter(str(o).rsplit("/", 1)[-1] for o in result.graph.objects(None, predicate))


def assert_points_inside_their_country(result: MappingResult) -> int:
    graph, checked = result.graph, 0
    for site in sites(result):
        iso3 = str(graph.value(site, SRKG.country)).rsplit("/", 1)[-1]
        wkt = graph.value(graph.value(site, GEO.hasGeometry), GEO.asWKT)
        assert wkt is not None and wkt.datatype == GEO.wktLiteral, site
        lon, lat = (float(v) for v in POINT.match(str(wkt)).groups())  # type: ignore[union-attr]
        lon_min, lat_min, lon_max, lat_max = BOXES[iso3]
        assert -180 <= lon <= 180 and -90 <= lat <= 90, site
        assert lon_min <= lon <= lon_max and lat_min <= lat <= lat_max, (site, iso3, lon, lat)
        checked += 1
    return checked


# --- US EPA National Priorities List ---------------------------------------------------------------------------
def test_npl_every_site_is_mapped_and_none_dropped() -> None:
    result = npl()
    assert result.rows_read == 1840
    assert len(sites(result)) == 1840
    assert len(result.row_resources) == 1840
    assert result.problems == []
    assert counted(result, SRKG.registerStatus) == {"NPL Site": 1340, "Deleted NPL Site": 458, "Proposed NPL Site": 42}


def test_npl_countries_put_territories_in_their_own_area() -> None:
    assert counted(npl(), SRKG.country) == {"USA": 1807, "PRI": 26, "GUM": 2, "VIR": 2, "ASM": 1, "FSM": 1, "MNP": 1}


def test_npl_points_lie_in_their_country() -> None:
    assert assert_points_inside_their_country(npl()) == 1840


def test_npl_milestones_scores_and_links() -> None:
    result = npl()
    counts = {p: len(list(result.graph.triples((None, p, None)))) for p in (
        SRKG.hazardScore, SRKG.proposedDate, SRKG.listingDate, SRKG.constructionCompletionDate,
        SRKG.deletionNoticeDate, SRKG.deletionDate, SRKG.partiallyDeleted)}
    assert counts == {SRKG.hazardScore: 1777, SRKG.proposedDate: 1840, SRKG.listingDate: 1793,
                      SRKG.constructionCompletionDate: 1246, SRKG.deletionNoticeDate: 457, SRKG.deletionDate: 459,
                      SRKG.partiallyDeleted: 1840}
    assert counted(result, SRKG.partiallyDeleted) == {"true": 115, "false": 1725}
    site = data_iri("site", "epa-npl-CTD980670806")  # row 3: Old Southington Landfill
    graph = result.graph
    assert graph.value(site, RDFS.label) == Literal("Old Southington Landfill")
    assert graph.value(site, SRKG.registerId) == Literal("CTD980670806")
    assert graph.value(site, SRKG.hazardScore) == Literal(Decimal("54.35"), datatype=XSD.decimal)
    assert graph.value(site, SRKG.listingDate) == Literal("1984-09-21", datatype=XSD.date)
    assert graph.value(site, SRKG.deletionDate) == Literal("2018-09-12", datatype=XSD.date)
    assert graph.value(site, SRKG.locationDescription) == Literal("Southington, Hartford, Connecticut (EPA Region 1)")
    assert graph.value(graph.value(site, GEO.hasGeometry), GEO.asWKT) == Literal(
        "POINT(-72.881939 41.579169)", datatype=GEO.wktLiteral)
    assert graph.value(site, DCTERMS.source) == URIRef("https://cumulis.epa.gov/supercpad/cursites/csitinfo.cfm?id=0100251")


def test_npl_identifiers_are_stable_on_re_run() -> None:
    again = map_npl(NPL, default_reconciler())
    assert set(again.graph) == set(npl().graph)


# --- Swiss DDPS cadastre -----------------------------------------------------------------------------------------
def test_vbs_every_object_is_mapped_and_none_dropped() -> None:
    result = vbs()
    assert result.rows_read == 1843
    assert len(sites(result)) == 1843
    assert len(result.row_resources) == 1843
    assert Counter((p.severity, p.location.column) for p in result.problems) == {
        ("Info", "Betrieb_von"): 26, ("Info", "Betrieb_bis"): 25}  # '0' = unknown year, left out
    assert all(p.location.row is not None and f"(JSON /rows/{p.location.row - 1}/" in p.message
               for p in result.problems)
    assert counted(result, SRKG.country) == {"CHE": 1843}


def test_vbs_points_lie_in_switzerland() -> None:
    assert assert_points_inside_their_country(vbs()) == 1843


def test_vbs_texts_keep_their_language_and_codes_give_site_types() -> None:
    result = vbs()
    assert Counter(o.language for o in result.graph.objects(None, SRKG.registerStatus)) == {
        "de": 1308, "fr": 425, "it": 110}
    assert counted(result, SRKG.siteType) == {"military": 1843, "shooting-range": 330, "waste-disposal": 169}
    counts = {p: len(list(result.graph.triples((None, p, None)))) for p in (
        SRKG.operationStartYear, SRKG.operationEndYear, SRKG.inOperation, SRKG.investigationCompletedDate)}
    assert counts == {SRKG.operationStartYear: 1530, SRKG.operationEndYear: 477, SRKG.inOperation: 1241,
                      SRKG.investigationCompletedDate: 192}
    site = data_iri("site", "ch-vbs-los-4a")  # /rows/0
    graph = result.graph
    assert graph.value(site, SRKG.registerId) == Literal("LOS 4a")
    assert graph.value(site, SRKG.siteTypeAsStated) == Literal("Sito industriale", lang="it")
    assert graph.value(site, SRKG.registerStatus) == Literal("necessità di un'indagine preliminare", lang="it")
    assert graph.value(site, SRKG.operationStartYear) == Literal(1950, datatype=XSD.integer)
    assert graph.value(site, SRKG.inOperation) == Literal(True, datatype=XSD.boolean)
    assert graph.value(site, SRKG.locationDescription) == Literal("Losone, Distretto di Locarno, TI; parcel 449")
    assert graph.value(graph.value(site, GEO.hasGeometry), GEO.asWKT) == Literal(
        "POINT(8.739576846977014 46.1812222629604)", datatype=GEO.wktLiteral)


def test_vbs_identifiers_are_stable_on_re_run() -> None:
    again = map_vbs(VBS, default_reconciler())
    assert set(again.graph) == set(vbs().graph)


# --- EPA Superfund soil concentrations --------------------------------------------------------------------------
def test_concentrations_counts_match_the_readme() -> None:
    result = concentrations()
    graph = result.graph
    assert result.rows_read == 52588
    assert len(set(graph.subjects(RDF.type, SRKG.ContaminationObservation))) == 52588
    assert len(sites(result)) == 1348
    with_number = len(list(graph.triples((None, HAS_RESULT, None))))
    as_text = len(list(graph.triples((None, SRKG.resultAsStated, None))))
    assert (with_number, as_text) == (28776, 2367)  # 31,143 numeric values: units ppb, pCi/g, ppt… are not QUDT-listed
    assert with_number + as_text == 31143
    assert len(list(graph.triples((None, SRKG.isContaminantOfConcern, None)))) == 29584
    assert len(set(graph.subjects(SRKG.pollutant, None))) == 28322  # incl. 4,4'-DDT/DDE/DDD spellings


def test_concentrations_report_every_value_they_cannot_reconcile() -> None:
    result = concentrations()
    assert Counter((p.severity, p.location.column) for p in result.problems) == {
        ("Warning", "rhs_name"): 24266, ("Warning", "rconc_units_desc"): 2367, ("Info", "rmedia_desc"): 10}
    for problem in result.problems:
        assert problem.location.file.startswith(CONCENTRATIONS.name + "/epa_superfund_site_concentrations_region")
        assert problem.location.row is not None and problem.location.column is not None


def test_concentrations_join_the_npl_sites() -> None:
    assert len(sites(concentrations()) & sites(npl())) == 1268  # the README says 1,264; the files give 1,268


def test_an_observation_and_its_stable_identifier() -> None:
    with zipfile.ZipFile(CONCENTRATIONS) as archive:
        name = "epa_superfund_site_concentrations_region1.csv"
        rows = list(csv.reader(io.TextIOWrapper(archive.open(name), encoding="latin-1")))
    header = rows[0]
    row = next(dict(zip(header, r, strict=True)) for r in rows[1:] if r[header.index("cc_max_conc_value_nmbr")]
               and r[header.index("rmedia_desc")] == "Soil" and r[header.index("rconc_units_desc")] == "mg/kg")
    digest = hashlib.sha256("\x1f".join(row[c] for c in CONCENTRATION_COLUMNS).encode("utf-8")).hexdigest()[:16]
    observation = data_iri("observation", f"epa-{row['site_epa_id'].lower()}-{digest}")
    graph = concentrations().graph
    assert graph.value(observation, HAS_FEATURE_OF_INTEREST) == data_iri("site", f"epa-npl-{row['site_epa_id']}")
    assert graph.value(observation, SRKG.sampledMedium) == concept_iri("medium", "soil")
    assert graph.value(observation, SRKG.pollutantAsStated) == Literal(row["rhs_name"])
    quantity = graph.value(observation, HAS_RESULT)
    assert graph.value(quantity, QUDT.unit) == QUDT_UNIT["MilliGM-PER-KiloGM"]
    assert graph.value(quantity, QUDT.numericValue) == Literal(Decimal(row["cc_max_conc_value_nmbr"]),
                                                               datatype=XSD.decimal)
