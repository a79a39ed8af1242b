#!/usr/bin/env bash
# Quick start, command 2: install everything (Debian packages, Python deps) and run the whole test suite.
# Extra arguments go to pytest (e.g. scripts/test.sh -k validate).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
