"""Typing text -> IPD alleles: every way of writing an allele covers it; each form's literature examples."""

from __future__ import annotations

import io
import pickle

import pydantic
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import kirmatch
from kirmatch import (
    AlleleNameError,
    CallStatus,
    Ligand,
    MacTableError,
    Typing,
    TypingKind,
    UnknownAlleleError,
    classify,
    parse_typing,
)
from kirmatch.cli import main
from kirmatch.mac import MAC_ENV
from kirmatch.reference import get_reference

REFERENCE = get_reference()
RECORDS = REFERENCE.records
EXPRESSED = [r for r in RECORDS if r.expressed]
LAW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _written(name: str, prefix: str, case: str, blank: str) -> str:
    text = {"upper": name.upper(), "lower": name.lower(), "as is": name}[case]
    return f"{blank}{prefix}{text}{blank}"


# ------------------------------------------------------------------------------------------- hypothesis laws


@LAW
@given(
    st.sampled_from(RECORDS),
    st.integers(1, 4),
    st.sampled_from(["", "HLA-", "hla-"]),
    st.sampled_from(["upper", "lower", "as is"]),
    st.sampled_from(["", " ", "\t"]),
)
def test_any_prefix_of_an_allele_however_written_covers_it(record, depth, prefix, case, blank):
    """A name without suffix covers the alleles under it that are expressed as such, and lists the null and
    questionable (Q) ones apart; a suffix is accepted only on a name whose alleles all carry it (a stray letter
    never makes a null)."""
    fields = record.fields[:depth]
    bare = f"{record.locus}*{':'.join(fields)}"
    under = REFERENCE.by_prefix[(record.locus, fields)]
    all_share_suffix = all(r.expression == record.expression for r in under)
    if record.expressed and record.expression != "Q":
        typing = parse_typing(_written(bare, prefix, case, blank))
        assert record.allele in typing.candidates
    elif all_share_suffix:
        typing = parse_typing(_written(bare + record.expression, prefix, case, blank))
        assert record.allele in typing.candidates
    else:
        typing = parse_typing(_written(bare, prefix, case, blank))
        assert record.allele in typing.excluded
        with pytest.raises(UnknownAlleleError, match="without the suffix"):
            parse_typing(_written(bare + record.expression, prefix, case, blank))
    assert typing.locus == record.locus
    assert typing.n_candidates == len(typing.candidates)


@LAW
@given(st.sampled_from([r for r in RECORDS if r.name_2009]), st.data())
def test_the_pre_2010_name_of_an_allele_covers_it_or_says_what_became_of_it(record, data):
    old = data.draw(st.sampled_from(record.name_2009))
    written = data.draw(st.sampled_from([old, old.replace("Cw*", "C*"), old.lower()]))
    try:
        typing = parse_typing(written)
    except UnknownAlleleError as exc:  # renamed since 2010: IPD's replacement is this very allele
        assert exc.replacement is not None and record.allele.startswith(exc.replacement.rstrip("NLSQCA"))
        return
    assert typing.kind is TypingKind.OLD_NAME
    assert record.allele in typing.candidates + typing.excluded


@LAW
@given(st.sampled_from([r for r in RECORDS if r.g_group or r.p_group]))
def test_the_g_and_p_groups_of_an_allele_cover_it(record):
    # by default a G group, like a two-field name, sets its null and questionable members aside (issue 12); the
    # strict reading counts them
    for group in filter(None, (record.g_group, record.p_group)):
        read = parse_typing(group)
        assert record.allele in read.candidates + read.excluded
        assert record.allele in parse_typing(group.lower(), count_group_nulls=True).candidates
        if record.expressed and record.expression != "Q":
            assert record.allele in read.candidates


@LAW
@given(st.sampled_from(EXPRESSED), st.sampled_from(RECORDS), st.booleans())
def test_an_allele_list_containing_an_allele_covers_it(record, other, short):
    assume(other.locus == record.locus and other.allele != record.allele)
    if short:  # a short item replaces the last fields of the first item: here all of them
        assume(len(record.fields) == len(other.fields))
        text = f"{other.allele}/{':'.join(record.fields)}{record.expression}"
    else:
        text = f"{other.allele}/{record.allele}"
    typing = parse_typing(text)
    assert typing.kind is TypingKind.ALLELE_LIST
    assert {record.allele, other.allele} <= set(typing.candidates)  # a null the list names stays a candidate


