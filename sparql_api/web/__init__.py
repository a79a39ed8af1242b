"""The human side of the server: HTML pages (linked-data views, search, coverage, submissions, accounts).

Shared pieces live here: language choice (``i18n``), the Jinja environment and page rendering (``render``).
Each kind of page has its own view module; output formats stay separate renderers (design.md §7).
"""
