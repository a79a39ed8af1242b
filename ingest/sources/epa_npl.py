"""US EPA Superfund National Priorities List sites (``data-sources/registers/epa-npl-sites/``) → sites.

One row → one ``srkg:Site`` ``id/site/epa-npl-{Site_EPA_ID}`` (the EPA ID as written, upper case):
Site_Name → rdfs:label; State → srkg:country (USA, or the territory's own code: see ``registers``); City, County,
State, Region_ID → srkg:locationDescription; Longitude/Latitude (WGS84) → geo:hasGeometry POINT(lon lat);
Site_EPA_ID → srkg:registerId; Status → srkg:registerStatus; Site_Score → srkg:hazardScore; the five milestone
dates (M/D/YYYY) → xsd:date literals; Site_has_had_a_Partial_Deletion → srkg:partiallyDeleted; the EPA site
profile link → dcterms:source. Every site also gets srkg:inRegister the NPL register resource.

Checks: the coordinates must be clean numbers inside the country's rough box, and agree with the row's
Web-Mercator X/Y (EPSG:3857) to 1e-6 degrees; a point that fails is reported (and kept only if it is on the globe).
A row without a usable Site_EPA_ID cannot get an identifier and is left out with a Violation.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from ingest.namespaces import SRKG, data_iri
from ingest.reconcile.api import Reconciles
from ingest.records import MappingResult
from ingest.sources.common import (
    REJECTED,
    CachedReconciler,
    CsvRow,
    Recorder,
    clean_decimal,
    date_literal,
    decimal_literal,
    default_reconciler,
    read_csv,
)
from ingest.sources.registers import EPA_NPL, inside, point, us_country

COLUMNS = ("X", "Y", "Site_Name", "Site_Score", "Site_EPA_ID", "Region_ID", "State", "City", "County", "Status",
           "Longitude", "Latitude", "Proposed_Date", "Listing_Date", "Construction_Completion_Date", "NOID_Date",
           "Deletion_Date", "Site_Progress_Profile", "Site_has_had_a_Partial_Deletion")
DATES = (
    ("Proposed_Date", SRKG.proposedDate),
    ("Listing_Date", SRKG.listingDate),
    ("Construction_Completion_Date", SRKG.constructionCompletionDate),
    ("NOID_Date", SRKG.deletionNoticeDate),
    ("Deletion_Date", SRKG.deletionDate),
)
_EPA_ID = re.compile(r"^[A-Z0-9]{6,20}$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_HREF = re.compile(r"""href=["'](https?://[^"']+)["']""")
_EARTH_RADIUS = 6378137.0  # Web Mercator sphere (EPSG:3857)


def site_iri(epa_id: str) -> URIRef:
    return data_iri("site", f"epa-npl-{epa_id}")


def map_npl(path: Path, reconciler: Reconciles | None = None) -> MappingResult:
    """Map the NPL site table; see the module docstring."""
    rec = Recorder(path.name, CachedReconciler(reconciler or default_reconciler()))
    EPA_NPL.describe(rec.result.graph)
    seen: dict[str, int] = {}
    for row in read_csv(path, COLUMNS):
        rec.result.rows_read += 1
        epa_id = row.get("Site_EPA_ID")
        if not _EPA_ID.match(epa_id):
            rec.problem("Violation", row.number, "Site_EPA_ID", f"{REJECTED}: no usable EPA site ID (the site's "
                        "identifier is made from it).", value=epa_id or None)
            continue
        if epa_id in seen:
            rec.problem("Violation", row.number, "Site_EPA_ID", f"{REJECTED}: same EPA site ID as row "
                        f"{seen[epa_id]}.", value=epa_id)
            continue
        seen[epa_id] = row.number
        _map_row(rec, row, epa_id)
    return rec.result


def _map_row(rec: Recorder, row: CsvRow, epa_id: str) -> None:
    graph, n = rec.result.graph, row.number
    site = site_iri(epa_id)
    resources = [site]
    graph.add((site, RDF.type, SRKG.Site))
    graph.add((site, RDFS.label, Literal(row.get("Site_Name") or epa_id)))
    graph.add((site, SRKG.registerId, Literal(epa_id)))
    graph.add((site, SRKG.inRegister, EPA_NPL.iri))
    iso3 = us_country(row.get("State"))
    country, _ = rec.lookup("country", iso3, n, "State")
    if country is None:
        rec.problem("Warning", n, "State", f"country {iso3} is not in the SRKG country list", value=row.get("State"))
    else:
        graph.add((site, SRKG.country, country))
    where = ", ".join(p for p in (row.get("City"), row.get("County"), row.get("State")) if p)
    if row.get("Region_ID"):
        where += f" (EPA Region {row.get('Region_ID')})"
    graph.add((site, SRKG.locationDescription, Literal(where)))
    geometry = _point(rec, row, site, epa_id, iso3)
    if geometry is not None:
        resources.append(geometry)
    if row.get("Status"):
        graph.add((site, SRKG.registerStatus, Literal(row.get("Status"))))
    _score(rec, row, site)
    for column, predicate in DATES:
        _date(rec, row, site, column, predicate)
    partial = row.get("Site_has_had_a_Partial_Deletion")
    if partial:
        flag = re.sub(r"<[^>]+>", "", partial).strip().lower()
        if flag in ("yes", "no"):
            graph.add((site, SRKG.partiallyDeleted, Literal(flag == "yes", datatype=XSD.boolean)))
        else:
            rec.problem("Info", n, "Site_has_had_a_Partial_Deletion", "not Yes or No; left out", value=partial)
    profile = _HREF.search(row.get("Site_Progress_Profile"))
    if profile:
        graph.add((site, DCTERMS.source, URIRef(profile.group(1))))
    rec.produced(n, resources)


def _point(rec: Recorder, row: CsvRow, site: URIRef, epa_id: str, iso3: str) -> URIRef | None:
    n = row.number
    lon, lat = clean_decimal(row.get("Longitude"), signed=True), clean_decimal(row.get("Latitude"), signed=True)
    if lon is None or lat is None:
        column = "Longitude" if lon is None else "Latitude"
        rec.problem("Warning", n, column, "not a clean number; the site has no point", value=row.get(column))
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        rec.problem("Warning", n, "Longitude", "the point is off the globe; left out", value=f"{lon} {lat}")
        return None
    if not inside(iso3, float(lon), float(lat)):
        rec.problem("Warning", n, "Longitude", f"the point lies outside the rough box of {iso3}; check it",
                    value=f"{lon} {lat}")
    x, y = clean_decimal(row.get("X"), signed=True), clean_decimal(row.get("Y"), signed=True)
    if x is not None and y is not None:
        mercator_lon = math.degrees(float(x) / _EARTH_RADIUS)
        mercator_lat = math.degrees(2 * math.atan(math.exp(float(y) / _EARTH_RADIUS)) - math.pi / 2)
        if abs(mercator_lon - float(lon)) > 1e-6 or abs(mercator_lat - float(lat)) > 1e-6:
            rec.problem("Warning", n, "X", "the Web-Mercator X/Y do not match Longitude/Latitude; the latter are "
                        "used", value=f"{row.get('X')} {row.get('Y')}")
    return point(rec.result.graph, site, f"epa-npl-{epa_id}", lon, lat)


def _score(rec: Recorder, row: CsvRow, site: URIRef) -> None:
    text = row.get("Site_Score")
    if not text:
        return
    value = clean_decimal(text)
    if value is None or value > Decimal(100):
        rec.problem("Warning", row.number, "Site_Score", "not a score from 0 to 100; left out", value=text)
        return
    rec.result.graph.add((site, SRKG.hazardScore, decimal_literal(value)))


def _date(rec: Recorder, row: CsvRow, site: URIRef, column: str, predicate: URIRef) -> None:
    text = row.get(column)
    if not text:
        return
    found = _US_DATE.match(text)
    try:
        value = date(int(found.group(3)), int(found.group(1)), int(found.group(2))) if found else None
    except ValueError:
        value = None
    if value is None:
        rec.problem("Warning", row.number, column, "not a date M/D/YYYY; left out", value=text)
        return
    rec.result.graph.add((site, predicate, date_literal(value)))
