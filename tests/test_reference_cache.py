"""Issue 15: the reference table's binary cache, and a light ``import kirmatch``. A reference read from the cache
(records built one at a time, on first use) is the reference parsed from the table; the cache of other files, or a
damaged cache, is never read."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kirmatch
from kirmatch import strategies as kst
from kirmatch.nomenclature import parse_designation
from kirmatch.reference import Reference, load_reference


def _table_copy(directory: Path) -> Path:
    data = Path(kirmatch.__file__).parent / "_data"
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("hla_groups.csv", "hla_groups.json", "hla_history.csv"):
        shutil.copyfile(data / name, directory / name)
    return directory / "hla_groups.csv"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Reference, Reference]:
    """The bundled table parsed (cache empty), then read back from the cache it wrote."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIRMATCH_CACHE_DIR", str(cache))
        table = _table_copy(tmp_path_factory.mktemp("table"))
        parsed = load_reference(table)
        assert len(list(cache.iterdir())) == 1
        cached = load_reference(table)
    assert cached._state is not None and parsed._state is None  # pyright: ignore[reportPrivateUsage]
    return parsed, cached


def test_cached_reference_is_the_parsed_one(pair: tuple[Reference, Reference]) -> None:
    parsed, cached = pair
    for name in ("C*07:02:01:01", "B*57:01:01:01", "A*24:09N"):  # a few built alone first, then all the others
        assert cached.by_name[name] == parsed.by_name[name]
    assert cached.records == parsed.records
    assert all(a == b and type(a) is type(b) for a, b in zip(cached.records, parsed.records, strict=True))
    assert list(cached.by_name) == list(parsed.by_name) and dict(cached.by_name) == dict(parsed.by_name)
    assert list(cached.by_prefix) == list(parsed.by_prefix) and cached.by_prefix == parsed.by_prefix
    assert cached.history == parsed.history and cached.info == parsed.info
    for field in ("old_prefix", "g_groups", "p_groups", "serology", "public"):
        mine, theirs = getattr(cached._index, field), getattr(parsed._index, field)  # pyright: ignore[reportPrivateUsage]
        assert list(mine) == list(theirs) and dict(mine) == dict(theirs)
    assert cached._index.renamed_since_2010 == parsed._index.renamed_since_2010  # pyright: ignore[reportPrivateUsage]
    assert cached.traits()[0] == parsed.traits()[0] and list(cached.traits()[1]) == list(parsed.traits()[1])


def test_cached_records_are_one_object_per_allele(pair: tuple[Reference, Reference]) -> None:
    _, cached = pair
    record = cached.by_name["C*07:02:01:01"]
    assert any(r is record for r in cached.by_prefix[("C", ("07", "02"))])
    assert any(r is record for r in cached.records)
    assert cached.by_prefix[("C", ("07",))] is cached.by_prefix[("C", ("07",))]


_KEY_PARTS = st.sampled_from(["A", "B", "C", "Cw", "", "07", "02", "01", "0702", "\x1f", ":", "*", "99"])


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.tuples(_KEY_PARTS, st.lists(_KEY_PARTS, max_size=4).map(tuple)),
        st.tuples(_KEY_PARTS, _KEY_PARTS),
        _KEY_PARTS,
        st.tuples(_KEY_PARTS, st.lists(_KEY_PARTS, max_size=3)).map(lambda kv: (kv[0], "".join(kv[1]))),
    )
)
def test_any_key_finds_in_the_cache_what_it_finds_in_the_parsed_indexes(
    pair: tuple[Reference, Reference], key: object
) -> None:
    parsed, cached = pair
    assert cached.by_prefix.get(key, None) == parsed.by_prefix.get(key, None)  # type: ignore[call-overload]
    assert (key in cached.by_prefix) == (key in parsed.by_prefix)
    for field in ("old_prefix", "g_groups", "p_groups", "serology", "public"):
        mine, theirs = getattr(cached._index, field), getattr(parsed._index, field)  # pyright: ignore[reportPrivateUsage]
        assert mine.get(key) == theirs.get(key) and (key in mine) == (key in theirs)


@settings(max_examples=100, deadline=None)
@given(kst.allele_names(style=kst.STYLES))
def test_any_designation_resolves_alike_from_the_cache(pair: tuple[Reference, Reference], text: str) -> None:
    parsed, cached = pair
    designation = parse_designation(text)
    outcomes = []
    for reference in (parsed, cached):
        try:
            outcomes.append(reference.resolve(designation))
        except kirmatch.KirmatchError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]
    positions = [reference.candidate_positions(designation) for reference in (parsed, cached)]
    assert positions[0] == positions[1]
    if positions[0] is not None:  # the fast path of resolve: the same candidates, records not built
        resolution = outcomes[0]
        assert not isinstance(resolution, str)
        assert (resolution.normalized, resolution.candidates) == (positions[0][0], parsed.records_at(positions[0][1]))


