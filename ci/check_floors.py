"""Keep ci/min-versions.txt and pyproject.toml in step, and check a floors environment.

``python ci/check_floors.py declared``: every runtime dependency of pyproject.toml is pinned in ci/min-versions.txt,
and every pin equals the ``>=`` floor that pyproject.toml declares for that package (in ``dependencies`` or an
extra). ``python ci/check_floors.py installed``: the running environment holds exactly the pinned versions (a pin
that pip was never asked to use would otherwise pass silently).
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "ci" / "min-versions.txt"
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in PINS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][^\s;]*)", line)
        if match is None:
            sys.exit(f"{PINS.name}: {line!r} is not of the form name==version")
        found[canonical(match.group(1))] = match.group(2)
    return found


def declared_floors() -> tuple[dict[str, set[str]], set[str]]:
    """The ``>=`` bounds pyproject.toml declares, per package, and the names of the runtime dependencies."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = list(project.get("dependencies", []))
    extras = [r for group in project.get("optional-dependencies", {}).values() for r in group]
    floors: dict[str, set[str]] = {}
    names: set[str] = set()
    for i, requirement in enumerate(runtime + extras):
        match = REQUIREMENT.match(requirement)
        assert match is not None, requirement
        name = canonical(match.group(1))
        if i < len(runtime):
            names.add(name)
        for spec in match.group(2).split(","):
            spec = spec.strip()
            if spec.startswith(">="):
                floors.setdefault(name, set()).add(spec[2:].strip())
    return floors, names


def check_declared() -> list[str]:
    pinned = pins()
    floors, runtime = declared_floors()
    problems = [f"runtime dependency {name} has no pin in {PINS.name}" for name in sorted(runtime - pinned.keys())]
    for name, version in sorted(pinned.items()):
        declared = floors.get(name)
        if not declared:
            problems.append(f"{name}=={version} is pinned but pyproject.toml declares no >= floor for it")
        elif declared != {version}:
            problems.append(f"{name}: pinned {version}, pyproject.toml declares >= {', '.join(sorted(declared))}")
    return problems


def check_installed() -> list[str]:
    problems = []
    for name, version in sorted(pins().items()):
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name} is pinned to {version} but is not installed")
            continue
        if have != version:
            problems.append(f"{name}: pinned {version}, installed {have}")
    return problems


def main(argv: list[str]) -> int:
    if argv not in (["declared"], ["installed"]):
        print(__doc__, file=sys.stderr)
        return 2
    problems = check_declared() if argv == ["declared"] else check_installed()
    for problem in problems:
        print(f"CI floors: {problem}", file=sys.stderr)
    if not problems:
        shown = ", ".join(f"{n}=={v}" for n, v in sorted(pins().items()))
        print(f"CI floors: {argv[0]} versions match {PINS.name}: {shown}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
