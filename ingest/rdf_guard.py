"""Refuse hostile RDF before a parser sees it: XML entity tricks, remote JSON-LD contexts, silently dropped terms.

pyoxigraph expands nested RDF/XML entities without limit (a 1 KB "billion laughs" document becomes gigabytes),
and its JSON-LD parser, following the JSON-LD algorithms, silently drops nodes whose ``@id`` or language tag is
invalid, so a broken file would be "accepted" with nothing in it. Both are checked here on the raw bytes, with a
message that names the problem; huge literals are checked on the parsed quads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pyoxigraph as ox

MAX_ENTITY_EXPANSION = 10_000_000  # characters all entity references may expand to, together
MAX_LITERAL_CHARS = 1_000_000  # one literal (an abstract is a few KB; nothing real comes near this)

_ENTITY = re.compile(r"""<!ENTITY\s+(%\s*)?([^\s"'>]+)\s*(SYSTEM|PUBLIC|"[^"]*"|'[^']*')?""")
_REFERENCE = re.compile(r"&([^\s&;#]+);")  # a general entity reference (not a character reference)
_PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}
_BAD_IRI_CHAR = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


class UnsafeRdf(ValueError):
    """The document is refused before parsing; ``str()`` says why, naming the entity, key or value."""


def check_rdf(data: bytes, rdf_format: ox.RdfFormat) -> None:
    """Raise ``UnsafeRdf`` for RDF/XML entity abuse and JSON-LD the parser would fetch or silently drop."""
    if rdf_format == ox.RdfFormat.RDF_XML:
        _check_xml_entities(data)
    elif rdf_format == ox.RdfFormat.JSON_LD:
        _check_json_ld(data)


def check_literals(quads: Iterable[ox.Quad | ox.Triple]) -> None:
    """Raise ``UnsafeRdf`` for the first literal longer than ``MAX_LITERAL_CHARS``."""
    for quad in quads:
        value = quad.object
        if isinstance(value, ox.Literal) and len(value.value) > MAX_LITERAL_CHARS:
            raise UnsafeRdf(f"a literal of {len(value.value):,} characters (object of {quad.subject} "
                            f"{quad.predicate}) is longer than the {MAX_LITERAL_CHARS:,} character limit")


# --- RDF/XML ------------------------------------------------------------------------------------------------
def _check_xml_entities(data: bytes) -> None:
    if b"<!ENTITY" not in data:
        return
    text = data.decode("utf-8", errors="replace")
    values: dict[str, str] = {}
    for match in _ENTITY.finditer(text):
        parameter, name, value = match.group(1), match.group(2), match.group(3) or ""
        if parameter:
            raise UnsafeRdf(f"the DOCTYPE declares the parameter entity '%{name}'; XML entities beyond plain "
                            "text replacements are refused")
        if value in ("SYSTEM", "PUBLIC"):
            raise UnsafeRdf(f"the DOCTYPE declares the external entity '{name}' ({value}); external entities are "
                            "refused and never read")
        if any(ref not in _PREDEFINED for ref in _REFERENCE.findall(value)) or "%" in value:
            raise UnsafeRdf(f"the DOCTYPE entity '{name}' refers to other entities; nested entity expansion "
                            "(\"billion laughs\") is refused")
        values[name] = value[1:-1]
    expansion = sum(len(values[name]) for name in _REFERENCE.findall(text) if name in values)
    if expansion > MAX_ENTITY_EXPANSION:
        raise UnsafeRdf(f"the DOCTYPE entities would expand to {expansion:,} characters, more than the "
                        f"{MAX_ENTITY_EXPANSION:,} allowed; entity expansion is refused")


# --- JSON-LD ------------------------------------------------------------------------------------------------
def _check_json_ld(data: bytes) -> None:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return  # not JSON (or absurdly deep): the parser gives the located error
    try:
        _walk(document, "$")
    except RecursionError:
        raise UnsafeRdf("the JSON-LD document is nested too deeply") from None


def _walk(node: object, path: str) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _walk(item, f"{path}[{index}]")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = f"{path}.{key}"
        if key == "@context":
            _check_context(value, where)
        elif key in ("@id", "@vocab", "@base", "@type", "@reverse") or (":" in key and not key.startswith("@")):
            if ":" in key and _BAD_IRI_CHAR.search(key):
                raise UnsafeRdf(f"JSON-LD key {key!r} at {path} is not a valid IRI; it would be dropped silently")
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and key.startswith("@") and _BAD_IRI_CHAR.search(text):
                    raise UnsafeRdf(f"JSON-LD {key} {text!r} at {where} is not a valid IRI; the node would be "
                                    "dropped silently")
        elif key == "@language" and isinstance(value, str) and not _LANGUAGE_TAG.fullmatch(value):
            raise UnsafeRdf(f"JSON-LD @language {value!r} at {where} is not a valid language tag (BCP 47); the "
                            "value would be dropped silently")
        _walk(value, where)


def _check_context(context: object, where: str) -> None:
    for item in context if isinstance(context, list) else [context]:
        remote = item if isinstance(item, str) else item.get("@import") if isinstance(item, dict) else None
        if isinstance(remote, str):
            raise UnsafeRdf(f"JSON-LD remote context {remote!r} at {where} is not fetched (this server loads no "
                            "remote documents); put the context inline in the file")
