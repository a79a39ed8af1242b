"""First-start loading: the project's own RDF files into their named graphs, idempotently.

Each target graph is built from its source files; a SHA-256 over the files decides whether anything changed.
Unchanged graphs are skipped, changed ones replaced atomically. A file that does not parse stops start-up
with the file, line and column in the message (nothing of that graph is written). The hashes live in
``<data dir>/bootstrap-state.json``; a graph missing from the store is reloaded whatever the hash says.

Killed half-way, a restart finishes the job: each graph is replaced in one atomic store write, and its hash is
recorded (atomically: temporary file, fsync, rename) only after the store has it, so a graph whose write was
lost is loaded again. The store is flushed before the hash is written when the backend can flush.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ingest import paths
from ingest.namespaces import graph_iri
from sparql_api.store.base import Store

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

log = logging.getLogger("srkg.bootstrap")

# The project's own tables are curated and published by the project: their submissions say so.
PUBLISHED = "published"


class BootstrapError(Exception):
    """A source file could not be loaded; the message names the file and the place."""


@dataclass(frozen=True)
class GraphSource:
    graph: str  # graph IRI
    files: tuple[Path, ...]
    # Builds N-Triples from the files instead of parsing them as Turtle (e.g. the ingest pipeline for a table).
    build: Callable[[tuple[Path, ...]], bytes] | None = None
    # Files that change what ``build`` makes (its code) without being read as data: part of the digest only.
    digest_also: tuple[Path, ...] = ()


@dataclass(frozen=True)
class LoadReport:
    graph: str
    files: int
    triples: int
    action: str  # "loaded" | "replaced" | "unchanged"


def _resource_root() -> Path:
    """The data files' root; while ontology/srkg.ttl is still being written, fall back to the checkout."""
    try:
        return paths.resource_root()
    except FileNotFoundError:
        checkout = Path(paths.__file__).resolve().parent.parent
        log.warning("ontology/srkg.ttl not found; loading whatever exists under %s", checkout)
        return checkout


def default_sources(root: Path | None = None) -> list[GraphSource]:
    """ontology → graph/ontology, vocab/*.ttl → graph/vocab, the AGROVOC subset → graph/agrovoc,
    countries → graph/countries, examples/cases/*.ttl → graph/examples, and the real case studies of the
    literature table (examples/sources/literature-cases.csv) and the measured results of the field-trial table
    (examples/sources/field-trials.csv) through the ingest pipeline → one submission graph each, except the
    rows that examples/cases models by hand."""
    root = root or _resource_root()
    ontology, external = root / "ontology", root / "ontology" / "external"
    examples = tuple(sorted((root / "examples" / "cases").glob("*.ttl")))
    literature = root / "examples" / "sources" / "literature-cases.csv"
    field_trials = root / "examples" / "sources" / "field-trials.csv"
    code = Path(__file__).resolve().parent.parent.parent / "ingest"
    ingest_code = tuple(sorted(code.rglob("*.py"))) if code.is_dir() else ()
    sources = [
        GraphSource(str(graph_iri("ontology")), (ontology / "srkg.ttl",)),
        GraphSource(str(graph_iri("vocab")), tuple(sorted((ontology / "vocab").glob("*.ttl")))),
        GraphSource(str(graph_iri("agrovoc")), (external / "agrovoc-subset.ttl",)),
        GraphSource(str(graph_iri("countries")), (external / "countries.ttl",)),
        GraphSource(str(graph_iri("examples")), examples),
    ]
    pipeline_inputs = (*ingest_code, *sorted((root / "shapes").glob("*.ttl")),
                       *sorted((ontology / "vocab").glob("*.ttl")))
    if literature.is_file():
        sources.append(GraphSource(
            str(graph_iri("submission/literature-cases")), (literature, *examples), build=build_literature,
            digest_also=pipeline_inputs,
        ))
    if field_trials.is_file():
        sources.append(GraphSource(
            str(graph_iri("submission/field-trials")), (field_trials, *examples), build=build_field_trials,
            digest_also=pipeline_inputs,
        ))
    return [GraphSource(s.graph, tuple(f for f in s.files if f.is_file()), s.build, s.digest_also)
            for s in sources]


def build_literature(files: tuple[Path, ...]) -> bytes:
    """The literature table through the ingest pipeline; rows modelled by hand in the examples are skipped."""
    from ingest.pipeline import ingest_file

    table, examples = files[0], files[1:]
    result = ingest_file(table, submitter="SRKG project", submission_key="literature-cases", kind="literature",
                         superseded_rows=hand_modelled_rows(table, examples), status=PUBLISHED)
    log.info("literature table: %d of %d cases accepted", len(result.accepted_cases), result.mapping.rows_read)
    return result.load_graph.serialize(format="nt", encoding="utf-8")


def build_field_trials(files: tuple[Path, ...]) -> bytes:
    """The field-trial table through the ingest pipeline; cases an example combines by hand are skipped."""
    from ingest.pipeline import ingest_file

    table, examples = files[0], files[1:]
    superseded = hand_modelled_rows(table, examples) | combined_trial_rows(table, examples)
    result = ingest_file(table, submitter="SRKG project", submission_key="field-trials", kind="field-trials",
                         superseded_rows=superseded, status=PUBLISHED)
    log.info("field-trial table: %d cases accepted from %d rows", len(result.accepted_cases),
             result.mapping.rows_read)
    return result.load_graph.serialize(format="nt", encoding="utf-8")


