"""First-start loading: the project's own RDF files into their named graphs, idempotently.

Each target graph is built from its source files; a SHA-256 over the files decides whether anything changed.
Unchanged graphs are skipped, changed ones replaced atomically. A file that does not parse stops start-up
with the file, line and column in the message (nothing of that graph is written). The hashes live in
``<data dir>/bootstrap-state.json``; a graph missing from the store is reloaded whatever the hash says.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ingest import paths
from ingest.namespaces import graph_iri
from sparql_api.store.base import Store

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

log = logging.getLogger("srkg.bootstrap")


class BootstrapError(Exception):
    """A source file could not be loaded; the message names the file and the place."""


@dataclass(frozen=True)
class GraphSource:
    graph: str  # graph IRI
    files: tuple[Path, ...]


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
    countries → graph/countries, examples/cases/*.ttl → graph/examples."""
    root = root or _resource_root()
    ontology, external = root / "ontology", root / "ontology" / "external"
    sources = [
        GraphSource(str(graph_iri("ontology")), (ontology / "srkg.ttl",)),
        GraphSource(str(graph_iri("vocab")), tuple(sorted((ontology / "vocab").glob("*.ttl")))),
        GraphSource(str(graph_iri("agrovoc")), (external / "agrovoc-subset.ttl",)),
        GraphSource(str(graph_iri("countries")), (external / "countries.ttl",)),
        GraphSource(str(graph_iri("examples")), tuple(sorted((root / "examples" / "cases").glob("*.ttl")))),
    ]
    return [GraphSource(s.graph, tuple(f for f in s.files if f.is_file())) for s in sources]


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
        digest = _digest(source.files)
        present = store.has_graph(source.graph)
        if state.get(source.graph) == digest and present:
            reports.append(LoadReport(source.graph, len(source.files), 0, "unchanged"))
            say(f"{source.graph}: unchanged ({len(source.files)} file(s))")
            continue
        triples = _parse(source.files)
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        store.replace_graph(source.graph, data, "application/n-triples")
        state[source.graph] = digest
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps(state, indent=1, sort_keys=True), "utf-8")
        action = "replaced" if present else "loaded"
        reports.append(LoadReport(source.graph, len(source.files), len(triples), action))
        say(f"{source.graph}: {action} {len(triples)} triples from {len(source.files)} file(s)")
    return reports


def state_path(data_dir: Path) -> Path:
    return data_dir / "bootstrap-state.json"
