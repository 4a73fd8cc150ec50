"""Protocol arithmetic for the NK-cell infusion trial: the purification threshold and the alloreactive NK dose.

* Purification threshold: the donor's leukapheresis product goes on to NK-cell purification when it holds at least
  [`NK_PURIFICATION_THRESHOLD_PER_KG`][kirmatch.protocol.NK_PURIFICATION_THRESHOLD_PER_KG] (10 x 10^6) NK cells per kg
  of recipient body weight.
* Alloreactive NK dose per kg = NK cells x alloreactive fraction / recipient weight (kg), where the fraction is
  the share of donor NK cells expressing only the KIR for a ligand the recipient lacks (single-KIR cells),
  measured by flow cytometry.

Inputs are validated: weights in kg must be finite and in (0, 700]; cell counts finite and >= 0; fractions finite in [0,
1]; booleans and non-numbers are refused. Every refusal is a [`ProtocolValueError`][kirmatch._errors.ProtocolValueError]
naming the quantity and quoting the value.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Real

from kirmatch._errors import ProtocolValueError, quote

__all__ = [
    "NK_PURIFICATION_THRESHOLD_PER_KG",
    "MAX_WEIGHT_KG",
    "nk_dose_per_kg",
    "reaches_purification_threshold",
    "alloreactive_nk_dose_per_kg",
]

NK_PURIFICATION_THRESHOLD_PER_KG = 10e6
"""NK cells per kg of recipient weight that a product must hold to be purified (10 x 10^6/kg)."""

MAX_WEIGHT_KG = 700.0
"""Largest weight accepted, in kg: a bigger number is a unit error (grams, pounds x 10), not a patient."""


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ProtocolValueError(f"{what} must be a number, got {type(value).__name__} {quote(value)}", input=value)
    try:
        number = float(value)
    except OverflowError:
        raise ProtocolValueError(
            f"{what} {quote(value)} is too large to be a number of cells or kg", input=value
        ) from None
    if not math.isfinite(number):
        raise ProtocolValueError(f"{what} must be a finite number, got {quote(value)}", input=value)
    return number


def _weight(value: object) -> float:
    kg = _number(value, "recipient weight (kg)")
    if not 0 < kg <= MAX_WEIGHT_KG:
        raise ProtocolValueError(
            f"recipient weight {quote(value)} kg is outside (0, {MAX_WEIGHT_KG:g}] kg; give the weight in kg",
            input=value,
        )
    return kg


def _cells(value: object, what: str = "NK cell count") -> float:
    n = _number(value, what)
    if n < 0:
        raise ProtocolValueError(f"{what} {quote(value)} is negative", input=value)
    return n


def _fraction(value: object) -> float:
    f = _number(value, "alloreactive NK fraction")
    if not 0 <= f <= 1:
        raise ProtocolValueError(
            f"alloreactive NK fraction {quote(value)} is outside [0, 1]; give a fraction, not a percentage",
            input=value,
        )
    return f


def nk_dose_per_kg(nk_cells: float, recipient_weight_kg: float) -> float:
    """NK cells per kg of recipient weight.

    >>> nk_dose_per_kg(7e8, 70)
    10000000.0
    """
    return _cells(nk_cells) / _weight(recipient_weight_kg)


def reaches_purification_threshold(
    nk_cells: float,
    recipient_weight_kg: float,
    *,
    threshold_per_kg: float = NK_PURIFICATION_THRESHOLD_PER_KG,
) -> bool:
    """True when the product holds at least ``threshold_per_kg`` NK cells per kg (default 10 x 10^6/kg).

    >>> reaches_purification_threshold(7e8, 70), reaches_purification_threshold(6.9e8, 70)
    (True, False)
    """
    threshold = _cells(threshold_per_kg, "threshold (NK cells per kg)")
    cells, kg = _cells(nk_cells), _weight(recipient_weight_kg)
    # cells / kg >= threshold, compared exactly: a product of exactly 10 x 10^6/kg must pass, whatever the
    # rounding of the division (3.202e8 cells / 32.02 kg is 9999999.999999998 in floating point).
    return _exact(cells) >= _exact(threshold) * _exact(kg)


def _exact(number: float) -> Fraction:
    """The decimal number a float was written as (32.02, not its binary neighbour 32.0200000000000031...)."""
    return Fraction(repr(number))


def alloreactive_nk_dose_per_kg(nk_cells: float, recipient_weight_kg: float, alloreactive_fraction: float) -> float:
    """Alloreactive (single-KIR) NK cells per kg of recipient weight.

    >>> alloreactive_nk_dose_per_kg(1e9, 50, 0.1)
    2000000.0
    """
    fraction = _fraction(alloreactive_fraction)
    return nk_dose_per_kg(nk_cells, recipient_weight_kg) * fraction
