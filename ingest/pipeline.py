"""One ingest, start to finish: detect the source kind, map it, add provenance, validate, decide what to load.

Pure (design §2): returns the graph to load and the report; the caller (CLI, server) writes to the store.
A case study with a violation is left out whole (its own records with it) and reported with the reasons;
a violation that belongs to no case (for instance statements about vocabulary terms) rejects the whole
submission. Nothing is ever half-loaded: the caller replaces the submission's graph in one operation.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from ingest.batched_validation import validate_in_batches
from ingest.namespaces import SRKG
from ingest.provenance import SubmissionInfo, describe_file, source_record_iri, submission_triples
from ingest.rdf_files import FORMATS_BY_SUFFIX, RdfReadError, read_graph
from ingest.records import MappingResult, Problem, SourceError, SourceLocation
from ingest.validation import OWNING_PROPERTIES, ValidationReport
from ingest.vocabulary import Vocabulary, default_vocabulary

Progress = Callable[[str], None]

KINDS = {
    "survey": "SRKG survey workbook (XLSX, or a zip/folder of its CSV sheets)",
    "literature": "SRKG literature case table (literature-cases.csv layout)",
    "field-trials": "SRKG field-trial results table (field-trials.csv layout)",
    "epa-npl": "US EPA Superfund National Priorities List sites (CSV)",
    "swiss-vbs": "Swiss DDPS/VBS contaminated-sites register (JSON)",
    "epa-concentrations": "US EPA Superfund site contaminant concentrations (CSV, or the zip of regional CSVs)",
    "rdf": "RDF: Turtle, JSON-LD, N-Triples, RDF/XML, TriG, N-Quads",
}


@dataclass
class IngestResult:
    info: SubmissionInfo
    kind: str
    mapping: MappingResult
    report: ValidationReport
    load_graph: Graph = field(default_factory=Graph)
    rejected_cases: dict[str, list[str]] = field(default_factory=dict)  # case IRI → reasons
    rejected_whole: list[str] = field(default_factory=list)  # reasons the whole submission is refused
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def cases(self) -> list[URIRef]:
        return sorted(set(self.mapping.graph.subjects(RDF.type, SRKG.CaseStudy)))

    @property
    def accepted_cases(self) -> list[URIRef]:
        if self.rejected_whole:
            return []
        return [c for c in self.cases if str(c) not in self.rejected_cases]

    @property
    def unmatched(self) -> list:
        return [m for m in self.mapping.matches if m.iri is None]

    @property
    def violations(self) -> int:
        problems = sum(1 for p in self.mapping.problems if p.severity == "Violation")
        return problems + self.report.count("Violation")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.mapping.problems if p.severity == "Warning") + self.report.count("Warning")

    @property
    def anything_rejected(self) -> bool:
        rejected_rows = any(p.severity == "Violation" for p in self.mapping.problems)
        return bool(self.rejected_whole or self.rejected_cases or rejected_rows)


def detect_kind(path: Path) -> str:
    """Recognise the source by its extension and, for CSV/JSON, by its header or keys."""
    if path.is_dir():
        return "survey"
    suffix = path.suffix.lower()
    if suffix == ".zip" and _is_epa_concentrations_zip(path):
        return "epa-concentrations"
    if suffix in (".xlsx", ".xlsm", ".zip"):
        return "survey"
    if suffix in FORMATS_BY_SUFFIX and suffix != ".json":
        return "rdf"
    where = SourceLocation(path.name)
    try:
        head = path.open("rb").read(64 * 1024)
    except OSError as error:
        raise SourceError(where, error.strerror or str(error)) from None
    if suffix == ".csv":
        text = head.decode("utf-8-sig", errors="replace")
        header = next(csv.reader(io.StringIO(text)), [])
        columns = {c.strip() for c in header}
        if {"title", "country", "pollutants", "technology", "source_url"} <= columns:
            return "literature"
        if {"case_title", "pollutant", "metric", "value_before", "value_after"} <= columns:
            return "field-trials"
        if {"Site_EPA_ID", "Site_Name", "Latitude", "Longitude"} <= columns:
            return "epa-npl"
        if any("concentration" in c.lower() for c in columns) and any("epa" in c.lower() for c in columns):
            return "epa-concentrations"
        return "survey"  # one sheet of the survey saved as CSV: the survey reader says what is missing
    if suffix == ".json":
        text = head.decode("utf-8-sig", errors="replace").lstrip()
        if '"@context"' in text[:4096]:
            return "rdf"
        return "swiss-vbs"
    known = ", ".join(sorted({".xlsx", ".zip", ".csv", ".json", *FORMATS_BY_SUFFIX}))
    raise SourceError(where, f"unknown kind of file '{suffix or path.name}' (known: {known})")


def _is_epa_concentrations_zip(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.startswith("epa_superfund_site_concentrations") for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def map_source(path: Path, kind: str, info: SubmissionInfo, vocabulary: Vocabulary) -> MappingResult:
    """Run the mapper for ``kind``; mappers that need the reconciler import it lazily (its index is big)."""
    if kind == "rdf":
        try:
            graph = read_graph(path)
        except RdfReadError as error:
            raise SourceError(SourceLocation(path.name, line=error.line), error.message) from None
        result = MappingResult(graph=graph)
        result.rows_read = len(graph)
        return result
    from ingest.reconcile import default_reconciler

    reconciler = default_reconciler()
    if kind == "survey":
        from ingest.survey.mapping import map_survey
        from ingest.survey.reader import read_survey

        data = read_survey(path, path.name)
        return map_survey(data, reconciler, submission_key=info.key, source_file=info.file_iri,
                          today=date.today(), vocabulary=vocabulary)
    if kind == "literature":
        from ingest.sources.literature import map_literature

        return map_literature(path, reconciler, vocabulary)
    if kind == "field-trials":
        from ingest.sources.field_trials import map_field_trials

        return map_field_trials(path, reconciler, vocabulary)
    if kind == "epa-npl":
        from ingest.sources.epa_npl import map_npl

        return map_npl(path, reconciler)
    if kind == "swiss-vbs":
        from ingest.sources.swiss_vbs import map_vbs

        return map_vbs(path, reconciler)
    if kind == "epa-concentrations":
        from ingest.sources.epa_concentrations import map_concentrations

        return map_concentrations(path, reconciler)
    raise SourceError(SourceLocation(path.name), f"unknown source kind '{kind}' (known: {', '.join(KINDS)})")


def add_row_provenance(result: MappingResult, info: SubmissionInfo) -> None:
    """Every resource a row produced points to a SourceRecord (file, sheet, row) unless the mapper did so."""
    graph = result.graph
    for location, resources in result.row_resources.items():
        record = source_record_iri(info.sha256, location.sheet, location.row, location.line)
        for resource in resources:
            if (resource, SRKG.derivedFromRecord, None) not in graph:
                graph.add((resource, SRKG.derivedFromRecord, record))
        if (record, RDF.type, SRKG.SourceRecord) not in graph:
            graph.add((record, RDF.type, SRKG.SourceRecord))
            graph.add((record, SRKG.inFile, info.file_iri))
            if location.sheet:
                graph.add((record, SRKG.sheetName, Literal(location.sheet)))
            if location.row is not None:
                graph.add((record, SRKG.rowNumber, Literal(location.row)))


def owned_closure(graph: Graph, roots: list[Node]) -> set[Node]:
    """The roots and every record they own (site, steps, outcomes, costs, quantities, geometry…)."""
    owned, stack = set(roots), list(roots)
    while stack:
        node = stack.pop()
        for prop in (*OWNING_PROPERTIES, SRKG.derivedFromRecord):
            for child in graph.objects(node, prop):
                if child not in owned and not isinstance(child, Literal):
                    owned.add(child)
                    stack.append(child)
    return owned


def case_rejections(result: IngestResult) -> dict[str, list[str]]:
    """Reasons, per case, to leave it out: its SHACL violations and the mapping violations on any source row
    that produced the case or one of its records (a bad cell on an outcome row rejects the outcome's case)."""
    reasons: dict[str, list[str]] = {}
    for finding in result.report.findings:
        if finding.severity == "Violation" and finding.case:
            reasons.setdefault(finding.case, []).append(f"{finding.where}: {finding.message}")
    mapping = result.mapping
    cases_of_resource: dict[Node, set[str]] = {}
    for case in result.cases:
        for resource in owned_closure(mapping.graph, [case]):
            cases_of_resource.setdefault(resource, set()).add(str(case))
    cases_of_row: dict[tuple[str, str | None, int | None], set[str]] = {}
    for location, resources in mapping.row_resources.items():
        key = (location.file, location.sheet, location.row)
        for resource in resources:
            cases_of_row.setdefault(key, set()).update(cases_of_resource.get(resource, ()))
    for case, location in mapping.case_rows.items():
        cases_of_row.setdefault((location.file, location.sheet, location.row), set()).add(str(case))
    for problem in mapping.problems:
        if problem.severity != "Violation":
            continue
        key = (problem.location.file, problem.location.sheet, problem.location.row)
        for case in sorted(cases_of_row.get(key, ())):
            reasons.setdefault(case, []).append(f"{problem.location}: {problem.message}")
    return reasons


def build_load_graph(result: IngestResult) -> Graph:
    """Accepted records plus provenance; rejected cases leave with the records only they own."""
    mapped = result.mapping.graph
    if result.rejected_whole:
        return Graph()
    rejected = [URIRef(c) for c in result.rejected_cases]
    accepted = [c for c in result.cases if str(c) not in result.rejected_cases]
    drop = owned_closure(mapped, rejected) - owned_closure(mapped, accepted)
    graph = Graph()
    for s, p, o in mapped:
        if s not in drop:
            graph.add((s, p, o))
    kept_records = [s for s in set(graph.subjects()) if isinstance(s, URIRef)
                    and ((s, RDF.type, SRKG.CaseStudy) in graph or (s, RDF.type, SRKG.Site) in graph
                         or (s, RDF.type, SRKG.SurveyResponse) in graph)]
    graph += submission_triples(result.info, sorted(kept_records))
    return graph


def drop_superseded(mapping: MappingResult, superseded: dict[int, str]) -> None:
    """Leave out the cases of rows that are published in a better form elsewhere (row → that case's IRI)."""
    rows = {case: location.row for case, location in mapping.case_rows.items()}
    gone = [case for case, row in rows.items() if row in superseded]
    keep = [case for case in mapping.graph.subjects(RDF.type, SRKG.CaseStudy) if case not in gone]
    drop = owned_closure(mapping.graph, gone) - owned_closure(mapping.graph, keep)
    for node in drop:
        mapping.graph.remove((node, None, None))
    for location in list(mapping.row_resources):  # or row provenance would bring the dropped IRIs back
        kept = [r for r in mapping.row_resources[location] if r not in drop]
        if kept:
            mapping.row_resources[location] = kept
        else:
            del mapping.row_resources[location]
    for case in gone:
        location = mapping.case_rows.pop(case)
        mapping.problems.append(Problem("Info", f"published as the hand-modelled case <{superseded[location.row]}>",
                                        location))


def ingest_file(
    path: Path,
    *,
    submitter: str = "unknown",
    submission_key: str | None = None,
    kind: str | None = None,
    vocabulary: Vocabulary | None = None,
    progress: Progress | None = None,
    superseded_rows: dict[int, str] | None = None,
    status: str = "validated",
) -> IngestResult:
    """Read, map, validate one source; raises ``SourceError`` when the whole file cannot be read.

    ``superseded_rows`` (row → case IRI) names rows whose case is published in a better form elsewhere
    (the hand-modelled examples): their automatic mapping is left out. ``status`` is the submission-status
    recorded in the submission's provenance: "published" when the caller loads the result into the public store
    straight away (the command line, the server's first-start loading), else "validated"."""
    say = progress or (lambda _message: None)
    vocabulary = vocabulary or default_vocabulary()
    if not path.exists():
        raise SourceError(SourceLocation(path.name), "no such file")
    kind = kind or detect_kind(path)
    info = replace(describe_file(path, submitter, submission_key), status=status)
    timings: dict[str, float] = {}

    start = time.perf_counter()
    say(f"reading {path.name} as {KINDS.get(kind, kind)}")
    mapping = map_source(path, kind, info, vocabulary)
    if superseded_rows:
        drop_superseded(mapping, superseded_rows)
    add_row_provenance(mapping, info)
    timings["read_and_map_s"] = time.perf_counter() - start
    say(f"mapped {mapping.rows_read} rows into {len(mapping.graph)} triples")

    start = time.perf_counter()
    graph_to_check = mapping.graph + submission_triples(info, [])

    def validated(done: int, total: int) -> None:
        filled = round(30 * done / total)
        say(f"validating [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} records")

    report = validate_in_batches(graph_to_check, path.name, vocabulary, validated)
    timings["validate_s"] = time.perf_counter() - start
    say(f"validated: {report.count('Violation')} violations, {report.count('Warning')} warnings")

    result = IngestResult(info=info, kind=kind, mapping=mapping, report=report, timings=timings)
    result.rejected_cases = case_rejections(result)
    outside = [f"{f.where}: {f.message}" for f in report.findings if f.severity == "Violation" and not f.case]
    result.rejected_whole = outside
    result.load_graph = build_load_graph(result)
    return result


def summary(result: IngestResult) -> dict[str, object]:
    """The numbers a curator wants first (also the head of the JSON report)."""
    return {
        "file": result.info.file_name,
        "kind": result.kind,
        "submission": result.info.key,
        "graph": str(result.info.graph),
        "sha256": result.info.sha256,
        "rows_read": result.mapping.rows_read,
        "cases": len(result.cases),
        "sites": len(set(result.load_graph.subjects(RDF.type, SRKG.Site))),
        "cases_accepted": len(result.accepted_cases),
        "cases_rejected": len(result.cases) - len(result.accepted_cases),
        "rows_rejected": len({(p.location.file, p.location.sheet, p.location.row) for p in result.mapping.problems
                              if p.severity == "Violation" and p.message.startswith("Row not accepted")}),
        "violations": result.violations,
        "warnings": result.warnings,
        "unmatched_terms": len(result.unmatched),
        "triples_to_load": len(result.load_graph),
        "rejected_whole": result.rejected_whole,
    }


def json_report(result: IngestResult) -> str:
    def problem(p: Problem) -> dict[str, object]:
        return {"severity": p.severity, "message": p.message, "where": str(p.location), "value": p.value,
                "suggestions": list(p.suggestions)}

    return json.dumps(
        {
            "summary": summary(result),
            "rejected_cases": result.rejected_cases,
            "problems": [problem(p) for p in result.mapping.problems],
            "findings": [f.as_dict() for f in result.report.findings],
            "matches": [
                {"where": str(m.location), "kind": m.kind, "text": m.text, "iri": str(m.iri) if m.iri else None,
                 "label": m.label, "method": m.method, "score": m.score, "suggestions": list(m.suggestions)}
                for m in result.mapping.matches
            ],
            "timings": {k: round(v, 3) for k, v in result.timings.items()},
        },
        ensure_ascii=False,
        indent=2,
    )

