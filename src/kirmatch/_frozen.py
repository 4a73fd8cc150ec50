"""Fast construction of frozen result models from values that are already valid.

Matching builds several small frozen pydantic models per donor-recipient pair from values kirmatch computed
itself; validating them again would cost more than the matching. :func:`trusted` fills the instance the way
``model_construct`` does, without its per-field alias handling. Every field must be given. The test suite checks
that a trusted instance equals, hashes, dumps and pickles like a validated one.
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
