"""The survey template: one definition (schema.py) for the XLSX/CSV writer, the reader and the mapper."""
