"""kirmatch.strategies keeps its promises: every drawn value is what the strategy says, checked with the public API
(never with the pools the strategies are built from), bad arguments are refused at once, and the types are
registered with hypothesis."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import kirmatch
from kirmatch import (
    AlleleNameError,
    CallStatus,
    Genotype,
    KirGenotype,
    KirLigand,
    Ligand,
    Presence,
    TypingKind,
    classify,
    kir_ligand_mismatch,
    parse_gl_string,
    parse_typing,
)
from kirmatch import strategies as kst

P, A, Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
PROMISE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------------------ allele names


@PROMISE
@given(st.data(), st.sampled_from(["C1", "C2", "Bw4", "Bw6", "none"]), st.sampled_from([None, 1, 2, 3, 4]))
def test_a_ligand_strategy_yields_only_names_that_classify_as_that_ligand(data, ligand, resolution):
    try:
        names = kst.allele_names(ligand=ligand, resolution=resolution)
    except InvalidArgument:  # e.g. no 1-field name is Bw6 for certain
        assert resolution == 1
        return
    call = classify(data.draw(names))
    assert call.ligand is Ligand(ligand) and call.determined


@PROMISE
@given(st.sampled_from("ABC"), st.sampled_from(["C1", "C2", "Bw4", "Bw6", "none"]), st.data())
def test_locus_and_ligand_together(locus, ligand, data):
    try:
        names = kst.allele_names(locus, ligand=ligand)
    except InvalidArgument:  # HLA-A never carries C1, C2 or Bw6; HLA-C never Bw4 or Bw6
        assert (locus, ligand) in {("A", "C1"), ("A", "C2"), ("A", "Bw6"), ("B", "C2"), ("C", "Bw4"), ("C", "Bw6")}
        return
    call = classify(data.draw(names))
    assert call.locus == locus and call.ligand is Ligand(ligand)


@PROMISE
@given(kst.allele_names(bw4_80="80I"), kst.allele_names(bw4_80="80T"))
def test_bw4_subtypes(i, t):
    assert classify(i).ligand is Ligand.BW4 and classify(i).bw4_80 == "80I"
    assert classify(t).ligand is Ligand.BW4 and classify(t).bw4_80 == "80T"


@PROMISE
@given(kst.allele_names(expressed=False, resolution=2), kst.allele_names(expressed=False), kst.allele_names(expressed=True))
def test_nulls_are_null_and_expressed_are_expressed(null2, null, expressed):
    for name in (null2, null):
        call = classify(name)
        assert call.status is CallStatus.NOT_EXPRESSED and call.expressed is False and call.ligand is Ligand.NONE
    assert classify(expressed).expressed is True


@PROMISE
@given(st.integers(1, 4), st.data())
def test_resolution_is_the_number_of_fields(k, data):
    name = data.draw(kst.allele_names(resolution=k))
    read = kirmatch.parse_designation(name)
    assert read.kind is TypingKind.ALLELE and len(read.fields) == k


@PROMISE
@given(st.sampled_from(kst.STYLES), st.data())
def test_each_style_reads_as_its_kind(style, data):
    name = data.draw(kst.allele_names(style=style))
    kind = {"current": TypingKind.ALLELE, "hla_prefix": TypingKind.ALLELE, "lower": TypingKind.ALLELE}.get(style)
    typing = parse_typing(name)
    assert typing.kind is (kind or TypingKind(style))
    if style == "hla_prefix":
        assert name.startswith("HLA-")
    if style == "lower":
        assert name == name.lower()


@PROMISE
@given(st.sampled_from([None, 2, 3, 4]), st.data())
def test_old_names_parse_back_to_the_allele_they_were_written_from(resolution, data):
    """The pre-2010 spelling covers the allele whose current name, cut to the same fields, it stands for."""
    old = data.draw(kst.allele_names(style="old_name", resolution=resolution))
    typing = parse_typing(old)
    assert typing.kind is TypingKind.OLD_NAME
    current = typing.normalized.split("/")
    for name in current:  # every current prefix it maps to covers alleles it covered
        assert set(parse_typing(name).candidates + parse_typing(name).excluded) & set(typing.candidates + typing.excluded)
    if resolution is not None:
        assert all(len(name.rstrip("NLSQCA").split("*")[1].split(":")) == resolution for name in current)


@PROMISE
@given(kst.allele_names(style=("hla_prefix", "lower"), ligand="C1"), kst.allele_names(style="g_group", ligand="C2"))
def test_styles_combine_with_ligands(respelled, group):
    assert classify(respelled).ligand is Ligand.C1
    assert classify(group).ligand is Ligand.C2


def test_pools_shrink_to_common_alleles():
    assert find(kst.allele_names(), lambda name: True) == "A*02:01:01:01"
    assert find(kst.allele_names("B", resolution=2), lambda name: True) == "B*07:02"
    assert find(kst.allele_names("C", resolution=2), lambda name: True) == "C*07:02"
    assert find(kst.allele_names("C", ligand="C2", resolution=2), lambda name: True) == "C*04:01"
    assert find(kst.allele_names(style="serology", locus="C"), lambda name: True) == "Cw7"


@PROMISE
@given(kst.malformed_names())
def test_malformed_names_raise_allele_name_error(text):
    with pytest.raises(AlleleNameError):
        classify(text)


# --------------------------------------------------------------------------------------------------- genotypes


@PROMISE
@given(kst.genotypes(homozygous=True, allow_nulls=False), kst.genotypes(homozygous=False, loci="AC"))
def test_genotype_options(homozygous, heterozygous):
    for pair in (homozygous.a[0], homozygous.b[0], homozygous.c[0]):
        assert pair[0] == pair[1] and pair[0] is not None
        assert classify(pair[0]).expressed is True
    assert heterozygous.b == ((None, None),)
    for pair in (heterozygous.a[0], heterozygous.c[0]):
        assert pair[0] != pair[1] and None not in pair


@PROMISE
@given(kst.genotypes(allow_missing=True, allow_nulls=True))
def test_genotypes_are_genotypes_and_missing_slots_are_none(g):
    assert isinstance(g, Genotype) and not g.has_alternatives
    assert 0 <= g.n_missing <= 6
    assert Genotype.from_gl(str(g)) == g  # str() is a GL string that reads back


def test_genotypes_do_draw_nulls_homozygous_loci_and_missing_slots():
    find(kst.genotypes(loci="C"), lambda g: any(classify(d).expressed is False for d in g.designations))
    find(kst.genotypes(loci="C", allow_missing=True), lambda g: g.n_missing > 4)
    find(kst.genotypes(loci="C"), lambda g: g.c[0][0] == g.c[0][1])


@PROMISE
@given(kst.gl_strings(allow_ambiguity=True, allow_alternatives=True, allow_missing=True, style=("current", "hla_prefix")))
def test_gl_strings_read(text):
    gl = parse_gl_string(text)
    assert [locus.locus for locus in gl.loci] == ["A", "B", "C"]
    assert Genotype.from_gl(text).designations


@PROMISE
@given(kst.gl_strings(phased=True, loci="BC"))
def test_phased_gl_strings_read(text):
    assert "~" in text and "^" not in text
    assert Genotype.from_gl(text).a == ((None, None),)


@PROMISE
@given(kst.kir_genotypes(allow_untyped=False))
def test_kir_genotypes(kir):
    assert isinstance(kir, KirGenotype)
    assert all(kir.gene(g).certain for g in ("2DL1", "2DL2", "2DL3", "3DL1", "3DL2"))


@PROMISE
@given(kst.typing_frames(min_size=1, max_size=5, prefix="donor_"))
def test_typing_frames(frame):
    assert list(frame.columns) == ["donor_A1", "donor_A2", "donor_B1", "donor_B2", "donor_C1", "donor_C2"]
    assert 1 <= len(frame) <= 5
    out = kirmatch.frame.ligand_profiles(frame, prefix="donor_")
    assert out["kir_error"].isna().all()


# ------------------------------------------------------------------------------------------------------ pairs


def _haplotype_shared(donor: Genotype, recipient: Genotype) -> bool:
    """Some choice of one allele per locus is in both: the (unphased) trace of a shared haplotype."""
    return all(set(donor[locus][0]) & set(recipient[locus][0]) - {None} for locus in "ABC")


@PROMISE
@given(kst.donor_recipient_pairs(relation="haploidentical", allow_missing=True))
def test_a_haploidentical_pair_shares_one_allele_per_locus(pair):
    donor, recipient = pair
    assert _haplotype_shared(donor, recipient)


@settings(max_examples=20, deadline=None)
@given(kst.haplotypes(), kst.haplotypes(), kst.haplotypes())
def test_haploidentical_pairs_are_built_from_one_shared_haplotype(shared, d, r):
    """Unphased genotypes cannot show phase; the construction can: the shared alleles are one drawn haplotype."""
    donor, recipient = kst._haploidentical((shared, d, r, (False,) * 6))
    for locus in "ABC":
        assert Genotype(**{locus.lower(): (shared[locus], None)})[locus][0][0] in donor[locus][0]
        assert Genotype(**{locus.lower(): (shared[locus], None)})[locus][0][0] in recipient[locus][0]


@PROMISE
@given(kst.donor_recipient_pairs(relation="identical", allow_missing=True))
def test_an_identical_pair_is_one_genotype(pair):
    assert pair[0] == pair[1]


@PROMISE
@given(st.sampled_from(["C1", "C2", "Bw4"]), st.sampled_from(["all", "exclude-weak", "b-only"]), st.booleans(), st.data())
def test_a_gvh_incompatible_pair_is_gvh_incompatible_for_its_ligand(ligand, policy, b_c1, data):
    options = {"bw4_policy": policy, "b_locus_c1": b_c1}
    donor, recipient = data.draw(kst.donor_recipient_pairs(relation="gvh_incompatible", ligand=ligand, **options))
    m = kir_ligand_mismatch(donor, recipient, **options)
    assert m.gvh(ligand) is P and m.gvh_incompatible is P
    assert KirLigand(ligand) in m.gvh_ligands


@PROMISE
@given(st.sampled_from(["all", "exclude-weak", "b-only"]), st.booleans(), st.data())
def test_a_compatible_pair_is_compatible(policy, b_c1, data):
    options = {"bw4_policy": policy, "b_locus_c1": b_c1}
    donor, recipient = data.draw(kst.donor_recipient_pairs(relation="compatible", **options))
    assert kir_ligand_mismatch(donor, recipient, **options).gvh_incompatible is A


# ------------------------------------------------------------------------------------------- argument checking


@pytest.mark.parametrize(
    "call",
    [
        lambda: kst.allele_names("D"),
        lambda: kst.allele_names([]),
        lambda: kst.allele_names(ligand="C3"),
        lambda: kst.allele_names(ligand=[]),
        lambda: kst.allele_names(bw4_80="80X"),
        lambda: kst.allele_names(ligand="C2", bw4_80="80I"),
        lambda: kst.allele_names(ligand="C2", expressed=False),
        lambda: kst.allele_names(expressed="yes"),
        lambda: kst.allele_names(resolution=0),
        lambda: kst.allele_names(resolution=5),
        lambda: kst.allele_names(resolution=True),
        lambda: kst.allele_names(resolution=2, style="serology"),
        lambda: kst.allele_names(resolution=1, style="old_name"),
        lambda: kst.allele_names(style="latin"),
        lambda: kst.allele_names(style=()),
        lambda: kst.allele_names("A", ligand="C2"),
        lambda: kst.allele_names("C", style="serology", expressed=False),
        lambda: kst.genotypes(loci="ABD"),
        lambda: kst.genotypes(homozygous="yes"),
        lambda: kst.genotypes(allow_nulls=None),
        lambda: kst.gl_strings(phased=True, allow_missing=True),
        lambda: kst.gl_strings(allow_ambiguity=1),
        lambda: kst.kir_genotypes(allow_untyped="no"),
        lambda: kst.donor_recipient_pairs(relation="sibling"),
        lambda: kst.donor_recipient_pairs(relation="gvh_incompatible", ligand="Bw6"),
        lambda: kst.donor_recipient_pairs(relation="compatible", ligand="C2"),
        lambda: kst.donor_recipient_pairs(relation="compatible", allow_missing=True),
        lambda: kst.donor_recipient_pairs(bw4_policy="weak"),
        lambda: kst.typing_frames(min_size=3, max_size=2),
        lambda: kst.typing_frames(min_size=-1),
        lambda: kst.typing_frames(prefix=1),
    ],
)
def test_bad_arguments_raise_invalid_argument_at_once(call):
    with pytest.raises(InvalidArgument):
        call()


# ------------------------------------------------------------------------------------------ type registration


@PROMISE
@given(
    st.from_type(Genotype),
    st.from_type(KirGenotype),
    st.from_type(kirmatch.AlleleName),
    st.from_type(kirmatch.LigandCall),
    st.from_type(kirmatch.GLString),
)
def test_from_type_draws_kirmatch_values(g, kir, name, call, gl):
    assert isinstance(g, Genotype) and isinstance(kir, KirGenotype)
    assert isinstance(name, kirmatch.AlleleName) and isinstance(call, kirmatch.LigandCall)
    assert isinstance(gl, kirmatch.GLString)


class Transplant:
    """A user's own class with kirmatch-typed arguments, built by st.builds through the registered strategies."""

    def __init__(self, donor: Genotype, recipient: Genotype, donor_kir: KirGenotype) -> None:
        self.result = kir_ligand_mismatch(donor, recipient, model="receptor-ligand", donor_kir=donor_kir)


