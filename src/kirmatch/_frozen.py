"""Fast construction of frozen result models from values that are already valid.

Matching builds several small frozen pydantic models per donor-recipient pair from values kirmatch computed
itself; validating them again would cost more than the matching, and pydantic's ``model_construct`` (about 14 us
a model in pydantic 2.14, mostly field bookkeeping) would still cost most of a pair's time. `trusted` fills
the instance through the attributes pydantic documents on every model (``__dict__``, ``__pydantic_fields_set__``,
``__pydantic_extra__``, ``__pydantic_private__``). Every field must be given. The test suite checks that a trusted
instance equals, hashes, dumps, validates and pickles like a validated one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["trusted"]

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def trusted(cls: type[M], **values: Any) -> M:
    """An instance of ``cls`` holding ``values`` (every field, already valid), built without validation."""
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj
