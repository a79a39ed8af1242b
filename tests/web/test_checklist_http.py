"""The action-plan checklist over real HTTP: /checklist in every format on the shared ``site`` server (real data,
read only), and stored plans — creation, status updates with who and when, login and CSRF — on a server of our
own (the repository's ontology, vocabularies and hand-modelled cases, without the literature tables)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import PROV
from server.live_server import REPO, LiveServer, start_server

from sparql_api.accounts.users import AccountStore, account_store_path

SRKG = Namespace("https://w3id.org/srkg/ontology#")
PPLAN = Namespace("http://purl.org/net/p-plan#")
VOCAB = "https://w3id.org/srkg/vocab/"
BASE = "https://w3id.org/srkg/"
GARDEN = {"pollutant": "Pb", "land_use": "allotment", "site_type": "residential", "country": "GBR"}
RESOIL = BASE + "id/case/svn-resoil-edta-soil-washing"
PASSWORD = "a long enough password"


class Scan(HTMLParser):
    """Attributes of every element, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def having(self, attribute: str, tag: str | None = None) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements if attribute in a and (tag is None or t == tag)]


def loads_only_own_resources(reply: httpx.Response) -> None:
    """Stylesheets, scripts, images and frames come from this server; the CSP says so too."""
    assert "default-src 'self'" in reply.headers["content-security-policy"]
    scan = Scan(reply.text)
    loaded = [a.get("src") for t, a in scan.elements if t in ("script", "img", "iframe", "audio", "video") and
              a.get("src")]
    loaded += [a.get("href") for t, a in scan.elements if t == "link" and "stylesheet" in (a.get("rel") or "")]
    assert loaded and all(u and u.startswith("/") and not u.startswith("//") for u in loaded), loaded
    assert "style=" not in reply.text  # inline styles would be refused by the CSP


