#!/usr/bin/env bash
# Checks that run before the test suite. README.md's test command is
#     pip install ".[test,build,dask,parquet,docs]" && ci/checks.sh && pytest
# and CI (.ci/run) runs exactly that command, so pytest stays the last step and the output ends with its summary line.
# Any failing step stops the command with a non-zero status (pytest's own status, 5 included, is the command's last).
set -euo pipefail
cd "$(dirname "$0")/.."

# ---- 1. Static checks: ruff, mypy --strict, pyright -----------------------------------------------------------------
# PLACEHOLDER for the static-checks work. Each tool runs when it is installed in this environment and is skipped with a
# note otherwise. Whoever adds them: put the tools in an extra that README's command installs, set the exact
# invocations here, and then make them mandatory (drop the `installed` test) so that CI cannot skip them silently.
installed() { command -v "$1" >/dev/null 2>&1; }
if installed ruff; then echo "checks: ruff check"; ruff check .; else echo "checks: ruff is not installed, skipped"; fi
if installed mypy; then echo "checks: mypy --strict"; mypy --strict src; else echo "checks: mypy is not installed, skipped"; fi
if installed pyright; then echo "checks: pyright"; pyright src; else echo "checks: pyright is not installed, skipped"; fi

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
