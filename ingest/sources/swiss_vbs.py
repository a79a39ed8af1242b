"""Swiss DDPS (VBS) cadastre of polluted sites (``data-sources/registers/swiss-vbs-contaminated-sites/``) → sites.

The file is JSON ``{"rows": [...]}``; a problem names the object by its position: row n is ``/rows/{n-1}`` (the
JSON pointer is also in the message), and the column is the field name.

Coordinates: the file holds WGS84 latitude/longitude only (``Latitude_WGS84``, ``Longitude_WGS84``); the
publisher converted them from the official CH1903 (LV03) coordinates in 2011. No LV03/LV95 values are in the
file, so nothing is converted here: the WGS84 values are used as given, checked to lie inside Switzerland's
rough box, and written as POINT(lon lat). (Several objects share one coordinate, as the README warns.)

One object → one ``srkg:Site`` ``id/site/ch-vbs-{slug(Objekt_Nr)}``: Bezeichnung → rdfs:label; country CHE;
Objekt_Nr → srkg:registerId; Typ_Text → srkg:siteTypeAsStated, and srkg:siteType from the documented type
code (1 waste deposit → waste-disposal, 4 shooting range → shooting-range; 2 operating site and 3 accident site
have no narrower concept) plus "military" for every object, since the cadastre lists only sites of the Swiss
defence department; Tätigkeit_Text → srkg:pollutingActivity; Vorgehen_Text → srkg:registerStatus;
Untersuchung_Text → srkg:investigationStage; Untersuchung_abgeschlossen_Datum → srkg:investigationCompletedDate
(and its _Text → srkg:investigationStatusAsStated); Gewässerschutz_Text → srkg:groundwaterProtection;
Betrieb_von / Betrieb_bis → srkg:operationStartYear / srkg:operationEndYear ('-1' → srkg:inOperation true; 0 and
'0' mean unknown and are left out, with an Info); Betriebsdauer → srkg:operatingPeriodAsStated; Gemeinde,
Bezirk, Kanton, Parzellen_Nr → srkg:locationDescription. Texts are German, French or Italian by canton: each is
tagged with the language of the object's type name (a closed list).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, XSD, Literal, URIRef

from ingest.namespaces import SRKG, data_iri
from ingest.provenance import slug
from ingest.reconcile.api import Reconciles
from ingest.records import MappingResult, SourceError, SourceLocation
from ingest.sources.common import (
    REJECTED,
    CachedReconciler,
    Recorder,
    date_literal,
    default_reconciler,
    integer_literal,
)
from ingest.sources.registers import CH_VBS, inside, point

TYPE_LANGUAGES = {
    "Betriebsstandort": "de", "Schiessplatz": "de", "Abfallablagerung": "de", "Unfallstandort": "de",
    "Aire d'entreprise": "fr", "Place de tir": "fr", "Décharge": "fr", "Lieu d'accident": "fr",
    "Sito industriale": "it", "Piazza di tiro": "it", "Discarica": "it", "Luogo d'incidente": "it",
}  # fmt: skip
TYPE_CODES = {1: "waste-disposal", 4: "shooting-range"}  # site-type notations; 2 and 3 have none narrower
TEXT_FIELDS = (
    ("Typ_Text", SRKG.siteTypeAsStated),
    ("Tätigkeit_Text", SRKG.pollutingActivity),
    ("Vorgehen_Text", SRKG.registerStatus),
    ("Untersuchung_Text", SRKG.investigationStage),
    ("Untersuchung_abgeschlossen_Text", SRKG.investigationStatusAsStated),
    ("Gewässerschutz_Text", SRKG.groundwaterProtection),
    ("Betriebsdauer", SRKG.operatingPeriodAsStated),
)
_JAVA_DATE = re.compile(r"^\w{3} (\w{3}) (\d{2}) \d{2}:\d{2}:\d{2} \w+ (\d{4})$")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_SWISS_DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")


def site_iri(object_number: str) -> URIRef:
    return data_iri("site", f"ch-vbs-{slug(object_number)}")


def read_objects(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SourceError(SourceLocation(path.name), f"not readable as JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise SourceError(SourceLocation(path.name), 'expected a JSON object {"rows": [...]}')
    return data["rows"]


def map_vbs(path: Path, reconciler: Reconciles | None = None) -> MappingResult:
    """Map the Swiss cadastre; see the module docstring."""
    rec = Recorder(path.name, CachedReconciler(reconciler or default_reconciler()))
    CH_VBS.describe(rec.result.graph)
    country, _ = rec.lookup("country", "CHE", None, "Kanton")
    military, _ = rec.lookup("site-type", "military", None, "Typ_Code")
    seen: dict[str, int] = {}
    for index, obj in enumerate(read_objects(path)):
        rec.result.rows_read += 1
        _Object(rec, index, obj, country, military, seen).map()
    return rec.result


class _Object:
    def __init__(self, rec: Recorder, index: int, obj: Any, country: URIRef | None, military: URIRef | None,
                 seen: dict[str, int]) -> None:
        self.rec, self.index, self.obj, self.row = rec, index, obj if isinstance(obj, dict) else {}, index + 1
        self.country, self.military, self.seen = country, military, seen
        self.graph = rec.result.graph
        self.language = TYPE_LANGUAGES.get(str(self.obj.get("Typ_Text") or ""))

    def problem(self, severity: str, field: str, message: str, value: Any = None) -> None:
        self.rec.problem(severity, self.row, field, f"{message} (JSON /rows/{self.index}/{field})",  # type: ignore[arg-type]
                         value=None if value is None else str(value))

    def text(self, field: str) -> str:
        value = self.obj.get(field)
        return "" if value is None else str(value).strip()

    def literal(self, text: str) -> Literal:
        return Literal(text, lang=self.language) if self.language else Literal(text)

    def map(self) -> None:
        number = self.text("Objekt_Nr")
        key = f"ch-vbs-{slug(number)}" if number else ""
        if not number or key in self.seen:
            why = "no object number (the site's identifier is made from it)" if not number else (
                f"its identifier {key} is already used by row {self.seen[key]}")
            self.problem("Violation", "Objekt_Nr", f"{REJECTED}: {why}.", number or None)
            return
        self.seen[key] = self.row
        site = site_iri(number)
        resources = [site]
        add = self.graph.add
        add((site, RDF.type, SRKG.Site))
        add((site, RDFS.label, Literal(self.text("Bezeichnung") or number)))
        add((site, SRKG.registerId, Literal(number)))
        add((site, SRKG.inRegister, CH_VBS.iri))
        if self.country is not None:
            add((site, SRKG.country, self.country))
        if self.language is None:
            self.problem("Info", "Typ_Text", "unknown type name: the object's texts are not language-tagged",
                         self.obj.get("Typ_Text"))
        self._site_types(site)
        for field, predicate in TEXT_FIELDS:
            if self.text(field):
                add((site, predicate, self.literal(self.text(field))))
        self._location(site)
        self._operation(site)
        self._investigation_date(site)
        geometry = self._point(site, key)
        if geometry is not None:
            resources.append(geometry)
        self.rec.produced(self.row, resources)

    def _site_types(self, site: URIRef) -> None:
        if self.military is not None:
            self.graph.add((site, SRKG.siteType, self.military))
        code = self.obj.get("Typ_Code")
        notation = TYPE_CODES.get(code) if isinstance(code, int) else None
        if notation is not None:
            iri, _ = self.rec.lookup("site-type", notation, self.row, "Typ_Code")
            if iri is not None:
                self.graph.add((site, SRKG.siteType, iri))
        elif code not in (2, 3):
            self.problem("Info", "Typ_Code", "not one of the documented type codes 1-4", code)

    def _location(self, site: URIRef) -> None:
        place = ", ".join(p for p in (self.text("Gemeinde"), self.text("Bezirk"), self.text("Kanton")) if p)
        if self.text("Parzellen_Nr"):
            place += f"; parcel {self.text('Parzellen_Nr')}"
        if place:
            self.graph.add((site, SRKG.locationDescription, Literal(place)))

    def _operation(self, site: URIRef) -> None:
        start = self.obj.get("Betrieb_von")
        if isinstance(start, int) and start > 0:
            self.graph.add((site, SRKG.operationStartYear, integer_literal(start)))
        elif start == 0:
            self.problem("Info", "Betrieb_von", "0 stands for an unknown start year; left out", start)
        elif start is not None:
            self.problem("Warning", "Betrieb_von", "not a year; left out", start)
        end = self.text("Betrieb_bis")
        swiss = _SWISS_DATE.fullmatch(end)
        if end == "-1":
            self.graph.add((site, SRKG.inOperation, Literal(True, datatype=XSD.boolean)))
        elif re.fullmatch(r"\d{4}", end) or swiss:
            year = int(swiss.group(3)) if swiss else int(end)
            self.graph.add((site, SRKG.operationEndYear, integer_literal(year)))
        elif end == "0":
            self.problem("Info", "Betrieb_bis", "0 stands for an unknown end year; left out", end)
        elif end:
            self.problem("Warning", "Betrieb_bis", "not a year; left out", end)

    def _investigation_date(self, site: URIRef) -> None:
        text = self.text("Untersuchung_abgeschlossen_Datum")
        if not text:
            return
        found = _JAVA_DATE.match(text)
        value = None
        if found and found.group(1) in _MONTHS:
            value = date(int(found.group(3)), _MONTHS[found.group(1)], int(found.group(2)))
        if value is None:
            self.problem("Warning", "Untersuchung_abgeschlossen_Datum", "not a date; left out", text)
            return
        stated = _SWISS_DATE.search(self.text("Untersuchung_abgeschlossen_Text"))
        if stated and date(int(stated.group(3)), int(stated.group(2)), int(stated.group(1))) != value:
            self.problem("Warning", "Untersuchung_abgeschlossen_Datum", "differs from the date in "
                         "Untersuchung_abgeschlossen_Text; both kept as stated", text)
        self.graph.add((site, SRKG.investigationCompletedDate, date_literal(value)))

    def _point(self, site: URIRef, key: str) -> URIRef | None:
        lat, lon = self.obj.get("Latitude_WGS84"), self.obj.get("Longitude_WGS84")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
            self.problem("Warning", "Latitude_WGS84", "no numeric WGS84 coordinates; the site has no point",
                         f"{lat} {lon}")
            return None
        if not inside("CHE", lon, lat):
            self.problem("Warning", "Longitude_WGS84", "the point lies outside Switzerland's rough box; left out",
                         f"{lon} {lat}")
            return None
        return point(self.graph, site, key, lon, lat)
