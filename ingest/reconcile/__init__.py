"""Free text → vocabulary IRIs (countries, pollutants, technologies, units, currencies, any SRKG scheme).

``default_reconciler()`` returns the process-wide ``Reconciler`` of the project's vocabularies; every result is a
``Reconciliation`` whose ``match`` says how it was made (code / exact label / synonym / fuzzy + score), or whose
``candidates`` give the competing concepts (ambiguous) or suggestions (unmatched). Policy: ``reconciler``.
"""

from ingest.reconcile.api import Match, MatchMethod, Reconciles, Reconciliation
from ingest.reconcile.reconciler import Reconciler, default_reconciler, match_record, problem_for

__all__ = [
    "Match",
    "MatchMethod",
    "Reconciler",
    "Reconciles",
    "Reconciliation",
    "default_reconciler",
    "match_record",
    "problem_for",
]
