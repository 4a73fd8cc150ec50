"""classify(): literature anchors, laws over every allele of the table, nulls, and errors for bad text."""

from __future__ import annotations

import pickle

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kirmatch
from kirmatch import AlleleNameError, CallStatus, Ligand, UnknownAlleleError, classify
from kirmatch.reference import get_reference

RECORDS = get_reference().records
EXPRESSED = [r for r in RECORDS if r.expressed]


@pytest.mark.parametrize(
    ("name", "ligand", "bw4_80"),
    [
        ("C*07:02", Ligand.C1, None),
        ("C*03:04", Ligand.C1, None),
        ("C*04:01", Ligand.C2, None),
        ("C*05:01", Ligand.C2, None),
        ("B*57:01", Ligand.BW4, "80I"),
        ("B*44:02", Ligand.BW4, "80T"),
        ("B*27:05", Ligand.BW4, "80T"),
        ("A*24:02", Ligand.BW4, "80I"),
        ("A*32:01", Ligand.BW4, "80I"),
        ("B*08:01", Ligand.BW6, None),
        ("B*07:02", Ligand.BW6, None),
        ("A*02:01", Ligand.NONE, None),
        ("B*46:01", Ligand.C1, None),
        ("B*73:01", Ligand.C1, None),
    ],
)
def test_literature_anchors(name: str, ligand: Ligand, bw4_80: str | None) -> None:
    call = classify(name)
    assert call.status is CallStatus.DETERMINED
    assert call.ligand is ligand
    assert call.bw4_80 == bw4_80
    assert call.release == "3.58.0"


def test_named_null_carries_nothing() -> None:
    call = classify("C*04:09N")
    assert call.status is CallStatus.NOT_EXPRESSED
    assert call.ligand is Ligand.NONE and call.expressed is False
    assert call.residues_76_83 == "VNLRKLRG"  # the sequence is C2-like; the allele never reaches the surface


def test_nulls_sharing_fields_are_reported_not_counted() -> None:
    call = classify("C*07:02")
    assert call.status is CallStatus.DETERMINED
    assert "C*07:02:01:17N" in call.excluded_alleles
    assert all(not a.endswith("N") for a in call.alleles)
    assert "C*07:02:01:17N" in call.explain()


@pytest.mark.parametrize("text", ["C*07:02N", "c*07:02n", "A*01:01N", "B*57:01N"])
def test_a_suffix_on_a_name_with_expressed_alleles_is_refused(text: str) -> None:
    """A stray letter must never turn an expressed protein into a null."""
    with pytest.raises(UnknownAlleleError) as info:
        classify(text)
    assert "without the suffix" in str(info.value)


def test_a_suffix_on_a_name_whose_alleles_all_carry_it_is_accepted() -> None:
    call = classify("A*01:04:01N")
    assert call.status is CallStatus.NOT_EXPRESSED and call.n_alleles == 2


def test_a_renamed_null_written_without_its_suffix_says_so() -> None:
    call = classify("B*07:44")
    assert call.status is CallStatus.NOT_EXPRESSED
    assert "renamed" in call.note and "B*07:44N" in call.note


def test_an_indel_next_to_the_window_is_read_right() -> None:
    call = classify("A*24:294Q")  # a Tyr missing after residue 83: still Bw4-80I
    assert call.ligand is Ligand.BW4 and call.bw4_80 == "80I" and "questionable" in call.flags


def test_one_field_name_is_ambiguous_and_counts_each_ligand() -> None:
    call = classify("C*07")
    assert call.status is CallStatus.AMBIGUOUS and call.ligand is None
    assert {Ligand.C1, Ligand.C2} <= set(call.possible_ligands)
    assert sum(call.ligand_counts.values()) == call.n_alleles
    assert call.ligand_counts["C1"] > call.ligand_counts["C2"] > 0


@given(st.sampled_from(RECORDS))
def test_every_allele_agrees_with_its_two_field_protein(record) -> None:
    """Same protein, same call: the 4-field allele and its 2-field name never disagree."""
    call = classify(record.allele)
    assert record.allele in call.alleles or call.n_alleles > len(call.alleles)
    if record.expressed:
        protein = classify(record.protein)
        if protein.ligand is not None and call.ligand is not None:
            assert protein.ligand is call.ligand
        assert set(call.possible_ligands) <= set(protein.possible_ligands) | {Ligand.NONE}


@given(st.sampled_from(EXPRESSED))
def test_a_call_covers_the_named_allele_and_its_sequence_decides(record) -> None:
    call = classify(record.allele)
    if record.classified:
        assert call.ligand is (Ligand(record.epitope) if record.epitope else Ligand.NONE)
    else:
        assert call.status is CallStatus.UNCLASSIFIED and call.ligand is None


def test_results_are_frozen_picklable_and_json_ready() -> None:
    call = classify("B*57:01")
    with pytest.raises(pydantic.ValidationError):
        call.ligand = Ligand.C1  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(call)) == call
    assert call.model_dump(mode="json")["ligand"] == "Bw4"


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("C*", "nothing after"),
        ("Z*01:01", "unknown locus"),
        ("DRB1*01:01", "not HLA-A"),
        ("C*07:02;DROP", "';'"),
        ("C" * 10_000, "longer than"),
        ("C*07:02\x00", "U+0000"),
        ("C\u220107:02", "U+2201"),
        ("C\uff0a07:02", "FULLWIDTH ASTERISK"),
        ("0702", "number alone"),
        ("C*07:02:01:01:01", "more than four"),
        ("C*07:2", "one digit"),
        ("C*7:02", "one digit"),
        ("C*07:02\x1c", "U+001C"),
        ("\x85C*07:02", "U+0085"),
        ("\x0bC*07:02", "U+000B"),
    ],
)
def test_malformed_text_raises_allele_name_error_saying_what(text: str, part: str) -> None:
    with pytest.raises(AlleleNameError) as info:
        classify(text)
    message = str(info.value)
    assert part in message
    assert len(message) < 400
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("value", [None, 702, 7.02, b"C*07:02", ["C*07:02"]])
def test_non_strings_raise_allele_name_error(value: object) -> None:
    with pytest.raises(AlleleNameError, match="expected"):
        classify(value)  # type: ignore[arg-type]


def test_unknown_allele_names_the_closest() -> None:
    with pytest.raises(UnknownAlleleError) as info:
        classify("C*07:9999")
    assert info.value.suggestions
    assert all(s.startswith("C*07:") for s in info.value.suggestions)
    assert "3.58.0" in str(info.value)


def test_deleted_allele_says_what_ipd_did() -> None:
    with pytest.raises(UnknownAlleleError) as info:
        classify("A*01:34N")
    assert info.value.replacement == "A*01:01:38L"
    assert "renamed" in str(info.value)


def test_import_is_light() -> None:
    """``import kirmatch`` must not import pandas or load the table (they load on first use)."""
    import subprocess
    import sys

    code = "import sys, kirmatch; print('pandas' in sys.modules, kirmatch.reference._reference_at.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "0"]
    assert kirmatch.__version__
