"""Summaries maintained on publish: per-graph case counts and technology × pollutant outcome statistics.

Every named graph that holds case studies has a *summary graph* beside it (``naming.summary_graph``): W3C Data
Cube observations of what that one graph contributes (cases per country, pollutant, technology, scale, …; per
technology × pollutant × metric × unit: cases, and n / sum / min / max of the clean % reductions). A summary is
computed from the graph's own triples only, and written in the same store transaction as the graph itself
(``store.SummarisingStore``), so it can never describe other data than the graph it sits beside. Totals are sums
over the summary graphs (``totals``): their cost grows with the number of graphs and distinct values, not with
the number of cases. Being RDF in the store, the summaries are queryable over SPARQL like everything else.
"""
