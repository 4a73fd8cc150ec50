"""FrozenMap: an immutable, hashable mapping that equals a dict, and its pydantic support."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Mapping
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import kirmatch
from kirmatch._frozen_map import FrozenMap


class Counts(BaseModel, frozen=True):
    counts: FrozenMap[str, int]


def test_equals_a_dict_of_the_same_items_both_ways() -> None:
    m = FrozenMap({"a": 1, "b": 2})
    assert m == {"b": 2, "a": 1}
    assert {"a": 1, "b": 2} == m
    assert m != {"a": 1}
    assert m != {"a": 1, "b": 3}
    assert m == FrozenMap([("b", 2), ("a", 1)])
    assert m == MappingProxyType({"a": 1, "b": 2})
    assert m != [("a", 1), ("b", 2)]
    assert FrozenMap() == {}


def test_is_a_read_only_mapping() -> None:
    m = FrozenMap({"a": 1})
    assert isinstance(m, Mapping)
    assert m["a"] == 1 and m.get("z") is None and "a" in m and "z" not in m
    assert list(m) == ["a"] and len(m) == 1 and dict(m.items()) == {"a": 1}
    assert repr(m) == "FrozenMap({'a': 1})"
    with pytest.raises(KeyError):
        m["z"]


def test_cannot_be_changed() -> None:
    source = {"a": 1}
    m = FrozenMap(source)
    source["a"] = 2  # a copy is taken
    assert m["a"] == 1
    assert not hasattr(m, "__setitem__") and not hasattr(m, "__delitem__")
    for change in ("update", "pop", "popitem", "clear", "setdefault"):
        assert not hasattr(m, change)
    with pytest.raises(TypeError):
        m["a"] = 3  # type: ignore[index]  # the point: FrozenMap has no __setitem__
    with pytest.raises(AttributeError):
        m._data = {}  # pyright: ignore[reportPrivateUsage]
    with pytest.raises(AttributeError):
        m.anything = 1  # type: ignore[attr-defined]
    assert m == {"a": 1}


def test_hash_is_that_of_its_items() -> None:
    m = FrozenMap({"a": 1, "b": 2})
    assert hash(m) == hash(frozenset({("a", 1), ("b", 2)}))
    assert hash(m) == hash(FrozenMap({"b": 2, "a": 1}))
    assert len({m, FrozenMap({"b": 2, "a": 1}), FrozenMap({"a": 1})}) == 2
    with pytest.raises(TypeError):
        hash(FrozenMap({"a": [1]}))  # values must be hashable for the map to be


@given(st.dictionaries(st.text(max_size=5), st.integers()))
def test_equal_maps_hash_alike(items: dict[str, int]) -> None:
    m = FrozenMap(items)
    assert m == items and m == FrozenMap(list(items.items())[::-1])
    assert hash(m) == hash(FrozenMap(dict(sorted(items.items()))))


def test_pickles_and_copies() -> None:
    m = FrozenMap({"a": 1, "b": 2})
    copies: list[FrozenMap[str, int]] = [pickle.loads(pickle.dumps(m)), copy.copy(m), copy.deepcopy(m)]
    for again in copies:
        assert isinstance(again, FrozenMap) and again == m and hash(again) == hash(m)


def test_pydantic_validates_from_any_mapping_and_checks_items() -> None:
    for given_ in ({"a": 1}, FrozenMap({"a": 1}), MappingProxyType({"a": 1})):
        model = Counts(counts=given_)  # type: ignore[arg-type]
        assert type(model.counts) is FrozenMap and model.counts == {"a": 1}
    assert Counts.model_validate({"counts": FrozenMap({"a": 1})}, strict=True).counts == {"a": 1}
    assert Counts.model_validate({"counts": {"a": "2"}}).counts == {"a": 2}  # lax mode converts, as for dict
    with pytest.raises(ValidationError):
        Counts.model_validate({"counts": {"a": "two"}})
    with pytest.raises(ValidationError):
        Counts.model_validate({"counts": [("a", 1)]})


def test_pydantic_dumps_a_dict_and_round_trips() -> None:
    model = Counts(counts=FrozenMap({"a": 1, "b": 2}))
    dumped = model.model_dump()
    assert dumped == {"counts": {"a": 1, "b": 2}} and type(dumped["counts"]) is dict
    text = model.model_dump_json()
    assert json.loads(text) == {"counts": {"a": 1, "b": 2}}
    assert Counts.model_validate_json(text) == model
    assert Counts.model_validate(dumped) == model
    assert pickle.loads(pickle.dumps(model)) == model
    assert hash(Counts.model_validate(dumped)) == hash(model)


def test_pydantic_json_schema_is_an_object() -> None:
    schema = Counts.model_json_schema()["properties"]["counts"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] == {"type": "integer"}


def test_reference_info_is_hashable_and_its_mapping_cannot_change() -> None:
    info = kirmatch.reference_info()
    assert hash(info) == hash(info.model_copy())
    digests = info.inputs_sha256
    assert isinstance(digests, FrozenMap)
    assert digests == dict(digests.items())
    with pytest.raises(TypeError):
        digests["Allelelist.txt"] = "0" * 64  # type: ignore[index]
    with pytest.raises(ValidationError):
        info.inputs_sha256 = FrozenMap()  # type: ignore[misc]
    assert info.model_dump()["inputs_sha256"] == dict(digests.items())
    assert type(info.model_validate(info.model_dump())) is type(info)
    assert info.model_validate(info.model_dump()) == info
