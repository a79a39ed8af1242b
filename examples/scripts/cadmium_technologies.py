#!/usr/bin/env python3
"""Technology effectiveness for cadmium: per technology, the cases that treated cadmium and their reported
reductions (per cent, where the source gives one or before/after concentrations).

    python examples/scripts/cadmium_technologies.py --endpoint http://127.0.0.1:8000/sparql [--pollutant cadmium]

The reduction of an outcome is srkg:reductionPercent when stated, else computed from srkg:valueBefore and
srkg:valueAfter in the same unit. Needs the client extra: pip install 'srkg[client]'.
"""

from __future__ import annotations

import argparse
import re
import sys

from sparql_api.client import SRKGClient

QUERY = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?technology ?label ?nature_based ?case ?reduction WHERE {
  VALUES ?pollutant { <https://w3id.org/srkg/vocab/pollutant/%(pollutant)s> }
  ?case a srkg:CaseStudy ; srkg:pollutant ?pollutant ;
        srkg:technologyApplication/srkg:technology ?technology .
  OPTIONAL { ?technology skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?technology srkg:isNatureBased ?nature_based }
  OPTIONAL {
    ?case srkg:outcome ?outcome . ?outcome srkg:pollutant ?pollutant .
    OPTIONAL { ?outcome srkg:reductionPercent ?stated }
    OPTIONAL { ?outcome srkg:valueBefore ?before ; srkg:valueAfter ?after FILTER(?before > 0) }
    BIND(COALESCE(?stated, 100 * (?before - ?after) / ?before) AS ?reduction)
  }
}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:8000/sparql", help="SRKG server or /sparql URL")
    parser.add_argument("--pollutant", default="cadmium", help="notation in vocab/pollutant (default cadmium)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z0-9-]+", args.pollutant):
        parser.error("--pollutant is a notation such as cadmium or lead (lower-case letters, digits, hyphens)")
    with SRKGClient(args.endpoint) as srkg:
        df = srkg.query_df(QUERY % {"pollutant": args.pollutant})
    if df.empty:
        print(f"no case study reports {args.pollutant}", file=sys.stderr)
        return 1
    df["label"] = df["label"].fillna(df["technology"].str.replace(r"^.*/", "", regex=True))
    table = (df.groupby(["label", "nature_based"], dropna=False)
               .agg(cases=("case", "nunique"), outcomes=("reduction", "count"),
                    median_reduction_percent=("reduction", "median"), best_percent=("reduction", "max"))
               .reset_index().sort_values(["cases", "label"], ascending=[False, True]))
    print(f"Technologies applied to {args.pollutant}: cases and reported reductions (%)")
    print(table.round(1).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
