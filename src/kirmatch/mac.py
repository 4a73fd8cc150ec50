"""NMDP multiple-allele code (MAC) tables, supplied by the user: reading them, and finding the one in use.

kirmatch does not bundle the MAC table: NMDP publishes a new one every day. A table is given explicitly (a path, a
``{code: expansion}`` mapping or a [`MacTable`][kirmatch.mac.MacTable]) or by the environment variable
``KIRMATCH_MAC_FILE``.

File format (NMDP's published code lists, e.g. ``numer.v3.txt`` / ``alpha.v3.txt``): one code per line, two
blank-separated columns, the code and its ``/``-joined expansion, either short (``AB  01/02``: second fields under
the typed group) or full (``AFKGT  08:01/08:19N/08:109``); an optional leading ``*`` column is ignored, and so is
any line that does not look like a code line (headers, dates). Reading is by file: one parse per path, size and
modification time.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from kirmatch._errors import ErrorCode, MacTableError, quote
from kirmatch._frozen_map import FrozenMap

__all__ = ["MAC_ENV", "MacTable", "MacTableSpec", "load_mac_table", "mac_table_from"]

MAC_ENV = "KIRMATCH_MAC_FILE"
"""Environment variable naming the MAC file to use when no table is passed explicitly."""

_CODE_MAX = 6
_EXPANSION_CHARS = frozenset("0123456789:/*ABCNLSQG")


@dataclass(frozen=True, eq=False)
class MacTable:
    """A MAC table: ``codes`` maps each code (``"AB"``) to its expansion text (``"01/02"``).

    Equal and hashed by the SHA-256 of its content, so it can key caches; ``codes`` is a read-only mapping.
    """

    source: str
    digest: str
    codes: FrozenMap[str, str]

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MacTable) and other.digest == self.digest

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str], source: str = "a mapping") -> MacTable:
        """A table from ``{code: expansion}``; codes are upper-cased, entries are checked like file lines."""
        codes: dict[str, str] = {}
        for code, expansion in mapping.items():
            # the types are checked at run time too, for callers that do not type-check
            is_text = isinstance(code, str) and isinstance(expansion, str)  # pyright: ignore[reportUnnecessaryIsInstance]
            if not is_text or not _code_line(code, expansion):
                raise MacTableError(
                    f"MAC table entry {quote(code)}: {quote(expansion)} is not a code (2-{_CODE_MAX} letters) "
                    "with a '/'-joined allele list",
                    input=code,
                )
            codes[code.upper()] = expansion.strip().upper()
        digest = hashlib.sha256(repr(sorted(codes.items())).encode()).hexdigest()
        return cls(source, digest, FrozenMap(codes))


def _code_line(code: str, expansion: str) -> bool:
    code = code.upper()
    expansion = expansion.strip().upper()
    return (
        2 <= len(code) <= _CODE_MAX
        and code.isascii()
        and code.isalpha()
        and bool(expansion)
        and all(ch in _EXPANSION_CHARS for ch in expansion)
        and any(ch.isdigit() for ch in expansion)
    )


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> MacTable:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors) is not part of the first code
    except UnicodeDecodeError as exc:
        raise MacTableError(
            f"MAC file {path!r} is not UTF-8 text: {exc}", input=path, code=ErrorCode.MAC_TABLE_INVALID
        ) from None
    codes: dict[str, str] = {}
    where: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.replace(",", " ").replace(";", " ").split()
        if tokens[:1] == ["*"]:
            tokens = tokens[1:]
        if len(tokens) == 2 and _code_line(*tokens):
            code, expansion = tokens[0].upper(), tokens[1].upper()
            if code in codes and codes[code] != expansion:
                raise MacTableError(
                    f"MAC file {path!r} defines code {code} twice, differently: line {where[code]} "
                    f"{quote(codes[code])}, line {number} {quote(expansion)}; which one is meant is unknown",
                    input=path,
                    code=ErrorCode.MAC_TABLE_INVALID,
                )
            codes[code] = expansion
            where.setdefault(code, number)
    if not codes:
        raise MacTableError(
            f"MAC file {path!r} has no code lines; expected two columns per line: code and allele list "
            "(e.g. 'AB  01/02')",
            input=path,
            code=ErrorCode.MAC_TABLE_INVALID,
        )
    return MacTable(path, hashlib.sha256(raw).hexdigest(), FrozenMap(codes))


def load_mac_table(path: str | os.PathLike[str]) -> MacTable:
    """Read a MAC file (see the module docstring); re-read only when the file changes."""
    name = os.fspath(path)
    try:
        stat = os.stat(name)
    except (OSError, ValueError) as exc:
        raise MacTableError(f"MAC file {quote(name)} cannot be read: {exc}", input=name) from None
    try:
        return _load(str(Path(name).resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        raise MacTableError(f"MAC file {quote(name)} cannot be read: {exc}", input=name) from None


MacTableSpec: TypeAlias = MacTable | str | os.PathLike[str] | Mapping[str, str] | None
"""What a ``mac_table=`` argument accepts: a table, a path to a MAC file, a ``{code: expansion}`` mapping, None."""


def environment_token() -> tuple[str, int, int] | None:
    """Which MAC file ``$KIRMATCH_MAC_FILE`` names right now (path, mtime, size), or None when unset.

    Caches of results that can depend on that file (profiles, matches) put this in their keys, so that changing
    the variable or the file never leaves a stale answer behind.
    """
    env = os.environ.get(MAC_ENV, "").strip()
    if not env:
        return None
    try:
        stat = os.stat(env)
    except (OSError, ValueError):
        return (env, -1, -1)
    return (env, stat.st_mtime_ns, stat.st_size)


def mac_table_from(spec: MacTableSpec) -> MacTable | None:
    """The table ``spec`` names; for None, the file named by ``$KIRMATCH_MAC_FILE``, else None."""
    if spec is None:
        env = os.environ.get(MAC_ENV, "").strip()
        return load_mac_table(env) if env else None
    if isinstance(spec, MacTable):
        return spec
    if isinstance(spec, (str, os.PathLike)):
        return load_mac_table(spec)
    if isinstance(spec, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]  # untyped callers
        return MacTable.from_mapping(spec)
    raise MacTableError(
        f"mac_table must be a path, a {{code: expansion}} mapping or a MacTable, not {type(spec).__name__}",
        input=spec,
    )
