"""Writes one case study (case, site, treatment steps, size, years, sources, notes) from located cell values.

Shared by the literature and field-trial mappers. Every method takes the row and column a value came from, so a
problem always points at its cell; a value that is not reconciled or not a clean number is reported and kept
as a data note, never guessed.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from ingest.namespaces import QUDT, QUDT_UNIT, SRKG, data_iri
from ingest.sources.common import (
    Recorder,
    clean_decimal,
    clean_year,
    decimal_literal,
    integer_literal,
    split_urls,
    suggestion_labels,
)
from ingest.sources.concepts import Found, find_concepts, unrecognised
from ingest.vocabulary import Vocabulary

CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")


class CaseBuilder:
    """Adds the triples of one case study ``id/case/{key}`` to the recorder's graph."""

    def __init__(self, rec: Recorder, key: str, vocabulary: Vocabulary | None = None) -> None:
        self.rec, self.key, self.vocabulary = rec, key, vocabulary
        self.graph = rec.result.graph
        self.iri = data_iri("case", key)
        self.site = data_iri("site", key)
        self.resources: list[URIRef] = [self.iri, self.site]
        self.notes: list[str] = []
        self.add(RDF.type, SRKG.CaseStudy)
        self.add(SRKG.site, self.site)
        self.add(RDF.type, SRKG.Site, self.site)

    def add(self, predicate: URIRef, obj: URIRef | Literal, subject: URIRef | None = None) -> None:
        self.graph.add((subject or self.iri, predicate, obj))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def finish(self) -> None:
        for note in self.notes:
            self.add(SRKG.dataNote, Literal(note))

    # --- case ----------------------------------------------------------------------------------------------------
    def title(self, text: str, licence: URIRef = CC_BY_4) -> None:
        self.add(DCTERMS.title, Literal(text, lang="en"))
        self.add(DCTERMS.license, licence)

    def pollutants(self, iris: list[URIRef], stated: list[str]) -> None:
        """The reconciled pollutants, and the cell(s) as the source wrote them."""
        for iri in iris:
            self.add(SRKG.pollutant, iri)
        for text in dict.fromkeys(stated):
            self.add(SRKG.pollutantAsStated, Literal(text))

    def technologies(self, found: list[Found], column: str = "technology") -> None:
        """One treatment step per technology, in the order the text names them; the matched words are noted."""
        phrases = []
        for n, item in enumerate(found, start=1):
            step = data_iri("step", f"{self.key}-{n}")
            self.resources.append(step)
            self.add(SRKG.technologyApplication, step)
            self.add(RDF.type, SRKG.TechnologyApplication, step)
            self.add(SRKG.technology, item.iri, step)
            self.add(SRKG.stepOrder, Literal(n, datatype=XSD.positiveInteger), step)
            self.add(SRKG.applicationDescription, Literal(item.segment), step)
            phrases.append(f"'{item.phrase}' → {item.iri.rsplit('/', 1)[-1]}")
        self.note(f"Technologies recognised in the {column} column: " + "; ".join(phrases) + ".")

    def concept(self, row: int, column: str, text: str, scheme: str, predicate: URIRef) -> None:
        """A value of a small scheme (scale, nature-based category…), reconciled whole."""
        if not text:
            return
        iri, reconciliation = self.rec.lookup(scheme, text, row, column)
        if iri is None:
            self.rec.problem("Warning", row, column, f"'{text}' is not in the SRKG {scheme} list; left out",
                             value=text, suggestions=suggestion_labels(reconciliation))
            self.note(f"{column} as stated: {text}")
            return
        self.add(predicate, iri)

    def area(self, row: int, column: str, text: str) -> None:
        """Area treated in hectares (the column's unit)."""
        if not text:
            return
        value = clean_decimal(text)
        if value is None:
            self.not_a_number(row, column, text)
            return
        quantity = data_iri("quantity", f"{self.key}-area")
        self.resources.append(quantity)
        self.add(SRKG.areaTreated, quantity)
        self.add(RDF.type, QUDT.QuantityValue, quantity)
        self.add(QUDT.numericValue, decimal_literal(value), quantity)
        self.add(QUDT.unit, QUDT_UNIT.HA, quantity)

    def start_year(self, row: int, column: str, text: str) -> None:
        if text:
            year = clean_year(text)
            if year is None:
                self.not_a_number(row, column, text)
            else:
                self.add(SRKG.startYear, integer_literal(year))

    def duration(self, row: int, column: str, text: str) -> None:
        if text:
            value = clean_decimal(text)
            if value is None:
                self.not_a_number(row, column, text)
            else:
                self.add(SRKG.durationMonths, decimal_literal(value))

    def not_a_number(self, row: int, column: str, text: str) -> None:
        self.rec.problem("Warning", row, column, "not a clean number; kept as text only", value=text)
        self.note(f"{column} as stated: {text}")

    def sources(self, row: int, cells: dict[str, str]) -> None:
        """dcterms:source for every web address in the cells (column → text)."""
        urls, others = split_urls(*cells.values())
        for url in urls:
            self.add(DCTERMS.source, URIRef(url))
        for other in others:
            column = next((c for c, text in cells.items() if other in text), next(iter(cells)))
            self.rec.problem("Warning", row, column, "not a web address; kept as a data note", value=other)
            self.note(f"Source as stated: {other}")

    # --- site ----------------------------------------------------------------------------------------------------
    def site_place(self, label: str, country: URIRef, location: str = "") -> None:
        self.add(RDFS.label, Literal(label), self.site)
        self.add(SRKG.country, country, self.site)
        if location:
            self.add(SRKG.locationDescription, Literal(location), self.site)

    def site_type(self, row: int, column: str, text: str) -> None:
        """The site type as stated, and every site-type concept the text names."""
        if not text:
            return
        self.add(SRKG.siteTypeAsStated, Literal(text), self.site)
        found = find_concepts(self.rec, row, column, text, "site-type", vocabulary=self.vocabulary)
        for item in found:
            self.add(SRKG.siteType, item.iri, self.site)
        if not found:
            unrecognised(self.rec, row, column, text, "site-type", "site type", "Info")
