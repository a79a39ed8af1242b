"""The browser query page (GET / and /query) and its example list; the page itself is static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import JSONResponse, Response

from sparql_api.server.examples import all_examples

STATIC_DIR = Path(__file__).parent / "static"
# Everything the page uses comes from this server: no CDN, works offline.
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'"

router = APIRouter(tags=["Query page"])


@router.get("/query", summary="SPARQL query page for browsers (HTML)", response_class=Response)
def query_page() -> Response:
    html = (STATIC_DIR / "index.html").read_bytes()
    return Response(html, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": CSP})


@router.get("/query/examples.json", summary="Example queries shown on the query page")
def examples() -> JSONResponse:
    return JSONResponse(all_examples())
