"""``srkg checklist``: the action-plan checklist for a site, from the configured store, as a file to keep or print.

Exit status: 0 done; 1 the store failed or holds no checklist vocabulary (start ``srkg serve`` once, or load the
vocabularies); 2 bad input (a pollutant, land use, site type or country the vocabularies do not know). Messages
go to stderr, the checklist to stdout or ``-o FILE``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from sparql_api.config import load_settings
from sparql_api.store.base import StoreError

FORMATS = ("md", "html", "ttl", "jsonld", "json")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "checklist",
        help="the remediation action-plan checklist for a site",
        description="The 16 stages of the remediation action-plan checklist with their guidance and sustainability "
        "criteria, the candidate technologies for the pollutants (ranked on the evidence of the published cases) "
        "and the most similar documented cases. Example: srkg checklist --pollutant Pb --land-use allotment "
        "--site-type residential --country GBR --format md -o plan.md",
    )
    parser.add_argument("--pollutant", action="append", required=True,
                        help="pollutant or class: symbol, name, notation or IRI (Pb, lead, 'heavy metals'); repeat "
                        "or separate with commas for several")
    parser.add_argument("--land-use", help="land use (allotment, urban-garden, residential, agriculture…)")
    parser.add_argument("--site-type", help="site type (residential, smelter, mine, industrial…)")
    parser.add_argument("--country", help="country: ISO 3166 alpha-3 code or name")
    parser.add_argument("--format", choices=FORMATS, default="md", help="output format (default md)")
    parser.add_argument("--lang", default="en", help="language (en fr es ru zh ar; default en)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument("--timeout", type=float, help="time limit per query in seconds (default SRKG_QUERY_TIMEOUT)")
    parser.set_defaults(func=run_checklist)


def _say(message: str) -> None:
    print(f"srkg checklist: {message}", file=sys.stderr, flush=True)


def render(args: argparse.Namespace, checklist: object, base: str) -> str:
    """The checklist in ``args.format``; links are the resources' IRIs (the file stands alone)."""
    from sparql_api.analysis.checklist import Checklist
    from sparql_api.analysis.checklist_markdown import render as markdown
    from sparql_api.analysis.checklist_plan import PREFIXES, STATUSES, plan_graph
    from sparql_api.web import i18n
    from sparql_api.web.checklist_views import checklist_json, default_title
    from sparql_api.web.render import environment

    assert isinstance(checklist, Checklist)
    lang = checklist.lang
    _ = i18n.translator(lang)
    title = default_title(checklist, _)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if args.format == "md":
        return markdown(checklist, _, str, title=title)
    if args.format == "json":
        return json.dumps(checklist_json(checklist, str) | {"title": title}, ensure_ascii=False, indent=2) + "\n"
    if args.format in ("ttl", "jsonld"):
        graph = plan_graph(checklist, base=base, plan=None, title=title, created=now, evidence=True)
        if args.format == "ttl":
            return graph.serialize(format="turtle")
        return graph.serialize(format="json-ld", context={k: str(v) for k, v in PREFIXES.items()}, auto_compact=True)
    static = Path(__file__).resolve().parent.parent / "server" / "static"
    stylesheet = "\n".join((static / name).read_text("utf-8") for name in ("site.css", "checklist.css"))
    return environment().get_template("checklist_standalone.html").render(
        lang=lang, dir="rtl" if lang in i18n.RTL else "ltr", _=_, checklist=checklist, title=title,
        page_of=str, statuses=None, can_edit=False, plan_id=None, status_values=STATUSES, csrf_token="",
        stylesheet=stylesheet, generated=now,
    )


def run_checklist(args: argparse.Namespace) -> int:
    from sparql_api.analysis import checklist as ck
    from sparql_api.analysis.resolve import FilterError
    from sparql_api.store.factory import open_store
    from sparql_api.web import i18n

    if args.lang not in i18n.LANGUAGES:
        _say(f"--lang must be one of {', '.join(i18n.LANGUAGES)}, not {args.lang!r}")
        return 2
    settings = load_settings()
    try:
        site = ck.describe_site(args.pollutant, args.land_use, args.site_type, args.country)
    except FilterError as e:
        hint = f" (did you mean: {', '.join(e.suggestions)}?)" if e.suggestions else ""
        _say(f"{e}{hint}")
        return 2
    try:
        store = open_store(settings)
    except StoreError as e:
        _say(f"cannot open the store: {e}")
        return 1
    try:
        timeout = args.timeout if args.timeout is not None else settings.query_timeout_s
        checklist = ck.build(store, site, args.lang, timeout=timeout)
    except StoreError as e:
        _say(str(e))
        return 1
    finally:
        store.close()
    if not checklist.stages:
        _say("the store holds no checklist vocabulary: start `srkg serve` once (it loads the vocabularies) "
             "or load ontology/vocab/checklist.ttl with `srkg load`")
        return 1
    text = render(args, checklist, settings.base_iri)
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as e:
        _say(f"cannot write {args.output}: {e}")
        return 2
    _say(f"{len(checklist.stages)} stages, "
         f"{sum(len(c.candidates) for c in checklist.candidates)} candidate technologies and "
         f"{len(checklist.similar)} similar cases written to {args.output}")
    return 0
