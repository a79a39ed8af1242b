#!/usr/bin/env bash
# Install Virtuoso 7 (Debian package virtuoso-opensource) for the remote-store tests.
# Idempotent: does nothing when virtuoso-t is already on PATH. Needs root (or sudo).
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1; then
    echo "virtuoso-t already installed: $(command -v virtuoso-t)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource

# The package may try to start a system-wide server; the tests start their own on loopback.
command -v virtuoso-t >/dev/null 2>&1 || { echo "virtuoso-t not found after install" >&2; exit 1; }
echo "installed: $(command -v virtuoso-t)"
