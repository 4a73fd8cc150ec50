"""A downstream user's module, type-checked with ``mypy --strict`` by tests/test_types.py: kirmatch's public API
must type-check in strict user code without casts or ignores."""

from __future__ import annotations

import pandas as pd
from hypothesis import given

import kirmatch
import kirmatch.frame
import kirmatch.strategies as kst
from kirmatch import (
    MODELS,
    CallStatus,
    ErrorCode,
    Genotype,
    KirGenotype,
    KirLigand,
    KirLigandMismatch,
    KirmatchError,
    LigandCall,
    LigandProfile,
    MatchModel,
    Presence,
)
from kirmatch.frame import KirAccessor


def ligand_of(name: str) -> str:
    call: LigandCall = kirmatch.classify(name)
    if call.status is CallStatus.DETERMINED and call.ligand is not None:
        return call.ligand.value
    counts: dict[str, int] = dict(call.ligand_counts)
    return "/".join(sorted(counts))


def gvh_c2(donor: str, recipient: str) -> Presence:
    result: KirLigandMismatch = kirmatch.kir_ligand_mismatch(donor, recipient, bw4_policy="exclude-weak")
    subsets: list[str] = [s.receptor for s in result.alloreactive_nk]
    assert isinstance(hash(result), int) and isinstance(subsets, list)
    return result.gvh(KirLigand.C2)


def with_kir(donor: Genotype, recipient: Genotype) -> bool:
    kir = KirGenotype.from_genes("2DL1 2DL3 3DL1 3DL2")
    model: MatchModel = MODELS.get("educational")
    return kirmatch.kir_ligand_mismatch(donor, recipient, model=model, donor_kir=kir).gvh_incompatible is Presence.PRESENT


def profile_bits(genotype: Genotype) -> tuple[int, int]:
    profile: LigandProfile = kirmatch.ligand_profile(genotype)
    return profile.planes


def error_code(text: str) -> ErrorCode | None:
    try:
        kirmatch.parse_typing(text)
    except KirmatchError as exc:
        return exc.code
    return None


def screen(donors: pd.DataFrame, recipient: str) -> pd.DataFrame:
    ranked: pd.DataFrame = kirmatch.frame.rank_donors(donors, recipient, errors="flag")
    profiles: pd.DataFrame = KirAccessor(donors).profiles()
    return ranked.join(profiles, rsuffix="_p")


@given(kst.donor_recipient_pairs())
def test_pairs(pair: tuple[Genotype, Genotype]) -> None:
    assert with_kir(*pair) in (True, False)