@LAW
@given(st.sampled_from(EXPRESSED))
def test_the_xx_code_and_serologic_antigens_of_an_allele_cover_it(record):
    assert record.allele in parse_typing(f"{record.locus}*{record.fields[0]}:XX").candidates
    for antigen in record.serology + record.serology_broad:
        typing = parse_typing(antigen)  # an antigen seen on the cell: Q alleles are set aside, as nulls are
        assert record.allele in (typing.candidates if record.expression != "Q" else typing.excluded)
    if record.locus == "B" and record.classified and record.epitope in ("Bw4", "Bw6"):
        assert record.allele in parse_typing(record.epitope).candidates


# ---------------------------------------------------------------------------------------------- focused examples


@pytest.mark.parametrize(
    "text, normalized, kind",
    [
        ("C*0702", "C*07:02", TypingKind.OLD_NAME),
        ("Cw*0702", "C*07:02", TypingKind.OLD_NAME),
        ("B*5701", "B*57:01", TypingKind.OLD_NAME),
        ("A*02010101", "A*02:01:01:01", TypingKind.OLD_NAME),
        ("C*010201", "C*01:02:01", TypingKind.OLD_NAME),
        ("A*03012", "A*03:01:02", TypingKind.OLD_NAME),  # 1990s form: not A*03:012
        ("A*9201", "A*02:101", TypingKind.OLD_NAME),  # 2009 overflow group, from Nomenclature_2009
        ("C*07:XX", "C*07:XX", TypingKind.XX_CODE),
        ("C*07:01:01G", "C*07:01:01G", TypingKind.G_GROUP),
        ("C*07:01P", "C*07:01P", TypingKind.P_GROUP),
        ("C7", "Cw7", TypingKind.SEROLOGY),
        ("C*07:01/02", "C*07:01/C*07:02", TypingKind.ALLELE_LIST),
    ],
)
def test_normalized_form_and_kind(text, normalized, kind):
    typing = parse_typing(text)
    assert (typing.normalized, typing.kind, typing.original) == (normalized, kind, text)


def test_old_names_equal_their_current_names():
    assert set(parse_typing("Cw*0702").candidates) == set(parse_typing("C*07:02").candidates)
    excluded = parse_typing("C*0702").excluded
    assert "C*07:02:01:17N" in excluded and all(a.endswith(("N", "Q")) for a in excluded)
    assert parse_typing("A*03012").candidates == ("A*03:01:02",)
    assert "1990s" in parse_typing("A*03012").note


def test_serology_covers_splits_and_broads():
    assert {r.serology for r in map(REFERENCE.by_name.get, parse_typing("B5").candidates)} >= {("B51",), ("B52",)}
    cw7 = parse_typing("Cw7").candidates
    assert "C*07:01:01:01" in cw7 and "C*07:02:01:01" in cw7
    a9 = [REFERENCE.by_name[name] for name in parse_typing("A9").candidates]
    assert {r.allele[:4] for r in a9} >= {"A*23", "A*24"}
    assert all({"A9", "A23", "A24", "A2403"} & set(r.serology + r.serology_other) for r in a9)
    assert classify("Bw4").ligand is Ligand.BW4
    # serologic Bw6 is Arg82-Gly83, which B*46:01 and B*73:01 share: a Bw6 typing may carry the C1 epitope (and,
    # by inference from Val76-Lys80, the C2 epitope of B*35:570)
    bw6 = classify("Bw6")
    assert bw6.ligand is None and set(bw6.possible_ligands) == {Ligand.C1, Ligand.C2, Ligand.BW6}
    assert "B*46:01:01:01" in parse_typing("Bw6").candidates
    with pytest.raises(UnknownAlleleError, match="serologic"):
        parse_typing("B99")


def test_g_groups_set_their_nulls_aside_unless_counted():
    # issue 12: NGS labs report a G group for the expressed allele they found, as a two-field name does
    g = parse_typing("B*08:01:01G")
    assert "B*08:19N" in g.excluded and "B*08:19N" not in g.candidates
    assert classify("B*08:01:01G").status is CallStatus.DETERMINED
    strict = parse_typing("B*08:01:01G", count_group_nulls=True)
    assert "B*08:19N" in strict.candidates
    assert classify("B*08:01:01G", count_group_nulls=True).status is CallStatus.AMBIGUOUS
    assert all(REFERENCE.by_name[a].expressed for a in parse_typing("C*07:01P").candidates)


