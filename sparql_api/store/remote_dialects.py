"""What differs between remote SPARQL stores: a plain SPARQL 1.1 dialect and Virtuoso 7's.

Virtuoso quirks handled here (measured on Virtuoso 07.20.3229, Debian ``virtuoso-opensource`` 7.2.5):

- Result cap: ``[SPARQL] ResultSetMaxRows`` cuts SELECT answers with HTTP 200 and only an
  ``X-SPARQL-MaxRows`` header; CONSTRUCT/DESCRIBE answers and Graph Store GETs are cut *without* any header.
  → a SELECT with the header raises ResultTooLarge; a graph answer with as many triples as the cap raises it
  too (a graph that really has exactly the cap is reported as too large: the two cannot be told apart).
- Time limit: with a ``timeout`` parameter Virtuoso answers partial "anytime" results with HTTP 200 and
  ``X-SQL-State: S1TAT``; past ``MaxQueryExecutionTime`` it answers 500 "SR171: Transaction timed out".
  → both raise QueryTimeout; partial data is never returned.
- The default graph is the union of all graphs, *including* Virtuoso's own (``virtrdf#`` mappings, the
  OWL and LDP schemas, the DAV and service-description graphs of its ``[URIQA] DefaultHost``).
  → every query gets ``define input:default-graph-exclude`` / ``input:named-graph-exclude`` pragmas for them,
  and ``graphs()``/``stats()`` never list them.
- ``INSERT DATA`` refuses blank nodes ("SP031 … not allowed in a constant clause").
  → such an operation is sent as the equivalent ``INSERT { … } WHERE {}``.
- ``DESCRIBE <iri>`` over the union default graph answers nothing in the default describe mode.
  → DESCRIBE queries get ``define sql:describe-mode "CBD"``.
- ``geo:wktLiteral`` values come back typed ``virtrdf:Geometry``. → mapped back to ``geo:wktLiteral``.
- There is no separate default graph. → the store's default graph (``DEFAULT_GRAPH``) is kept in the named
  graph ``urn:x-rdflib:default``, hidden from ``GRAPH ?g``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pyoxigraph as ox

from sparql_api.sparql_text import query_form, tokens
from sparql_api.store.base import DEFAULT_GRAPH, QuerySyntaxError, QueryTimeout, ResultTooLarge, StoreError
from sparql_api.store.remote_http import error_text
from sparql_api.store.remote_results import Term

VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"
GEOMETRY = VIRTRDF + "Geometry"
WKT_LITERAL = "http://www.opengis.net/ont/geosparql#wktLiteral"
# Graphs every fresh Virtuoso 7 database holds, besides the two named after its DefaultHost.
VIRTUOSO_SCHEMA_GRAPHS = (VIRTRDF, "http://www.w3.org/2002/07/owl#", "http://www.w3.org/ns/ldp#")
VIRTUOSO_DEFAULT_ROW_CAP = 10_000  # ResultSetMaxRows when the ini does not say

TOO_LARGE_HINT = "add LIMIT (and OFFSET to page through it) or download the dump"


def too_large(cap: int, what: str, who: str = "the remote store's") -> ResultTooLarge:
    return ResultTooLarge(f"the result has more than {cap} {what}, {who} limit; {TOO_LARGE_HINT}")


@dataclass
class Dialect:
    """Plain SPARQL 1.1 (Fuseki, GraphDB, Oxigraph server…): nothing rewritten, nothing hidden.

    The server must be set up so that its query default graph is the union of the named graphs
    (Fuseki ``unionDefaultGraph``, ``oxigraph serve --union-default-graph``)."""

    name: str = "sparql"
    row_cap: int | None = None  # rows/triples the server cuts answers at, when known
    hidden_graphs: tuple[str, ...] = ()
    # Named graph that holds the store's default graph; None: the server has a real one (GSP ``?default``).
    default_graph_holder: str | None = None

    def query_text(self, sparql: str, *, hide: bool = True) -> str:
        return sparql

    def query_params(self, timeout_s: float | None) -> dict[str, str]:
        return {}

    def update_text(self, sparql: str) -> str:
        return sparql

    def fix_term(self, term: Term) -> Term:
        return term

    def check_answer(self, response: httpx.Response, *, paging: bool = False) -> None:
        """Raise when a 200 answer is partial. Plain SPARQL servers say so with an error status."""

    def error(self, response: httpx.Response, what: str) -> StoreError:
        text = error_text(response)
        if response.status_code == 400 and what in ("query", "update"):
            return QuerySyntaxError(f"the remote store rejected the {what}: {text}")
        if response.status_code in (401, 403):
            return StoreError(f"the remote store refused the credentials for the {what} ({response.status_code})")
        if response.status_code in (408, 503, 504):
            return QueryTimeout(f"the remote store gave up on the {what}: {text}")
        return StoreError(f"the remote store failed the {what} (HTTP {response.status_code}): {text}")


_VIRTUOSO_SYNTAX = re.compile(r"\b(SP0\d\d|37000)\b")
_VIRTUOSO_TIMEOUT = re.compile(r"\bSR171\b|\bS1T00\b|estimated execution time", re.I)


@dataclass
class VirtuosoDialect(Dialect):
    name: str = "virtuoso"
    row_cap: int | None = VIRTUOSO_DEFAULT_ROW_CAP
    hidden_graphs: tuple[str, ...] = VIRTUOSO_SCHEMA_GRAPHS
    default_graph_holder: str | None = DEFAULT_GRAPH
    _pragmas: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        lines = [f"define input:default-graph-exclude <{g}>" for g in self.hidden_graphs]
        named = (*self.hidden_graphs, self.default_graph_holder) if self.default_graph_holder else self.hidden_graphs
        lines += [f"define input:named-graph-exclude <{g}>" for g in named]
        # One line, no newline: the server's syntax errors keep the query's own line numbers.
        self._pragmas = " ".join(lines) + " "

    @classmethod
    def discover(cls, ask: Callable[[str], dict[str, str]]) -> VirtuosoDialect:
        """Read the result cap and the host-named system graphs from the server's own ini."""
        settings = ask(
            'SELECT (bif:virtuoso_ini_item_value("URIQA", "DefaultHost") AS ?host) '
            '(bif:virtuoso_ini_item_value("SPARQL", "ResultSetMaxRows") AS ?rows) WHERE {}'
        )
        host = settings.get("host") or "localhost:8890"
        try:
            cap = int(settings.get("rows") or VIRTUOSO_DEFAULT_ROW_CAP)
        except ValueError:
            cap = VIRTUOSO_DEFAULT_ROW_CAP
        hidden = (*VIRTUOSO_SCHEMA_GRAPHS, f"http://{host}/DAV/", f"http://{host}/sparql")
        return cls(row_cap=cap if cap > 0 else None, hidden_graphs=hidden)

    def query_text(self, sparql: str, *, hide: bool = True) -> str:
        prefix = self._pragmas if hide else ""
        if query_form(sparql) == "graph" and any(t.depth == 0 and t.keyword == "DESCRIBE" for t in tokens(sparql)):
            prefix += 'define sql:describe-mode "CBD" '
        return prefix + sparql

    def query_params(self, timeout_s: float | None) -> dict[str, str]:
        # Virtuoso's own limit in milliseconds: it stops the work server-side (and flags a partial answer).
        return {"timeout": str(max(1, int(timeout_s * 1000)))} if timeout_s else {}

    def update_text(self, sparql: str) -> str:
        return insert_data_with_bnodes_as_template(sparql)

    def fix_term(self, term: Term) -> Term:
        if isinstance(term, ox.Literal) and term.datatype.value == GEOMETRY:
            return ox.Literal(term.value, datatype=ox.NamedNode(WKT_LITERAL))
        return term

    def check_answer(self, response: httpx.Response, *, paging: bool = False) -> None:
        state = response.headers.get("x-sql-state")
        if state:
            message = response.headers.get("x-sql-message", "").split("Activity:", 1)[0].strip()
            raise QueryTimeout(
                f"the remote store stopped the query at its time limit ({state}: {message}); "
                "its partial answer was discarded — narrow the query down (more specific patterns, LIMIT)"
            )
        cap = response.headers.get("x-sparql-maxrows")
        if cap and not paging:
            limit = int(cap) if cap.isdigit() else self.row_cap or 0
            raise too_large(limit, "rows", "the remote store's ResultSetMaxRows")

    def error(self, response: httpx.Response, what: str) -> StoreError:
        text = error_text(response)
        if _VIRTUOSO_TIMEOUT.search(text):
            return QueryTimeout(f"the remote store stopped the {what} at its time limit: {text}")
        if _VIRTUOSO_SYNTAX.search(text) and what in ("query", "update"):
            return QuerySyntaxError(f"the remote store rejected the {what}: {text}")
        return super().error(response, what)


