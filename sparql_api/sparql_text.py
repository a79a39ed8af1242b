"""A small SPARQL lexer for the few things the server must know before (or instead of) a full parse.

Why not a full parser: the engine parses the text anyway and reports syntax errors with positions. The server
only needs the query form (to negotiate a format before running), whether the text names its own dataset
(``FROM`` / ``USING`` / ``WITH``), the ``SERVICE`` targets, and the place to put protocol ``USING`` clauses.
The lexer skips strings, IRIs and comments, so keywords inside them never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_LONG_STRING = re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"", re.S)
_SHORT_STRING = re.compile(r"'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\"")
_VAR = re.compile(r"[?$][A-Za-z0-9_\u00B7-\uFFFF]+")
# Keywords, prefixed names, numbers, 'a': a run of name characters (':' and '.' allowed inside, not at the end).
_WORD = re.compile(r"(?:\\.|[A-Za-z0-9_\u00B7-\uFFFF:%\-]|\.(?=[A-Za-z0-9_\u00B7-\uFFFF:%\\\-]))+")
_SPACE = re.compile(r"\s+")

OPEN = "{(["
CLOSE = "})]"


@dataclass(frozen=True)
class Token:
    kind: str  # "iri" | "string" | "var" | "word" | "punct"
    text: str
    start: int
    end: int
    depth: int  # nesting of { ( [ at the token's start

    @property
    def keyword(self) -> str:
        """Upper-cased text for case-insensitive keyword tests ('' for non-words)."""
        return self.text.upper() if self.kind == "word" else ""


@lru_cache(maxsize=64)
def token_list(text: str) -> tuple[Token, ...]:
    """The tokens of ``text``, cached: one request asks several questions about the same query."""
    return tuple(tokens(text))


def tokens(text: str) -> Iterator[Token]:
    """Yield the significant tokens of a SPARQL query or update (no comments, no whitespace)."""
    pos, depth, n = 0, 0, len(text)
    while pos < n:
        ch = text[pos]
        if ch.isspace():
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            continue
        if ch == "#":
            end = text.find("\n", pos)
            pos = n if end < 0 else end + 1
            continue
        if ch == "<":
            m = _IRIREF.match(text, pos)
            if m:
                yield Token("iri", m.group(), pos, m.end(), depth)
                pos = m.end()
                continue
            yield Token("punct", ch, pos, pos + 1, depth)
            pos += 1
            continue
        if ch in "'\"":
            m = _LONG_STRING.match(text, pos) or _SHORT_STRING.match(text, pos)
            end = m.end() if m else n  # an unterminated string swallows the rest; the engine reports it
            yield Token("string", text[pos:end], pos, end, depth)
            pos = end
            continue
        if ch in "?$":
            m = _VAR.match(text, pos)
            if m:
                yield Token("var", m.group(), pos, m.end(), depth)
                pos = m.end()
                continue
        m = _WORD.match(text, pos)
        if m:
            yield Token("word", m.group(), pos, m.end(), depth)
            pos = m.end()
            continue
        if ch in OPEN:
            yield Token("punct", ch, pos, pos + 1, depth)
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
            yield Token("punct", ch, pos, pos + 1, depth)
        else:
            yield Token("punct", ch, pos, pos + 1, depth)
        pos += 1


_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def query_form(text: str) -> str | None:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT/DESCRIBE), or None when no query keyword is found."""
    for tok in token_list(text):
        if tok.depth == 0 and tok.keyword in _FORMS:
            return _FORMS[tok.keyword]
    return None


def is_update(text: str) -> bool:
    """True when the text looks like an update rather than a query (for a friendly error)."""
    update_words = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
    for tok in token_list(text):
        if tok.depth == 0 and tok.keyword in _FORMS:
            return False
        if tok.depth == 0 and tok.keyword in update_words:
            return True
    return False


