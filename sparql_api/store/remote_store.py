"""The remote backend: any SPARQL 1.1 store through the Query, Update and Graph Store protocols.

Tested against Virtuoso 7 (its quirks are handled in ``remote_dialects``); any store whose query default graph
is the union of its named graphs works with the plain dialect. Answers are read as SPARQL JSON / N-Triples and
written again by SRKG's own serialisers, so both backends answer alike and every answer is counted before it
is returned (never a silently truncated result).

What a remote store cannot guarantee (Virtuoso quirks that are handled: ``remote_dialects``):

- ``replace_graph`` is one Graph Store ``PUT``: writers never interleave, and bad input is rejected before
  anything is sent, but Virtuoso commits the delete and the load in steps, so a concurrent reader can see the
  graph empty or partly loaded while the ``PUT`` runs.
- ``update`` with several operations (``op1 ; op2``) is not atomic on Virtuoso: operations before a failing
  one stay applied. A single operation is applied as one statement.
- ``bulk_load``/``restore`` stream in chunks: a failure half-way leaves the chunks already sent (graphs that
  did not exist before the load are dropped again). Blank nodes are kept consistent within a graph (all
  triples with blank nodes of one graph go in one request) but not across graphs.
- A client-side time limit abandons the HTTP request; Virtuoso also stops the work (``timeout`` parameter),
  other stores may keep running it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pyoxigraph as ox
from rdflib import BNode, URIRef
from rdflib.term import Node

from sparql_api.sparql_text import inline_terms, insert_in_where, prologue_prefixes, query_form
from sparql_api.store import syntax_check
from sparql_api.store.base import (
    DEFAULT_GRAPH,
    DataSyntaxError,
    QuerySyntaxError,
    SerializedResult,
    Store,
    StoreError,
    UnsupportedMediaType,
)
from sparql_api.store.oxigraph_exec import COMMON_PREFIXES, GRAPH_MEDIA_TYPES, TURTLE
from sparql_api.store.oxigraph_store import from_ox, to_ox
from sparql_api.store.remote_dialects import Dialect, VirtuosoDialect, too_large
from sparql_api.store.remote_http import Endpoints, SparqlHttp
from sparql_api.store.remote_results import Row, distinct_by_subject, parse_json_results, parse_ntriples
from sparql_api.store.result_formats import JSON, RESULT_MEDIA_TYPES, SOLUTION_WRITERS, write_boolean

log = logging.getLogger("srkg.store")

NTRIPLES = "application/n-triples"
QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
_VARNAME = re.compile(r"^[A-Za-z0-9_]+$")
DEFAULT_CHUNK_TRIPLES = 50_000


def _rdf_format(media_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise UnsupportedMediaType(f"{media_type} is not an RDF syntax this store reads or writes")
    return fmt


def _has_bnode(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def serialize_triples(triples: list[ox.Triple], media_type: str, prefixes: Mapping[str, str]) -> bytes:
    """Write triples as ``media_type``; a dataset syntax (TriG, N-Quads) gets them in its default graph."""
    fmt = _rdf_format(media_type)
    items: list[ox.Triple] | list[ox.Quad] = triples
    if fmt.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    return ox.serialize(items, format=fmt, prefixes=dict(prefixes)) or b""


def values_clause(bindings: Mapping[str, Node]) -> str:
    """``VALUES (?a ?b) { (term term) }`` from bound parameters, each term written in N-Triples syntax by
    pyoxigraph (which validates IRIs and language tags and escapes quotes, newlines and backslashes)."""
    names, terms = [], []
    for name, node in bindings.items():
        if not _VARNAME.match(name):
            raise StoreError(f"{name!r} is not a SPARQL variable name")
        if isinstance(node, BNode):
            raise StoreError(f"?{name}: a blank node cannot be a bound parameter of a remote query")
        try:
            term = to_ox(node)
        except (TypeError, ValueError) as e:
            raise StoreError(f"?{name}: {node!r} cannot be a bound parameter ({e})") from e
        names.append(f"?{name}")
        terms.append(str(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


class RemoteStore(Store):
    """A remote SPARQL 1.1 store. ``dialect`` is ``"auto"`` (Virtuoso when its ``Server`` header says so),
    ``"virtuoso"``, ``"sparql"`` (plain) or a ``Dialect``. Nothing is sent until the first call."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        *,
        user: str | None = None,
        password: str | None = None,
        dialect: str | Dialect = "auto",
        timeout_s: float = 300.0,
        chunk_triples: int = DEFAULT_CHUNK_TRIPLES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        endpoints = Endpoints(query_url, update_url or query_url, gsp_url)
        self._http = SparqlHttp(endpoints, user=user, password=password, timeout_s=timeout_s, transport=transport)
        self._dialect_choice = dialect
        self._dialect = dialect if isinstance(dialect, Dialect) else None
        self._dialect_lock = threading.Lock()
        self.chunk_triples = chunk_triples

    # --- plumbing --------------------------------------------------------------------------------
    @property
    def dialect(self) -> Dialect:
        with self._dialect_lock:
            if self._dialect is None:
                self._dialect = self._detect_dialect()
            return self._dialect

    def _detect_dialect(self) -> Dialect:
        choice = self._dialect_choice
        if choice == "sparql":
            return Dialect()
        if choice not in ("auto", "virtuoso"):
            raise StoreError(f"unknown remote dialect {choice!r}: use 'auto', 'virtuoso' or 'sparql'")
        if choice == "auto":
            probe = self._http.query("ASK {}", JSON)
            if "virtuoso" not in probe.headers.get("server", "").lower():
                return Dialect()
        return VirtuosoDialect.discover(self._settings_row)

    def _settings_row(self, text: str) -> dict[str, str]:
        """First row of a query as plain strings; empty when the server refuses it."""
        response = self._http.query(text, JSON)
        if response.status_code != 200:
            return {}
        try:
            parsed = parse_json_results(response.content)
        except StoreError:
            return {}
        if isinstance(parsed, bool) or not parsed[1]:
            return {}
        variables, rows = parsed
        return {v: t.value for v, t in zip(variables, rows[0], strict=True) if t is not None}  # type: ignore[union-attr]

    @staticmethod
    def _client_limit(timeout: float | None) -> float | None:
        """The HTTP wait: the query's own limit plus room for the server to stop and say so."""
        return None if timeout is None else timeout + max(5.0, timeout)

    def _run_query(
        self,
        text: str,
        accept: str,
        *,
        hide: bool = True,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        timeout: float | None = None,
        paging: bool = False,
    ) -> httpx.Response:
        dialect = self.dialect
        response = self._http.query(
            dialect.query_text(text, hide=hide),
            accept,
            default_graph_uris=default_graph_uris or (),
            named_graph_uris=named_graph_uris or (),
            extra=dialect.query_params(timeout),
            timeout_s=self._client_limit(timeout),
        )
        if response.status_code != 200:
            raise dialect.error(response, "query")
        dialect.check_answer(response, paging=paging)
        return response

    def _check_size(self, count: int, max_results: int | None, what: str) -> None:
        cap = self.dialect.row_cap
        if cap is not None and count >= cap:  # the server may have cut the answer here without saying so
            raise too_large(cap, what, "the remote store's ResultSetMaxRows")
        if max_results is not None and count > max_results:
            raise too_large(max_results, what, "the server's")

    def _dataset(self, default: list[str] | None, named: list[str] | None) -> tuple[list[str], list[str]]:
        default, named = list(default or []), list(named or [])
        if default == [DEFAULT_GRAPH] and not named:
            return [], []  # what rdflib clients send for "the default graph": the union
        holder = self.dialect.default_graph_holder or DEFAULT_GRAPH
        return [holder if g == DEFAULT_GRAPH else g for g in default], named

    def _graph_param(self, graph_iri: str) -> str | None:
        """The IRI to address on the server (None: the server's real default graph)."""
        if graph_iri == DEFAULT_GRAPH:
            return self.dialect.default_graph_holder
        try:
            ox.NamedNode(graph_iri)
        except ValueError as e:
            raise StoreError(f"not a valid graph IRI: {graph_iri!r} ({e})") from e
        return graph_iri

    # --- queries ---------------------------------------------------------------------------------
    def select(
        self, sparql: str, bindings: Mapping[str, Node] | None = None, *, timeout: float | None = None
    ) -> list[dict[str, Node]]:
        if query_form(sparql) != "select":
            raise StoreError("select() needs a SELECT query")
        text = sparql
        if bindings:
            values = values_clause(bindings)  # first: it refuses any term pyoxigraph cannot write (e.g. a bad IRI)
            if self.dialect.inline_bound_terms:
                text = inline_terms(text, {k: str(to_ox(v)) for k, v in bindings.items()})
            text = insert_in_where(text, values)
        response = self._run_query(text, JSON, timeout=timeout)
        parsed = parse_json_results(response.content, self.dialect.fix_term)
        if isinstance(parsed, bool):
            raise StoreError("select() needs a SELECT query")
        variables, rows = parsed
        self._check_size(len(rows), None, "rows")
        return [
            {var: from_ox(value) for var, value in zip(variables, row, strict=True) if value is not None}
            for row in rows
        ]

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
        form = query_form(sparql)
        if form is None:
            raise QuerySyntaxError("this is not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
        default, named = self._dataset(default_graph_uris, named_graph_uris)
        options = {"default_graph_uris": default, "named_graph_uris": named, "timeout": timeout}
        if form == "graph":
            response = self._run_query(sparql, NTRIPLES, **options)  # type: ignore[arg-type]
            triples = parse_ntriples(response.content, self.dialect.fix_term)
            self._check_size(len(triples), None, "triples")
            triples = distinct_by_subject(triples)
            self._check_size(len(triples), max_results, "triples")
            mt = media_type if media_type in GRAPH_MEDIA_TYPES else TURTLE
            body = serialize_triples(triples, mt, {**COMMON_PREFIXES, **prologue_prefixes(sparql)})
            return SerializedResult(body=body, media_type=mt, kind="graph")
        response = self._run_query(sparql, JSON, **options)  # type: ignore[arg-type]
        parsed = parse_json_results(response.content, self.dialect.fix_term)
        mt = media_type if media_type in RESULT_MEDIA_TYPES else JSON
        if isinstance(parsed, bool):
            return SerializedResult(body=write_boolean(parsed, mt), media_type=mt, kind="ask")
        variables, rows = parsed
        self._check_size(len(rows), max_results, "rows")
        return SerializedResult(body=SOLUTION_WRITERS[mt](variables, rows), media_type=mt, kind="select")

    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        dialect = self.dialect
        response = self._http.update(dialect.update_text(sparql), timeout_s=self._client_limit(timeout))
        if response.status_code not in (200, 201, 204):
            raise dialect.error(response, "update")

    def _all_rows(self, query: str, *, hide: bool = True) -> list[Row]:
        """Every row of an internal SELECT (which must end with ORDER BY), paged under the server's cap."""
        page = self.dialect.row_cap
        if page is None:
            parsed = parse_json_results(self._run_query(query, JSON, hide=hide).content, self.dialect.fix_term)
            return [] if isinstance(parsed, bool) else parsed[1]
        rows: list[Row] = []
        while True:
            text = f"{query} LIMIT {page} OFFSET {len(rows)}"
            response = self._run_query(text, JSON, hide=hide, paging=True)
            parsed = parse_json_results(response.content, self.dialect.fix_term)
            batch = [] if isinstance(parsed, bool) else parsed[1]
            rows.extend(batch)
            if len(batch) < page:
                return rows
            log.info("read %d rows so far", len(rows))

    # --- graphs ----------------------------------------------------------------------------------
    def _parse_data(self, data: bytes, media_type: str, graph_iri: str) -> list[ox.Triple]:
        fmt = _rdf_format(media_type)
        if fmt in QUAD_FORMATS:
            raise UnsupportedMediaType(
                f"{fmt.name} holds several graphs; send a single graph (Turtle, N-Triples, RDF/XML, JSON-LD)"
            )
        base = None if graph_iri == DEFAULT_GRAPH else graph_iri
        try:
            return [q.triple for q in ox.parse(data, format=fmt, base_iri=base)]
        except SyntaxError as e:
            raise syntax_check.error_of(e, f"the {fmt.name} data") from e
        except ValueError as e:  # e.g. an invalid base IRI
            raise DataSyntaxError(f"the {fmt.name} data cannot be read: {e}") from e

    def _send_triples(self, graph_iri: str, triples: list[ox.Triple], *, replace: bool = False) -> None:
        """POST (add) or PUT (replace) triples as N-Triples written by pyoxigraph from parsed terms."""
        param = self._graph_param(graph_iri)
        body = ox.serialize(self.dialect.server_triples(triples), format=ox.RdfFormat.N_TRIPLES) or b""
        if self._http.endpoints.gsp_url is not None:
            method = "PUT" if replace else "POST"
            response = self._http.gsp(method, param, body=body, content_type=NTRIPLES)
            if response.status_code not in (200, 201, 204):
                raise self.dialect.error(response, f"graph {method}")
            return
        target = f"GRAPH <{param}> {{\n{body.decode()}}}" if param else body.decode()
        drop = (f"DROP SILENT GRAPH <{param}> ;\n" if param else "DROP SILENT DEFAULT ;\n") if replace else ""
        self.update(f"{drop}INSERT DATA {{ {target} }}")

    def add_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        triples = self._parse_data(data, media_type, graph_iri)
        if triples:
            self._send_triples(graph_iri, triples)
        return len(triples)

    def replace_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        """One Graph Store PUT (see the module docstring for what readers may see on Virtuoso)."""
        triples = self._parse_data(data, media_type, graph_iri)
        if triples:
            self._send_triples(graph_iri, triples, replace=True)
        else:
            self.drop_graph(graph_iri)
        return len(triples)

    def drop_graph(self, graph_iri: str) -> bool:
        param = self._graph_param(graph_iri)
        if self._http.endpoints.gsp_url is not None:
            response = self._http.gsp("DELETE", param)
            if response.status_code == 404:
                return False
            if response.status_code not in (200, 202, 204):
                raise self.dialect.error(response, "graph DELETE")
            return True
        existed = self.has_graph(graph_iri)
        self.update(f"DROP SILENT GRAPH <{param}>" if param else "DROP SILENT DEFAULT")
        return existed

    def has_graph(self, graph_iri: str) -> bool:
        param = self._graph_param(graph_iri)
        if param is None:
            return super().has_graph(graph_iri)
        response = self._run_query(f"ASK {{ GRAPH <{param}> {{ ?s ?p ?o }} }}", JSON, hide=False)
        return parse_json_results(response.content) is True

    def _fetch_graph(self, graph_iri: str) -> list[ox.Triple] | None:
        """All triples of one graph, or None when it does not exist (past the server's cap: paged)."""
        param = self._graph_param(graph_iri)
        if self._http.endpoints.gsp_url is not None:
            response = self._http.gsp("GET", param, accept=NTRIPLES)
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise self.dialect.error(response, "graph GET")
            triples = parse_ntriples(response.content, self.dialect.fix_term)
            cap = self.dialect.row_cap
            if cap is None or len(triples) < cap or param is None:
                return triples
            log.info("graph %s reaches the server's %d-triple cap: reading it in pages", graph_iri, cap)
        elif param is None:
            raise StoreError("reading the default graph of a plain SPARQL store needs a Graph Store endpoint")
        query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{param}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o"
        rows = self._all_rows(query, hide=False)
        if not rows:
            return None
        return [ox.Triple(s, p, o) for s, p, o in rows]  # type: ignore[arg-type]

    def get_graph(self, graph_iri: str, media_type: str) -> bytes | None:
        _rdf_format(media_type)
        triples = self._fetch_graph(graph_iri)
        if triples is None:
            if graph_iri != DEFAULT_GRAPH:
                return None
            triples = []
        return serialize_triples(triples, media_type, COMMON_PREFIXES)

    def stats(self) -> dict[str, int]:
        rows = self._all_rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        hidden = {*self.dialect.hidden_graphs, self.dialect.default_graph_holder}
        out: dict[str, int] = {}
        for graph, count in rows:
            if isinstance(graph, ox.NamedNode) and graph.value not in hidden and count is not None:
                out[graph.value] = int(count.value)  # type: ignore[union-attr]
        return out

    def graphs(self) -> list[str]:
        return sorted(self.stats())

    # --- bulk ------------------------------------------------------------------------------------
    def _check_file(self, path: Path, fmt: ox.RdfFormat) -> int:
        """Parse the whole file before sending anything: a bad file must not leave half its content behind."""
        try:
            checked = syntax_check.check_file(path, fmt)  # N-Quads of 128 MB and more: one process per core
        except OSError as e:
            raise StoreError(f"cannot read {path}: {e}") from e
        if checked.error is not None:
            raise syntax_check.syntax_error(str(path), *checked.error)
        return checked.count

    def _stream(self, path: Path, fmt: ox.RdfFormat, target: str) -> None:
        """Send a checked file in chunks of ``chunk_triples``; triples with blank nodes go per graph in one
        request at the end, so each blank-node label stays one node within its graph."""
        pending: dict[str, list[ox.Triple]] = {}
        with_bnodes: dict[str, list[ox.Triple]] = {}
        sent = 0
        for quad in ox.parse(path=str(path), format=fmt):
            name = quad.graph_name
            if isinstance(name, ox.BlankNode):
                raise StoreError(f"{path}: a blank node as graph name cannot be stored remotely")
            graph = target if isinstance(name, ox.DefaultGraph) else name.value
            triple = quad.triple
            bucket = (with_bnodes if _has_bnode(triple) else pending).setdefault(graph, [])
            bucket.append(triple)
            if len(bucket) >= self.chunk_triples and not _has_bnode(triple):
                self._send_triples(graph, bucket)
                sent += len(bucket)
                bucket.clear()
                log.info("sent %d triples", sent)
        for buckets in (pending, with_bnodes):
            for graph, triples in buckets.items():
                if triples:
                    self._send_triples(graph, triples)
                    sent += len(triples)
        log.info("sent %d triples", sent)

    def _existing_graphs(self) -> set[str]:
        existing = set(self.stats())
        if self.dialect.default_graph_holder and self.has_graph(DEFAULT_GRAPH):
            existing.add(DEFAULT_GRAPH)
        return existing

    def bulk_load(self, path: Path, media_type: str, graph_iri: str | None = None) -> int:
        """Check the file, then stream it through Graph Store POSTs. When the store runs on this machine,
        Virtuoso's own loader is much faster: ``ld_dir('<dir>', '<file>', '<graph>'); rdf_loader_run();``."""
        fmt = _rdf_format(media_type)
        count = self._check_file(path, fmt)
        target = graph_iri or DEFAULT_GRAPH
        self._graph_param(target)
        before = self._existing_graphs()
        try:
            self._stream(path, fmt, target)
        except StoreError:
            for graph in self._existing_graphs() - before:
                self.drop_graph(graph)
            raise
        return count

    def _graph_contents(self) -> Iterator[tuple[str, list[ox.Triple]]]:
        if self.dialect.default_graph_holder:
            default = self._fetch_graph(DEFAULT_GRAPH)
            if default:
                yield DEFAULT_GRAPH, default
        for graph in self.graphs():
            triples = self._fetch_graph(graph)
            if triples:
                yield graph, triples

    def dump(self, out: Path, media_type: str = "application/n-quads") -> int:
        fmt = _rdf_format(media_type)
        if fmt not in QUAD_FORMATS:
            raise UnsupportedMediaType(f"a dump keeps graph names: use N-Quads or TriG, not {fmt.name}")
        partial = out.with_name(out.name + ".part")
        written = 0
        try:
            with partial.open("wb") as handle:
                for graph_iri, triples in self._graph_contents():
                    graph = ox.DefaultGraph() if graph_iri == DEFAULT_GRAPH else ox.NamedNode(graph_iri)
                    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
                    prefixes = COMMON_PREFIXES if fmt == ox.RdfFormat.TRIG else None
                    ox.serialize(quads, handle, format=fmt, prefixes=prefixes)
                    written += len(quads)
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
        return written

    def restore(self, path: Path, media_type: str = "application/n-quads") -> int:
        """Check the dump, drop every graph (never the server's own), then stream the dump in."""
        fmt = _rdf_format(media_type)
        count = self._check_file(path, fmt)
        for graph in self._existing_graphs():
            self.drop_graph(graph)
        self._stream(path, fmt, DEFAULT_GRAPH)
        return count

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node]]:
        for graph_iri, triples in self._graph_contents():
            graph = URIRef(graph_iri)
            for t in triples:
                yield from_ox(t.subject), from_ox(t.predicate), from_ox(t.object), graph

    def close(self) -> None:
        self._http.close()
