"""The law suite: properties every answer of kirmatch obeys, written against :mod:`kirmatch.strategies`.

This module is also the example of the intended style for users' own suites: draw realistic typings from the
release with ``kirmatch.strategies``, state what must hold whatever the alleles, and let hypothesis look for a
counter-example (and shrink it to common alleles such as A*02:01, B*07:02, C*07:02).

Laws here: a person matched with themself has no certain mismatch (none at all when fully typed); GvH of (donor,
recipient) is HvG of (recipient, donor); an extra recipient ligand never creates a GvH mismatch; a null in place of
an allele never adds a ligand; ``present`` is never claimed when an ambiguity of the input could remove it; the
verdict ignores allele order and spelling; spelling variants give the same classify() call; frame results equal
scalar results row by row.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kirmatch.frame
from kirmatch import (
    MODELS,
    Bw4Policy,
    Genotype,
    KirLigand,
    Presence,
    classify,
    kir_ligand_mismatch,
    ligand_profile,
)
from kirmatch import strategies as kst
from kirmatch.reference import get_reference

P, A, Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
LAWS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COLS = ["A1", "A2", "B1", "B2", "C1", "C2"]
SUFFIX = {lig: lig.value.replace("/", "_").replace("-", "_") for lig in KirLigand}

policies = st.sampled_from(list(Bw4Policy))
models = st.sampled_from(list(MODELS))

# Every way a person may be typed: full names, two fields, one field, every spelling style, missing slots, nulls,
# GL strings with allele lists and alternative genotypes.
typings = st.one_of(
    kst.genotypes(allow_missing=True),
    kst.genotypes(resolution=2, allow_missing=True),
    kst.genotypes(resolution=1),
    kst.genotypes(style=kst.STYLES),
    kst.gl_strings(allow_ambiguity=True, allow_alternatives=True, allow_missing=True).map(Genotype.from_gl),
)
pairs = st.one_of([kst.donor_recipient_pairs(relation=r) for r in kst.RELATIONS] + [st.tuples(typings, typings)])


def designations(locus: str) -> st.SearchStrategy[str]:
    """Any single designation of ``locus``: a full name, a shorter name, or any other style."""
    return st.one_of(
        kst.allele_names(locus),
        kst.allele_names(locus, resolution=2),
        kst.allele_names(locus, resolution=1),
        kst.allele_names(locus, style=kst.STYLES),
    )


def respellings(name: str) -> st.SearchStrategy[str]:
    """The same designation written as labs do: any case, with or without ``HLA-``, blanks around."""
    name = name[4:] if name[:4].upper() == "HLA-" else name
    return st.tuples(
        st.sampled_from(["", "HLA-", "hla-", "Hla-"]),
        st.sampled_from(["as is", "lower", "upper"]),
        st.sampled_from(["", " ", "\t", "  "]),
    ).map(lambda f: f[2] + f[0] + {"as is": name, "lower": name.lower(), "upper": name.upper()}[f[1]] + f[2])


def _with(g: Genotype, locus: str, pair: tuple) -> Genotype:
    values = {k.lower(): v for k, v in g.loci.items()}
    values[locus.lower()] = pair
    return Genotype(**values)


def _refines(coarse: Presence, exact: Presence) -> bool:
    """A coarse answer is sound for a finer typing when it is 'possible' or says the same."""
    return coarse is Q or coarse is exact


# ------------------------------------------------------------------------------------------ self and symmetry


@LAWS
@given(typings, policies, st.booleans())
def test_a_person_matched_with_themself_has_no_certain_mismatch(g, policy, b_c1):
    m = kir_ligand_mismatch(g, g, bw4_policy=policy, b_locus_c1=b_c1)
    assert all(c.gvh is not P and c.hvg is not P for c in m.ligands)
    assert m.gvh_incompatible is not P and m.hvg_incompatible is not P
    if all(e.presence.certain for e in ligand_profile(g, bw4_policy=policy, b_locus_c1=b_c1).ligands):
        assert all(c.gvh is A and c.hvg is A for c in m.ligands)
        assert m.gvh_incompatible is A and m.alloreactive_nk == ()


@LAWS
@given(kst.genotypes(), policies)
def test_a_fully_typed_person_matched_with_themself_has_no_mismatch_at_all(g, policy):
    """Full names, nothing missing: every ligand is decided unless an allele could not be classified, is of
    questionable expression (Q) or carries the HLA-B C1 residues by sequence inference only."""
    m = kir_ligand_mismatch(g, g, bw4_policy=policy)
    undecided = [
        d
        for d in g.designations
        for call in [classify(d)]
        if call.ligand is None or d.endswith("Q") or "b_locus_c1_inferred" in call.flags
    ]
    if not undecided:
        assert all(c.gvh is A and c.hvg is A for c in m.ligands)


@LAWS
@given(pairs, policies, st.booleans())
def test_gvh_of_donor_and_recipient_is_hvg_of_the_swap(pair, policy, b_c1):
    d, r = pair
    forward = kir_ligand_mismatch(d, r, bw4_policy=policy, b_locus_c1=b_c1)
    backward = kir_ligand_mismatch(r, d, bw4_policy=policy, b_locus_c1=b_c1)
    assert [c.gvh for c in forward.ligands] == [c.hvg for c in backward.ligands]
    assert forward.gvh_incompatible is backward.hvg_incompatible


# ------------------------------------------------------------------------------------------------ monotonicity


@LAWS
@given(pairs, st.sampled_from("ABC"), st.data(), policies, st.booleans(), models, kst.kir_genotypes())
def test_an_extra_recipient_ligand_never_creates_gvh(pair, locus, data, policy, b_c1, model, kir):
    d, r = pair
    keep = data.draw(designations(locus))
    null = data.draw(kst.allele_names(locus, expressed=False))
    extra = data.draw(designations(locus))
    poorer, richer = _with(r, locus, (null, keep)), _with(r, locus, (extra, keep))
    options = {"bw4_policy": policy, "b_locus_c1": b_c1, "model": model, "donor_kir": kir}
    before = kir_ligand_mismatch(d, poorer, **options)
    after = kir_ligand_mismatch(d, richer, **options)
    for b, a in zip(before.ligands, after.ligands, strict=True):
        assert a.recipient.rank >= b.recipient.rank
        assert a.gvh.rank <= b.gvh.rank
    assert after.gvh_incompatible.rank <= before.gvh_incompatible.rank


@LAWS
@given(typings, st.sampled_from("ABC"), st.sampled_from([0, 1]), st.data(), policies, st.booleans())
def test_a_null_in_place_of_an_allele_never_adds_a_ligand(g, locus, slot, data, policy, b_c1):
    null = data.draw(kst.allele_names(locus, expressed=False))
    pair = list(g.loci[locus][0])
    pair[slot] = null
    before = ligand_profile(_with(g, locus, g.loci[locus][0]), bw4_policy=policy, b_locus_c1=b_c1)
    after = ligand_profile(_with(g, locus, tuple(pair)), bw4_policy=policy, b_locus_c1=b_c1)
    for b, a in zip(before.ligands, after.ligands, strict=True):
        assert a.presence.rank <= b.presence.rank


# ------------------------------------------------------------------------------------------- ambiguity is honest


@st.composite
def coarser(draw, name: str) -> str | None:
    """A typing that covers the allele ``name`` (and maybe others): a shorter name, its G or P group, its XX code,
    serologic antigen or pre-2010 name, an allele list holding it, or a missing slot."""
    record = get_reference().by_name[name]
    options: list[str | None] = [name, None]
    if record.expressed and record.expression != "Q":  # shorter names and serology set nulls and Q alleles aside
        options += [f"{record.locus}*{':'.join(record.fields[:k])}" for k in range(1, len(record.fields))]
        options += [f"{record.locus}*{record.fields[0]}:XX", *record.serology, *record.serology_broad]
        if record.p_group:
            options.append(record.p_group)
    if record.g_group and _covers(record.g_group, name):  # a G group means its expressed members (issue 12)
        options.append(record.g_group)
    other = draw(kst.allele_names(record.locus))
    if other != name:
        options.append(f"{name}/{other}")
    options += [old for old in record.name_2009 if _covers(old, name)]
    return draw(st.sampled_from(options))


def _covers(text: str, name: str) -> bool:
    try:
        typing = kirmatch.parse_typing(text)
    except kirmatch.KirmatchError:  # a pre-2010 name IPD has renamed since
        return False
    return name in typing.candidates


@st.composite
def exact_and_coarse(draw) -> tuple[Genotype, Genotype]:
    """A person typed with full names, and a coarser typing of the same person (shorter names, other forms,
    missing slots, alternative genotypes that include the true one)."""
    exact, coarse = {}, {}
    for locus in "ABC":
        pair = (draw(kst.allele_names(locus)), draw(kst.allele_names(locus)))
        exact[locus.lower()] = pair
        written = (draw(coarser(pair[0])), draw(coarser(pair[1])))
        if draw(st.booleans()):
            coarse[locus.lower()] = written
        else:  # GL-style '|': the true genotype among alternatives
            coarse[locus.lower()] = [written, (draw(kst.allele_names(locus)), draw(kst.allele_names(locus)))]
    return Genotype(**exact), Genotype(**coarse)


@LAWS
@given(exact_and_coarse(), exact_and_coarse(), policies, st.booleans(), models, kst.kir_genotypes())
def test_present_is_never_claimed_when_an_ambiguity_could_remove_it(donor, recipient, policy, b_c1, model, kir):
    """Whatever a low-resolution, ambiguous or incomplete typing says for certain holds for the exact alleles."""
    options = {"bw4_policy": policy, "b_locus_c1": b_c1}
    for exact, coarse in (donor, recipient):
        for c, f in zip(ligand_profile(coarse, **options).ligands, ligand_profile(exact, **options).ligands, strict=True):
            assert _refines(c.presence, f.presence), (c, f)
    fine = kir_ligand_mismatch(donor[0], recipient[0], model=model, donor_kir=kir, **options)
    coarse = kir_ligand_mismatch(donor[1], recipient[1], model=model, donor_kir=kir, **options)
    for c, f in zip(coarse.ligands, fine.ligands, strict=True):
        assert _refines(c.gvh, f.gvh) and _refines(c.hvg, f.hvg), (c, f)
    assert _refines(coarse.gvh_incompatible, fine.gvh_incompatible)


# --------------------------------------------------------------------------------------- order and spelling


@LAWS
@given(st.data(), policies, typings)
def test_the_verdict_ignores_allele_order_and_spelling(data, policy, recipient):
    typed = {locus: [data.draw(designations(locus)), data.draw(designations(locus))] for locus in "ABC"}
    written = {
        locus: [data.draw(respellings(name)) for name in data.draw(st.permutations(names))]
        for locus, names in typed.items()
    }
    a = kir_ligand_mismatch(typed, recipient, bw4_policy=policy)
    b = kir_ligand_mismatch(written, recipient, bw4_policy=policy)
    assert a.donor == b.donor == Genotype.from_dict(written)
    assert a.model_dump() == b.model_dump()
    assert a.verdict() == b.verdict()


@LAWS
@given(st.sampled_from("ABC").flatmap(designations).flatmap(lambda name: st.tuples(st.just(name), respellings(name))))
def test_spelling_variants_give_the_same_classify_call(pair):
    name, variant = pair
    assert classify(variant).model_dump(exclude={"query"}) == classify(name).model_dump(exclude={"query"})


# -------------------------------------------------------------------------------------- frames equal scalars


def _scalar(row: pd.Series, prefix: str = "") -> Genotype:
    return Genotype.from_strings(*[None if pd.isna(v) else v for v in row[[prefix + c for c in COLS]]])


frames = st.one_of(
    kst.typing_frames(max_size=8),
    kst.typing_frames(max_size=8, resolution=2),
    kst.typing_frames(max_size=8, style=kst.STYLES),
)


@LAWS
@given(frames, policies, st.booleans())
def test_frame_profiles_equal_the_scalar_profile_row_by_row(frame, policy, b_c1):
    out = kirmatch.frame.ligand_profiles(frame, bw4_policy=policy, b_locus_c1=b_c1)
    assert list(out.index) == list(frame.index)
    for i, row in frame.iterrows():
        scalar = ligand_profile(_scalar(row), bw4_policy=policy, b_locus_c1=b_c1)
        for ligand in KirLigand:
            assert out.at[i, f"kir_{SUFFIX[ligand]}"] == scalar.presence(ligand).value


@LAWS
@given(frames, typings)
def test_frame_mismatch_against_one_recipient_equals_the_scalar_result(frame, patient):
    out = kirmatch.frame.mismatch_against(frame, patient)
    for i, row in frame.iterrows():
        scalar = kir_ligand_mismatch(_scalar(row), patient)
        for ligand in KirLigand:
            assert out.at[i, f"kir_gvh_{SUFFIX[ligand]}"] == scalar.gvh(ligand).value
            assert out.at[i, f"kir_hvg_{SUFFIX[ligand]}"] == scalar.hvg(ligand).value
        assert out.at[i, "kir_gvh_incompatible"] == scalar.gvh_incompatible.value
        assert out.at[i, "kir_hvg_incompatible"] == scalar.hvg_incompatible.value


@st.composite
def pair_frames(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 6))
    donors = draw(kst.typing_frames(min_size=n, max_size=n, prefix="donor_"))
    recipients = draw(kst.typing_frames(min_size=n, max_size=n, prefix="recipient_", resolution=2))
    return pd.concat([donors, recipients], axis=1)


@LAWS
@given(pair_frames())
def test_frame_mismatch_pairs_equals_the_scalar_result(frame):
    out = kirmatch.frame.mismatch_pairs(frame)
    for i, row in frame.iterrows():
        scalar = kir_ligand_mismatch(_scalar(row, "donor_"), _scalar(row, "recipient_"))
        assert out.at[i, "kir_gvh_incompatible"] == scalar.gvh_incompatible.value
        for ligand in KirLigand:
            assert out.at[i, f"kir_gvh_{SUFFIX[ligand]}"] == scalar.gvh(ligand).value