def has_dataset_clause(query: str) -> bool:
    """True when the query names its own dataset with ``FROM`` / ``FROM NAMED``."""
    if "from" not in query.lower():
        return False
    return any(tok.depth == 0 and tok.keyword == "FROM" for tok in token_list(query))


def prologue_prefixes(text: str) -> dict[str, str]:
    """The ``PREFIX p: <iri>`` declarations (used to print results with the same prefixes)."""
    toks = token_list(text)
    found: dict[str, str] = {}
    for i, tok in enumerate(toks[:-2]):
        name, iri = toks[i + 1], toks[i + 2]
        if tok.keyword == "PREFIX" and name.kind == "word" and name.text.endswith(":") and iri.kind == "iri":
            found[name.text[:-1]] = iri.text[1:-1]
    return found


def undeclared_prefixes(text: str) -> list[str]:
    """Prefixes used in prefixed names but never declared (pyoxigraph reports these only as "expected …")."""
    declared = set(prologue_prefixes(text))
    missing: list[str] = []
    for tok in token_list(text):
        if tok.kind != "word" or ":" not in tok.text or tok.text.startswith(("_:", "@")):
            continue
        prefix = tok.text.split(":", 1)[0]
        if prefix not in declared and prefix not in missing and not tok.text.endswith(":"):
            missing.append(prefix)
    return missing


def _service_clauses(text: str) -> list[tuple[Token, str | None]]:
    """Each ``SERVICE`` clause's endpoint token and the IRI it names (None: a variable or unresolvable)."""
    return _iri_after(text, "SERVICE")


def _iri_after(text: str, keyword: str) -> list[tuple[Token, str | None]]:
    """For each ``keyword [SILENT] target``: the target token and the IRI it names (None: unresolvable).

    A prefixed name is resolved with the declarations seen *so far*, as the engine does: an update may declare
    a prefix again between operations, and the later declaration must not make an earlier SERVICE look allowed.
    """
    toks = token_list(text)
    prefixes: dict[str, str] = {}
    found: list[tuple[Token, str | None]] = []
    for i, tok in enumerate(toks):
        if tok.keyword == "PREFIX" and i + 2 < len(toks):
            name, iri = toks[i + 1], toks[i + 2]
            if name.kind == "word" and name.text.endswith(":") and iri.kind == "iri":
                prefixes[name.text[:-1]] = iri.text[1:-1]
            continue
        if tok.keyword != keyword:
            continue
        j = i + 1
        if j < len(toks) and toks[j].keyword == "SILENT":
            j += 1
        if j >= len(toks):
            continue
        nxt = toks[j]
        target: str | None = None
        if nxt.kind == "iri":
            target = nxt.text[1:-1]
        elif nxt.kind == "word" and ":" in nxt.text:
            prefix, local = nxt.text.split(":", 1)
            target = prefixes[prefix] + local if prefix in prefixes and "\\" not in local else None
        found.append((nxt, target))
    return found


def load_targets(text: str) -> list[str | None]:
    """The source of every ``LOAD`` operation of an update: its IRI, or None when unresolvable."""
    if "load" not in text.lower():
        return []
    return [target for _, target in _iri_after(text, "LOAD")]


def service_targets(text: str) -> list[str | None]:
    """The endpoint of every ``SERVICE`` clause: its IRI, or None when it is a variable or unresolvable."""
    if "service" not in text.lower():
        return []
    return [target for _, target in _service_clauses(text)]


class DatasetConflict(ValueError):
    """The update names its own dataset (USING / WITH) and the protocol gave one too."""


