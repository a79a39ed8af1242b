"""A site's action plan as RDF, and its stage statuses updated over time (ontology/srkg.ttl, "Action plans").

A stored plan lives alone in its named graph ``{base}graph/plan/{id}``::

    <{base}id/plan/{id}>  a prov:Plan, p-plan:Plan ; dcterms:title ; dcterms:created ; prov:generatedAtTime ;
        prov:wasAttributedTo <{base}id/agent/{user}> ; dcterms:conformsTo <…/vocab/checklist-stage> ;
        srkg:pollutant … ; dcterms:spatial <{plan}/site>
    <{plan}/site>         a srkg:Site ; srkg:landUseAfter ; srkg:siteType ; srkg:country
    <{plan}/stage/rap-04> a p-plan:Step ; p-plan:isStepOfPlan <plan> ; p-plan:isPrecededBy <{plan}/stage/rap-03> ;
        srkg:checklistStage <…/checklist-stage/rap-04> ; srkg:stageStatus <current status> ; dcterms:modified
    <{plan}/stage/rap-04/change/2>  a prov:Entity ; prov:specializationOf <the step> ; srkg:stageStatus ;
        prov:wasAttributedTo <agent> ; prov:generatedAtTime ; prov:wasRevisionOf <…/change/1>

Every stage starts *not started*; each change keeps the ones before it, so the graph is the plan's history.
A checklist that is only exported (not stored) is the same description, plus the candidate technologies
(``srkg:candidateTechnology``) and similar cases (``srkg:similarCase``) of the moment, named after the checklist's
own URL under the base: ``<{base}checklist?pollutant=lead&…#plan>``, its parts ``…#site`` and ``…#stage-rap-04``.
The land use given for the site is recorded as ``srkg:landUseAfter``: the use the remediation is for.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV
from rdflib.term import Node

from ingest.namespaces import SRKG, VOCAB
from ingest.provenance import slug
from sparql_api.analysis.checklist import Checklist, SiteDescription
from sparql_api.analysis.resolve import Resolved

PPLAN = Namespace("http://purl.org/net/p-plan#")
STATUS_SCHEME = "plan-stage-status"
STATUSES = ("not-started", "in-progress", "done")
INITIAL_STATUS = STATUSES[0]
PLAN_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_TITLE = 200
PREFIXES = {"srkg": SRKG, "prov": PROV, "p-plan": PPLAN, "dcterms": DCTERMS, "foaf": FOAF, "rdfs": RDFS,
            "stage": VOCAB["checklist-stage/"], "status": VOCAB[STATUS_SCHEME + "/"]}


class PlanError(ValueError):
    """A plan request that cannot be carried out (unknown stage or status, malformed id); the message says why."""


def status_iri(notation: str) -> URIRef:
    if notation not in STATUSES:
        raise PlanError(f"unknown status {notation!r}: use one of {', '.join(STATUSES)}")
    return VOCAB[f"{STATUS_SCHEME}/{notation}"]


def new_plan_id() -> str:
    return secrets.token_hex(6)


def check_plan_id(plan_id: str) -> str:
    if not PLAN_ID.fullmatch(plan_id):
        raise PlanError(f"{plan_id!r} is not a plan id (lower-case letters, digits and '-', at most 64)")
    return plan_id


def plan_iri(base: str, plan_id: str) -> URIRef:
    return URIRef(f"{base}id/plan/{check_plan_id(plan_id)}")


def plan_graph_iri(base: str, plan_id: str) -> str:
    return f"{base}graph/plan/{check_plan_id(plan_id)}"


def agent_iri(base: str, username: str) -> URIRef:
    return URIRef(f"{base}id/agent/{slug(username)}")


def _bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _agent(graph: Graph, base: str, username: str) -> URIRef:
    agent = agent_iri(base, username)
    graph.add((agent, RDF.type, PROV.Agent))
    graph.add((agent, RDFS.label, Literal(username)))
    graph.add((agent, FOAF.name, Literal(username)))
    return agent


def draft_iri(base: str, site: SiteDescription) -> URIRef:
    """The IRI of an exported (not stored) checklist: its URL on the server, with the concepts' notations."""
    params = [("pollutant", p.iri.rsplit("/", 1)[-1]) for p in site.pollutants]
    params += [(name, c.iri.rsplit("/", 1)[-1]) for name, c in
               (("land_use", site.land_use), ("site_type", site.site_type), ("country", site.country)) if c]
    return URIRef(f"{base}checklist?{urlencode(params)}#plan")


