"""One comparison, start to finish, for the CLI and the web page: words → IRIs → evidence → ranking."""

from __future__ import annotations

from dataclasses import dataclass

from sparql_api.analysis.comparison import Comparison, compare
from sparql_api.analysis.evidence import Filters, fetch, with_pollutants
from sparql_api.analysis.money import MoneyTables, default_tables
from sparql_api.analysis.pillar_scores import Weights
from sparql_api.analysis.resolve import FilterError, Resolved, resolve_concept, resolve_pollutant
from sparql_api.store.base import Store


@dataclass(frozen=True)
class CompareRequest:
    """The comparison as the user asks for it, in words (notations, labels, codes or IRIs)."""

    pollutant: str
    medium: str | None = None
    site_type: str | None = None
    country: str | None = None  # ISO 3166 code or name
    region: str | None = None  # UN M49 code or name
    weights: str | None = None  # "environmental=1,social=1,economic=1"
    metric: str | None = None  # ranking metric (notation or IRI); default: the one with most cases
    lang: str = "en"


@dataclass(frozen=True)
class CompareResult:
    request: CompareRequest
    filters: Filters
    resolved: dict[str, Resolved]  # filter name → how its text was read
    comparison: Comparison


def resolve(request: CompareRequest) -> tuple[Filters, dict[str, Resolved], Weights]:
    """The request's filters as IRIs; FilterError (or ValueError for weights) names the bad one."""
    if not request.pollutant.strip():
        raise FilterError("pollutant", "a pollutant or pollutant class is required (e.g. Cd, lead, TPH)")
    resolved = {"pollutant": resolve_pollutant(request.pollutant.strip())}
    for field, scheme, text in (("medium", "medium", request.medium), ("site_type", "site-type", request.site_type),
                                ("country", "country", request.country), ("region", "m49-region", request.region)):
        if text and text.strip():
            resolved[field] = resolve_concept(field, scheme, text.strip())
    weights = Weights.parse(request.weights)

    def iri(field: str) -> str | None:
        return resolved[field].iri if field in resolved else None

    filters = Filters(resolved["pollutant"].iri, iri("medium"), iri("site_type"), iri("country"), iri("region"),
                      request.lang)
    return filters, resolved, weights


def run(store: Store, request: CompareRequest, money: MoneyTables | None = None,
        timeout: float | None = None) -> CompareResult:
    filters, resolved, weights = resolve(request)
    filters = with_pollutants(store, filters, timeout)
    evidence = fetch(store, filters, timeout=timeout)
    comparison = compare(evidence, money or default_tables(), weights, request.metric)
    return CompareResult(request, filters, resolved, comparison)