def sparql(server: LiveServer, query: str) -> list[dict[str, str]]:
    reply = httpx.get(f"{server.url}/sparql", params={"query": query},
                      headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert reply.status_code == 200, reply.text
    return [{k: v["value"] for k, v in b.items()} for b in reply.json()["results"]["bindings"]]


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "form without a CSRF field"
    return found.group(1)


# --- the checklist, read only, on the real data ------------------------------------------------------------------


def test_the_lead_garden_checklist_page(site: LiveServer) -> None:
    reply = httpx.get(f"{site.url}/checklist?{urlencode(GARDEN)}", timeout=60)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    loads_only_own_resources(reply)
    scan = Scan(reply.text)
    stages = scan.having("data-stage", "li")
    assert [s["data-stage"] for s in stages] == [f"RAP-{n:02d}" for n in range(1, 17)]
    assert reply.text.count('class="guidance"') == 16
    assert reply.text.count("the vocabulary links no criterion to this stage") == 12
    technologies = [a["data-technology"] for a in scan.having("data-technology", "tr")]
    assert VOCAB + "technology/phytostabilisation" in technologies
    assert VOCAB + "technology/excavation" in technologies
    similar = [a["data-case"] for a in scan.having("data-case", "tr")]
    assert similar[0] == RESOIL and len(similar) == 10
    assert 'href="/id/case/svn-resoil-edta-soil-washing"' in reply.text
    assert 'href="/static/checklist.css"' in reply.text
    css = httpx.get(f"{site.url}/static/checklist.css", timeout=30)
    assert css.status_code == 200 and "@media print" in css.text
    assert "/login?next=" in reply.text  # nobody signed in: saving the plan asks for a login


def test_candidate_counts_on_the_page_match_an_independent_count(site: LiveServer) -> None:
    reply = httpx.get(f"{site.url}/checklist", params={"pollutant": "lead", "format": "json"}, timeout=60)
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    (found,) = reply.json()["candidates"]
    counted = sparql(site, """PREFIX srkg: <https://w3id.org/srkg/ontology#>
      PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
      SELECT ?t (COUNT(DISTINCT ?case) AS ?n) WHERE {
        ?case a srkg:CaseStudy ; srkg:pollutant ?p ; srkg:technologyApplication/srkg:technology ?t .
        ?p skos:broader* <https://w3id.org/srkg/vocab/pollutant/lead> } GROUP BY ?t""")
    assert {t["technology"]: t["n_cases"] for t in found["technologies"]} == {r["t"]: int(r["n"]) for r in counted}
    assert all(t["page"].startswith("/vocab/technology/") for t in found["technologies"])


def test_the_checklist_as_markdown_and_rdf(site: LiveServer) -> None:
    md = httpx.get(f"{site.url}/checklist?{urlencode(GARDEN | {'format': 'md'})}", timeout=60)
    assert md.status_code == 200 and md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert re.findall(r"^### \[ \] \d+\. (RAP-\d\d)", md.text, re.MULTILINE) == [f"RAP-{n:02d}" for n in range(1, 17)]
    assert f"({site.url}/id/case/svn-resoil-edta-soil-washing)" in md.text

    plan = URIRef(BASE + "checklist?pollutant=lead&land_use=urban-garden&site_type=residential&country=GBR#plan")
    graphs = {}
    for fmt, syntax, media in (("ttl", "turtle", "text/turtle"), ("jsonld", "json-ld", "application/ld+json")):
        reply = httpx.get(f"{site.url}/checklist?{urlencode(GARDEN | {'format': fmt})}", timeout=60)
        assert reply.status_code == 200 and reply.headers["content-type"].startswith(media)
        graph = Graph().parse(data=reply.text, format=syntax)
        assert (plan, RDF.type, PROV.Plan) in graph
        steps = set(graph.subjects(PPLAN.isStepOfPlan, plan))
        assert len(steps) == 16
        assert {str(graph.value(s, SRKG.stageStatus)) for s in steps} == {VOCAB + "plan-stage-status/not-started"}
        assert URIRef(RESOIL) in set(graph.objects(plan, SRKG.similarCase))
        assert URIRef(VOCAB + "technology/phytostabilisation") in set(graph.objects(plan, SRKG.candidateTechnology))
        graphs[fmt] = graph
    assert len(graphs["ttl"]) == len(graphs["jsonld"])


@pytest.mark.parametrize(("params", "status", "words"), [
    ({"pollutant": "unobtainium", "format": "md"}, 400, "pollutant: 'unobtainium'"),
    ({"pollutant": "Pb", "country": "Atlantis", "format": "json"}, 400, "country: 'Atlantis'"),
    ({"format": "ttl"}, 400, "give at least one pollutant"),
    ({"pollutant": "Pb", "format": "pdf"}, 400, "format must be one of"),
])
def test_bad_input_is_a_400_naming_the_parameter(site: LiveServer, params: dict[str, str], status: int,
                                                 words: str) -> None:
    reply = httpx.get(f"{site.url}/checklist", params=params, timeout=60)
    assert reply.status_code == status and reply.headers["content-type"].startswith("text/plain")
    assert words in reply.text


def test_a_value_that_names_nothing_is_shown_on_the_form_with_suggestions(site: LiveServer) -> None:
    reply = httpx.get(f"{site.url}/checklist", params={"pollutant": "leed"}, timeout=60)
    assert reply.status_code == 400 and reply.headers["content-type"].startswith("text/html")
    assert 'id="checklist-error"' in reply.text and "leed" in reply.text and "lead" in reply.text
    form = httpx.get(f"{site.url}/checklist", timeout=60)
    assert form.status_code == 200 and 'value="urban-garden"' in form.text and 'value="GBR"' in form.text
    loads_only_own_resources(form)


def test_the_checklist_in_arabic_reads_right_to_left(site: LiveServer) -> None:
    reply = httpx.get(f"{site.url}/checklist", params={"pollutant": "Pb", "lang": "ar"}, timeout=60)
    assert reply.status_code == 200 and reply.headers["content-language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in reply.text and "قائمة مراجعة خطة العمل" in reply.text


# --- stored plans, on a server of our own ------------------------------------------------------------------------


def light_resources(root: Path) -> Path:
    """The repository's ontology, vocabularies, shapes and hand-modelled cases (no literature table to ingest)."""
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "shapes", root / "shapes")
    shutil.copytree(REPO / "examples" / "cases", root / "examples" / "cases")
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("checklist-plans")
    live = start_server(root, resources=light_resources(root / "resources"), wait_s=240)
    accounts = AccountStore(account_store_path(live.data_dir))
    for name, role in (("alice", "contributor"), ("bob", "contributor"), ("ada", "admin")):
        accounts.add(name, PASSWORD, role)
    yield live
    live.stop()


def login(server: LiveServer, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
    page = client.get("/login")
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/",
                                        "csrf_token": csrf(page.text)})
    assert reply.status_code == 303, reply.text
    return client


