"""Evidence-based comparison of remediation technologies for a pollutant (issue #9).

``resolve`` turns the user's words into vocabulary IRIs, ``evidence`` fetches the evidence with the SPARQL
SELECTs in ``queries/`` (bound parameters only), ``comparison`` ranks technologies from those rows (pure),
``money`` converts costs with the shipped exchange-rate and deflator tables, ``report`` and ``formats`` write
the result, and ``service`` runs the whole chain for the CLI and the web page.
"""
