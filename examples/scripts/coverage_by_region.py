#!/usr/bin/env python3
"""Coverage by M49 region: how many countries (UN member states) of each region have at least one case study.

    python examples/scripts/coverage_by_region.py --endpoint http://127.0.0.1:8000/sparql [--lang fr]

Prints one row per region (its label in --lang, else English), the member states, those with a case, the
share, and the number of cases. Needs the client extra: pip install 'srkg[client]'.
"""

from __future__ import annotations

import argparse
import sys

from sparql_api.client import SRKGClient

LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
QUERY = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?region ?label (COUNT(DISTINCT ?state) AS ?member_states) (COUNT(DISTINCT ?covered) AS ?covered_states)
       (COUNT(DISTINCT ?case) AS ?cases) WHERE {
  ?state a srkg:Country ; srkg:isUNMember true ; srkg:m49Region ?region .
  OPTIONAL { ?region skos:prefLabel ?wanted FILTER(LANGMATCHES(LANG(?wanted), "%(lang)s")) }
  OPTIONAL { ?region skos:prefLabel ?english FILTER(LANGMATCHES(LANG(?english), "en")) }
  BIND(COALESCE(?wanted, ?english, STR(?region)) AS ?label)
  OPTIONAL { ?case a srkg:CaseStudy ; srkg:site/srkg:country ?state . BIND(?state AS ?covered) }
} GROUP BY ?region ?label ORDER BY DESC(?covered_states) ?label"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:8000/sparql", help="SRKG server or /sparql URL")
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the region names")
    args = parser.parse_args(argv)
    with SRKGClient(args.endpoint) as srkg:
        # The language is one of six fixed codes (checked by argparse), so formatting it in is safe.
        df = srkg.query_df(QUERY % {"lang": args.lang})
    if df.empty:
        print("no countries with an M49 region in this dataset", file=sys.stderr)
        return 1
    df["share_percent"] = (100 * df["covered_states"] / df["member_states"]).round(1)
    table = df[["label", "member_states", "covered_states", "share_percent", "cases"]]
    print(table.to_string(index=False))
    total = df["covered_states"].sum()
    print(f"\n{total} of {df['member_states'].sum()} UN member states have at least one case study")
    return 0


if __name__ == "__main__":
    sys.exit(main())
