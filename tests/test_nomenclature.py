"""The grammar alone: text -> designation value objects and GL strings, and the errors for anything else."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kirmatch import AlleleNameError, GLString, KirmatchError, parse_gl_string
from kirmatch.nomenclature import (
    MAX_GL_LENGTH,
    AlleleList,
    AlleleName,
    GGroup,
    MacCode,
    OldAlleleName,
    PGroup,
    Serology,
    TypingKind,
    XXCode,
    parse_allele_name,
    parse_designation,
)

FORMS = [
    ("C*07:02", AlleleName, "C*07:02"),
    (" hla-c*07:02:01:01 ", AlleleName, "C*07:02:01:01"),
    ("Cw*07:02", AlleleName, "C*07:02"),
    ("C*0702", OldAlleleName, "Cw*0702"),
    ("Cw*0702", OldAlleleName, "Cw*0702"),
    ("B*5701", OldAlleleName, "B*5701"),
    ("A*02010101", OldAlleleName, "A*02010101"),
    ("A*03012", OldAlleleName, "A*03012"),
    ("C*07:XX", XXCode, "C*07:XX"),
    ("C*07:AB", MacCode, "C*07:AB"),
    ("B*44:bjxf", MacCode, "B*44:BJXF"),
    ("C*07:01:01G", GGroup, "C*07:01:01G"),
    ("C*07:01P", PGroup, "C*07:01P"),
    ("Cw7", Serology, "Cw7"),
    ("C7", Serology, "Cw7"),
    ("B51", Serology, "B51"),
    ("HLA-B5", Serology, "B5"),
    ("A24", Serology, "A24"),
    ("Bw4", Serology, "Bw4"),
    ("bw6", Serology, "Bw6"),
    ("Bw62", Serology, "B62"),
    ("C*07:01/C*07:02", AlleleList, "C*07:01/C*07:02"),
    ("C*07:01/02", AlleleList, "C*07:01/C*07:02"),
    ("C*07:01:01/07:02:01", AlleleList, "C*07:01:01/C*07:02:01"),
    ("B*08:01/B*08:19N", AlleleList, "B*08:01/B*08:19N"),
    ("A*0201/0205", AlleleList, "A*0201/A*0205"),
]


@pytest.mark.parametrize("text, cls, canonical", FORMS)
def test_each_form_reads_to_its_kind_and_canonical_text(text, cls, canonical):
    read = parse_designation(text)
    assert type(read) is cls
    assert str(read) == canonical
    assert parse_designation(canonical) == read  # the canonical form reads back to the same value
    assert pickle.loads(pickle.dumps(read)) == read
    assert isinstance(read.kind, TypingKind)


@pytest.mark.parametrize(
    "text, part",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("C*", "nothing after"),
        ("Z*01:01", "'Z'"),
        ("C*07:02;DROP", "';'"),
        ("C*07:02DROP", "DROP"),
        ("x" * 10_000, "longer than 200"),
        ("C*07:02\x00", "U+0000"),
        ("C\u204e07:02", "U+204E"),  # LOW ASTERISK
        ("C\uff0a07:02", "U+FF0A"),  # FULLWIDTH ASTERISK
        ("C\u221707:02", "U+2217"),  # ASTERISK OPERATOR
        ("0702", "number alone"),
        ("42", "number alone"),
        ("C*070", "3 digits"),
        ("C*070201011", "9 digits"),
        ("C*07::02", "empty field"),
        ("C*07:02:01:01:01", "more than four fields"),
        ("C*07:01/B*07:02", "locus B"),
        ("C*07:01/", "empty item"),
        ("DRB1*04:01", "DRB1"),
        ("DR4", "locus DR"),
        ("B4", "Bw4"),
        ("C*07:01:AB", "allele group alone"),
        ("C*07:ABCDEFG", "not an NMDP code"),
        ("HLA-", "nothing after"),
    ],
)
def test_bad_text_is_an_allele_name_error_quoting_it_and_naming_the_part(text, part):
    with pytest.raises(AlleleNameError) as caught:
        parse_designation(text)
    message = str(caught.value)
    assert part in message
    assert repr(text.strip()[:20])[1:-1][:8] in message or "empty" in message or "longer" in message
    assert len(message) < 400


def test_parse_allele_name_refuses_other_kinds_and_points_to_parse_designation():
    with pytest.raises(AlleleNameError, match=r"pre-2010|old name|parse_designation"):
        parse_allele_name("C*0702")
    assert parse_allele_name("C*04:09N") == AlleleName("C", ("04", "09"), "N")


def test_non_str_input_is_an_allele_name_error():
    for value in (None, 702, ["C*07:02"], b"C*07:02"):
        with pytest.raises(AlleleNameError, match="as str"):
            parse_designation(value)  # type: ignore[arg-type]
        with pytest.raises(AlleleNameError, match="as str"):
            parse_gl_string(value)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- hypothesis laws

_ALPHABET = "ABCWabcwGPNLSQX*:/^|+~- 0123456789HL"


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=_ALPHABET, max_size=40)))
def test_any_text_reads_or_raises_allele_name_error(text):
    try:
        read = parse_designation(text)
    except AlleleNameError:
        return
    assert str(parse_designation(str(read))) == str(read)  # whatever reads has a canonical form that re-reads


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=_ALPHABET, max_size=80)))
def test_any_text_is_a_gl_string_or_an_allele_name_error(text):
    try:
        gl = parse_gl_string(text)
    except AlleleNameError:
        return
    assert parse_gl_string(str(gl)) == gl


_names = st.builds(
    lambda locus, group, fields, suffix: AlleleName(
        locus, (f"{group:02d}",) + tuple(f"{f:02d}" for f in fields), suffix
    ),
    st.sampled_from("ABC"),
    st.integers(1, 99),
    st.lists(st.integers(1, 9999), max_size=3),
    st.sampled_from(["", "N", "L", "Q"]),
)


@given(_names, st.sampled_from(["", "HLA-", "hla-"]), st.booleans(), st.sampled_from(["", " ", "\t "]))
def test_current_names_read_back_however_written(name, prefix, lower, blank):
    text = f"{blank}{prefix}{str(name).lower() if lower else str(name)}{blank}"
    assert parse_designation(text) == name


@given(st.lists(_names, min_size=2, max_size=6, unique=True))
def test_allele_lists_read_back_in_full_form(names):
    same_locus = [AlleleName(names[0].locus, n.fields, n.suffix) for n in names]
    if len(set(same_locus)) < 2:
        return
    read = parse_designation("/".join(map(str, same_locus)))
    assert isinstance(read, AlleleList)
    assert read.items == tuple(dict.fromkeys(same_locus))


# --------------------------------------------------------------------------------------------------- GL strings


def test_gl_string_decomposes_per_locus():
    gl = parse_gl_string("A*01:01+A*02:01^B*08:01+B*44:02^C*07:01/C*07:02+C*05:01")
    assert isinstance(gl, GLString)
    assert [locus.locus for locus in gl.loci] == ["A", "B", "C"]
    assert gl.locus("C").genotypes == (("C*05:01", "C*07:01/C*07:02"),)
    assert gl.locus("A").genotypes == (("A*01:01", "A*02:01"),)
    assert str(gl) == "A*01:01+A*02:01^B*08:01+B*44:02^C*05:01+C*07:01/C*07:02"
    assert pickle.loads(pickle.dumps(gl)) == gl
    assert gl.original == "A*01:01+A*02:01^B*08:01+B*44:02^C*07:01/C*07:02+C*05:01"


def test_gl_string_genotype_ambiguity_phase_and_single_alleles():
    gl = parse_gl_string("A*01:01~B*08:01+A*02:01~B*44:02|A*03:01~B*07:02+A*02:01~B*44:02^C*07:02")
    assert gl.locus("A").genotypes == (("A*01:01", "A*02:01"), ("A*02:01", "A*03:01"))
    assert gl.locus("B").genotypes == (("B*08:01", "B*44:02"), ("B*07:02", "B*44:02"))
    assert gl.locus("C").genotypes == (("C*07:02", ""),)
    # order of the two chromosomes and of the loci does not matter
    assert parse_gl_string("C*07:02^B*44:02+B*08:01") == parse_gl_string("B*08:01+B*44:02^C*07:02")


@pytest.mark.parametrize(
    "text, part",
    [
        ("A*01:01+A*02:01+A*03:01", "two"),
        ("A*01:01^^B*08:01", "empty locus block"),
        ("A*01:01|", "empty genotype"),
        ("A*01:01+A*03:01^A*02:01", "two '^'"),
        ("A*01:01+B*08:01", "same loci"),
        ("A*01:01~A*02:01", "twice on one haplotype"),
        ("A*01:01+DRB1*04:01", "DRB1"),
        ("A*01:01+A*02:01;B", "';'"),
        ("A" * (MAX_GL_LENGTH + 1), "longer than"),
    ],
)
def test_bad_gl_strings(text, part):
    with pytest.raises(AlleleNameError) as caught:
        parse_gl_string(text)
    assert part in str(caught.value)


def test_long_gl_strings_are_read_in_one_pass():
    alleles = "/".join(f"A*02:{n:02d}" for n in range(1, 900))
    gl = parse_gl_string(f"{alleles}+A*01:01^B*08:01+B*07:02")
    assert gl.locus("A").genotypes[0][1].count("/") == 898


# ------------------------------------------------------------------------------------------- linear-time reading
#
# The grammar uses no regular expression: it is plain string scanning, so the Python lines it executes are a
# faithful, machine-independent measure of its work. Doubling the input must at most about double them.


def _lines_run(function, text):
    import sys

    from kirmatch import nomenclature

    nomenclature._designation.cache_clear()
    count = 0
    here = nomenclature.__file__

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == here else None

    sys.settrace(tracer)
    try:
        function(text)
    except KirmatchError:
        pass
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize(
    ("function", "make", "n"),
    [
        (parse_gl_string, lambda k: "A*01:01+" + "/".join(["A*02:01"] * k) + "^C*07:02+C*04:01", 400),
        (parse_gl_string, lambda k: "^".join(["A*01:01+A*02:01|A*01:01+A*03:01"] * k), 100),
        (parse_gl_string, lambda k: "A*01:01" + "~B*08:01" * k, 400),
        (parse_gl_string, lambda k: "(" * (20 * k), 200),
        (parse_designation, lambda k: "C*07:01" + "/02" * k, 20),
        (parse_designation, lambda k: "C*" + "0:" * k, 40),
        (parse_designation, lambda k: "HLA-" * k, 20),
        (parse_designation, lambda k: "A*01:01" + "N" * k, 40),
    ],
)
def test_reading_takes_linear_time(function, make, n):
    small, large = _lines_run(function, make(n)), _lines_run(function, make(2 * n))
    assert large <= 2.2 * small + 200, (small, large)
