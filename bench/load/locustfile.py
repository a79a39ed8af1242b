"""A realistic mix for ``srkg serve``: readers of pages, search, SPARQL and downloads, and one writer.

    locust -f bench/load/locustfile.py --headless --host http://127.0.0.1:8000 -u 20 -r 5 -t 60s

Run it through ``bench/bench_load_mix.py`` (which starts a server on the real data and reports); the writer
needs a curator/admin token in ``SRKG_LOAD_TOKEN``. Every request is named by its kind (``page: case``,
``sparql: aggregate csv``…), so the statistics come out per request type.

How each answer is judged (5xx fail, 429 pass, other unexpected statuses fail): ``bench/load/outcomes.py``.
"""

from __future__ import annotations

import os
import random
import sys
import urllib.parse
from itertools import count
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load.outcomes import check
from bench.load.run import TOKEN_VAR
from bench.load.targets import PREFIXES, SCRATCH_GRAPH, SEARCH_WORDS, Targets, discover

SPARQL_JSON = "application/sparql-results+json"
TARGETS: dict[str, Targets] = {}
FACETS = ("region", "scale", "nature_based")
REGIONS = ["002", "019", "142", "150", "009"]
SCALES = ["field", "full", "pilot", "lab"]


@events.test_start.add_listener
def _discover(environment: Any, **_: Any) -> None:
    """Read the server's data once, before any user starts."""
    TARGETS["now"] = discover(environment.host)


def targets() -> Targets:
    return TARGETS["now"]


