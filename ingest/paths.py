"""Where the project's data files (ontology, vocabularies, shapes, examples) live.

They are data, loaded by path (design.md §2). In a source checkout or editable install they sit at the
repository root; a wheel carries them under ``srkg_resources/``. ``SRKG_RESOURCES`` overrides both.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


@cache
def resource_root() -> Path:
    override = os.environ.get("SRKG_RESOURCES")
    if override:
        return Path(override)
    repo_root = Path(__file__).resolve().parent.parent
    if (repo_root / "ontology" / "srkg.ttl").is_file():
        return repo_root
    import sysconfig

    installed = Path(sysconfig.get_paths()["purelib"]) / "srkg_resources"
    if (installed / "ontology" / "srkg.ttl").is_file():
        return installed
    raise FileNotFoundError(
        f"SRKG data files not found next to {repo_root} nor in {installed}; set SRKG_RESOURCES"
    )


def ontology_dir() -> Path:
    return resource_root() / "ontology"


def ontology_file() -> Path:
    return ontology_dir() / "srkg.ttl"


def vocab_dir() -> Path:
    return ontology_dir() / "vocab"


def external_dir() -> Path:
    return ontology_dir() / "external"


def shapes_dir() -> Path:
    return resource_root() / "shapes"


def examples_dir() -> Path:
    return resource_root() / "examples"
