"""The SRKG web server: SPARQL 1.1 Protocol, Graph Store Protocol, service description, query page.

One module per concern: ``negotiation`` (formats), ``protocol_parse`` (requests), ``sparql_protocol`` and
``graph_store`` (routes), ``service_description``, ``auth`` + ``tokens`` (curator credentials), ``limits``,
``errors``, ``bootstrap`` (first-start loading), ``query_page`` + ``static/``, ``app`` (the factory).
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy: `srkg token` imports sparql_api.server.tokens and should not pay for FastAPI.
    if name == "create_app":
        from sparql_api.server.app import create_app

        return create_app
    raise AttributeError(name)