def part(plan: URIRef, name: str) -> URIRef:
    """A part of a plan: ``{plan}/stage/rap-04`` for a stored plan, ``…#stage-rap-04`` for an exported one."""
    text = str(plan)
    if "#" in text:
        return URIRef(text.split("#", 1)[0] + "#" + name.replace("/", "-"))
    return URIRef(f"{text}/{name}")


def plan_graph(checklist: Checklist, *, base: str, plan: URIRef | None, title: str, created: str,
               creator: str | None = None, evidence: bool = False) -> Graph:
    """The plan for ``checklist``'s site, every stage not started; ``plan=None``: an export (``draft_iri``)."""
    graph = _bind(Graph())
    node = plan if plan is not None else draft_iri(base, checklist.site)
    when = Literal(created, datatype=XSD.dateTime)
    graph.add((node, RDF.type, PROV.Plan))
    graph.add((node, RDF.type, PPLAN.Plan))
    graph.add((node, DCTERMS.title, Literal(title[:MAX_TITLE])))
    graph.add((node, DCTERMS.created, when))
    graph.add((node, PROV.generatedAtTime, when))
    graph.add((node, DCTERMS.conformsTo, VOCAB["checklist-stage"]))
    if creator:
        graph.add((node, PROV.wasAttributedTo, _agent(graph, base, creator)))
    _add_site(graph, node, checklist.site)
    previous: URIRef | None = None
    for stage in checklist.stages:
        step = part(node, f"stage/{stage.key}")
        graph.add((step, RDF.type, PPLAN.Step))
        graph.add((step, PPLAN.isStepOfPlan, node))
        graph.add((step, SRKG.checklistStage, URIRef(stage.iri)))
        graph.add((step, RDFS.label, Literal(f"{stage.notation} {stage.label}")))
        graph.add((step, SRKG.stageStatus, status_iri(INITIAL_STATUS)))
        if previous is not None:
            graph.add((step, PPLAN.isPrecededBy, previous))
        previous = step
    if evidence:
        for found in checklist.candidates:
            for candidate in found.candidates:
                graph.add((node, SRKG.candidateTechnology, URIRef(candidate.technology)))
        for case in checklist.similar:
            graph.add((node, SRKG.similarCase, URIRef(case.case)))
    return graph


def _add_site(graph: Graph, plan: URIRef, site: SiteDescription) -> None:
    for pollutant in site.pollutants:
        graph.add((plan, SRKG.pollutant, URIRef(pollutant.iri)))
    place = part(plan, "site")
    graph.add((plan, DCTERMS.spatial, place))
    graph.add((place, RDF.type, SRKG.Site))
    for prop, concept in ((SRKG.landUseAfter, site.land_use), (SRKG.siteType, site.site_type),
                          (SRKG.country, site.country)):
        if concept is not None:
            graph.add((place, prop, URIRef(concept.iri)))


# --- reading and changing a stored plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One recorded status change of a step: to what, by whom, when."""

    iri: str
    stage: str  # checklist stage IRI
    status: str  # status notation
    by: str | None
    at: str


@dataclass(frozen=True)
class StoredPlan:
    iri: str
    title: str
    created: str
    creator: str | None
    site: SiteDescription
    statuses: dict[str, str]  # checklist stage IRI → status notation
    changes: tuple[Change, ...]  # oldest first


def _notation(node: Node | None) -> str:
    return str(node).rsplit("/", 1)[-1] if node is not None else ""


def _concept(iri: Node | None, scheme: str) -> Resolved | None:
    if iri is None:
        return None
    return Resolved(str(iri), str(iri), _notation(iri), scheme, "iri")


def _name(graph: Graph, agent: Node | None) -> str | None:
    if agent is None:
        return None
    return str(graph.value(agent, FOAF.name) or graph.value(agent, RDFS.label) or agent)


