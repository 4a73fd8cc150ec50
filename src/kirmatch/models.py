"""The one registry of matching models: how donor NK alloreactivity in the graft-versus-host direction is predicted.

A [`MatchModel`][kirmatch.MatchModel] is a name, a one-line rule, its citation, whether it reads the donor's
KIR genes and the donor's own HLA, and the rule itself as a function on the bit planes of
[`kirmatch.presence`][kirmatch.presence] (so that one pair and a whole registry run the same code). The scalar
API ([`kir_ligand_mismatch`][kirmatch.kir_ligand_mismatch]), the frame functions, every command-line choice and
the docs table read [`MODELS`][kirmatch.models.MODELS]; adding a model is one
[`MODELS.register`][kirmatch.models.ModelRegistry.register] call.

Each rule gets, per ligand, D (the donor carries the ligand), R' (the recipient lacks it) and K (the donor carries
an inhibitory KIR gene for it; ``None`` when the model does not read KIR), three-valued, and returns GvH. HvG is
the same in every model: the recipient carries the ligand and the donor lacks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from kirmatch._errors import ErrorCode, ProtocolValueError, quote
from kirmatch.presence import Bits, planes_and

__all__ = [
    "GvhRule",
    "MatchModel",
    "ModelRegistry",
    "MODELS",
    "LIGAND_LIGAND",
    "RECEPTOR_LIGAND",
    "MISSING_LIGAND",
    "EDUCATIONAL",
]

class GvhRule(Protocol):
    """``rule(donor, recipient_lacks, donor_kir) -> gvh``, each a pair of bit planes (ints or numpy arrays)."""

    def __call__(
        self, donor: tuple[Bits, Bits], lacks: tuple[Bits, Bits], kir: tuple[Bits, Bits] | None, /
    ) -> tuple[Bits, Bits]: ...


@dataclass(frozen=True)
class MatchModel:
    """One matching model: its ``name`` (the value every option takes), its rule in words and in code, its source
    (``citation``), the source's own sentence it relies on (``quote``) and the names other papers give the same rule
    (``also_called``).

    ``needs_kir``: the rule reads the donor's inhibitory KIR genes (``donor_kir=`` must be given).
    ``uses_donor_hla``: the donor's own ligands enter the rule (the explanation then names them).
    """

    name: str
    rule: str
    citation: str
    quote: str
    also_called: str
    needs_kir: bool
    uses_donor_hla: bool
    gvh: GvhRule = field(repr=False, compare=False)

    def __str__(self) -> str:
        return self.name

    @property
    def value(self) -> str:
        """The model's name (as an enum member's value would be)."""
        return self.name

    @classmethod
    def coerce(cls, value: object) -> MatchModel:
        """The registered model named ``value`` (or ``value`` itself if it is a registered model)."""
        return MODELS.get(value)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type[Any], handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        # In results a model is its name: validated through the registry, dumped as the name.
        return core_schema.no_info_plain_validator_function(
            cls.coerce,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda m: m.name, when_used="always"),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # In JSON a model is its registered name (kirmatch schema match).
        return {"type": "string", "enum": list(MODELS.names()), "title": "MatchModel"}


class ModelRegistry:
    """The registered matching models, by name, in registration order."""

    def __init__(self) -> None:
        self._models: dict[str, MatchModel] = {}

    def register(self, model: MatchModel, *, replace: bool = False) -> MatchModel:
        """Add ``model``; a name already taken is refused unless ``replace``. Returns the model."""
        if not isinstance(model, MatchModel):
            raise ProtocolValueError(f"register() takes a MatchModel, got {type(model).__name__}", input=model)
        if model.name in self._models and not replace:
            raise ProtocolValueError(f"a model named {quote(model.name)} is already registered", input=model.name)
        self._models[model.name] = model
        return model

    def unregister(self, name: str) -> None:
        """Remove the model named ``name`` (for tests and plug-ins that add a model for a while)."""
        self._models.pop(self.get(name).name)

    def get(self, value: object) -> MatchModel:
        """The model named ``value`` (a registered model is returned as it is); ``unknown_model`` otherwise."""
        if isinstance(value, MatchModel) and self._models.get(value.name) is value:
            return value
        found = self._models.get(value) if isinstance(value, str) else None
        if found is None:
            raise ProtocolValueError(
                f"unknown matching model {quote(value)}; use one of {', '.join(self._models)}",
                input=value,
                code=ErrorCode.UNKNOWN_MODEL,
            )
        return found

    def names(self) -> tuple[str, ...]:
        """The registered names, in registration order."""
        return tuple(self._models)

    def __iter__(self) -> Iterator[MatchModel]:
        return iter(tuple(self._models.values()))

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._models


MODELS = ModelRegistry()
"""The registry every path reads (scalar, frame, command line, docs)."""


def _ligand_ligand(
    donor: tuple[Bits, Bits], lacks: tuple[Bits, Bits], kir: tuple[Bits, Bits] | None
) -> tuple[Bits, Bits]:
    return planes_and(donor, lacks)


def _receptor_ligand(
    donor: tuple[Bits, Bits], lacks: tuple[Bits, Bits], kir: tuple[Bits, Bits] | None
) -> tuple[Bits, Bits]:
    assert kir is not None  # needs_kir: checked before any rule runs
    return planes_and(kir, lacks)


def _missing_ligand(
    donor: tuple[Bits, Bits], lacks: tuple[Bits, Bits], kir: tuple[Bits, Bits] | None
) -> tuple[Bits, Bits]:
    return lacks


def _educational(
    donor: tuple[Bits, Bits], lacks: tuple[Bits, Bits], kir: tuple[Bits, Bits] | None
) -> tuple[Bits, Bits]:
    assert kir is not None
    return planes_and(planes_and(donor, kir), lacks)


LIGAND_LIGAND = MODELS.register(
    MatchModel(
        name="ligand-ligand",
        rule="the donor carries the ligand and the recipient lacks it",
        citation="Ruggeri et al., Science 2002;295:2097-2100 (Table 1)",
        quote=(
            "KIR ligand incompatibility in the GVH direction was defined as absence in recipients of donor class I "
            "allele group(s) recognized by KIRs"
        ),
        also_called=(
            '"KIR-ligand mismatch", "ligand-incompatibility" and "missing-self" model (Heidenreich and Kroeger 2017, '
            'Fig. 1A); "ligand-ligand model" (Dhuyser et al. 2022, Table 5)'
        ),
        needs_kir=False,
        uses_donor_hla=True,
        gvh=_ligand_ligand,
    )
)
RECEPTOR_LIGAND = MODELS.register(
    MatchModel(
        name="receptor-ligand",
        rule="the donor carries an inhibitory KIR gene for the ligand and the recipient lacks it; donor HLA not used",
        citation=(
            "Leung et al., J Immunol 2004;172:644-650, as defined by Heidenreich and Kroeger, Front Immunol "
            "2017;8:41 (Fig. 1B) and Dhuyser et al., Front Immunol 2022;13:821533 (Table 5)"
        ),
        quote=(
            "Receptor-ligand mismatch: NK cells become activated in the graft-versus-host direction, if they have an "
            "inhibitory KIR, for which the HLA ligand in the recipient is missing. (Heidenreich and Kroeger 2017)"
        ),
        also_called=(
            '"missing KIR ligand" (Hsu et al., Blood 2005;105:4878-4884: "Lack of HLA ligand for donor-inhibitory '
            'KIR (missing KIR ligand)")'
        ),
        needs_kir=True,
        uses_donor_hla=False,
        gvh=_receptor_ligand,
    )
)
MISSING_LIGAND = MODELS.register(
    MatchModel(
        name="missing-ligand",
        rule="the recipient lacks the ligand; the donor's inhibitory KIR is assumed, not typed; donor HLA not used",
        citation="Heidenreich and Kroeger, Front Immunol 2017;8:41 (Fig. 1C)",
        quote=(
            "Missing ligand: If the presence of the respective inhibitory KIR is not evaluated, but assumed in a "
            "model where at least one HLA-ligand is missing (HLA-C1/2 or Bw4)."
        ),
        also_called=(
            "not Hsu et al. 2005, whose \"missing KIR ligand\" reads the donor's KIR genes (kirmatch's "
            'receptor-ligand); not the pooled "missing ligand" model of Ruggeri et al., Blood 2007;110:433-440'
        ),
        needs_kir=False,
        uses_donor_hla=False,
        gvh=_missing_ligand,
    )
)
EDUCATIONAL = MODELS.register(
    MatchModel(
        name="educational",
        rule=(
            "the donor carries the ligand and its inhibitory KIR gene (licensed NK cells), and the recipient lacks "
            "the ligand"
        ),
        citation="Dhuyser et al., Front Immunol 2022;13:821533 (Table 5, \"Educational models\")",
        quote=(
            "Donor has educated NK cells—i.e., KIR and its cognate MHC ligand—but the recipient lacks the cognate KIR "
            "MHC ligand"
        ),
        also_called='the licensing model; kirmatch 0.1 called this rule "receptor-ligand"',
        needs_kir=True,
        uses_donor_hla=True,
        gvh=_educational,
    )
)
