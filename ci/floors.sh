#!/usr/bin/env bash
# Floors job: in a fresh virtual environment, install kirmatch with every dependency that ci/min-versions.txt pins held
# at its declared floor (the `>=` bound in pyproject.toml), then run the whole test suite. This proves that the floors
# are true. ci/check_floors.py keeps the pins and pyproject.toml in step, and checks what was installed.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 ci/check_floors.py declared

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
export PATH="$work/venv/bin:$PATH" VIRTUAL_ENV="$work/venv"
unset PYTHONPATH PYTHONHOME
echo "CI floors: installing kirmatch[test,parquet,docs] with the floors of ci/min-versions.txt in a fresh venv"
python -m pip install -q --upgrade pip
python -m pip install -q -c ci/min-versions.txt ".[test,parquet,docs]"
python ci/check_floors.py installed

echo "CI floors: running the test suite on the floors"
status=0
python -m pytest -q || status=$?
if [ "$status" -ne 0 ]; then
    # 5 means pytest collected no test: a floors job that tested nothing has not proven anything.
    echo "CI floors: the test suite failed on the declared floors (pytest exit status $status)" >&2
    exit 1
fi
echo "CI floors: passed"
