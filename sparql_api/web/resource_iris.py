"""Which IRI a path on this server names, and which path serves an IRI (design.md §3).

The server answers every IRI under the configured base by path, whatever host it runs on: ``/id/case/x`` is
``{base}id/case/x``. Ontology and vocabulary terms always use the canonical base (they are published
identifiers, see ``ingest.namespaces``), so a path is tried against the configured base first, then the
canonical one. Documents about a thing carry a suffix: ``/id/case/x.html``, ``.ttl``, ``.jsonld``, ``.rdf``,
``.nt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from ingest.namespaces import DEFAULT_BASE_IRI

# Paths (relative to the base) this server dereferences; other IRIs under the base are not served here.
SERVED_PREFIXES: tuple[str, ...] = ("id/", "vocab/", "ontology", "graph/")


@dataclass(frozen=True)
class IriSpace:
    """The configured base and the canonical one, and the mapping between their IRIs and local paths."""

    base: str
    canonical: str = DEFAULT_BASE_IRI

    @property
    def bases(self) -> tuple[str, ...]:
        return (self.base,) if self.base == self.canonical else (self.base, self.canonical)

    def iris_for_path(self, path: str) -> list[str]:
        """Candidate IRIs for a served path (``/id/case/x``), best first; empty when the path is not served."""
        relative = path.lstrip("/")
        if not relative.startswith(SERVED_PREFIXES):
            return []
        return [base + relative for base in self.bases]

    def local_path(self, iri: str) -> str | None:
        """The path that serves ``iri`` here (fragment kept), or None when this server does not serve it."""
        for base in self.bases:
            if iri.startswith(base):
                relative = iri[len(base):]
                if relative.startswith(SERVED_PREFIXES):
                    return "/" + quote(relative, safe="/#-._~!$&'()*+,;=:@%")
        return None

    def is_data(self, iri: str) -> bool:
        """Whether ``iri`` names a data resource (``{base}id/…``) rather than a term or concept."""
        return any(iri.startswith(base + "id/") for base in self.bases)


def split_suffix(path: str) -> tuple[str, str | None]:
    """``/id/case/x.ttl`` → (``/id/case/x``, ``ttl``); a path whose last segment has no dot → (path, None)."""
    head, _, last = path.rpartition("/")
    stem, dot, suffix = last.rpartition(".")
    if not dot or not stem or not suffix:
        return path, None
    return f"{head}/{stem}", suffix