def create_plan(client: httpx.Client, title: str = "Allotments on Mill Lane") -> str:
    page = client.get(f"/checklist?{urlencode(GARDEN)}")
    assert page.status_code == 200 and 'action="/checklist/plans' in page.text
    fields = re.findall(r'<input type="hidden" name="(pollutant|land_use|site_type|country)" value="([^"]+)">',
                        page.text)
    assert dict(fields)["land_use"] == VOCAB + "land-use/urban-garden"
    form: dict[str, list[str]] = {"title": [title], "csrf_token": [csrf(page.text)]}
    for name, value in fields:
        form.setdefault(name, []).append(value)
    reply = client.post("/checklist/plans", data=form)
    assert reply.status_code == 303, reply.text
    found = re.fullmatch(r"/checklist/plans/([a-z0-9-]+)\?lang=en", reply.headers["location"])
    assert found, reply.headers["location"]
    return found.group(1)


def plan_triples(server: LiveServer, plan_id: str) -> Graph:
    reply = httpx.get(f"{server.url}/checklist/plans/{plan_id}?format=ttl", timeout=60)
    assert reply.status_code == 200
    return Graph().parse(data=reply.text, format="turtle")


def test_a_signed_in_user_stores_a_plan_in_its_own_graph(server: LiveServer) -> None:
    alice = login(server, "alice")
    plan_id = create_plan(alice)
    graph_iri = f"{BASE}graph/plan/{plan_id}"
    plan = f"{BASE}id/plan/{plan_id}"
    rows = sparql(server, f"""SELECT ?title ?who (COUNT(?step) AS ?steps) WHERE {{ GRAPH <{graph_iri}> {{
        <{plan}> a <http://www.w3.org/ns/prov#Plan> ; <http://purl.org/dc/terms/title> ?title ;
                 <http://www.w3.org/ns/prov#wasAttributedTo>/<http://xmlns.com/foaf/0.1/name> ?who .
        ?step <http://purl.org/net/p-plan#isStepOfPlan> <{plan}> }} }} GROUP BY ?title ?who""")
    assert rows == [{"title": "Allotments on Mill Lane", "who": "alice", "steps": "16"}]
    page = alice.get(f"/checklist/plans/{plan_id}")
    assert page.status_code == 200
    loads_only_own_resources(page)
    assert page.text.count('class="status-form no-print"') == 16  # the creator may change every stage
    listed = httpx.get(f"{server.url}/checklist/plans?format=json", timeout=60).json()["plans"]
    assert {"id": plan_id, "creator": "alice", "title": "Allotments on Mill Lane"}.items() <= next(
        p for p in listed if p["id"] == plan_id).items()


def test_status_updates_record_who_and_when(server: LiveServer) -> None:
    alice = login(server, "alice")
    plan_id = create_plan(alice, "Status plan")
    before = datetime.now(UTC).replace(microsecond=0)
    for status in ("in-progress", "done"):
        page = alice.get(f"/checklist/plans/{plan_id}")
        reply = alice.post(f"/checklist/plans/{plan_id}/stages/rap-04",
                           data={"status": status, "csrf_token": csrf(page.text)})
        assert reply.status_code == 303 and reply.headers["location"].endswith("#rap-04")
    after = datetime.now(UTC)

    graph = plan_triples(server, plan_id)
    step = URIRef(f"{BASE}id/plan/{plan_id}/stage/rap-04")
    assert str(graph.value(step, SRKG.stageStatus)) == VOCAB + "plan-stage-status/done"
    changes = sorted(graph.subjects(PROV.specializationOf, step))
    assert [str(c).rsplit("/", 1)[-1] for c in changes] == ["1", "2"]
    for change, status in zip(changes, ("in-progress", "done"), strict=True):
        assert str(graph.value(change, SRKG.stageStatus)) == VOCAB + f"plan-stage-status/{status}"
        assert str(graph.value(change, PROV.wasAttributedTo)) == f"{BASE}id/agent/alice"
        when = datetime.fromisoformat(str(graph.value(change, PROV.generatedAtTime)))
        assert before <= when <= after
    assert graph.value(changes[1], PROV.wasRevisionOf) == changes[0]

    page = httpx.get(f"{server.url}/checklist/plans/{plan_id}", timeout=60)
    scan = Scan(page.text)
    assert [a.get("data-status") for a in scan.having("data-stage", "li")][3] == "done"
    assert len(scan.having("data-change", "tr")) == 2
    assert 'class="status-form' not in page.text  # nobody signed in: no forms
    data = httpx.get(f"{server.url}/checklist/plans/{plan_id}?format=json", timeout=60).json()
    assert [(c["status"], c["by"]) for c in data["changes"]] == [("in-progress", "alice"), ("done", "alice")]
    assert data["stages"][3]["status"] == "done" and data["stages"][2]["status"] == "not-started"


