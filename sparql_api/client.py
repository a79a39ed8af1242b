"""A small Python client for SRKG: SPARQL SELECT answers as pandas DataFrames with proper dtypes, and cases as
JSON-LD with the published ``@context``.

    from sparql_api.client import SRKGClient
    srkg = SRKGClient("http://127.0.0.1:8000")            # the server, or its /sparql endpoint
    df = srkg.query_df("SELECT ?case ?year WHERE { ?case <https://w3id.org/srkg/ontology#startYear> ?year }")
    doc = srkg.case_jsonld("https://w3id.org/srkg/id/case/tha-mae-sot-cadmium-phytoextraction")

Column dtypes follow the literals' datatypes (SPARQL 1.1 JSON results): XSD integer types and ``xsd:gYear`` →
``Int64``; ``xsd:decimal``/``double``/``float`` → ``float64``; ``xsd:date``/``dateTime`` → ``datetime64``
(UTC when the values carry a time zone); ``xsd:boolean`` → ``boolean``; everything else (IRIs, plain and
language-tagged strings) → ``string``. Unbound values are missing (``<NA>``/``NaN``/``NaT``). With
``lang_columns=True`` each column that holds language-tagged literals gets a ``<var>_lang`` column. A column
whose values mix kinds (e.g. numbers and IRIs) stays ``string``. pandas is the optional extra ``srkg[client]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

if TYPE_CHECKING:
    import pandas as pd

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
INTEGER_TYPES = frozenset(XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "gYear"))
FLOAT_TYPES = frozenset(XSD + t for t in ("decimal", "double", "float"))
DATE_TYPES = frozenset(XSD + t for t in ("date", "dateTime", "dateTimeStamp"))
BOOLEAN = XSD + "boolean"
USER_AGENT = "srkg-client/0.1 (+https://w3id.org/srkg/)"


class SRKGError(Exception):
    """The server refused or failed a request; the message carries its status and words."""


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("SRKGClient.query_df needs pandas: pip install 'srkg[client]'") from e
    return pandas


def _kind(term: dict[str, str]) -> str:
    """``int``, ``float``, ``date``, ``bool`` or ``str`` for one bound RDF term of a JSON result."""
    if term["type"] not in ("literal", "typed-literal"):
        return "str"
    datatype = term.get("datatype")
    if datatype in INTEGER_TYPES:
        return "int"
    if datatype in FLOAT_TYPES:
        return "float"
    if datatype in DATE_TYPES:
        return "date"
    if datatype == BOOLEAN:
        return "bool"
    return "str"


def _leading_int(lexical: str) -> int:
    """The integer of an integer lexical form, or the year of an ``xsd:gYear`` (``2005``, ``2005Z``, ``-0044``)."""
    found = re.match(r"\s*([+-]?\d+)", lexical)
    if found is None:
        raise SRKGError(f"not an integer: {lexical!r}")
    return int(found.group(1))


def _column(values: Sequence[dict[str, str] | None]) -> Any:
    """One pandas Series from the bound terms of one variable (``None`` where unbound)."""
    pd = _pandas()
    kinds = {_kind(v) for v in values if v is not None}
    if kinds == {"int", "float"}:
        kinds = {"float"}
    kind = kinds.pop() if len(kinds) == 1 else "str"
    raw = [None if v is None else v["value"] for v in values]
    if kind == "int":
        return pd.array([None if x is None else _leading_int(x) for x in raw], dtype="Int64")
    if kind == "float":
        return pd.Series([float("nan") if x is None else float(x) for x in raw], dtype="float64")
    if kind == "date":
        zoned = any(x is not None and (x.endswith("Z") or "+" in x[10:] or "-" in x[10:]) for x in raw)
        return pd.to_datetime(pd.Series(raw, dtype="object"), utc=zoned, format="ISO8601")
    if kind == "bool":
        return pd.array([None if x is None else x in ("true", "1") for x in raw], dtype="boolean")
    return pd.array(raw, dtype="string")


def results_to_frame(results: dict[str, Any], *, lang_columns: bool = False) -> pd.DataFrame:
    """A DataFrame from a parsed SPARQL 1.1 JSON results document (SELECT)."""
    pd = _pandas()
    if "boolean" in results:
        raise SRKGError("this is the answer to an ASK query; query_df expects SELECT")
    variables: list[str] = results["head"]["vars"]
    bindings: list[dict[str, dict[str, str]]] = results["results"]["bindings"]
    data: dict[str, Any] = {}
    for var in variables:
        values = [b.get(var) for b in bindings]
        data[var] = _column(values)
        if lang_columns and any(v is not None and "xml:lang" in v for v in values):
            data[f"{var}_lang"] = pd.array([None if v is None else v.get("xml:lang") for v in values],
                                           dtype="string")
    return pd.DataFrame(data, index=pd.RangeIndex(len(bindings)))


class SRKGClient:
    """Talk to one SRKG server (or any SPARQL 1.1 endpoint for ``query_df``)."""

    def __init__(self, url: str, *, timeout: float = 60.0, client: httpx.Client | None = None) -> None:
        url = url.rstrip("/")
        self.endpoint = url if url.endswith("/sparql") else url + "/sparql"
        self.server = self.endpoint.removesuffix("/sparql")
        self._http = client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SRKGClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def select(self, sparql: str) -> dict[str, Any]:
        """The raw SPARQL JSON results of a query (sent as an HTML form POST, as the protocol allows)."""
        reply = self._http.post(self.endpoint, data={"query": sparql},
                                headers={"Accept": "application/sparql-results+json"})
        if reply.status_code != 200:
            raise SRKGError(f"{self.endpoint} answered {reply.status_code}: {reply.text.strip()[:500]}")
        return json.loads(reply.content)

    def query_df(self, sparql: str, *, lang_columns: bool = False) -> pd.DataFrame:
        """Run a SELECT and return its answer as a DataFrame with dtypes from the literals' datatypes."""
        return results_to_frame(self.select(sparql), lang_columns=lang_columns)

    @property
    def context_url(self) -> str:
        """Where this server publishes the JSON-LD context (its IRI ``{base}context.jsonld`` maps here)."""
        return self.server + "/context.jsonld"

    def context(self) -> dict[str, Any]:
        reply = self._http.get(self.context_url, headers={"Accept": "application/ld+json"})
        if reply.status_code != 200:
            raise SRKGError(f"{self.context_url} answered {reply.status_code}: {reply.text.strip()[:200]}")
        return json.loads(reply.content)["@context"]

    def case_jsonld(self, case: str, *, inline_context: bool = False) -> dict[str, Any]:
        """The case (its IRI, or its key such as ``tha-mae-sot-cadmium-phytoextraction``) as compacted JSON-LD.

        The document's ``@context`` is the published context's URL (``inline_context=True`` embeds it), so
        ``rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")`` gives back the case's triples.
        """
        from rdflib import Graph

        path = self._case_path(case)
        reply = self._http.get(self.server + path + ".ttl", headers={"Accept": "text/turtle"})
        if reply.status_code != 200:
            raise SRKGError(f"{self.server}{path} answered {reply.status_code}: {reply.text.strip()[:200]}")
        graph = Graph().parse(data=reply.content, format="turtle")
        document: dict[str, Any] = json.loads(graph.serialize(format="json-ld", context=self.context()))
        if not inline_context:
            document["@context"] = self.context_url
        return document

    @staticmethod
    def _case_path(case: str) -> str:
        if "://" not in case:
            return f"/id/case/{case}"
        path = urlsplit(case).path
        cut = path.find("/id/")
        if cut < 0:
            raise ValueError(f"{case} is not an SRKG data IRI (…/id/case/…)")
        return path[cut:]
