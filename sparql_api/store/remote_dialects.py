"""What differs between remote SPARQL stores: a plain SPARQL 1.1 dialect and Virtuoso 7's.

Virtuoso quirks handled here (measured on Virtuoso 07.20.3229, Debian ``virtuoso-opensource`` 7.2.5):

- Result cap: ``[SPARQL] ResultSetMaxRows`` cuts SELECT answers with HTTP 200 and only an
  ``X-SPARQL-MaxRows`` header; CONSTRUCT/DESCRIBE answers and Graph Store GETs are cut *without* any header.
  → a SELECT with the header raises ResultTooLarge; a graph answer with as many triples as the cap raises it
  too (a graph that really has exactly the cap is reported as too large: the two cannot be told apart).
- Time limit: with a ``timeout`` parameter Virtuoso answers partial "anytime" results with HTTP 200 and
  ``X-SQL-State: S1TAT``; past ``MaxQueryExecutionTime`` it answers 500 "SR171: Transaction timed out".
  → both raise QueryTimeout, as does "HY008 … killed by SQLCancel" (the same stop, reported differently
  under load); partial data is never returned.
- The default graph is the union of all graphs, *including* Virtuoso's own (``virtrdf#`` mappings, the
  OWL and LDP schemas, the DAV and service-description graphs of its ``[URIQA] DefaultHost``).
  → every query gets ``define input:default-graph-exclude`` / ``input:named-graph-exclude`` pragmas for them,
  and ``graphs()``/``stats()`` never list them. Except: with those pragmas Virtuoso answers nothing for a
  constant ``GRAPH <iri> { … }`` (a Virtuoso bug), so a query that names a graph that way is sent without
  them — its default-graph patterns (if it also has some) can then match Virtuoso's own triples.
- ``INSERT DATA`` refuses blank nodes ("SP031 … not allowed in a constant clause").
  → such an operation is sent as the equivalent ``INSERT { … } WHERE {}``.
- ``DESCRIBE <iri>`` over the union default graph answers nothing in the default describe mode.
  → DESCRIBE queries get ``define sql:describe-mode "CBD"``.
- ``geo:wktLiteral`` values are turned into Virtuoso's own single-precision geometry: ``POINT(105.2 10.9)``
  comes back as ``POINT(105.19999694824 10.89999961853)`` typed ``virtrdf:Geometry``.
  → SRKG stores WKT under a private datatype (``urn:x-srkg:wktLiteral``) that Virtuoso leaves alone: data
  sent, query and update texts, and answers are translated both ways, so coordinates round-trip exactly.
  (Virtuoso's own ``bif:st_*`` functions therefore do not see SRKG's points; ``STR(DATATYPE(?wkt))`` inside
  a query shows the private IRI.) Geometry values put in by other tools are still mapped to wktLiteral.
- A large ``INSERT DATA`` fails: "SP030 … memory exhausted" in its parser (seen at ~5,000 triples) or
  "SP031 … generated SQL text has exceeded 10000 lines".
  → reported as such, pointing to the Graph Store path (``add_graph``, ``srkg load``), which SRKG itself uses.
- Lexical forms are canonicalised (the value is kept, the spelling is not): ``"1.50"^^xsd:decimal`` →
  ``"1.5"``, ``"007"^^xsd:integer`` → ``"7"``, ``"1e3"^^xsd:double`` → ``"1000.0"``, language tags lower-cased.
  Not handled (cannot be undone); SRKG's ingest writes canonical forms.
- There is no separate default graph. → the store's default graph (``DEFAULT_GRAPH``) is kept in the named
  graph ``urn:x-rdflib:default``, hidden from ``GRAPH ?g``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

import httpx
import pyoxigraph as ox

from sparql_api.sparql_text import prologue_prefixes, query_form, tokens
from sparql_api.store.base import DEFAULT_GRAPH, QuerySyntaxError, QueryTimeout, ResultTooLarge, StoreError
from sparql_api.store.remote_http import error_text
from sparql_api.store.remote_results import Term

VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"
GEOMETRY = VIRTRDF + "Geometry"
WKT_LITERAL = "http://www.opengis.net/ont/geosparql#wktLiteral"
WKT_ALIAS = "urn:x-srkg:wktLiteral"  # what WKT literals are stored as in Virtuoso (kept as text, exactly)
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
    # Write bound parameters (IRIs and literals) into the WHERE group too: the store does not start paths from
    # VALUES, or does not see VALUES bindings in the FILTER of an OPTIONAL.
    inline_bound_terms: bool = False

    def query_text(self, sparql: str, *, hide: bool = True) -> str:
        return sparql

    def query_params(self, timeout_s: float | None) -> dict[str, str]:
        return {}

    def update_text(self, sparql: str) -> str:
        return sparql

    def fix_term(self, term: Term) -> Term:
        """A term read from the server, as SRKG means it."""
        return term

    def server_triples(self, triples: list[ox.Triple]) -> list[ox.Triple]:
        """Triples about to be sent, as the server must store them."""
        return triples

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
_VIRTUOSO_TIMEOUT = re.compile(r"\bSR171\b|\bS1T00\b|estimated execution time|\bHY008\b|killed by SQLCancel", re.I)


@dataclass
class VirtuosoDialect(Dialect):
    name: str = "virtuoso"
    row_cap: int | None = VIRTUOSO_DEFAULT_ROW_CAP
    hidden_graphs: tuple[str, ...] = VIRTUOSO_SCHEMA_GRAPHS
    default_graph_holder: str | None = DEFAULT_GRAPH
    # Virtuoso 7 walks `?root (p|q)* ?s` from every node when ?root comes by VALUES, and an OPTIONAL's
    # FILTER (LANGMATCHES(LANG(?label), ?lang)) matched nothing when ?lang did (tests/store/test_backend_contract.py).
    inline_bound_terms: bool = True
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
        prefix = self._pragmas if hide and not names_a_graph(sparql) else ""
        if query_form(sparql) == "graph" and any(t.depth == 0 and t.keyword == "DESCRIBE" for t in tokens(sparql)):
            prefix += 'define sql:describe-mode "CBD" '
        return prefix + replace_iri(sparql, WKT_LITERAL, WKT_ALIAS)

    def query_params(self, timeout_s: float | None) -> dict[str, str]:
        # Virtuoso's own limit in milliseconds: it stops the work server-side (and flags a partial answer).
        return {"timeout": str(max(1, int(timeout_s * 1000)))} if timeout_s else {}

    def update_text(self, sparql: str) -> str:
        return insert_data_with_bnodes_as_template(replace_iri(sparql, WKT_LITERAL, WKT_ALIAS))

    def fix_term(self, term: Term) -> Term:
        if isinstance(term, ox.Literal) and term.datatype.value in (WKT_ALIAS, GEOMETRY):
            return ox.Literal(term.value, datatype=ox.NamedNode(WKT_LITERAL))
        if isinstance(term, ox.NamedNode) and term.value == WKT_ALIAS:
            return ox.NamedNode(WKT_LITERAL)
        return term

    def server_triples(self, triples: list[ox.Triple]) -> list[ox.Triple]:
        alias = ox.NamedNode(WKT_ALIAS)
        out = []
        for t in triples:
            o = t.object
            if isinstance(o, ox.Literal) and o.datatype.value == WKT_LITERAL:
                t = ox.Triple(t.subject, t.predicate, ox.Literal(o.value, datatype=alias))
            out.append(t)
        return out

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
        if "exceeded 10000 lines" in text or "memory exhausted" in text:
            return StoreError(
                f"the {what} is too large for Virtuoso in one request ({text}); "
                "send data through the Graph Store (add_graph, srkg load) instead"
            )
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


def replace_iri(text: str, iri: str, replacement: str) -> str:
    """Replace every use of ``iri`` in a query or update, written ``<iri>`` or as a prefixed name declared in
    the prologue, by ``<replacement>``. Strings and comments are left alone."""
    if iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] not in text:
        return text
    prefixes = prologue_prefixes(text)
    edits = []
    for tok in tokens(text):
        if tok.kind == "iri" and tok.text[1:-1] == iri:
            edits.append(tok)
        elif tok.kind == "word" and ":" in tok.text:
            prefix, local = tok.text.split(":", 1)
            if prefix in prefixes and prefixes[prefix] + local == iri:
                edits.append(tok)
    for tok in reversed(edits):
        text = text[: tok.start] + f"<{replacement}>" + text[tok.end :]
    return text


def names_a_graph(text: str) -> bool:
    """True when the text has ``GRAPH <iri>`` or ``GRAPH prefix:name`` (not ``GRAPH ?var``)."""
    if "graph" not in text.lower():
        return False
    for tok, nxt in pairwise(tokens(text)):
        if tok.keyword == "GRAPH" and (nxt.kind == "iri" or (nxt.kind == "word" and ":" in nxt.text)):
            return True
    return False
