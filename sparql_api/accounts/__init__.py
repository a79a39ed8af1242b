"""User accounts (contributor, reviewer, admin) and web login sessions, kept in ``<data dir>/accounts.sqlite``."""
