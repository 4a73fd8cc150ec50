"""Fuzzing the text entry points: the designation reader, GL strings, genotype slots, the command line and CSV cells.

Any text gives a result or a ``KirmatchError`` (argparse usage errors: ``SystemExit(2)``); anything else is a bug.
The texts are arbitrary strings and, more to the point, near misses: real designations of the release (drawn with
:mod:`kirmatch.strategies`) with a few characters inserted, deleted or replaced, so that the reader is driven deep
into its grammar. The number of examples is bounded so that CI stays fast; set ``KIRMATCH_FUZZ_EXAMPLES`` (default
200) for a longer hunt.
"""

from __future__ import annotations

import contextlib
import io
import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kirmatch import (
    Genotype,
    KirmatchError,
    UnknownAlleleError,
    classify,
    parse_gl_string,
    parse_typing,
)
from kirmatch import strategies as kst
from kirmatch.cli import main
from kirmatch.frame import ligand_profiles, mismatch_against

FUZZ = settings(max_examples=int(os.environ.get("KIRMATCH_FUZZ_EXAMPLES", "200")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
GRAMMAR = "ABCWabcwGPNLSQXx*:/^|+~-. 0123456789HL\t\n\x00é"


@st.composite
def near_misses(draw, base: st.SearchStrategy[str]) -> str:
    """``base`` text with one to three characters inserted, deleted or replaced (grammar characters mostly)."""
    text = list(draw(base))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "delete", "replace"]))
        char = draw(st.one_of(st.sampled_from(GRAMMAR), st.characters()))
        if how == "insert":
            text.insert(where, char)
        elif text and where < len(text):
            if how == "delete":
                del text[where]
            else:
                text[where] = char
    return "".join(text)


designations = kst.allele_names(style=kst.STYLES) | kst.allele_names(resolution=2, style=("current", "lower"))
gl_texts = kst.gl_strings(allow_ambiguity=True, allow_alternatives=True, allow_missing=True) | kst.gl_strings(
    phased=True
)
any_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=GRAMMAR, max_size=30),
    near_misses(designations),
    kst.malformed_names(),
)


# ----------------------------------------------------------------------------------------- one designation


@FUZZ
@given(any_text)
@example("C*07:02")
@example("Cw*0702")
def test_any_text_is_a_typing_and_a_call_or_a_kirmatch_error(text):
    try:
        typing = parse_typing(text)
    except KirmatchError:
        with pytest.raises(KirmatchError):
            classify(text)
        return
    call = classify(text)
    assert typing.n_candidates >= 1 and call.n_alleles == typing.n_candidates


@FUZZ
@given(st.from_regex(r"(HLA-)?[ABCabc]\*[0-9]{2}(:[0-9]{2,4}){0,3}[NLSQCAnlsqca]?", fullmatch=True))
def test_well_formed_names_are_known_or_unknown_never_other(text):
    try:
        call = classify(text)
    except UnknownAlleleError as exc:
        assert exc.input is not None
        return
    assert call.n_alleles > 0 and call.locus == text.split("*")[0][-1].upper()


@FUZZ
@given(any_text, st.sampled_from("ABC"))
def test_any_text_in_a_genotype_slot_is_accepted_or_refused_naming_the_slot(text, locus):
    try:
        Genotype(**{locus.lower(): (text, None)})
    except KirmatchError as exc:
        if text.strip() not in ("", "-"):
            assert f"HLA-{locus} allele 1" in str(exc)


# ----------------------------------------------------------------------------------------------- GL strings


@FUZZ
@given(st.one_of(near_misses(gl_texts), gl_texts, st.text(alphabet=GRAMMAR, max_size=60)))
def test_any_gl_text_is_a_genotype_or_a_kirmatch_error(text):
    try:
        gl = parse_gl_string(text)
    except KirmatchError:
        gl = None
    try:
        genotype = Genotype.coerce(text)
    except KirmatchError:
        return
    assert gl is not None  # Genotype.coerce reads GL text through parse_gl_string
    assert isinstance(genotype, Genotype)


# ---------------------------------------------------------------------------------------------- command line

_OPTIONS = ["--json", "--explain", "--model", "--bw4-policy", "--donor-kir", "--no-b-locus-c1", "--mac-file", "-h",
            "--donor", "--recipient", "receptor-ligand", "b-only", "2DL1,3DL1", "-"]


@st.composite
def argvs(draw) -> list[str]:
    command = draw(st.sampled_from(["classify", "match", "info", "", "screen-typo"]))
    tokens = draw(st.lists(st.one_of(designations, any_text, st.sampled_from(_OPTIONS)), max_size=14))
    if command == "match" and draw(st.booleans()):  # a well-formed skeleton, so that matching itself runs
        six = [draw(kst.allele_names(locus)) for locus in "AABBCC"]
        tokens = ["--donor", *six, "--recipient", draw(gl_texts), *tokens]
    return ([command] if command else []) + tokens


@FUZZ
@given(argvs())
def test_the_command_line_returns_an_exit_code_or_a_usage_error(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = main(argv, out=out, err=err)
        except SystemExit as exc:  # argparse: usage error (2), or -h (0)
            assert exc.code in (0, 2)
            return
    assert code in (0, 1)
    if code == 1:
        assert err.getvalue().startswith("kirmatch ")


# ------------------------------------------------------------------------------------------------ CSV cells

_CELL = st.one_of(st.none(), any_text, designations)


@st.composite
def text_frames(draw) -> pd.DataFrame:
    rows = draw(st.lists(st.fixed_dictionaries({c: _CELL for c in ["A1", "A2", "B1", "B2", "C1", "C2"]}), max_size=6))
    frame = pd.DataFrame(rows, columns=["A1", "A2", "B1", "B2", "C1", "C2"], dtype=object)
    if draw(st.booleans()):  # through a CSV file, read as `kirmatch screen` reads it: strings, NA for empty cells
        text = frame.map(_storable).to_csv(index=False)
        frame = pd.read_csv(io.StringIO(text), dtype="string", keep_default_na=False, na_values=[""])
    return frame


def _storable(cell: object) -> object:
    """A cell as a UTF-8 file can hold it (lone surrogates cannot be written)."""
    return cell.encode("utf-8", "replace").decode("utf-8") if isinstance(cell, str) else cell


@FUZZ
@given(text_frames())
def test_csv_cells_flag_bad_rows_and_keep_every_row(frame):
    profiles = ligand_profiles(frame, errors="flag")
    assert list(profiles.index) == list(frame.index)
    mismatch = mismatch_against(frame, {"C": ("C*07:02", "C*03:04")}, errors="flag")
    assert list(mismatch.index) == list(frame.index)
    for i in range(len(frame)):
        bad = profiles["kir_error"].iloc[i]
        assert pd.isna(bad) == pd.notna(profiles["kir_C1"].iloc[i])
        assert pd.isna(bad) == pd.isna(mismatch["kir_error"].iloc[i])