def read_plan(graph: Graph, plan: URIRef) -> StoredPlan:
    """The plan as stored; PlanError when ``graph`` holds no such plan."""
    if (plan, RDF.type, PROV.Plan) not in graph:
        raise PlanError(f"no plan {plan} in the graph")
    place = graph.value(plan, DCTERMS.spatial)
    pollutants = tuple(sorted((_concept(p, "pollutant") for p in graph.objects(plan, SRKG.pollutant)),
                              key=lambda r: r.iri if r else ""))
    site = SiteDescription(
        pollutants=tuple(p for p in pollutants if p is not None),
        land_use=_concept(graph.value(place, SRKG.landUseAfter), "land-use") if place else None,
        site_type=_concept(graph.value(place, SRKG.siteType), "site-type") if place else None,
        country=_concept(graph.value(place, SRKG.country), "country") if place else None,
    )
    statuses: dict[str, str] = {}
    for step in graph.subjects(PPLAN.isStepOfPlan, plan):
        stage = graph.value(step, SRKG.checklistStage)
        if stage is not None:
            statuses[str(stage)] = _notation(graph.value(step, SRKG.stageStatus)) or INITIAL_STATUS
    changes = [
        Change(str(change), str(graph.value(step, SRKG.checklistStage)),
               _notation(graph.value(change, SRKG.stageStatus)),
               _name(graph, graph.value(change, PROV.wasAttributedTo)), str(graph.value(change, PROV.generatedAtTime)))
        for change, step in graph.subject_objects(PROV.specializationOf)
        if (step, PPLAN.isStepOfPlan, plan) in graph
    ]
    return StoredPlan(str(plan), str(graph.value(plan, DCTERMS.title) or ""), str(graph.value(plan, DCTERMS.created)),
                      _name(graph, graph.value(plan, PROV.wasAttributedTo)), site, statuses,
                      tuple(sorted(changes, key=_change_order)))


def _change_order(change: Change) -> tuple[str, str, int]:
    number = re.search(r"/change/(\d+)$", change.iri)
    return change.at, change.stage, int(number.group(1)) if number else 0


def step_of(graph: Graph, plan: URIRef, stage_key: str) -> URIRef:
    """The plan's step for the checklist stage ``stage_key`` (``rap-04``); PlanError when the plan has none."""
    for step in graph.subjects(PPLAN.isStepOfPlan, plan):
        stage = graph.value(step, SRKG.checklistStage)
        if isinstance(step, URIRef) and stage is not None and _notation(stage) == stage_key:
            return step
    raise PlanError(f"the plan has no stage {stage_key!r}")


def set_status(graph: Graph, plan: URIRef, stage_key: str, status: str, *, by: str, at: str, base: str) -> Change:
    """Record a status change of one stage in ``graph`` (in place): the step's current status and a new change."""
    new_status = status_iri(status)
    step = step_of(graph, plan, stage_key)
    earlier = [c for c in graph.subjects(PROV.specializationOf, step) if isinstance(c, URIRef)]
    number = 1 + max((int(m.group(1)) for c in earlier if (m := re.search(r"/change/(\d+)$", str(c)))), default=0)
    change = URIRef(f"{step}/change/{number}")
    when = Literal(at, datatype=XSD.dateTime)
    agent = _agent(graph, base, by)
    graph.set((step, SRKG.stageStatus, new_status))
    graph.set((step, DCTERMS.modified, when))
    graph.add((change, RDF.type, PROV.Entity))
    graph.add((change, PROV.specializationOf, step))
    graph.add((change, SRKG.stageStatus, new_status))
    graph.add((change, PROV.wasAttributedTo, agent))
    graph.add((change, PROV.generatedAtTime, when))
    if number > 1:
        graph.add((change, PROV.wasRevisionOf, URIRef(f"{step}/change/{number - 1}")))
    return Change(str(change), str(graph.value(step, SRKG.checklistStage)), status, by, at)


def plan_ids(graph_iris: Iterable[str], base: str) -> list[str]:
    """The ids of the plans among the store's named graphs."""
    prefix = f"{base}graph/plan/"
    return sorted(g[len(prefix):] for g in graph_iris if g.startswith(prefix) and PLAN_ID.fullmatch(g[len(prefix):]))
