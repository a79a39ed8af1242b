"""``srkg compare``: rank remediation technologies for a pollutant by the evidence in the configured store.

Exit status: 0 done; 1 the store failed (unreachable, time limit); 2 bad input (a pollutant, medium, site type,
country or region the vocabulary does not know, malformed weights). Messages go to stderr, answers to stdout.
"""

from __future__ import annotations

import argparse
import sys

from sparql_api.analysis.formats import FORMATS, render
from sparql_api.analysis.money import default_tables
from sparql_api.analysis.report import comparison_json
from sparql_api.analysis.resolve import FilterError
from sparql_api.analysis.service import CompareRequest, run
from sparql_api.config import load_settings
from sparql_api.store.base import StoreError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="rank remediation technologies for a pollutant by the evidence in the store",
        description="Rank the technologies applied in the cases of a pollutant (or pollutant class) by the evidence: "
        "cases, highest scale, median % reduction per outcome metric, duration, cost per ha / t / m³ in US dollars "
        "of one price year, sustainability scores by pillar. Thin evidence (< 3 cases) is labelled. "
        "Example: srkg compare --pollutant Cd --medium soil",
    )
    parser.add_argument("--pollutant", required=True, help="pollutant or class: symbol, label, notation or IRI "
                        "(Cd, cadmium, TPH, 'heavy metals')")
    parser.add_argument("--medium", help="treated medium (soil, sediment, groundwater…)")
    parser.add_argument("--site-type", help="site type (mine, agricultural, industrial…)")
    place = parser.add_mutually_exclusive_group()
    place.add_argument("--country", help="country: ISO 3166 alpha-3 code or name")
    place.add_argument("--region", help="UN M49 region, sub-region or intermediate region: code or name")
    parser.add_argument("--weights", help="pillar weights, e.g. environmental=2,social=1,economic=1 (default 1 each)")
    parser.add_argument("--metric", help="outcome metric to rank on (notation, e.g. total-concentration; default: "
                        "the metric with reductions in most cases)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    parser.add_argument("--lang", default="en", help="language of the labels (en fr es ru zh ar; default en)")
    parser.add_argument("--timeout", type=float, help="time limit per query in seconds (default SRKG_QUERY_TIMEOUT)")
    parser.set_defaults(func=run_compare)


def _say(message: str) -> None:
    print(f"srkg compare: {message}", file=sys.stderr, flush=True)


def run_compare(args: argparse.Namespace) -> int:
    from sparql_api.store.factory import open_store

    settings = load_settings()
    request = CompareRequest(args.pollutant, args.medium, args.site_type, args.country, args.region, args.weights,
                             args.metric, args.lang)
    try:
        store = open_store(settings)
    except StoreError as e:
        _say(f"cannot open the store: {e}")
        return 1
    try:
        timeout = args.timeout if args.timeout is not None else settings.query_timeout_s
        result = run(store, request, timeout=timeout)
    except FilterError as e:
        suggestions = f" (did you mean: {', '.join(e.suggestions)}?)" if e.suggestions else ""
        _say(f"{e}{suggestions}")
        return 2
    except ValueError as e:
        _say(str(e))
        return 2
    except StoreError as e:
        _say(str(e))
        return 1
    finally:
        store.close()
    sys.stdout.write(render(comparison_json(result, default_tables()), args.format))
    sys.stdout.flush()
    return 0
