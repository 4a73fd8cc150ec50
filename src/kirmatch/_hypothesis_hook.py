"""kirmatch's ``hypothesis`` entry point: registers the strategies of [`kirmatch.strategies`][kirmatch.strategies] for
kirmatch's types when hypothesis is imported, so that ``st.from_type(kirmatch.Genotype)`` works in users' test suites.

hypothesis loads this module while hypothesis itself is being imported, so nothing here imports hypothesis at module
level: the hook imports [`kirmatch.strategies`][kirmatch.strategies] only when it is called. If hypothesis is being
imported *by* [`kirmatch.strategies`][kirmatch.strategies] (the user imported that module first), the hook leaves the
registration to it: that module registers its strategies as its last step.
"""

from __future__ import annotations

import sys

__all__ = ["_hypothesis_setup_hook"]  # named by the entry point in kirmatch's package metadata


def _hypothesis_setup_hook() -> None:
    """Called by hypothesis on import, through the ``hypothesis`` entry point in kirmatch's package metadata."""
    module = sys.modules.get("kirmatch.strategies")
    if module is not None and not hasattr(module, "register_type_strategies"):
        return  # kirmatch.strategies is mid-import (it imported hypothesis) and registers itself when done
    from kirmatch.strategies import register_type_strategies

    register_type_strategies()
