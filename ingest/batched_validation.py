"""Validate a large submission in batches of root records, with progress.

A root record is a case study, or a site or survey response that no case owns. Each batch holds its roots,
everything they own (site, steps, outcomes, costs, quantities, records…) and every triple that points into
them — so checks that look backwards ("this outcome belongs to one case only") see all owners. Whatever
belongs to no root (the submission's own provenance, stray records) forms one last batch. The findings are the
same as validating the whole graph at once; memory stays bounded and the caller can show progress.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import RDF, Graph, Literal
from rdflib.term import Node

from ingest.namespaces import SRKG
from ingest.validation import OWNING_PROPERTIES, ValidationReport, validate_graph
from ingest.vocabulary import Vocabulary

BATCH_ROOTS = 100
ROOT_TYPES = (SRKG.CaseStudy, SRKG.Site, SRKG.SurveyResponse)


def roots_of(graph: Graph) -> list[Node]:
    owned = {o for prop in OWNING_PROPERTIES for o in graph.objects(None, prop)}
    roots: list[Node] = []
    for rdf_type in ROOT_TYPES:
        roots += sorted((s for s in graph.subjects(RDF.type, rdf_type) if s not in owned or rdf_type == SRKG.CaseStudy),
                        key=str)
    return list(dict.fromkeys(roots))


def closure(graph: Graph, roots: Iterable[Node]) -> set[Node]:
    """The roots and everything they own, through the owning properties and source records."""
    nodes, stack = set(roots), list(roots)
    while stack:
        node = stack.pop()
        for prop in (*OWNING_PROPERTIES, SRKG.derivedFromRecord, SRKG.inFile):
            for child in graph.objects(node, prop):
                if not isinstance(child, Literal) and child not in nodes:
                    nodes.add(child)
                    stack.append(child)
    return nodes


def batch_graph(graph: Graph, nodes: set[Node]) -> Graph:
    batch = Graph()
    for node in nodes:
        for triple in graph.triples((node, None, None)):
            batch.add(triple)
        for triple in graph.triples((None, None, node)):
            batch.add(triple)
    return batch


def validate_in_batches(
    graph: Graph,
    source: str,
    vocabulary: Vocabulary,
    progress: Callable[[int, int], None] | None = None,
    batch_roots: int = BATCH_ROOTS,
) -> ValidationReport:
    """Validate ``graph`` batch by batch; ``progress(done, total)`` is called after each batch of roots."""
    roots = roots_of(graph)
    if len(roots) <= batch_roots:
        return validate_graph(graph, source, vocabulary)
    merged = ValidationReport(source=source, triples=len(graph))
    seen_findings: set[tuple] = set()
    covered: set[Node] = set()
    batches = [roots[i:i + batch_roots] for i in range(0, len(roots), batch_roots)]
    for number, batch_roots_list in enumerate(batches, start=1):
        nodes = closure(graph, batch_roots_list)
        covered |= nodes
        _merge(merged, validate_graph(batch_graph(graph, nodes), source, vocabulary), seen_findings)
        if progress:
            progress(min(number * batch_roots, len(roots)), len(roots))
    # Everything no root owns (the submission's provenance, stray records), with the nodes it refers to.
    rest_nodes = {s for s in graph.subjects() if s not in covered}
    rest_nodes |= {o for s in rest_nodes for o in graph.objects(s) if not isinstance(o, Literal)}
    rest = Graph()
    for node in rest_nodes:
        for triple in graph.triples((node, None, None)):
            rest.add(triple)
    if len(rest):
        _merge(merged, validate_graph(rest, source, vocabulary), seen_findings)
    merged.findings.sort(key=lambda f: (f.case_title or "~", f.case or "", f.severity != "Violation",
                                        f.severity != "Warning", f.where, f.message))
    return merged


def _merge(into: ValidationReport, part: ValidationReport, seen: set[tuple]) -> None:
    for finding in part.findings:
        key = (finding.severity, finding.focus_node, finding.path, finding.message, finding.case, finding.value)
        if key not in seen:
            seen.add(key)
            into.findings.append(finding)
    into.report_graph += part.report_graph
