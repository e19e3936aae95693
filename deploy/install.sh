#!/bin/sh
# Rapport's install steps, the same for the container image (deploy/Dockerfile runs this script) and for the test that
# checks them (tests/e2e/test_deploy.py): a fresh virtual environment at VENV with Rapport built from SRC installed.
#   sh deploy/install.sh VENV SRC [extra pip arguments]
set -eu
venv="$1"
src="$2"
shift 2
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install --no-cache-dir --disable-pip-version-check --quiet "$@" "$src"