def test_plans_need_a_login_and_the_forms_csrf_token(server: LiveServer) -> None:
    alice = login(server, "alice")
    plan_id = create_plan(alice, "Guarded plan")
    anonymous = httpx.Client(base_url=server.url, timeout=60)
    token = csrf(anonymous.get("/login").text)  # a CSRF cookie and token, but nobody signed in
    assert anonymous.post("/checklist/plans", data={"pollutant": "Pb", "csrf_token": token}).status_code == 401
    assert anonymous.post(f"/checklist/plans/{plan_id}/stages/rap-01",
                          data={"status": "done", "csrf_token": token}).status_code == 401
    # signed in, but the form's token is missing, wrong, or the post comes from another site
    for data, headers in (({"status": "done"}, {}), ({"status": "done", "csrf_token": "x" * 30}, {}),
                          ({"status": "done", "csrf_token": csrf(alice.get("/checklist").text)},
                           {"Origin": "https://evil.example"})):
        reply = alice.post(f"/checklist/plans/{plan_id}/stages/rap-01", data=data, headers=headers)
        assert reply.status_code == 403, reply.text
    assert alice.post("/checklist/plans", data={"pollutant": "Pb"}).status_code == 403
    # another contributor may read but not change alice's plan; an admin may
    bob = login(server, "bob")
    token = csrf(bob.get(f"/checklist/plans/{plan_id}").text)
    assert bob.post(f"/checklist/plans/{plan_id}/stages/rap-01",
                    data={"status": "done", "csrf_token": token}).status_code == 403
    ada = login(server, "ada")
    token = csrf(ada.get(f"/checklist/plans/{plan_id}").text)
    assert ada.post(f"/checklist/plans/{plan_id}/stages/rap-01",
                    data={"status": "done", "csrf_token": token}).status_code == 303
    graph = plan_triples(server, plan_id)
    (change,) = graph.subjects(PROV.specializationOf, URIRef(f"{BASE}id/plan/{plan_id}/stage/rap-01"))
    assert str(graph.value(change, PROV.wasAttributedTo)) == f"{BASE}id/agent/ada"
    assert len(list(graph.subjects(PROV.specializationOf, None))) == 1  # the refused posts wrote nothing


def test_bad_plan_requests(server: LiveServer) -> None:
    alice = login(server, "alice")
    plan_id = create_plan(alice, "Bad requests")
    token = csrf(alice.get(f"/checklist/plans/{plan_id}").text)
    for path, status in ((f"/checklist/plans/{plan_id}/stages/rap-17", 400),
                         ("/checklist/plans/no-such-plan/stages/rap-01", 404),
                         ("/checklist/plans/NOT_AN_ID/stages/rap-01", 404)):
        assert alice.post(path, data={"status": "done", "csrf_token": token}).status_code == status
    reply = alice.post(f"/checklist/plans/{plan_id}/stages/rap-01", data={"status": "finished", "csrf_token": token})
    assert reply.status_code == 400 and "not-started, in-progress, done" in reply.text
    assert httpx.get(f"{server.url}/checklist/plans/nope", timeout=60).status_code == 404


def test_programs_use_a_user_token_without_csrf(server: LiveServer) -> None:
    api = httpx.Client(base_url=server.url, timeout=60, headers={
        "Authorization": f"Bearer {server.tokens.create('alice-api', 'alice')}", "Accept": "application/json"})
    reply = api.post("/checklist/plans", data={"pollutant": "Cd", "land_use": "agriculture", "country": "THA"})
    assert reply.status_code == 201, reply.text
    created = reply.json()
    assert reply.headers["location"] == created["page"] == f"/checklist/plans/{created['id']}"
    assert created["graph"] == f"{BASE}graph/plan/{created['id']}"
    update = api.post(f"{created['page']}/stages/rap-02", data={"status": "in-progress"})
    assert update.status_code == 200 and update.json()["by"] == "alice"
    stored = json.loads(api.get(created["page"]).text)
    assert stored["site"]["pollutants"][0]["iri"] == VOCAB + "pollutant/cadmium"
    assert stored["stages"][1]["status"] == "in-progress"
