"""Laws for the fast paths of a new donor-recipient pair (issue 15): each equals the checked construction it skips.

* The GL reader for the usual shape (``^``-joined loci of one or two ``+``-joined alleles, cached per allele) gives
  the Genotype the full reader gives, or steps aside (None) so that the full reader reads the text and names its
  problem.
* A person's ligands, read compactly per slot, equal the evidence the module docstring of `kirmatch.profile`
  defines, computed here slot by slot from the public `slot_planes` / `slot_support`.
* A match result built without validation equals its validated copy, and each row says what the two profiles say.
* A designation's candidates read as positions in the table (allele names, XX codes: no record built) are the
  candidates `resolve_text` gives, or its error; the ligand bits worked out per distinct allele traits are each
  allele's `record_bits`.
"""

from __future__ import annotations

import json
import pickle

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kirmatch import (
    MODELS,
    Bw4Policy,
    Genotype,
    KirLigand,
    KirLigandMismatch,
    LigandProfile,
    Presence,
    kir_ligand_mismatch,
    ligand_profile,
)
from kirmatch import strategies as kst
from kirmatch._errors import KirmatchError
from kirmatch.genotype import _simple_gl
from kirmatch.hla_typing import candidates, resolve_text
from kirmatch.mismatch import LigandComparison
from kirmatch.pools import DEFAULT_READING, Reading
from kirmatch.profile import _position_bits, candidate_planes, genotype_planes, record_bits, slot_planes, slot_support
from kirmatch.reference import AlleleTraits, get_reference

P, A, Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
LAWS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
policies = st.sampled_from(list(Bw4Policy))

plain_gl = st.one_of(
    kst.genotypes(allow_missing=True).map(str),
    kst.genotypes(resolution=2, allow_missing=True).map(str),
    kst.genotypes(style=kst.STYLES).map(str),
    kst.gl_strings(allow_ambiguity=True, allow_missing=True),
)
any_gl = st.one_of(plain_gl, kst.gl_strings(allow_ambiguity=True, allow_alternatives=True, allow_missing=True))

# ways a GL string goes wrong, or merely looks unusual: each must be read as the full reader reads it
_EDITS = [
    lambda s: s,
    lambda s: s.lower(),
    lambda s: f"  {s}\t",
    lambda s: s.replace("+", " + "),
    lambda s: s.replace("^", " ^ "),
    lambda s: s.replace("*", "-", 1),
    lambda s: s + "^",
    lambda s: "^" + s,
    lambda s: s + "+",
    lambda s: s.replace("+", "++", 1),
    lambda s: s.replace("^", "^^", 1),
    lambda s: s + "^" + s.split("^")[0],
    lambda s: s.replace("+", "~", 1),
    lambda s: s.replace("+", "|", 1),
    lambda s: s.replace(":", "", 1),
    lambda s: s.replace("A*", "B*", 1),
    lambda s: s.replace("C*", "DRB1*", 1),
    lambda s: s.replace("*", "\uff0a", 1),
    lambda s: "HLA-" + s,
    lambda s: s.replace("+", "/", 1),
    lambda s: "",
    lambda s: s + "A" * 300,
]


def _read_both(text: str, homozygous: bool) -> tuple[Genotype | None, Genotype | str]:
    fast = _simple_gl(Genotype, text, homozygous)
    try:
        full: Genotype | str = Genotype._read_gl(text, homozygous_if_blank=homozygous)  # pyright: ignore[reportPrivateUsage]
    except KirmatchError as exc:
        full = f"{type(exc).__name__}: {exc}"
    return fast, full


@LAWS
@given(any_gl, st.sampled_from(range(len(_EDITS))), st.booleans())
def test_the_fast_gl_reader_gives_the_full_readers_genotype_or_steps_aside(text, edit, homozygous):
    text = _EDITS[edit](text)
    fast, full = _read_both(text, homozygous)
    if fast is None:
        return
    assert isinstance(full, Genotype), f"fast path read {text!r}, the full reader refused it: {full}"
    assert fast == full and hash(fast) == hash(full) and str(fast) == str(full)
    assert fast.model_dump() == full.model_dump() and fast.model_fields_set == full.model_fields_set
    assert Genotype.model_validate(fast.model_dump()) == fast
    assert pickle.loads(pickle.dumps(fast)) == fast
    # and from_gl, the public door, gives the same (or the same error)
    assert Genotype.from_gl(text, homozygous_if_blank=homozygous) == full


