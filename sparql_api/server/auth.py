"""Curator credentials for writes (SPARQL Update, Graph Store writes); reads stay public.

``Authorization: Bearer <token>`` is the documented way. ``Basic`` with the token as the password (any user
name) is accepted too, because some SPARQL clients (rdflib's ``auth=``, SPARQLWrapper's setCredentials) only
speak Basic. Missing or unknown credentials get 401 with a ``WWW-Authenticate`` challenge; a revoked token
gets 403.
"""

from __future__ import annotations

import base64
import binascii

from fastapi import Request

from sparql_api.server.errors import HTTPProblem
from sparql_api.server.tokens import TokenInfo, TokenStore

CHALLENGE = 'Bearer realm="srkg", charset="UTF-8"'


def _secret(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def require_curator(request: Request, tokens: TokenStore) -> TokenInfo:
    header = request.headers.get("authorization")
    if not header:
        raise HTTPProblem(
            401,
            "this operation changes data and needs a curator token: send Authorization: Bearer <token> "
            "(create one with `srkg token create --name NAME`)",
            {"WWW-Authenticate": CHALLENGE},
        )
    secret = _secret(header)
    info = tokens.check(secret) if secret else None
    if info is None:
        raise HTTPProblem(
            401,
            "the credential is not a valid curator token",
            {"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'},
        )
    if not info.active:
        raise HTTPProblem(403, f"the curator token {info.name!r} was revoked on {info.revoked_at}")
    return info
