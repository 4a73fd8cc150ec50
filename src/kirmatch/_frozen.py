"""Fast construction of frozen result models from values that are already valid.

Matching builds several small frozen pydantic models per donor-recipient pair from values kirmatch computed
itself; validating them again would cost more than the matching, and pydantic's ``model_construct`` (about 14 us
a model in pydantic 2.14, mostly field bookkeeping) would still cost most of a pair's time. `trusted` fills
the instance through the attributes pydantic documents on every model (``__dict__``, ``__pydantic_fields_set__``,
``__pydantic_extra__``, ``__pydantic_private__``). Every field must be given. The test suite checks that a trusted
instance equals, hashes, dumps, validates and pickles like a validated one.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["fill", "trusted"]

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


@functools.lru_cache(maxsize=256)
def _every_field(cls: type[BaseModel]) -> set[str]:
    return set(cls.model_fields)


def trusted(cls: type[M], **values: Any) -> M:
    """An instance of ``cls`` holding ``values`` (every field, already valid), built without validation.

    Instances given every field share one ``__pydantic_fields_set__`` per class: pydantic copies that set before
    changing it (``model_copy``), and a frozen model never adds to it. One object fewer per instance is one object
    fewer for the garbage collector to walk, which is most of what a cached result costs.
    """
    obj = cls.__new__(cls)
    fill(obj, values)
    return obj


def fill(obj: BaseModel, values: dict[str, Any]) -> None:
    """Fill a new, empty model instance with ``values`` (every field, already valid), as `trusted` does."""
    every = _every_field(type(obj))
    _set(obj, "__dict__", values)
    same = len(values) == len(every) and values.keys() == every
    _set(obj, "__pydantic_fields_set__", every if same else set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
