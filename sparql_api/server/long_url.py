"""414 instead of uvicorn's bare 400 for URLs too long for its HTTP parser.

uvicorn's httptools protocol cannot parse a URL of 64 KiB or more (``httptools.parse_url`` keeps 16-bit offsets)
and answers "400 Invalid HTTP request received." before the app sees the request, so the app's own 414 (see
``observability``) never gets a say. This protocol answers such requests 414 with the same advice: use POST.
Pass it to uvicorn: ``uvicorn.run(app, http=LongUrlHttpToolsProtocol, ...)``.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Longer than any URL the app accepts (SRKG_MAX_URL_BYTES is at most this in practice).
PARSER_URL_LIMIT = 65535
MESSAGE = ("the URL is too long for this server: send a long SPARQL query with POST "
           "(Content-Type: application/sparql-query, or a form with query=) instead of GET\n")


class LongUrlHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        if len(getattr(self, "url", b"")) <= PARSER_URL_LIMIT:
            super().send_400_response(msg)
            return
        body = MESSAGE.encode("ascii")
        head = [b"HTTP/1.1 414 URI Too Long\r\n"]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n",
            b"\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
