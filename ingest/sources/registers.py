"""What the register mappers share: the register descriptions, US state → country, point geometries with rough
country boxes, and the proposed register terms (``docs/proposed-register-terms.ttl``).

US territories are their own UN M49 areas with their own ISO 3166 codes (Guam is GUM, Puerto Rico PRI…), so a
site in one of them gets that country, not USA. The Federated States of Micronesia is a sovereign country (FSM).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from ingest.namespaces import GEO, SRKG, data_iri

# Proposed terms (docs/proposed-register-terms.ttl); listed here so their use is easy to find.
SOSA = "http://www.w3.org/ns/sosa/"
HAS_FEATURE_OF_INTEREST = URIRef(SOSA + "hasFeatureOfInterest")
HAS_RESULT = URIRef(SOSA + "hasResult")
PROPOSED_TERMS = (
    SRKG.SiteRegister, SRKG.inRegister, SRKG.registerId, SRKG.registerStatus, SRKG.hazardScore, SRKG.proposedDate,
    SRKG.listingDate, SRKG.constructionCompletionDate, SRKG.deletionNoticeDate, SRKG.deletionDate,
    SRKG.partiallyDeleted, SRKG.pollutingActivity, SRKG.operationStartYear, SRKG.operationEndYear, SRKG.inOperation,
    SRKG.operatingPeriodAsStated, SRKG.investigationStage, SRKG.investigationStatusAsStated,
    SRKG.investigationCompletedDate, SRKG.groundwaterProtection, SRKG.ContaminationObservation, SRKG.sampledMedium,
    SRKG.mediumAsStated, SRKG.casNumberAsStated, SRKG.contaminantGroupAsStated, SRKG.statistic,
    SRKG.isContaminantOfConcern, SRKG.sourceDocumentType, SRKG.operableUnit, SRKG.resultAsStated,
)  # fmt: skip

US_TERRITORIES = {
    "Puerto Rico": "PRI", "PR": "PRI",
    "Virgin Islands": "VIR", "VI": "VIR",
    "Guam": "GUM", "GU": "GUM",
    "American Samoa": "ASM", "AS": "ASM",
    "Commonwealth of Northern Marianas": "MNP", "MP": "MNP",
    "Federated States of Micronesia": "FSM", "FM": "FSM",
}  # fmt: skip

# Rough boxes (lon_min, lat_min, lon_max, lat_max) that hold every place of the country or area.
BOXES: dict[str, tuple[float, float, float, float]] = {
    "USA": (-179.9, 18.5, -66.5, 71.6),
    "PRI": (-68.0, 17.8, -65.2, 18.6),
    "VIR": (-65.1, 17.6, -64.5, 18.5),
    "GUM": (144.6, 13.2, 145.0, 13.7),
    "MNP": (144.8, 14.0, 146.1, 20.6),
    "ASM": (-171.2, -14.6, -168.1, -11.0),
    "FSM": (137.3, 0.9, 163.1, 10.1),
    "CHE": (5.9, 45.8, 10.5, 47.9),
}


def us_country(state: str) -> str:
    """ISO 3166 alpha-3 of a US state or territory (name or two-letter code)."""
    return US_TERRITORIES.get(state.strip(), "USA")


def inside(iso3: str, lon: float, lat: float) -> bool:
    lon_min, lat_min, lon_max, lat_max = BOXES[iso3]
    return lon_min <= lon <= lon_max and lat_min <= lat <= lat_max


def point(graph: Graph, site: URIRef, key: str, lon: Decimal | float, lat: Decimal | float) -> URIRef:
    """Adds geo:hasGeometry with a WKT POINT(lon lat) in WGS84 (CRS84 axis order) and returns the geometry IRI."""
    geometry = data_iri("geometry", key)
    graph.add((site, GEO.hasGeometry, geometry))
    graph.add((geometry, RDF.type, GEO.Geometry))
    graph.add((geometry, GEO.asWKT, Literal(f"POINT({lon} {lat})", datatype=GEO.wktLiteral)))
    return geometry


@dataclass(frozen=True)
class Register:
    key: str
    label: str
    publisher: str
    source: str
    licence: str | None
    issued: str | None = None

    @property
    def iri(self) -> URIRef:
        return data_iri("register", self.key)

    def describe(self, graph: Graph) -> None:
        graph.add((self.iri, RDF.type, SRKG.SiteRegister))
        graph.add((self.iri, RDFS.label, Literal(self.label, lang="en")))
        graph.add((self.iri, DCTERMS.publisher, Literal(self.publisher)))
        graph.add((self.iri, DCTERMS.source, URIRef(self.source)))
        if self.licence:
            graph.add((self.iri, DCTERMS.license, URIRef(self.licence)))
        if self.issued:
            graph.add((self.iri, DCTERMS.issued, Literal(self.issued, datatype=XSD.date)))


PUBLIC_DOMAIN = "https://creativecommons.org/publicdomain/mark/1.0/"
EPA_NPL = Register(
    "epa-npl", "US EPA Superfund National Priorities List (NPL) sites with status information", "US EPA",
    "https://github.com/fabriciobagatto/analisis-remediacion-sitios-superfund", PUBLIC_DOMAIN,
)  # fmt: skip
EPA_CONCENTRATIONS = Register(
    "epa-superfund-concentrations", "US EPA Superfund site contaminant concentrations (decision documents)",
    "US EPA (compiled by NIEHS)", "https://github.com/NIEHS/superfund_hazards", PUBLIC_DOMAIN,
)  # fmt: skip
CH_VBS = Register(
    "ch-vbs", "Swiss DDPS (VBS) cadastre of polluted sites, 2009", "Swiss Federal Department of Defence (DDPS/VBS)",
    "https://github.com/interactivethings/swiss-army-contaminated-sites", None, "2009-12-18",
)  # fmt: skip
