"""Every router of the web side, in the order they are mounted (the linked-data catch-all routes last)."""

from __future__ import annotations

from fastapi import APIRouter

from sparql_api.web import (
    account_views,
    analytics_views,
    assessment_views,
    checklist_views,
    compare_views,
    coverage_views,
    dataset_views,
    definitions_views,
    pages_views,
    search_views,
    statistics_views,
    submission_views,
)


def routers() -> list[APIRouter]:
    return [submission_views.router, account_views.router, search_views.router, coverage_views.router,
            compare_views.router, checklist_views.router, analytics_views.router, definitions_views.router,
            dataset_views.router, assessment_views.router, statistics_views.router, pages_views.router]
