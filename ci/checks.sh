#!/usr/bin/env bash
# Checks that run before the test suite. README.md's test command is
#     pip install ".[test,lint,build,dask,parquet,docs,xlsx]" && ci/checks.sh && pytest
# and CI (.ci/run) runs exactly that command, so pytest stays the last step and the output ends with its summary line.
# Any failing step stops the command with a non-zero status (pytest's own status, 5 included, is the command's last).
set -euo pipefail
cd "$(dirname "$0")/.."

# ---- 1. Static checks: ruff, mypy --strict, pyright strict (the lint extra, which README's command installs) -------------
# Configured in pyproject.toml ([tool.ruff], [tool.mypy], [tool.pyright]); any finding stops the command.
echo "checks: ruff check"
ruff check .
echo "checks: mypy --strict (pyproject: files src/kirmatch)"
mypy
echo "checks: pyright strict (pyproject: include src/kirmatch)"
pyright

# ---- 2. Dependency floors (ci/floors.sh) ----------------------------------------------------------------------------
# The declared lowest versions of kirmatch's dependencies, installed exactly in a fresh virtual environment, under the
# whole test suite. It runs in CI (CI set) by default; KIRMATCH_FLOORS=1 runs it anywhere, KIRMATCH_FLOORS=0 skips it.
in_ci=0
case "${CI:-}" in "" | 0 | false | False | FALSE) ;; *) in_ci=1 ;; esac
if [ "${KIRMATCH_FLOORS:-$in_ci}" = 1 ]; then
    bash ci/floors.sh
else
    echo "checks: dependency floors skipped (CI is not set; KIRMATCH_FLOORS=1 runs them, about 2 minutes)"
fi

# ---- 3. The test suite: README's command runs `pytest` after this script ---------------------------------------------