# An example's opening comment says which field-trial rows it combines: "combined with field-trials.csv rows 58
# (KERP batches, same paper) and 59 (…)", "… row 50", "… rows 118-122 (…)".
_COMBINED = re.compile(r"field-trials\.csv rows? (\d+(?:-\d+)?(?:(?:\s*,\s*|\s+and\s+)\d+(?:-\d+)?)*)")


def combined_trial_rows(table: Path, examples: tuple[Path, ...]) -> dict[int, str]:
    """First rows of the field-trial cases that an example case combines by hand (row → the example's IRI).

    The examples name the rows only in their opening comment (they cite the literature row as their
    srkg:derivedFromRecord); a case of the table is left out when any of its rows is named, so that a site
    is not counted twice. Rows are grouped into cases as the reader groups them (case_title, country).
    """
    named: dict[int, str] = {}
    for path in examples:
        text = path.read_text("utf-8")
        header = " ".join(line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#"))
        header = re.sub(r"\([^)]*\)", "", header)
        case = _example_case(path)
        for found in _COMBINED.finditer(header):
            for part in re.split(r"\s*,\s*|\s+and\s+", found.group(1)):
                first, _, last = part.partition("-")
                for row in range(int(first), int(last or first) + 1):
                    named[row] = case
    if not named:
        return {}
    from ingest.sources.common import read_csv
    from ingest.sources.field_trials import COLUMNS

    groups: dict[tuple[str, str], list[int]] = {}
    for row in read_csv(table, COLUMNS):
        groups.setdefault((row.get("case_title"), row.get("country")), []).append(row.number)
    return {rows[0]: named[hit] for rows in groups.values() for hit in rows if hit in named}


def _example_case(path: Path) -> str:
    """The IRI of the case study an example file describes (its file name when it holds none)."""
    from rdflib import RDF, Graph, URIRef

    cases = sorted(Graph().parse(path).subjects(RDF.type, URIRef("https://w3id.org/srkg/ontology#CaseStudy")))
    return str(cases[0]) if cases else path.name


def hand_modelled_rows(table: Path, examples: tuple[Path, ...]) -> dict[int, str]:
    """Rows of ``table`` that an example case names as its source record (srkg:derivedFromRecord)."""
    from rdflib import Graph, Namespace

    from ingest.provenance import sha256_of

    srkg = Namespace("https://w3id.org/srkg/ontology#")
    graph = Graph()
    for path in examples:
        graph.parse(path)
    checksum = sha256_of(table)
    rows: dict[int, str] = {}
    for case, record in graph.subject_objects(srkg.derivedFromRecord):
        source_file = graph.value(record, srkg.inFile)
        if source_file is not None and str(graph.value(source_file, srkg.sha256)) == checksum:
            rows[int(graph.value(record, srkg.rowNumber))] = str(case)
    return rows


def _digest(files: tuple[Path, ...]) -> str:
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode("utf-8") + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _parse(files: tuple[Path, ...]) -> list[ox.Triple]:
    """Parse every file (blank nodes kept apart per file); BootstrapError with file:line:column on failure."""
    triples: list[ox.Triple] = []
    for index, path in enumerate(files):
        try:
            parsed = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            for quad in parsed:
                triples.append(
                    ox.Triple(_keep_apart(quad.subject, index), quad.predicate, _keep_apart(quad.object, index))
                )
        except SyntaxError as e:
            reason = str(e.msg)
            reason = reason.split(": ", 1)[1] if reason.startswith("Parser error") and ": " in reason else reason
            raise BootstrapError(f"{path}:{e.lineno}:{e.offset}: Turtle syntax error: {reason}") from None
        except OSError as e:
            raise BootstrapError(f"{path}: cannot read: {e}") from None
    return triples


def _keep_apart(term: Term, index: int) -> Term:
    return ox.BlankNode(f"f{index}x{term.value}") if isinstance(term, ox.BlankNode) else term


def _read_state(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(path: Path, state: dict[str, str]) -> None:
    """Replace the state file in one rename, never leaving it half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        out.write(json.dumps(state, indent=1, sort_keys=True))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def bootstrap(
    store: Store,
    state_file: Path,
    sources: list[GraphSource] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[LoadReport]:
    """Load every source graph that changed; return what was done, one report per graph."""
    say = progress or log.info
    state = _read_state(state_file)
    reports: list[LoadReport] = []
    for source in sources if sources is not None else default_sources():
        if not source.files:
            say(f"{source.graph}: no source files yet, skipped")
            continue
        digest = _digest(source.files + source.digest_also)
        present = store.has_graph(source.graph)
        if state.get(source.graph) == digest and present:
            reports.append(LoadReport(source.graph, len(source.files), 0, "unchanged"))
            say(f"{source.graph}: unchanged ({len(source.files)} file(s))")
            continue
        if source.build is not None:
            data = source.build(source.files)
            triples = data.count(b"\n")
        else:
            parsed = _parse(source.files)
            data = ox.serialize(parsed, format=ox.RdfFormat.N_TRIPLES) or b""
            triples = len(parsed)
        store.replace_graph(source.graph, data, "application/n-triples")
        flush = getattr(store, "flush", None)
        if callable(flush):  # the hash must never be on disk before the graph it describes
            flush()
        state[source.graph] = digest
        _write_state(state_file, state)
        action = "replaced" if present else "loaded"
        reports.append(LoadReport(source.graph, len(source.files), triples, action))
        say(f"{source.graph}: {action} {triples} triples from {len(source.files)} file(s)")
    return reports


def state_path(data_dir: Path) -> Path:
    return data_dir / "bootstrap-state.json"