def add_using_clauses(update: str, using: list[str], using_named: list[str]) -> str:
    """Insert protocol ``using-graph-uri`` / ``using-named-graph-uri`` as USING clauses (SPARQL 1.1 Protocol §2.2.3).

    Each DELETE/INSERT … WHERE operation gets the clauses just before its WHERE. IRIs must already be valid
    absolute IRIs (the caller checks them). Raises DatasetConflict when the update has USING or WITH itself,
    or uses the DELETE WHERE shortcut, which has no place for a dataset.
    """
    if not using and not using_named:
        return update
    clause = " ".join([f"USING <{iri}>" for iri in using] + [f"USING NAMED <{iri}>" for iri in using_named])
    inserts: list[int] = []
    previous: Token | None = None
    for tok in tokens(update):
        if tok.depth == 0 and tok.keyword in ("USING", "WITH"):
            raise DatasetConflict(
                f"the update has its own {tok.keyword} clause and the request also gives "
                "using-graph-uri/using-named-graph-uri; use one or the other"
            )
        if tok.depth == 0 and tok.keyword == "WHERE":
            if previous is not None and previous.keyword == "DELETE":
                raise DatasetConflict(
                    "using-graph-uri/using-named-graph-uri cannot apply to the DELETE WHERE shortcut; "
                    "write DELETE { … } WHERE { … } instead"
                )
            inserts.append(tok.start)
        previous = tok
    out = update
    for pos in reversed(inserts):
        out = out[:pos] + clause + " " + out[pos:]
    return out


def insert_in_where(query: str, text: str) -> str:
    """Insert ``text`` right after the opening brace of the query's WHERE group (its first top-level '{')."""
    for tok in tokens(query):
        if tok.depth == 0 and tok.text == "{":
            return query[: tok.end] + " " + text + " " + query[tok.end :]
    raise ValueError("the query has no WHERE group")


def inline_iris(query: str, iris: Mapping[str, str]) -> str:
    """``query`` with the variables named in ``iris`` written as those IRIs inside its WHERE group (see
    ``inline_terms``)."""
    return inline_terms(query, {name: f"<{iri}>" for name, iri in iris.items()})


def inline_terms(query: str, terms: Mapping[str, str]) -> str:
    """``query`` with the variables named in ``terms`` written as those terms (SPARQL/N-Triples syntax, e.g.
    ``<http://a>`` or ``"fr"``) inside its WHERE group.

    For stores that do not start a property path from a variable bound by ``VALUES`` (Virtuoso 7 walks
    ``?root (p|q)* ?s`` from every node, then joins: seconds instead of milliseconds). The caller keeps its
    ``VALUES`` so the variable is still bound for the projection. Queries with a nested SELECT (whose own scope
    may reuse the name) are returned unchanged. ``terms`` values must already be valid terms written by
    pyoxigraph (which validates IRIs and escapes literals).
    """
    toks = token_list(query)
    if not terms or any(t.keyword == "SELECT" and t.depth > 0 for t in toks):
        return query
    start = next((t for t in toks if t.depth == 0 and t.text == "{"), None)
    if start is None:
        return query
    parts, pos = [], 0
    for i, tok in enumerate(toks):
        if tok.start <= start.start or tok.depth == 0 or tok.start < pos:
            continue
        if tok.kind == "var" and tok.text[1:] in terms:
            if _bound_call(toks, i):  # BOUND(<iri>) is not SPARQL: the variable is bound, so it is true
                parts += [query[pos:toks[i - 2].start], "true"]
                pos = toks[i + 1].end
            else:
                parts += [query[pos:tok.start], terms[tok.text[1:]]]
                pos = tok.end
    return "".join(parts) + query[pos:]


def _bound_call(toks: tuple[Token, ...], i: int) -> bool:
    """Whether the variable at ``toks[i]`` is the argument of ``BOUND( … )``."""
    return (2 <= i < len(toks) - 1 and toks[i - 1].text == "(" and toks[i + 1].text == ")"
            and toks[i - 2].kind == "word" and toks[i - 2].text.upper() == "BOUND")


def rewrite_service_targets(text: str, replacements: dict[str, str]) -> str:
    """``text`` with the endpoint of each ``SERVICE`` clause named in ``replacements`` swapped for its new IRI."""
    if not replacements or "service" not in text.lower():
        return text
    spans = [(tok.start, tok.end, f"<{replacements[target]}>") for tok, target in _service_clauses(text)
             if target in replacements]
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text
