"""SRKG ingest: turn sources into validated RDF with provenance. Pure: never touches the store."""