def sparql_path(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": PREFIXES + query})


class Reader(FastHttpUser):
    """A visitor or a script: pages, search, SPARQL, downloads; think time 0.5–2 s between requests."""

    weight = 1
    wait_time = between(0.5, 2.0)

    def fetch(self, path: str, name: str, accept: str = "text/html", expected: tuple[int, ...] = (200,)) -> None:
        with self.client.get(path, name=name, headers={"Accept": accept}, catch_response=True) as response:
            check(response, expected)

    # pages
    @task(4)
    def home(self) -> None:
        self.fetch("/", "page: home")

    @task(12)
    def case_page(self) -> None:
        self.fetch(random.choice(targets().cases) + ".html", "page: case")

    @task(3)
    def country_page(self) -> None:
        self.fetch(random.choice(targets().countries) + ".html", "page: country")

    @task(3)
    def technology_page(self) -> None:
        self.fetch(random.choice(targets().technologies) + ".html", "page: technology")

    @task(3)
    def pollutant_page(self) -> None:
        self.fetch(random.choice(targets().pollutants) + ".html", "page: pollutant")

    @task(2)
    def coverage(self) -> None:
        self.fetch("/coverage", "page: coverage")

    @task(2)
    def compare(self) -> None:
        key = random.choice(targets().pollutants).rsplit("/", 1)[1]
        if random.random() < 0.5:
            self.fetch("/compare?" + urllib.parse.urlencode({"pollutant": key}), "page: compare")
        else:
            self.fetch("/compare.json?" + urllib.parse.urlencode({"pollutant": key}), "json: compare",
                       "application/json")

    # search
    @task(5)
    def search_page(self) -> None:
        params = {"q": random.choice(SEARCH_WORDS)}
        if random.random() < 0.3:
            params["page"] = "2"
        self.fetch("/search?" + urllib.parse.urlencode(params), "search: html")

    @task(5)
    def search_json_facets(self) -> None:
        params: list[tuple[str, str]] = [("q", random.choice(["", *SEARCH_WORDS]))]
        facet = random.choice(FACETS)
        value = {"region": random.choice(REGIONS), "scale": random.choice(SCALES),
                 "nature_based": random.choice(["yes", "no"])}[facet]
        params.append((facet, value))
        if random.random() < 0.5:
            params.append(("technology", random.choice(targets().technologies).rsplit("/", 1)[1]))
        self.fetch("/search.json?" + urllib.parse.urlencode(params), "search: json+facets", "application/json")

    # SPARQL
    @task(6)
    def sparql_small(self) -> None:
        case = "https://w3id.org/srkg" + random.choice(targets().cases)
        query = f"SELECT ?p ?o WHERE {{ <{case}> ?p ?o }} LIMIT 50"
        self.fetch(sparql_path(query), "sparql: small select json", SPARQL_JSON)

    @task(3)
    def sparql_aggregate_json(self) -> None:
        query = ("SELECT ?country (COUNT(?case) AS ?cases) WHERE { ?case a srkg:CaseStudy ; srkg:site/srkg:country "
                 "?country } GROUP BY ?country ORDER BY DESC(?cases)")
        self.fetch(sparql_path(query), "sparql: aggregate json", SPARQL_JSON)

    @task(3)
    def sparql_aggregate_csv(self) -> None:
        query = ("SELECT ?pollutant ?technology (COUNT(DISTINCT ?case) AS ?cases) WHERE { ?case a srkg:CaseStudy ; "
                 "srkg:pollutant ?pollutant ; srkg:technologyApplication/srkg:technology ?technology } "
                 "GROUP BY ?pollutant ?technology ORDER BY DESC(?cases)")
        self.fetch(sparql_path(query), "sparql: aggregate csv", "text/csv")

    @task(2)
    def sparql_construct(self) -> None:
        country = "https://w3id.org/srkg" + random.choice(targets().countries)
        query = (f"CONSTRUCT {{ ?case dct:title ?title ; srkg:site ?site . ?site srkg:country <{country}> }} "
                 f"WHERE {{ ?case a srkg:CaseStudy ; dct:title ?title ; srkg:site ?site . "
                 f"?site srkg:country <{country}> }}")
        self.fetch(sparql_path(query), "sparql: construct turtle", "text/turtle")

    # downloads
    @task(2)
    def download(self) -> None:
        names = targets().downloads
        if not names:
            self.fetch("/downloads/manifest.json", "download: file", "*/*", expected=(404,))
            return
        self.fetch("/downloads/" + random.choice(names), "download: file", "*/*")

    @task(2)
    def graph_store_get(self) -> None:
        graph = random.choice(targets().graphs)
        self.fetch("/rdf-graph-store?" + urllib.parse.urlencode({"graph": graph}), "download: GSP graph",
                   "text/turtle")


class Writer(FastHttpUser):
    """The one curator: replaces, reads back and deletes its own scratch graph every ~10 s (GSP PUT/GET/DELETE).

    Every write drops the server's caches (labels, search index, dataset facts), as a real publication does.
    """

    fixed_count = 1
    wait_time = constant(10)
    _serial = count()

    def on_start(self) -> None:
        token = os.environ.get(TOKEN_VAR)
        if not token:
            events.request.fire(request_type="PUT", name="write: GSP put scratch", response_time=0,
                                response_length=0, exception=RuntimeError(f"writer: {TOKEN_VAR} is not set"),
                                context={})
            raise StopUser()
        self.auth = {"Authorization": f"Bearer {token}"}
        self.target = "/rdf-graph-store?" + urllib.parse.urlencode({"graph": SCRATCH_GRAPH})

    def turtle(self) -> str:
        n = next(self._serial)
        lines = [f'<{SCRATCH_GRAPH}/item/{n}-{i}> <http://www.w3.org/2000/01/rdf-schema#label> "scratch {n} {i}"@en .'
                 for i in range(50)]
        return "\n".join(lines) + "\n"

    @task
    def cycle(self) -> None:
        headers = {**self.auth, "Content-Type": "text/turtle"}
        with self.client.put(self.target, data=self.turtle().encode(), headers=headers, name="write: GSP put scratch",
                             catch_response=True) as response:
            check(response, (200, 201, 204))
        with self.client.get(self.target, headers={"Accept": "text/turtle"}, name="write: GSP get scratch",
                             catch_response=True) as response:
            check(response)
        with self.client.delete(self.target, headers=self.auth, name="write: GSP delete scratch",
                                catch_response=True) as response:
            check(response, (200, 204))
