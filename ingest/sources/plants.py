"""Plant names in free text, verified against AGROVOC's taxon labels.

A literature row flagged nature-based whose technique cell only lists the plants grown ("in-situ planting of
Gynura pseudochina, Chromolaena odorata…") describes phytoremediation: the mapper reads it as the generic
concept, says so in a Warning, and never picks a narrower technique. A "Genus species" pair counts only when
AGROVOC (all 41k concepts, English labels) knows the genus or the binomial, so ordinary capitalised words do
not pass for plants.
"""

from __future__ import annotations

import gzip
import re
from functools import cache

from ingest import paths

_BINOMIAL = re.compile(r"\b([A-Z][a-z]{3,})\s+([a-z]{4,})\b")


@cache
def taxon_labels() -> frozenset[str]:
    """English pref/alt labels of every AGROVOC concept, lower-cased (taxa among them)."""
    labels: set[str] = set()
    with gzip.open(paths.external_dir() / "agrovoc-labels-6lang.tsv.gz", "rt", encoding="utf-8") as table:
        header = table.readline().rstrip("\n").split("\t")
        pref, alt = header.index("pref_en"), header.index("alt_en")
        for line in table:
            cells = line.rstrip("\n").split("\t")
            labels.add(cells[pref].lower())
            if len(cells) > alt:
                labels.update(a.lower() for a in cells[alt].split("|") if a)
    return frozenset(labels)


def named_plants(text: str) -> list[str]:
    """'Genus species' names in ``text`` whose genus or binomial AGROVOC knows, in reading order."""
    labels = taxon_labels()
    found = []
    for genus, epithet in _BINOMIAL.findall(text or ""):
        name = f"{genus} {epithet}"
        if (genus.lower() in labels or name.lower() in labels) and name not in found:
            found.append(name)
    return found
