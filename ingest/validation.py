"""Validate a submission graph against the SHACL shapes (design §5).

The data graph handed to pyshacl is the submission plus only the vocabulary terms it references, so the
cost of validating one submission does not grow with the database. Results are turned into ``Finding``s
that say which case study they belong to and where inside it, in words a curator understands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pyshacl
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SH
from rdflib.term import BNode, Node

from ingest import paths, prepared_queries
from ingest.foreign_statements import ForeignStatement, find_foreign_statements, without
from ingest.namespaces import GEO, QUDT, SRKG
from ingest.rdf_files import format_for, parse_quads, to_rdflib
from ingest.vocabulary import Vocabulary, default_vocabulary

prepared_queries.install()

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
PROV = Namespace("http://www.w3.org/ns/prov#")
OWN_RECORDS = URIRef("https://w3id.org/srkg/shapes#OwnRecordsOnly")

# Links from a record to the records it owns: used to find which case study a finding belongs to.
OWNING_PROPERTIES = (
    SRKG.site,
    SRKG.technologyApplication,
    SRKG.outcome,
    SRKG.cost,
    SRKG.assessment,
    SRKG.indicatorResult,
    SRKG.areaTreated,
    SRKG.volumeTreated,
    SRKG.massTreated,
    SRKG.quantity,
    GEO.hasGeometry,
)
RECORD_NAMES = {
    SRKG.CaseStudy: "Case study",
    SRKG.Site: "Site",
    SRKG.TechnologyApplication: "Technology step",
    SRKG.Outcome: "Outcome",
    SRKG.Cost: "Cost",
    SRKG.SustainabilityAssessment: "Sustainability assessment",
    SRKG.IndicatorResult: "Indicator result",
    SRKG.Submission: "Submission",
    SRKG.SourceFile: "Source file",
    SRKG.SourceRecord: "Source record",
    SRKG.SurveyResponse: "Survey response",
}


class ShapesError(RuntimeError):
    """The shapes themselves are broken (a defect of SRKG, not of the submission)."""


@dataclass(frozen=True)
class Finding:
    """One validation result, located for a curator."""

    severity: str
    message: str
    focus_node: str
    where: str
    case: str | None = None
    case_title: str | None = None
    path: str | None = None
    field_name: str | None = None
    value: str | None = None
    value_label: str | None = None
    shape: str | None = None
    source_location: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class ValidationReport:
    """The outcome of validating one source: findings plus the standard SHACL report graph."""

    source: str
    findings: list[Finding] = field(default_factory=list)
    report_graph: Graph = field(default_factory=Graph)
    triples: int = 0

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted(paths.shapes_dir().glob("*.ttl")):
        for quad in parse_quads(path.read_bytes(), format_for(path), str(path)):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def referenced_iris(data: Graph) -> set[str]:
    """Every IRI the submission mentions (as subject or object)."""
    iris: set[str] = set()
    for s, _, o in data:
        if isinstance(s, URIRef):
            iris.add(str(s))
        if isinstance(o, URIRef):
            iris.add(str(o))
    return iris


def validation_graph(
    data: Graph, vocabulary: Vocabulary, foreign: list[ForeignStatement] | None = None
) -> Graph:
    """The submission's own statements plus the vocabulary triples about the terms it references.

    Statements about vocabulary/ontology terms and model axioms are left out here (they are reported as
    violations by ``validate_graph``): what a term is comes from SRKG's vocabularies only.
    """
    if foreign is None:
        foreign = find_foreign_statements(data, vocabulary)
    graph = without(data, foreign)
    graph += vocabulary.describe(referenced_iris(data))
    return graph


def validate_graph(
    data: Graph, source: str = "<submission>", vocabulary: Vocabulary | None = None
) -> ValidationReport:
    vocabulary = vocabulary or default_vocabulary()
    foreign = find_foreign_statements(data, vocabulary)
    graph = validation_graph(data, vocabulary, foreign)
    _conforms, report_graph, text = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        meta_shacl=False,
    )
    if not isinstance(report_graph, Graph):  # pyshacl returns its failure instead of raising
        raise ShapesError(f"the SHACL shapes could not be evaluated: {text}")
    locator = _Locator(data, vocabulary)
    # Top-level results only: nested sh:detail results repeat what their parent says.
    results = [
        result
        for report in report_graph.subjects(RDF.type, SH.ValidationReport)
        for result in report_graph.objects(report, SH.result)
    ]
    findings = [f for result in results for f in locator.findings(report_graph, result)]
    findings += foreign_findings(foreign, vocabulary)
    add_foreign_results(report_graph, foreign)
    findings.sort(key=lambda f: (f.case_title or "~", f.case or "", SEVERITY_ORDER[f.severity], f.where, f.message))
    return ValidationReport(source=source, findings=findings, report_graph=report_graph, triples=len(data))


def foreign_findings(statements: list[ForeignStatement], vocabulary: Vocabulary) -> list[Finding]:
    """One violation per subject that the submission may not describe."""
    by_subject: dict[Node, list[ForeignStatement]] = {}
    for statement in statements:
        by_subject.setdefault(statement.subject, []).append(statement)
    findings = []
    for subject, items in by_subject.items():
        name = vocabulary.label(str(subject)) if isinstance(subject, URIRef) else None
        shown = f"'{name}' <{subject}>" if name else f"<{subject}>" if isinstance(subject, URIRef) else str(subject)
        predicates = ", ".join(sorted({_local_name(i.predicate) for i in items}))
        if items[0].reason == "protected-term":
            message = (f"The submission makes statements about {shown} ({predicates}), which is defined by SRKG's "
                       "vocabularies or ontology, or by an external authority. A submission describes its own records "
                       "only; propose vocabulary changes to the SRKG project.")
        else:
            message = (f"The submission states model axioms ({predicates}) about {shown}. Submissions cannot change "
                       "the ontology; describe records with the existing classes and properties.")
        findings.append(Finding(severity="Violation", message=message, focus_node=_term_text(subject) or "",
                                where="Statements about terms the submission does not own", shape=str(OWN_RECORDS)))
    return findings


def add_foreign_results(report_graph: Graph, statements: list[ForeignStatement]) -> None:
    """Record foreign statements in the standard SHACL report too, so all three report formats agree."""
    if not statements:
        return
    report = next(report_graph.subjects(RDF.type, SH.ValidationReport))
    report_graph.set((report, SH.conforms, Literal(False)))
    for statement in statements:
        result = BNode()
        report_graph.add((report, SH.result, result))
        report_graph.add((result, RDF.type, SH.ValidationResult))
        report_graph.add((result, SH.focusNode, statement.subject))
        report_graph.add((result, SH.resultPath, statement.predicate))
        report_graph.add((result, SH.value, statement.object))
        report_graph.add((result, SH.resultSeverity, SH.Violation))
        report_graph.add((result, SH.sourceShape, OWN_RECORDS))
        report_graph.add((result, SH.resultMessage, Literal("A submission may only describe its own records.")))


class _Locator:
    """Turns a raw sh:ValidationResult into ``Finding``s with case, record and field names.

    A record may belong to several cases (one site shared by two cases): the finding is reported under each.
    The data may contain cycles; every walk keeps a set of visited nodes.
    """

    def __init__(self, data: Graph, vocabulary: Vocabulary) -> None:
        self.data = data
        self.vocabulary = vocabulary
        self.parents: dict[Node, list[tuple[Node, URIRef]]] = {}
        for prop in OWNING_PROPERTIES:
            for s, o in data.subject_objects(prop):
                self.parents.setdefault(o, []).append((s, prop))

    def findings(self, report: Graph, result: Node) -> list[Finding]:
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        severity = SEVERITY_NAMES.get(report.value(result, SH.resultSeverity), "Violation")
        message = str(report.value(result, SH.resultMessage) or "Constraint not met.")
        field_name = self._field_name(path)
        common = {
            "severity": severity,
            "message": message,
            "focus_node": _term_text(focus) or "",
            "path": str(path) if isinstance(path, URIRef) else None,
            "field_name": field_name,
            "value": _term_text(value) if value is not None and value != focus else None,
            "value_label": self.vocabulary.label(str(value)) if isinstance(value, URIRef) else None,
            "shape": _term_text(report.value(result, SH.sourceShape)),
        }
        chains = self._chains_to_cases(focus)
        if not chains:
            return [Finding(where=self._where([focus] if focus is not None else [], field_name),
                            source_location=self._source_location([focus]), **common)]
        return [
            Finding(where=self._where(chain[:-1] or [chain[-1]], field_name), case=str(chain[-1]),
                    case_title=self._title(chain[-1]), source_location=self._source_location(chain), **common)
            for chain in chains
        ]

    def _chains_to_cases(self, focus: Node | None) -> list[list[Node]]:
        """Paths focus → … → case for every case study that owns the focus node (breadth first, no cycles)."""
        if focus is None:
            return []
        chains, queue, seen = [], [[focus]], {focus}
        while queue:
            chain = queue.pop(0)
            node = chain[-1]
            if (node, RDF.type, SRKG.CaseStudy) in self.data:
                chains.append(chain)
                continue
            for parent, _prop in self.parents.get(node, []):
                if parent not in seen:
                    seen.add(parent)
                    queue.append([*chain, parent])
        return chains

    def _title(self, case: Node) -> str | None:
        title = self.data.value(case, DCTERMS.title)
        return str(title) if title is not None else None

    def _field_name(self, path: Node | None) -> str | None:
        if isinstance(path, URIRef):
            return self.vocabulary.label(str(path)) or _local_name(path)
        return None

    def _owning_property(self, node: Node) -> URIRef | None:
        owners = self.parents.get(node)
        return owners[0][1] if owners else None

    def _record_name(self, node: Node) -> str:
        for rdf_type in self.data.objects(node, RDF.type):
            if rdf_type in RECORD_NAMES:
                return RECORD_NAMES[rdf_type] + self._record_detail(node, rdf_type)
        owning = self._owning_property(node)
        if (node, GEO.asWKT, None) in self.data or owning == GEO.hasGeometry:
            return "Location"
        if owning in (SRKG.areaTreated, SRKG.volumeTreated, SRKG.massTreated):
            return self._field_name(owning) or "Quantity"
        return "Quantity" if (node, QUDT.numericValue, None) in self.data else _local_name(node)

    def _record_detail(self, node: Node, rdf_type: Node) -> str:
        """A few words that tell records of one kind apart: '(cadmium, total concentration)'."""
        parts: list[str] = []
        if rdf_type == SRKG.Outcome:
            parts = [self._label(o) for p in (SRKG.pollutant, SRKG.metric) for o in self.data.objects(node, p)]
        elif rdf_type == SRKG.TechnologyApplication:
            parts = [self._label(o) for o in self.data.objects(node, SRKG.technology)]
        elif rdf_type == SRKG.Cost:
            parts = [str(o) for o in self.data.objects(node, SRKG.amount)]
            parts += [self._label(o) for o in self.data.objects(node, SRKG.currency)]
        elif rdf_type == SRKG.IndicatorResult:
            parts = [self._label(o) for o in self.data.objects(node, SRKG.criterion)]
        elif rdf_type == SRKG.SustainabilityAssessment:
            parts = [self._label(o) for o in self.data.objects(node, SRKG.framework)]
        return f" ({', '.join(parts)})" if parts else ""

    def _label(self, term: Node) -> str:
        if isinstance(term, URIRef):
            return self.vocabulary.label(str(term)) or _local_name(term)
        return str(term)

    def _where(self, records: list[Node], field_name: str | None) -> str:
        """'Site › Location › as WKT': the records from the case down to the focus, then the field."""
        names = [self._record_name(node) for node in reversed(records)] or ["Case study"]
        where = " › ".join(names)
        return f"{where} › {field_name}" if field_name else where

    def _source_location(self, nodes: list[Node]) -> str | None:
        """Sheet and row of the nearest record (focus first, then its owners) that says where it came from."""
        for node in nodes:
            record = self.data.value(node, SRKG.derivedFromRecord)
            if record is not None:
                sheet = self.data.value(record, SRKG.sheetName)
                row = self.data.value(record, SRKG.rowNumber)
                parts = [f"sheet '{sheet}'" if sheet else None, f"row {row}" if row else None]
                return ", ".join(p for p in parts if p) or None
        return None


def _term_text(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def _local_name(term: Node) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
