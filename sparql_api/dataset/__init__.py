"""The dataset as a whole (issue #5): its VoID + DCAT description, the export (dumps and tables with checksums),
and the JSON-LD context published at ``{base}context.jsonld``."""
