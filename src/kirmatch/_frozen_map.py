"""An immutable, hashable mapping for fields of frozen result models: `FrozenMap`.

A frozen pydantic model is hashable only if every field value is, and a ``dict`` field would let a caller change
a result that caches share. ``FrozenMap[K, V]`` is a read-only `collections.abc.Mapping` that hashes by its
items and equals any mapping with the same items (a ``dict`` included). In a pydantic model it validates from any
mapping (keys and values checked against ``K`` and ``V``), dumps to a plain ``dict`` (``model_dump``, JSON), and
its JSON schema is an object.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast, get_args, overload

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

__all__ = ["FrozenMap"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A read-only mapping, equal to a ``dict`` of the same items and hashed by them (values must be hashable).

    >>> m = FrozenMap({"a": 1})
    >>> m == {"a": 1}, m["a"], hash(m) == hash(FrozenMap([("a", 1)]))
    (True, 1, True)
    """

    __slots__ = ("_data", "_hash")

    _data: dict[K, V]
    _hash: int | None

    @overload
    def __init__(self, /) -> None: ...
    @overload
    def __init__(self, items: Mapping[K, V], /) -> None: ...
    @overload
    def __init__(self, items: Iterable[tuple[K, V]], /) -> None: ...
    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = (), /) -> None:
        object.__setattr__(self, "_data", dict(items))
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        items = FrozenMap._dict_of(other)
        return NotImplemented if items is None else self._data == items

    def __hash__(self) -> int:
        known = self._hash
        if known is None:
            known = hash(frozenset(self._data.items()))
            object.__setattr__(self, "_hash", known)
        return known

    if not TYPE_CHECKING:  # hidden from type checkers, which then flag any attribute assignment

        def __setattr__(self, name: str, value: object) -> None:
            raise AttributeError(f"FrozenMap is immutable; cannot set {name!r}")

        def __delattr__(self, name: str) -> None:
            raise AttributeError(f"FrozenMap is immutable; cannot delete {name!r}")

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        # The items only: a cached hash of str keys would be wrong in another process (hash randomization).
        return (type(self), (dict(self._data),))

    @staticmethod
    def _dict_of(value: object) -> dict[object, object] | None:
        """The items of any mapping as a dict (a dict itself, a FrozenMap's own dict: no copy); None for others."""
        if isinstance(value, FrozenMap):
            return cast("FrozenMap[object, object]", value)._data
        if isinstance(value, dict):
            return cast("dict[object, object]", value)
        if isinstance(value, Mapping):
            return dict(cast("Mapping[object, object]", value).items())
        return None

    def __copy__(self) -> FrozenMap[K, V]:
        return self

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Validate as ``dict[K, V]`` from any mapping, then freeze; serialize as a plain dict."""
        args = get_args(source)
        key_type, value_type = args if len(args) == 2 else (Any, Any)
        as_dict = core_schema.dict_schema(handler.generate_schema(key_type), handler.generate_schema(value_type))
        return core_schema.no_info_before_validator_function(
            cls._plain_dict,
            core_schema.no_info_after_validator_function(cls, as_dict),
            serialization=core_schema.plain_serializer_function_ser_schema(dict, return_schema=as_dict),
        )

    @staticmethod
    def _plain_dict(value: object) -> object:
        """Any mapping as a dict, so that pydantic's dict validation (strict mode included) reads it."""
        items = FrozenMap._dict_of(value)
        return value if items is None else items
