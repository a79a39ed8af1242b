"""SRKG serving side: store adapter, SPARQL 1.1 endpoint, linked-data pages, and the ``srkg`` CLI."""