def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("KIRMATCH_CACHE_DIR", str(cache))
    table = _table_copy(tmp_path / "table")
    parsed = load_reference(table)
    (file,) = cache.iterdir()
    good = file.read_bytes()
    header_end = good.index(b"\n", good.index(b"\n", good.index(b"\n") + 1) + 1) + 1
    flipped = bytearray(good)
    flipped[header_end + len(good) // 2 - header_end // 2] ^= 0x01
    for damaged in (good[: len(good) // 2], good[:header_end], bytes(flipped), b"", b"not a cache at all"):
        file.write_bytes(damaged)
        again = load_reference(table)
        assert again._state is None  # pyright: ignore[reportPrivateUsage]  # parsed, not read from the cache
        assert again.records == parsed.records
        assert file.read_bytes() == good  # rewritten
    assert load_reference(table)._state is not None  # pyright: ignore[reportPrivateUsage]


def _end_row(table: Path, tail: bytes) -> None:
    """Add ``tail`` to the end of the row of `C*07:02:01:01` (its last field: the pre-2010 names) and sign the
    edited table in its provenance, as the build would."""
    raw = table.read_bytes()
    row = raw.index(b"\nC*07:02:01:01,")
    end = raw.index(b"\n", row + 1)
    table.write_bytes(raw[:end] + tail + raw[end:])
    meta = table.with_suffix(".json")
    provenance = json.loads(meta.read_text(encoding="utf-8"))
    provenance["table_sha256"] = hashlib.sha256(table.read_bytes()).hexdigest()
    meta.write_text(json.dumps(provenance), encoding="utf-8")


def test_the_cache_of_another_table_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("KIRMATCH_CACHE_DIR", str(cache))
    first = _table_copy(tmp_path / "first")
    load_reference(first)
    (first_cache,) = cache.iterdir()
    # a second table, built alike but for one pre-2010 name (its provenance names its own SHA-256)
    second = _table_copy(tmp_path / "second")
    _end_row(second, b" edited")
    edited = load_reference(second)
    assert edited.by_name["C*07:02:01:01"].name_2009[-1].endswith(" edited")
    second_cache = next(p for p in cache.iterdir() if p != first_cache)
    # the first table's cache put where the second's goes: it names another key, so it is not read
    second_cache.write_bytes(first_cache.read_bytes())
    again = load_reference(second)
    assert again._state is None and again.by_name["C*07:02:01:01"].name_2009[-1].endswith(" edited")  # pyright: ignore[reportPrivateUsage]
    assert load_reference(second)._state is not None  # pyright: ignore[reportPrivateUsage]  # rewritten: read now
    assert load_reference(second).by_name["C*07:02:01:01"].name_2009[-1].endswith(" edited")


def test_an_empty_cache_dir_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIRMATCH_CACHE_DIR", "")
    monkeypatch.chdir(tmp_path)
    table = _table_copy(tmp_path / "table")
    assert load_reference(table)._state is None  # pyright: ignore[reportPrivateUsage]
    assert load_reference(table)._state is None  # pyright: ignore[reportPrivateUsage]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table"]


def test_a_value_holding_a_separator_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("KIRMATCH_CACHE_DIR", str(cache))
    table = _table_copy(tmp_path / "table")
    _end_row(table, b"\x1f")
    reference = load_reference(table)
    assert reference.by_name["C*07:02:01:01"].name_2009[-1].endswith("\x1f")
    assert not cache.exists() or not list(cache.iterdir())


def test_every_public_name_loads_from_the_module_it_is_imported_from() -> None:
    import ast
    import importlib

    tree = ast.parse(Path(kirmatch.__file__).read_text(encoding="utf-8"))
    typed = {
        alias.name: node.module.removeprefix("kirmatch.")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kirmatch.")
        for alias in node.names
    }
    assert typed == kirmatch._EXPORTS  # pyright: ignore[reportPrivateUsage]
    assert set(typed) == set(kirmatch.__all__) - {"__version__"}
    for name, module in typed.items():
        assert getattr(kirmatch, name) is getattr(importlib.import_module(f"kirmatch.{module}"), name)
    assert set(kirmatch.__all__) <= set(dir(kirmatch))
    assert kirmatch.frame.__name__ == "kirmatch.frame" and kirmatch.reference.__name__ == "kirmatch.reference"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        kirmatch.nothing  # type: ignore[attr-defined]  # noqa: B018
