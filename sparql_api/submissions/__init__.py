"""Curator submissions: upload a file, read its report, re-upload, accept, publish or reject.

A submission is a numbered series of revisions (uploaded files) kept in the data directory
(``<data dir>/submissions/``: a SQLite registry and one folder per revision). Drafts never enter the store;
only *publish* writes the accepted revision to the submission's named graph, in one atomic replace.

Modules, one job each: ``workflow`` (states, transitions, who may do what: pure), ``registry`` (SQLite rows
and revision folders), ``upload`` (streaming an HTTP upload to disk under the size limit), ``report`` (an
ingest turned into the report a curator reads, grouped by case study), ``runner`` (ingest off the request
thread), ``publish`` (the published graph and the store write), ``service`` (the operations the web layer
calls, with their locks and checks).
"""
