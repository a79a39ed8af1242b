"""Receive an uploaded file straight to disk, never holding more than the size limit.

Two forms are accepted: ``multipart/form-data`` with the file in the field ``file`` (browsers, curl -F), or
the raw file as the body with its own Content-Type and ``?filename=`` (programs). A declared Content-Length
over the limit is refused before anything is read; a body that grows past it is refused as soon as it does.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header

from sparql_api.submissions.registry import Incoming, Registry, safe_file_name

FILE_FIELD = "file"
MAX_FIELD_BYTES = 10_000
# The extension a raw upload gets from its media type when no ?filename= names it (the reader goes by extension).
SUFFIXES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/zip": ".zip",
    "text/csv": ".csv",
    "text/turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/rdf+xml": ".rdf",
    "application/ld+json": ".jsonld",
    "application/trig": ".trig",
    "application/n-quads": ".nq",
    "application/json": ".json",
}


class UploadError(Exception):
    """The upload was refused; ``status`` is 400 (malformed or empty), 413 (too large) or 415."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Received:
    incoming: Incoming
    fields: dict[str, str] = field(default_factory=dict)  # the small form fields (csrf_token…)


def megabytes(size: int) -> str:
    """'50' for 50 MiB, '0.5' for half of one: the size limit as people read it."""
    return f"{round(size / 2**20, 1):g}"


def too_large(limit: int) -> UploadError:
    return UploadError(413, f"the upload is larger than the limit of {megabytes(limit)} MB; split the file into "
                       "smaller submissions")


def check_declared_length(content_length: str | None, limit: int) -> None:
    if content_length and content_length.strip().isdigit() and int(content_length) > limit:
        raise too_large(limit)


class _FileSink:
    """Writes one file, counting and hashing as it goes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = path.open("wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)

    def close(self) -> None:
        self.handle.close()


async def receive(
    registry: Registry,
    body: AsyncIterator[bytes],
    content_type: str | None,
    content_length: str | None,
    limit: int,
    filename: str | None = None,
) -> Received:
    """Stream the body into a new incoming folder; on any refusal nothing of it is kept."""
    check_declared_length(content_length, limit)
    media, params = parse_options_header(content_type or "")
    media_type = media.decode("latin-1").lower()
    folder = registry.new_incoming()
    try:
        if media_type == "multipart/form-data":
            boundary = params.get(b"boundary")
            if not boundary:
                raise UploadError(400, "the multipart/form-data body has no boundary parameter")
            received = await _multipart(folder, body, boundary, limit)
        elif media_type == "application/x-www-form-urlencoded":
            raise UploadError(415, "a form must be sent as multipart/form-data (enctype=\"multipart/form-data\") "
                              "with the file in the field 'file'")
        else:
            received = await _raw(folder, body, media_type or None, limit, filename)
    except BaseException:
        Incoming(folder, "", 0, "", None).discard()
        raise
    if received.incoming.size == 0:
        received.incoming.discard()
        raise UploadError(400, f"the file '{received.incoming.file_name}' is empty")
    return received


async def _raw(folder: Path, body: AsyncIterator[bytes], media_type: str | None, limit: int,
               filename: str | None) -> Received:
    if not filename and media_type not in SUFFIXES:
        raise UploadError(400, "name the file: add ?filename=NAME.xlsx (or send multipart/form-data with the "
                          "field 'file')")
    name = safe_file_name(filename or "upload" + SUFFIXES[media_type or ""])
    sink = _FileSink(folder / name)
    try:
        async for chunk in body:
            if sink.size + len(chunk) > limit:
                raise too_large(limit)
            sink.write(chunk)
    finally:
        sink.close()
    return Received(Incoming(folder, name, sink.size, sink.digest.hexdigest(), media_type))


async def _multipart(folder: Path, body: AsyncIterator[bytes], boundary: bytes, limit: int) -> Received:
    state = _MultipartState(folder)
    parser = MultipartParser(boundary, state.callbacks())
    total = 0
    try:
        async for chunk in body:
            total += len(chunk)
            if total > limit:
                raise too_large(limit)
            parser.write(chunk)
            if state.error:
                raise state.error
        parser.finalize()
    except UploadError:
        raise
    except Exception as error:  # python-multipart's own parse errors
        raise UploadError(400, f"the multipart/form-data body is malformed: {error}") from None
    finally:
        state.close()
    if state.error:
        raise state.error
    if state.file is None:
        raise UploadError(400, "no file: send the file in the multipart field 'file'")
    sink, name, media = state.file
    return Received(Incoming(folder, name, sink.size, sink.digest.hexdigest(), media), state.fields)


class _MultipartState:
    """Collects the parts: the ``file`` field to disk, small fields in memory, anything else ignored."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fields: dict[str, str] = {}
        self.file: tuple[_FileSink, str, str | None] | None = None
        self.error: UploadError | None = None
        self._headers: list[tuple[bytes, bytes]] = []
        self._field = b""
        self._value = b""
        self._name: str | None = None
        self._sink: _FileSink | None = None
        self._buffer: bytearray | None = None

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._add("_field", data[start:end]),
            "on_header_value": lambda data, start, end: self._add("_value", data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _add(self, attribute: str, data: bytes) -> None:
        setattr(self, attribute, getattr(self, attribute) + data)

    def _part_begin(self) -> None:
        self._headers, self._name, self._sink, self._buffer = [], None, None, None

    def _header_end(self) -> None:
        self._headers.append((self._field.lower(), self._value))
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        message = Message()
        for name, value in self._headers:
            message[name.decode("latin-1")] = value.decode("utf-8", errors="replace")
        self._name = message.get_param("name", header="content-disposition")
        filename = message.get_filename()
        if self._name == FILE_FIELD and filename is not None:
            if self.file is not None:
                self.error = UploadError(400, "send one file per submission (the field 'file' appears twice)")
                return
            name = safe_file_name(str(filename))
            self._sink = _FileSink(self.folder / name)
            self.file = (self._sink, name, message.get_content_type() if message.get("content-type") else None)
        elif filename is None and self._name:
            self._buffer = bytearray()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._sink is not None:
            self._sink.write(data[start:end])
        elif self._buffer is not None:
            self._buffer += data[start:end]
            if len(self._buffer) > MAX_FIELD_BYTES:
                self.error = UploadError(400, f"the form field {self._name!r} is too long")
                self._buffer = None

    def _part_end(self) -> None:
        if self._buffer is not None and self._name:
            self.fields[str(self._name)] = self._buffer.decode("utf-8", errors="replace")
        self._buffer = None

    def close(self) -> None:
        if self.file is not None:
            self.file[0].close()
