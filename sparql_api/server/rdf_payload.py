"""Read the RDF payload of a Graph Store Protocol write: one RDF document, or a multipart/form-data upload.

A multipart upload (several files into one graph) is parsed part by part here and handed to the store as one
N-Triples document, so the whole request is a single write; blank nodes are kept apart per part.
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP

import pyoxigraph as ox
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ingest.rdf_guard import MAX_LITERAL_CHARS, UnsafeRdf, check_literals, check_rdf
from sparql_api.server.errors import HTTPProblem
from sparql_api.server.limits import ServerLimits, read_body
from sparql_api.server.protocol_parse import media_type_of

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

ACCEPTED = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json", "text/n3")
MULTIPART = "multipart/form-data"


def _graph_format(media: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media) if media else None
    if fmt is None or (fmt.supports_datasets and fmt != ox.RdfFormat.JSON_LD):
        raise HTTPProblem(
            415,
            f"Content-Type {media or '(none)'} is not an RDF graph syntax this server reads; "
            f"use one of {', '.join(ACCEPTED)} or {MULTIPART}",
        )
    return fmt


def _parts(body: bytes, header: str) -> list[tuple[str, str, bytes]]:
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + header.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise HTTPProblem(400, "the multipart/form-data body has no parts (is the boundary right?)")
    parts = []
    for index, part in enumerate(message.iter_parts(), start=1):
        name = part.get_filename() or part.get_param("name", header="content-disposition") or f"part {index}"
        payload = part.get_payload(decode=True) or b""
        parts.append((str(name), part.get_content_type(), payload))
    return parts


def _merge_multipart(body: bytes, header: str, base: str | None) -> bytes:
    triples: list[ox.Triple] = []
    for index, (name, media, payload) in enumerate(_parts(body, header)):
        fmt = _graph_format(media)
        try:
            check_rdf(payload, fmt)
            parsed = [q.triple for q in ox.parse(payload, format=fmt, base_iri=base)]
            check_literals(parsed)
        except UnsafeRdf as e:
            raise HTTPProblem(400, f"part {name!r} ({fmt.name}) is refused: {e}") from None
        except MemoryError as e:
            raise _too_large_to_parse(fmt, e) from None
        except SyntaxError as e:
            reason = str(e.msg)
            reason = reason.split(": ", 1)[1] if reason.startswith("Parser error") and ": " in reason else reason
            raise HTTPProblem(
                400, f"part {name!r} ({fmt.name}) does not parse at line {e.lineno}, column {e.offset}: {reason}"
            ) from None
        for t in parsed:
            triples.append(ox.Triple(_rename(t.subject, index), t.predicate, _rename(t.object, index)))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _rename(term: Term, index: int) -> Term:
    return ox.BlankNode(f"p{index}x{term.value}") if isinstance(term, ox.BlankNode) else term


async def read_payload(request: Request, limits: ServerLimits, base: str | None) -> tuple[bytes, str]:
    """(data, media type) ready for ``Store.add_graph`` / ``replace_graph``; 400/413/415 with a message."""
    header = request.headers.get("content-type", "")
    media, _ = media_type_of(header)
    body = await read_body(request, limits)
    if media == MULTIPART:
        return await run_in_threadpool(_merge_multipart, body, header, base), "application/n-triples"
    await run_in_threadpool(_check_document, body, _graph_format(media), base)  # parsing is CPU work
    return body, media


def _check_document(body: bytes, fmt: ox.RdfFormat, base: str | None) -> None:
    """Refuse hostile documents (``rdf_guard``) before the store parses them; literals are only looked at when
    the body could hold one over the limit, so ordinary writes are parsed once."""
    try:
        check_rdf(body, fmt)
        if len(body) > MAX_LITERAL_CHARS:
            check_literals(ox.parse(body, format=fmt, base_iri=base))
    except UnsafeRdf as e:
        raise HTTPProblem(400, f"the {fmt.name} data is refused: {e}") from None
    except MemoryError as e:
        raise _too_large_to_parse(fmt, e) from None
    except SyntaxError:
        pass  # the store reports it, located


def _too_large_to_parse(fmt: ox.RdfFormat, error: MemoryError) -> HTTPProblem:
    return HTTPProblem(413, f"the {fmt.name} data is too large for the parser ({error}): one literal can be "
                       "at most a few MB")