def insert_data_with_bnodes_as_template(update: str) -> str:
    """Rewrite each ``INSERT DATA { … }`` that holds blank nodes as ``INSERT { … } WHERE {}`` (same meaning:
    one solution, so one fresh node per label). Strings, IRIs and comments are skipped by the lexer."""
    toks = list(tokens(update))
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the original text
    i = 0
    while i < len(toks) - 1:
        tok, nxt = toks[i], toks[i + 1]
        if not (tok.depth == 0 and tok.keyword == "INSERT" and nxt.keyword == "DATA"):
            i += 1
            continue
        open_at = i + 2
        if open_at >= len(toks) or toks[open_at].text != "{":
            i += 1
            continue
        close_at = next((j for j in range(open_at + 1, len(toks)) if toks[j].text == "}" and toks[j].depth == 0), None)
        if close_at is None:
            break  # unbalanced: let the server report it
        body = toks[open_at + 1 : close_at]
        if any((t.kind == "word" and t.text.startswith("_:")) or t.text == "[" for t in body):
            edits.append((nxt.start, nxt.end, ""))
            edits.append((toks[close_at].end, toks[close_at].end, " WHERE {}"))
        i = close_at + 1
    for start, end, text in reversed(edits):
        update = update[:start] + text + update[end:]
    return update
