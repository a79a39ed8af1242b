"""The embedded backend: a pyoxigraph (RocksDB) store on disk.

Queries with a time limit run in killable worker processes on a read-only snapshot (``oxigraph_pool``);
queries without one, and all writes, run in this process. The query default graph is the union of all
graphs unless the request or the query names a dataset. Graph replacement is one SPARQL update, so readers
never see a half-replaced graph.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from sparql_api.store import oxigraph_exec, syntax_check
from sparql_api.store.base import (
    DEFAULT_GRAPH,
    QuerySyntaxError,
    QueryTimeout,
    RemoteServiceError,
    ResultTooLarge,
    SerializedResult,
    Store,
    StoreBusy,
    StoreError,
    UnsupportedMediaType,
)
from sparql_api.store.oxigraph_exec import ExecError, graph_term, run_query, run_select, text_rows
from sparql_api.store.oxigraph_pool import PoolBusy, QueryPool, WorkerCrashed, WorkerOutOfMemory, WorkerTimeout
from sparql_api.store.oxigraph_snapshots import Snapshots

assert oxigraph_exec.DEFAULT_GRAPH == DEFAULT_GRAPH

QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
_ERRORS: dict[str, type[StoreError]] = {
    "syntax": QuerySyntaxError,
    "too_large": ResultTooLarge,
    "media": UnsupportedMediaType,
    "remote": RemoteServiceError,
    "failed": StoreError,
}


def default_worker_count() -> int:
    """``SRKG_QUERY_WORKERS`` (default 2): how many queries can run at once under a time limit."""
    return max(1, int(os.environ.get("SRKG_QUERY_WORKERS", "2")))


def default_query_memory_mb() -> int:
    """``SRKG_QUERY_MEMORY_MB`` (default 4096, 0 = no limit): the address space one query worker may use.

    Below ~600 MB a worker cannot even open the store (RocksDB reserves address space for its threads)."""
    value = os.environ.get("SRKG_QUERY_MEMORY_MB", "4096")
    try:
        megabytes = int(value)
    except ValueError:
        raise StoreError(f"SRKG_QUERY_MEMORY_MB={value!r} is not a whole number of megabytes") from None
    if megabytes != 0 and megabytes < 768:
        raise StoreError(f"SRKG_QUERY_MEMORY_MB={megabytes} is too small for a query worker (at least 768, "
                         "or 0 for no limit)")
    return megabytes


def to_ox(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"cannot bind {node!r} as a SPARQL parameter")


def from_ox(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # RDF 1.1: a plain literal is an xsd:string; rdflib keeps both apart
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r} to rdflib")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _raise(kind: str, message: str) -> None:
    raise _ERRORS.get(kind, StoreError)(message)


def _graph(iri: str) -> ox.NamedNode | ox.DefaultGraph:
    try:
        return graph_term(iri)
    except ExecError as e:
        raise StoreError(e.message) from None


class OxigraphStore(Store):
    def __init__(self, path: Path | None, *, query_workers: int | None = None) -> None:
        """Open (or create) the store at ``path``; ``None`` gives an in-memory store without time limits."""
        self._path = path
        try:
            if path is not None:
                path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as e:
            hint = " (is another srkg process, e.g. `srkg serve`, using it?)" if "lock" in str(e).lower() else ""
            raise StoreError(f"cannot open the store at {path}: {e}{hint}") from e
        self._write_lock = threading.RLock()
        self._workers = query_workers or default_worker_count()
        self._memory_mb = default_query_memory_mb()
        self._snapshots = Snapshots(self._store, path.parent / f"{path.name}-snapshots") if path else None
        self._pool: QueryPool | None = None
        self._pool_lock = threading.Lock()

    # --- plumbing --------------------------------------------------------------------------------
    def start_workers(self) -> None:
        """Start the query workers now (the server does this at start-up so the first query is not slow)."""
        self._get_pool()

    def _get_pool(self) -> QueryPool | None:
        if self._snapshots is None:
            return None
        with self._pool_lock:
            if self._pool is None:
                self._pool = QueryPool(self._workers, self._snapshots, self._memory_mb)
            return self._pool

    def _call(self, request: dict, timeout: float) -> dict:
        pool = self._get_pool()
        assert pool is not None
        try:
            response = pool.call(request, timeout)
        except WorkerTimeout:
            note = oxigraph_exec.service_note(str(request.get("sparql", "")))
            raise QueryTimeout(
                f"the query ran longer than the {timeout:g} s limit and was stopped; "
                + (f"it waited on {note}, which may be slow or not answering" if note else
                   "narrow it down (more specific patterns, LIMIT) and try again")
            ) from None
        except PoolBusy:
            raise StoreBusy(
                f"all {self._workers} query workers stayed busy for {timeout:g} s; try again shortly"
            ) from None
        except WorkerOutOfMemory as e:
            raise ResultTooLarge(str(e)) from None
        except WorkerCrashed as e:
            raise StoreError(f"the query could not be completed: {e}") from None
        except OSError as e:  # e.g. no disk space left for the snapshot
            raise StoreError(f"the query could not be started: {e}") from None
        if not response.get("ok"):
            _raise(response.get("kind", "failed"), response.get("message", "unknown error"))
        return response

    def _written(self) -> None:
        if self._snapshots is not None:
            self._snapshots.mark_dirty()

    # --- queries ---------------------------------------------------------------------------------
    def select(
        self, sparql: str, bindings: Mapping[str, Node] | None = None, *, timeout: float | None = None
    ) -> list[dict[str, Node]]:
        variables, rows = self._select("select", sparql, bindings, timeout)
        return [
            {var: from_ox(value) for var, value in zip(variables, row, strict=True) if value is not None}
            for row in rows
        ]

    def select_text(
        self, sparql: str, bindings: Mapping[str, Node] | None = None, *, timeout: float | None = None
    ) -> list[dict[str, str]]:
        return self._select("select_text", sparql, bindings, timeout)[1]

    def _select(self, op: str, sparql: str, bindings: Mapping[str, Node] | None,
                timeout: float | None) -> tuple[list[str], list]:
        """(variables, rows): rows of pyoxigraph terms for ``select``, of text (``text_rows``) for ``select_text``;
        in this process without a time limit, else in a query worker (which sends text back for ``select_text``)."""
        try:
            substitutions = {name: to_ox(value) for name, value in (bindings or {}).items()}
        except (ValueError, TypeError) as error:
            raise StoreError(f"invalid query parameter: {error}") from None
        if timeout is None or self._snapshots is None:
            try:
                variables, rows = run_select(self._store, sparql, substitutions)
            except ExecError as e:
                _raise(e.kind, e.message)
            return variables, text_rows(variables, rows) if op == "select_text" else rows
        response = self._call({"op": op, "sparql": sparql, "substitutions": substitutions}, timeout)
        return response.get("variables", []), response["rows"]

    def query(
        self,
        sparql: str,
        media_type: str,
        *,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        timeout: float | None = None,
        max_results: int | None = None,
    ) -> SerializedResult:
        if timeout is None or self._snapshots is None:
            try:
                body, mt, kind = run_query(
                    self._store,
                    sparql,
                    media_type,
                    default_graph_uris=default_graph_uris,
                    named_graph_uris=named_graph_uris,
                    max_results=max_results,
                )
            except ExecError as e:
                _raise(e.kind, e.message)
            return SerializedResult(body=body, media_type=mt, kind=kind)
        response = self._call(
            {
                "op": "query",
                "sparql": sparql,
                "media_type": media_type,
                "default_graph_uris": default_graph_uris,
                "named_graph_uris": named_graph_uris,
                "max_results": max_results,
            },
            timeout,
        )
        return SerializedResult(body=response["body"], media_type=response["media_type"], kind=response["kind"])

    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        """Run an update in one transaction. ``timeout`` is not enforced: pyoxigraph cannot stop a write,
        and updates need a curator credential."""
        with self._write_lock:
            try:
                self._store.update(sparql)
            except SyntaxError as e:
                raise QuerySyntaxError(oxigraph_exec.syntax_message(e)) from e
            except (OSError, RuntimeError, ValueError) as e:
                raise StoreError(f"the update failed: {e}") from e
            finally:
                self._written()

    # --- graphs ----------------------------------------------------------------------------------
    def _parse(self, data: bytes, media_type: str, graph_iri: str) -> list[ox.Triple]:
        fmt = self._format(media_type)
        if fmt in QUAD_FORMATS:
            raise UnsupportedMediaType(
                f"{fmt.name} holds several graphs; send a single graph (Turtle, N-Triples, RDF/XML, JSON-LD)"
            )
        base = None if graph_iri == DEFAULT_GRAPH else graph_iri
        try:
            return [q.triple for q in ox.parse(data, format=fmt, base_iri=base)]
        except SyntaxError as e:
            raise syntax_check.error_of(e, f"the {fmt.name} data") from e

    @staticmethod
    def _format(media_type: str) -> ox.RdfFormat:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise UnsupportedMediaType(f"{media_type} is not an RDF syntax this store reads or writes")
        return fmt

    def add_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        graph = _graph(graph_iri)
        triples = self._parse(data, media_type, graph_iri)
        with self._write_lock:
            try:
                if not isinstance(graph, ox.DefaultGraph):
                    self._store.add_graph(graph)
                self._store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
            finally:
                self._written()
        return len(triples)

    def replace_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        _graph(graph_iri)
        triples = self._parse(data, media_type, graph_iri)
        self._replace(graph_iri, triples)
        return len(triples)

    def replace_graphs(self, contents: Mapping[str, tuple[bytes, str] | None]) -> dict[str, int]:
        """All replacements and drops in one update: one transaction (every graph is parsed first, so a bad
        one writes nothing)."""
        parsed = {g: None if c is None else self._parse(c[0], c[1], g) for g, c in contents.items()}
        self._replace_many(parsed)
        return {g: len(triples or ()) for g, triples in parsed.items()}

    def _replace(self, graph_iri: str, triples: list[ox.Triple]) -> None:
        self._replace_many({graph_iri: triples})

    def _replace_many(self, contents: Mapping[str, list[ox.Triple] | None]) -> None:
        """DROP + CREATE + INSERT DATA per graph in one update: one transaction. The data part is N-Triples
        written by pyoxigraph's serializer from parsed terms (no text is pasted from the request)."""
        parts: list[str] = []
        for graph_iri, triples in contents.items():
            graph = _graph(graph_iri)
            text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8") if triples else ""
            if isinstance(graph, ox.DefaultGraph):
                parts.append("DROP SILENT DEFAULT")
                if triples is not None:
                    parts.append(f"INSERT DATA {{\n{text}}}")
            else:
                parts.append(f"DROP SILENT GRAPH {graph}")
                if triples is not None:
                    parts.append(f"CREATE SILENT GRAPH {graph}")
                    parts.append(f"INSERT DATA {{ GRAPH {graph} {{\n{text}}} }}")
        with self._write_lock:
            try:
                self._store.update(" ;\n".join(parts))
            finally:
                self._written()

    def drop_graph(self, graph_iri: str) -> bool:
        graph = _graph(graph_iri)
        with self._write_lock:
            existed = self.has_graph(graph_iri)
            try:
                if isinstance(graph, ox.DefaultGraph):
                    self._store.clear_graph(graph)
                else:
                    self._store.remove_graph(graph)
            finally:
                self._written()
        return existed

    def has_graph(self, graph_iri: str) -> bool:
        graph = _graph(graph_iri)
        if isinstance(graph, ox.DefaultGraph):
            return next(iter(self._store.quads_for_pattern(None, None, None, graph)), None) is not None
        return self._store.contains_named_graph(graph)

    def get_graph(self, graph_iri: str, media_type: str) -> bytes | None:
        fmt = self._format(media_type)
        if not self.has_graph(graph_iri) and graph_iri != DEFAULT_GRAPH:
            return None
        graph = _graph(graph_iri)
        triples = [q.triple for q in self._store.quads_for_pattern(None, None, None, graph)]
        items: list = triples
        if fmt.supports_datasets:
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        return ox.serialize(items, format=fmt, prefixes=oxigraph_exec.COMMON_PREFIXES) or b""

    def graphs(self) -> list[str]:
        # Not from stats(): counting every quad to list ~100 names took 3.4 s at 100k cases (server start).
        return sorted(graph.value for graph in self._store.named_graphs()
                      if next(iter(self._store.quads_for_pattern(None, None, None, graph)), None) is not None)

    def stats(self) -> dict[str, int]:
        rows = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"].value: int(row["n"].value) for row in rows}  # type: ignore[index,union-attr]

    # --- bulk ------------------------------------------------------------------------------------
    def _check_file(self, path: Path, fmt: ox.RdfFormat) -> int:
        """Parse the whole file once before loading: a bad file must not leave half its content behind. The
        graphs it names are kept in ``last_loaded_graphs`` (callers such as the summaries need them)."""
        try:
            checked = syntax_check.check_file(path, fmt)  # N-Quads of 128 MB and more: one process per core
        except OSError as e:
            raise StoreError(f"cannot read {path}: {e}") from e
        if checked.error is not None:
            raise syntax_check.syntax_error(str(path), *checked.error)
        self._checked_graphs = {name or DEFAULT_GRAPH for name in checked.graphs}
        return checked.count

    def bulk_load(self, path: Path, media_type: str, graph_iri: str | None = None) -> int:
        fmt = self._format(media_type)
        self.last_loaded_graphs: set[str] | None = None
        count = self._check_file(path, fmt)
        target = _graph(graph_iri) if graph_iri else ox.DefaultGraph()
        with self._write_lock:
            try:
                self._store.bulk_load(path=str(path), format=fmt, to_graph=target)
                self._store.flush()
            except (OSError, SyntaxError) as e:
                raise StoreError(f"loading {path} failed: {e}") from e
            finally:
                self._written()
        self.last_loaded_graphs = ({graph_iri or DEFAULT_GRAPH} if fmt not in QUAD_FORMATS else self._checked_graphs)
        return count

    def dump(self, out: Path, media_type: str = "application/n-quads") -> int:
        fmt = self._format(media_type)
        if fmt not in QUAD_FORMATS:
            raise UnsupportedMediaType(f"a dump keeps graph names: use N-Quads or TriG, not {fmt.name}")
        self._store.dump(str(out), format=fmt, prefixes=oxigraph_exec.COMMON_PREFIXES)
        return len(self._store)

    def restore(self, path: Path, media_type: str = "application/n-quads") -> int:
        fmt = self._format(media_type)
        count = self._check_file(path, fmt)
        with self._write_lock:
            try:
                self._store.clear()
                self._store.bulk_load(path=str(path), format=fmt)
                self._store.flush()
            finally:
                self._written()
        return count

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node]]:
        for q in self._store.quads_for_pattern(None, None, None, None):
            graph = URIRef(DEFAULT_GRAPH) if isinstance(q.graph_name, ox.DefaultGraph) else from_ox(q.graph_name)
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), graph

    def flush(self) -> None:
        """Write what RocksDB holds in memory to its files, so a power cut cannot lose committed writes."""
        if self._path is not None:
            self._store.flush()

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
        if self._snapshots is not None:
            self._snapshots.close()
        if self._path is not None:
            self._store.flush()
        del self._store
