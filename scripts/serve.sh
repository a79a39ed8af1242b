#!/usr/bin/env bash
# Quick start, command 1: install SRKG and start the server on its embedded store, with the ontology,
# vocabularies, countries, AGROVOC extract and the shipped case studies loaded. Arguments go to `srkg serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .
exec .venv/bin/srkg serve "$@"
