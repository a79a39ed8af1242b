"""HTTP side of the remote backend: SPARQL 1.1 Query and Update protocols and the Graph Store Protocol.

Queries and updates always go as form-encoded POST (``query=`` / ``update=``): Virtuoso 7.2 hangs on a POST
with a direct ``application/sparql-query`` body, and every SPARQL 1.1 server accepts the form. Credentials are
sent only when a server asks (HTTP 401), with the scheme it asks for: Digest (Virtuoso's ``/sparql-auth`` and
``/sparql-graph-crud-auth``) or Basic (Fuseki, GraphDB, a reverse proxy).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass

import httpx

from sparql_api.store.base import QueryTimeout, StoreError

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Endpoints:
    """Where the remote store answers; ``gsp_url`` None means graphs are handled with SPARQL Update."""

    query_url: str
    update_url: str
    gsp_url: str | None = None


class NegotiatedAuth(httpx.Auth):
    """Send no credentials until a 401 names the scheme; then Digest or Basic, remembered for next time."""

    requires_request_body = True  # a Digest retry re-sends the body

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._scheme: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        if self._scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").strip().lower()
        if challenge.startswith("basic"):
            self._scheme = "basic"
            yield from self._basic.auth_flow(request)
        elif challenge.startswith("digest"):
            self._scheme = "digest"
            yield from self._digest.auth_flow(request)


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SparqlHttp:
    """One HTTP connection pool to a SPARQL 1.1 store; every call returns the raw ``httpx.Response``."""

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout_s: float = 300.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.timeout_s = timeout_s
        self._client = httpx.Client(timeout=timeout_s, transport=transport, follow_redirects=True)
        # One auth state per endpoint: Virtuoso's Digest challenges are per path ("domain").
        self._auth: dict[str, NegotiatedAuth] = {}
        self._credentials = (user, password) if user else None

    def _auth_for(self, url: str) -> NegotiatedAuth | None:
        if self._credentials is None:
            return None
        if url not in self._auth:
            user, password = self._credentials
            self._auth[url] = NegotiatedAuth(user, password or "")
        return self._auth[url]

    def _send(self, method: str, url: str, *, what: str, timeout_s: float | None, **kwargs: object) -> httpx.Response:
        limit = httpx.Timeout(timeout_s if timeout_s is not None else self.timeout_s, connect=10.0)
        try:
            return self._client.request(method, url, auth=self._auth_for(url), timeout=limit, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException as e:
            raise QueryTimeout(
                f"the remote store at {url} did not answer the {what} within {limit.read:g} s; "
                "the request was abandoned (the server may still be working on it)"
            ) from e
        except httpx.HTTPError as e:
            raise StoreError(f"cannot reach the remote store at {url} ({what}): {e}") from e

    def query(
        self,
        text: str,
        accept: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        extra: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> httpx.Response:
        """POST ``query=`` as a form (never a direct ``application/sparql-query`` body)."""
        form: dict[str, str | list[str]] = {"query": text}
        if default_graph_uris:
            form["default-graph-uri"] = list(default_graph_uris)
        if named_graph_uris:
            form["named-graph-uri"] = list(named_graph_uris)
        form.update(extra or {})
        return self._send(
            "POST",
            self.endpoints.query_url,
            what="query",
            timeout_s=timeout_s,
            data=form,
            headers={"Accept": accept},
        )

    def update(self, text: str, *, timeout_s: float | None = None) -> httpx.Response:
        """POST ``update=`` as a form."""
        return self._send(
            "POST",
            self.endpoints.update_url,
            what="update",
            timeout_s=timeout_s,
            data={"update": text},
            headers={"Accept": "*/*"},
        )

    def gsp(
        self,
        method: str,
        graph: str | None,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        timeout_s: float | None = None,
    ) -> httpx.Response:
        """A Graph Store Protocol request on ``?graph=IRI`` (or ``?default`` when ``graph`` is None)."""
        url = self.endpoints.gsp_url
        if url is None:
            raise StoreError("no Graph Store Protocol endpoint is configured (SRKG_REMOTE_GSP_URL)")
        params = {"graph": graph} if graph is not None else {"default": ""}
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        return self._send(
            method, url, what=f"graph {method}", timeout_s=timeout_s, params=params, content=body, headers=headers
        )

    def close(self) -> None:
        self._client.close()


def error_text(response: httpx.Response) -> str:
    """The server's own words about a failed request, shortened for a message."""
    content_type = response.headers.get("content-type", "")
    text = response.text if response.content else ""
    if "html" in content_type:
        # Virtuoso's Graph Store errors come as HTML with the reason in <xmp>…</xmp>.
        start, end = text.find("<xmp>"), text.find("</xmp>")
        text = text[start + 5 : end] if 0 <= start < end else text
    text = text.split("SPARQL query:", 1)[0]  # Virtuoso repeats the whole query after the message
    return _short(text) or f"HTTP {response.status_code}"