@LAWS
@given(plain_gl, st.booleans())
def test_the_fast_gl_reader_reads_every_plain_gl_string(text, homozygous):
    fast, full = _read_both(text, homozygous)
    assert isinstance(full, Genotype)
    assert fast == full


@LAWS
@given(any_gl, st.sampled_from(range(len(_EDITS))))
def test_from_gl_raises_the_full_readers_error(text, edit):
    text = _EDITS[edit](text)
    _, full = _read_both(text, False)
    try:
        got: Genotype | str = Genotype.from_gl(text)
    except KirmatchError as exc:
        got = f"{type(exc).__name__}: {exc}"
    assert got == full


# ------------------------------------------------------------------------------------------------ profiles


def _expected(g: Genotype, policy: Bw4Policy, b_c1: bool) -> list[tuple[Presence, tuple[str, ...], tuple[str, ...], object]]:
    """Per ligand (presence, alleles, possible_from, support), slot by slot as `kirmatch.profile` documents it."""
    planes = genotype_planes(g, policy, b_c1)
    out = []
    for i, ligand in enumerate(KirLigand):
        bit = ligand.bit
        presence = P if planes[0] & bit else Q if planes[1] & bit else A
        certain: dict[str, None] = {}
        maybe: dict[str, None] = {}
        support = None
        for locus, alternatives in g.loci.items():
            for pair in alternatives:
                for d in pair:
                    present, possible = slot_planes(d, locus, policy, b_c1)
                    label = d if d is not None else f"HLA-{locus} allele missing"
                    if present & bit and planes[0] & bit:
                        certain.setdefault(label)
                    elif (present | possible) & bit:
                        maybe.setdefault(label)
                        found = slot_support(d, locus, policy, b_c1)[i]
                        if found is not None and (support is None or found.rank > support.rank):
                            support = found
        out.append((
            presence,
            tuple(certain) if presence is P else (),
            tuple(k for k in maybe if k not in certain),
            support if presence is Q else None,
        ))
    return out


typings = st.one_of(
    kst.genotypes(allow_missing=True),
    kst.genotypes(resolution=1, allow_missing=True),
    kst.genotypes(style=kst.STYLES),
    kst.gl_strings(allow_ambiguity=True, allow_alternatives=True, allow_missing=True).map(Genotype.from_gl),
)


@LAWS
@given(typings, policies, st.booleans())
def test_the_compact_profile_is_the_documented_evidence(g, policy, b_c1):
    profile = ligand_profile(g, bw4_policy=policy, b_locus_c1=b_c1)
    got = [(e.presence, e.alleles, e.possible_from, e.support) for e in profile.ligands]
    assert got == _expected(g, policy, b_c1)
    assert LigandProfile.model_validate(profile.model_dump()) == profile


# ------------------------------------------------------------------------------------------------ results


pairs = st.one_of([kst.donor_recipient_pairs(relation=r) for r in kst.RELATIONS] + [st.tuples(typings, typings)])


@LAWS
@given(pairs, policies, st.booleans(), st.sampled_from(list(MODELS)), kst.kir_genotypes())
def test_a_result_equals_its_validated_copy_and_its_profiles(pair, policy, b_c1, model, kir):
    donor, recipient = pair
    m = kir_ligand_mismatch(donor, recipient, model=model, bw4_policy=policy, b_locus_c1=b_c1, donor_kir=kir)
    again = KirLigandMismatch.model_validate(m.model_dump())
    assert again == m and hash(again) == hash(m) and json.loads(again.model_dump_json()) == json.loads(m.model_dump_json())
    assert pickle.loads(pickle.dumps(m)) == m
    d = ligand_profile(donor, bw4_policy=policy, b_locus_c1=b_c1)
    r = ligand_profile(recipient, bw4_policy=policy, b_locus_c1=b_c1)
    for row, de, re_ in zip(m.ligands, d.ligands, r.ligands, strict=True):
        assert row.model_fields_set == set(LigandComparison.model_fields)
        assert (row.ligand, row.donor, row.donor_alleles, row.donor_possible, row.donor_support) == (
            de.ligand, de.presence, de.alleles, de.possible_from, de.support)
        assert (row.recipient, row.recipient_alleles, row.recipient_possible, row.recipient_support) == (
            re_.presence, re_.alleles, re_.possible_from, re_.support)
        assert row.donor_kir == (kir.receptor(row.ligand) if kir is not None else None)


