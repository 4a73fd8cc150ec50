"""Three-valued logic, KIR typing, the inhibitory KIR score, the KIR B-content group and the NK dose helpers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kirmatch
from kirmatch import (
    BContentGroup,
    KirGenotype,
    KirTypingError,
    Presence,
    ProtocolValueError,
    consensus,
    inhibitory_kir_score,
    kir_b_content,
    kleene_and,
    kleene_not,
    kleene_or,
)
from kirmatch.strategies import genotypes, kir_genotypes

P, A, Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
values = st.sampled_from(list(Presence))
_BOOL = {P: True, A: False}


@given(values, values)
def test_kleene_logic_extends_boolean_logic_and_keeps_de_morgan(x, y):
    assert kleene_not(kleene_and(x, y)) is kleene_or(kleene_not(x), kleene_not(y))
    assert (x & y) is (y & x) and (x | y) is (y | x) and ~~x is x
    if x.certain and y.certain:
        assert _BOOL[x & y] == (_BOOL[x] and _BOOL[y]) and _BOOL[x | y] == (_BOOL[x] or _BOOL[y])
    else:
        assert (x & y) in (Q, A) and (x | y) in (Q, P)


def test_consensus_and_reading_presences():
    assert consensus([P, P]) is P and consensus([P, A]) is Q and consensus([]) is A
    assert [Presence.of(v) for v in (True, False, None, "absent", "+")] == [P, A, Q, A, P]
    with pytest.raises(kirmatch.KirmatchError, match="'maybe'"):
        Presence.of("maybe")


def test_kir_genotype():
    kir = KirGenotype.from_genes("KIR2DL1, 2DL3 3dl1 2DS4", centromeric="Cen-A/B", telomeric="B/A")
    assert (kir.kir2dl1, kir.kir2dl2, kir.kir3dl2) == (P, A, A)
    assert kir.receptor("C1") is P and kir.gene("2DL2/3") is P and kir.b_content.group is BContentGroup.BETTER
    assert str(KirGenotype(kir2dl1=True)) == "KIR 2DL1+ 2DL2? 2DL3? 3DL1? 3DL2?"
    with pytest.raises(KirTypingError, match="'2DL9'"):
        KirGenotype.from_genes(["2DL9"])
    with pytest.raises(KirTypingError, match="'kir4dl1'"):
        KirGenotype(kir4dl1=True)
    with pytest.raises(KirTypingError, match="needs both"):
        _ = KirGenotype().b_content


@pytest.mark.parametrize(
    ("cen", "tel", "b", "group"),
    [
        ("A/A", "A/A", 0, "Neutral"),
        ("A/B", "A/A", 1, "Neutral"),
        ("A/A", "A/B", 1, "Neutral"),
        ("A/B", "A/B", 2, "Better"),
        ("A/A", "B/B", 2, "Better"),
        ("A/B", "B/B", 3, "Better"),
        ("B/B", "A/A", 2, "Best"),
        ("BB", "B/B", 4, "Best"),
    ],
)
def test_b_content_groups_of_cooley_2010(cen, tel, b, group):
    result = kir_b_content(cen, tel)
    assert (result.b_motifs, result.group.value) == (b, group)


def test_b_content_refuses_bad_motifs():
    with pytest.raises(KirTypingError, match="telomeric KIR motif 'A/C'"):
        kir_b_content("A/A", "A/C")


@settings(max_examples=100, deadline=None)
@given(kir_genotypes(), genotypes())
def test_ikir_score_range_brackets_every_reading(kir, g):
    score = inhibitory_kir_score(kir, g)  # Boelen's four inhibitory KIR, KIR2DL2 and KIR2DL3 apart
    assert 0 <= score.minimum <= score.maximum <= len(score.pairs) == 4
    with_3dl2 = inhibitory_kir_score(kir, g, include_kir3dl2=True)
    assert len(with_3dl2.pairs) == 5 and with_3dl2.minimum >= score.minimum
    certain = all(p.functional.certain for p in score.pairs)
    assert (score.exact is not None) == certain
    merged = inhibitory_kir_score(kir, g, split_kir2dl2_kir2dl3=False, include_kir3dl2=False)
    assert len(merged.pairs) == 3 and merged.maximum >= score.maximum - 2


def test_ikir_score_example():
    kir = KirGenotype.from_genes("2DL1 2DL2 2DL3 3DL1 3DL2")
    hla = {"A": ("A*03:01", "A*01:01"), "B": ("B*57:01", "B*08:01"), "C": ("C*07:02", "C*07:01")}
    score = inhibitory_kir_score(kir, hla)
    # Boelen et al. 2018 count four inhibitory KIR (2DL1, 2DL2, 2DL3, 3DL1): 2DL2-C1, 2DL3-C1, 3DL1-Bw4; no C2
    assert score.exact == 3 and [p.receptor for p in score.pairs] == ["KIR2DL1", "KIR2DL2", "KIR2DL3", "KIR3DL1"]
    assert inhibitory_kir_score(kir, hla, include_kir3dl2=True).exact == 4  # and 3DL2-A3, on request
    merged = inhibitory_kir_score(kir, hla, split_kir2dl2_kir2dl3=False)
    assert (merged.minimum, merged.maximum) == (2, 2)
    assert str(score).startswith("iKIR score 3 ")


def test_nk_doses():
    assert kirmatch.nk_dose_per_kg(7e8, 70) == pytest.approx(1e7)
    assert kirmatch.reaches_purification_threshold(7e8, 70)
    assert not kirmatch.reaches_purification_threshold(6.99e8, 70)
    assert kirmatch.alloreactive_nk_dose_per_kg(1e9, 50, 0.1) == pytest.approx(2e6)
    assert kirmatch.alloreactive_nk_dose_per_kg(1e9, 50, 0) == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kirmatch.nk_dose_per_kg(1e9, 0), "outside"),
        (lambda: kirmatch.nk_dose_per_kg(1e9, 70000), "outside"),
        (lambda: kirmatch.nk_dose_per_kg(-1, 70), "negative"),
        (lambda: kirmatch.nk_dose_per_kg(math.inf, 70), "finite"),
        (lambda: kirmatch.nk_dose_per_kg("1e9", 70), "must be a number"),
        (lambda: kirmatch.nk_dose_per_kg(True, 70), "must be a number"),
        (lambda: kirmatch.alloreactive_nk_dose_per_kg(1e9, 70, 12.5), "not a percentage"),
        (lambda: kirmatch.alloreactive_nk_dose_per_kg(1e9, 70, math.nan), "finite"),
    ],
)
def test_protocol_inputs_are_validated(call, message):
    with pytest.raises(ProtocolValueError, match=message):
        call()