def test_a_list_naming_a_null_is_ambiguous_with_none_possible():
    call = classify("B*08:01/B*08:19N")
    assert call.status is CallStatus.AMBIGUOUS
    assert call.ligand is None
    assert set(call.possible_ligands) == {Ligand.BW6, Ligand.NONE}


@pytest.fixture
def mac_file(tmp_path):
    path = tmp_path / "numer.v3.txt"
    path.write_text(
        "LAST UPDATED: 10/09/24\n*\tCODE\tSUBTYPE\n\n\tAB\t01/02\n*\tBJXF\t44:02/44:03\n\tNUL\t08:01/08:19N/08:109\n",
        encoding="utf-8",
    )
    return path


def test_mac_codes_from_a_user_file(mac_file, monkeypatch):
    monkeypatch.delenv(MAC_ENV, raising=False)
    ab = parse_typing("C*07:AB", mac_table=mac_file)
    assert ab.kind is TypingKind.MAC_CODE
    assert set(ab.candidates) == set(parse_typing("C*07:01/C*07:02").candidates)
    assert set(parse_typing("B*44:BJXF", mac_table=str(mac_file)).candidates) == set(
        parse_typing("B*44:02/B*44:03").candidates
    )
    call = classify("B*08:NUL", mac_table=mac_file)
    assert call.status is CallStatus.AMBIGUOUS and Ligand.NONE in call.possible_ligands
    assert parse_typing("C*07:AB", mac_table={"AB": "01/02"}).candidates == ab.candidates
    with pytest.raises(UnknownAlleleError, match="ZZZ"):
        parse_typing("C*07:ZZZ", mac_table=mac_file)
    monkeypatch.setenv(MAC_ENV, str(mac_file))
    assert parse_typing("C*07:AB").candidates == ab.candidates


def test_a_mac_code_without_a_table_says_how_to_supply_one(monkeypatch, tmp_path):
    monkeypatch.delenv(MAC_ENV, raising=False)
    with pytest.raises(MacTableError, match=MAC_ENV) as caught:
        parse_typing("C*07:AB")
    assert "mac_table=" in str(caught.value) and "'C*07:AB'" in str(caught.value)
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(MacTableError, match="no code lines"):
        parse_typing("C*07:AB", mac_table=empty)
    with pytest.raises(MacTableError, match="cannot be read"):
        parse_typing("C*07:AB", mac_table=tmp_path / "missing.txt")


@pytest.mark.parametrize(
    "text, replacement",
    [("A*02:01:08", "A*02:1040"), ("A*020108", "A*02:1040"), ("A*0105N", "A*01:04:01:01N"), ("B*0806", "B*08:20:01")],
)
def test_deleted_and_renamed_alleles_say_what_ipd_says(text, replacement):
    with pytest.raises(UnknownAlleleError) as caught:
        parse_typing(text)
    assert caught.value.replacement == replacement
    assert replacement in str(caught.value) and "IPD-IMGT/HLA lists it as" in str(caught.value)


@pytest.mark.parametrize("text", ["", "C*", "Z*01:01", "C*07:02;DROP", "C" * 10_000, "C*07\x07", "C\uff0a07:02", "702"])
def test_bad_text_is_an_allele_name_error(text):
    with pytest.raises(AlleleNameError):
        parse_typing(text)
    with pytest.raises(AlleleNameError):
        classify(text)


def test_typing_is_frozen_and_picklable():
    typing = parse_typing("C*07:01/02")
    assert isinstance(typing, Typing)
    assert pickle.loads(pickle.dumps(typing)) == typing
    with pytest.raises(pydantic.ValidationError):
        typing.note = "changed"  # type: ignore[misc]
    assert "allele_list" in str(typing)


def test_public_api_exports():
    for name in ("parse_typing", "parse_gl_string", "Typing", "GLString", "MacTableError", "TypingKind"):
        assert name in kirmatch.__all__ and hasattr(kirmatch, name)


def test_cli_accepts_the_new_forms_and_a_mac_file(mac_file, monkeypatch):
    monkeypatch.delenv(MAC_ENV, raising=False)
    out, err = io.StringIO(), io.StringIO()
    code = main(["classify", "Cw*0702", "C*07:XX", "Bw4", "B*08:NUL", "--mac-file", str(mac_file)], out=out, err=err)
    assert code == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("C*07:02\tC\tC1")
    assert "Bw6/none?" in lines[4]
    out, err = io.StringIO(), io.StringIO()
    assert main(["classify", "B*08:NUL"], out=out, err=err) == 1
    assert "--mac-file" in err.getvalue()