def test_a_copy_with_changes_leaves_the_shared_fields_set_alone() -> None:
    m = kir_ligand_mismatch("A*01:01+A*02:01^B*08:01+B*07:02^C*07:01+C*07:02", "A*03:01^B*57:01^C*06:02")
    other = kir_ligand_mismatch("A*11:01^B*44:02^C*05:01", "A*24:02^B*51:01^C*01:02")
    before = set(m.model_fields_set)
    changed = m.ligands[0].model_copy(update={"receptor": "changed"})
    copied = m.model_copy(update={"release": "other"})
    assert changed.receptor == "changed" and copied.release == "other"
    assert m.model_fields_set == before == other.model_fields_set
    assert m.ligands[0].model_fields_set == other.ligands[0].model_fields_set == set(LigandComparison.model_fields)


designations = st.one_of(
    kst.allele_names(style=kst.STYLES),
    kst.allele_names(resolution=2, style=("current", "hla_prefix", "lower", "old_name")),
    kst.allele_names(resolution=1),
    kst.allele_names(expressed=False, resolution=2),
    kst.malformed_names(),
    kst.allele_names(resolution=2).map(lambda name: name + "N"),  # a suffix over expressed alleles: refused
    kst.allele_names(resolution=2).map(lambda name: name.replace(":", ":9", 1)),  # mostly unknown
    st.sampled_from(["A*02:XX", "C*07:XX", "B*99:XX", "a*24:xx", "B*08:AB", "Bw4", "C*04:09", "hla-c*04:09n"]),
)
readings = st.sampled_from([DEFAULT_READING, Reading.of("common"), Reading.of(count_group_nulls=True)])


def _outcome(read: object) -> object:
    try:
        return read() if callable(read) else read
    except KirmatchError as exc:
        return f"{type(exc).__name__}: {exc}"


@LAWS
@given(designations, readings, policies, st.booleans())
def test_candidates_by_position_are_the_resolved_candidates(text: str, reading: Reading, policy: Bw4Policy,
                                                            b_c1: bool) -> None:
    def by_position() -> tuple[str, tuple[object, ...], set[str]]:
        found = candidates(text, reading=reading)
        return found.normalized, found.alleles(), found.loci()

    def resolved() -> tuple[str, tuple[object, ...], set[str]]:
        resolution = resolve_text(text, reading=reading)[0]
        return resolution.normalized, resolution.candidates, {r.locus for r in resolution.candidates}

    assert _outcome(by_position) == _outcome(resolved)
    try:
        records = resolve_text(text, reading=reading)[0].candidates
    except KirmatchError:
        return
    assert candidates(text, reading=reading).same(candidates(text, reading=reading))
    assert slot_planes(text, "A", policy, b_c1, reading=reading) == candidate_planes(records, policy, b_c1)


def test_the_traits_of_every_allele_are_its_records_and_give_its_bits() -> None:
    reference = get_reference()
    keys, codes = reference.traits()
    assert len(codes) == len(reference.records) and len(set(keys)) == len(keys)
    for record, code in zip(reference.records, codes, strict=True):
        assert keys[code] == AlleleTraits(*(getattr(record, name) for name in AlleleTraits._fields))
    for policy in Bw4Policy:
        for b_c1 in (True, False):
            assert _position_bits(reference, policy, b_c1) == [record_bits(r, policy, b_c1) for r in reference.records]