@settings(max_examples=20, deadline=None)
@given(st.builds(Transplant), st.from_type(kirmatch.KirLigandMismatch), st.from_type(kirmatch.LigandProfile))
def test_builds_resolves_kirmatch_arguments(transplant, mismatch, profile):
    assert isinstance(transplant.result, kirmatch.KirLigandMismatch)
    assert isinstance(mismatch, kirmatch.KirLigandMismatch) and isinstance(profile, kirmatch.LigandProfile)


def test_the_setup_hook_is_idempotent_and_lazy():
    kst._hypothesis_setup_hook()
    assert isinstance(find(st.from_type(kirmatch.Typing), lambda t: True), kirmatch.Typing)
    code = (
        "import kirmatch.strategies, kirmatch.reference as r, sys; "
        "print(r._reference_at.cache_info().currsize, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False"]  # registering loaded neither the table nor pandas


def test_without_hypothesis_the_import_error_says_what_to_install():
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import kirmatch.strategies\nexcept ImportError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "kirmatch[test]"' in done.stdout and "kirmatch[hypothesis]" in done.stdout


@pytest.mark.parametrize("first", ["hypothesis", "kirmatch.strategies"])
def test_the_entry_point_in_pyproject_registers_the_types_when_hypothesis_is_imported(tmp_path, first):
    """What an installed kirmatch does: pyproject's ``hypothesis`` entry point, read by hypothesis on import,
    whichever of hypothesis and kirmatch.strategies a user imports first (a circular import would break both)."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    points = project["entry-points"]["hypothesis"]
    info = tmp_path / f"kirmatch-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: kirmatch\nVersion: {project['version']}\n")
    (info / "entry_points.txt").write_text("[hypothesis]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()))
    code = (
        "import sys\n"
        f"import {first}\n"
        "from hypothesis import find, strategies as st\n"
        "import kirmatch\n"
        "# unregistered, from_type would build KirGenotype() with every gene 'possible'\n"
        "kir = find(st.from_type(kirmatch.KirGenotype), lambda k: k.kir2dl1 is kirmatch.Presence.ABSENT)\n"
        "print('kirmatch.strategies' in sys.modules, kir.kir2dl1.value)\n"
    )
    env = {"PYTHONPATH": f"{root / 'src'}{':'}{tmp_path}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "absent"]
