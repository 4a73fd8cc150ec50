"""Which KIR ligands one person carries: from a :class:`~kirmatch.Genotype` to a three-valued ligand profile.

Built only on :func:`kirmatch.classify` and its :class:`~kirmatch.LigandCall` (status, ligand, possible ligands,
ligand counts, Bw4 subtype, KIR3DL2 ligand, flags), so every typing form ``classify`` reads works here.

Decision logic, per allele slot and ligand (C1, C2, Bw4, Bw4-80I, Bw4-80T, A3/A11):

* Which loci can carry what: HLA-C carries C1 or C2; HLA-B carries Bw4 (80I or 80T) and, when ``b_locus_c1`` is
  on (default), C1 (B*46:01, B*73:01: ``LigandCall.ligand == C1`` on HLA-B); HLA-A carries Bw4 (unless the Bw4
  policy is ``b-only``) and the KIR3DL2 ligands A3/A11.
* Missing slot: ``possible`` for every ligand its locus can carry.
* Determined call (``ligand`` set, null alleles included as ``none``): ``present`` for its ligand, ``absent`` for
  the rest. Bw4-80I / -80T are present when the call is Bw4 with that single subtype.
* Undetermined call: ``possible`` for each of ``possible_ligands`` (and subtypes in ``possible_bw4_80``);
  an ``unclassified`` count makes every ligand the locus can carry ``possible``.
* A3/A11: ``present`` when every covered allele is expressed and all are A*03 (or all A*11); ``possible`` when
  only some are (or some are null); ``absent`` otherwise.
* Bw4 policy ``exclude-weak``: a Bw4 call flagged ``bw4_weak_functional`` contributes nothing when every covered
  Bw4 allele is a weak one (A*25, B*13:01, B*13:02), and at most ``possible`` when only some may be.

A person carries a ligand by Kleene "or" over both slots of a genotype; alternative genotypes of a locus
(GL ``|``) combine by consensus (present or absent only if all agree); loci combine by "or". So ``present`` is
claimed only when no reading of the typing could remove the ligand.
"""

from __future__ import annotations

import functools
from enum import Enum

from pydantic import BaseModel, ConfigDict

from kirmatch._errors import KirmatchError, ProtocolValueError, quote
from kirmatch._frozen import trusted
from kirmatch.genotype import Genotype
from kirmatch.ligands import (
    BW4_WEAK_FUNCTIONAL_GROUPS,
    BW4_WEAK_FUNCTIONAL_PROTEINS,
    KIR3DL2_GROUPS,
    Ligand,
    LigandCall,
    classify,
)
from kirmatch.nomenclature import parse_allele_name
from kirmatch.presence import Presence, consensus
from kirmatch.reference import get_reference

__all__ = [
    "Bw4Policy",
    "KirLigand",
    "PROTOCOL_LIGANDS",
    "LigandEvidence",
    "LigandProfile",
    "ligand_profile",
    "slot_contribution",
]


class Bw4Policy(str, Enum):
    """Which Bw4 alleles count as KIR3DL1 ligands.

    * ``all`` (default): every HLA-A or -B allele with the Bw4 epitope (the protocol's "HLA-Bw4 alleles").
    * ``exclude-weak``: leave out the alleles flagged ``bw4_weak_functional`` (A*25, B*13:01, B*13:02), poor
      KIR3DL1 ligands (Stern et al. 2008; Foley et al. 2008).
    * ``b-only``: count HLA-B Bw4 only (HLA-A Bw4 contributes nothing), as in studies that type Bw4 on HLA-B.
    """

    ALL = "all"
    EXCLUDE_WEAK = "exclude-weak"
    B_ONLY = "b-only"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def coerce(cls, value: object) -> Bw4Policy:
        try:
            return cls(value)
        except ValueError:
            raise ProtocolValueError(
                f"unknown Bw4 policy {quote(value)}; use one of {', '.join(p.value for p in cls)}", input=value
            ) from None


class KirLigand(str, Enum):
    """The KIR ligands of a profile: the protocol's C1, C2 and Bw4, the Bw4 subtypes, and A3/A11 (KIR3DL2)."""

    C1 = "C1"
    C2 = "C2"
    BW4 = "Bw4"
    BW4_80I = "Bw4-80I"
    BW4_80T = "Bw4-80T"
    A3_A11 = "A3/A11"

    def __str__(self) -> str:
        return self.value


PROTOCOL_LIGANDS: tuple[KirLigand, ...] = (KirLigand.C1, KirLigand.C2, KirLigand.BW4)
"""The ligands whose absence in the recipient makes a donor KIR-ligand incompatible (Ruggeri et al. 2002)."""

_ORDER = tuple(KirLigand)
_INDEX = {ligand: i for i, ligand in enumerate(_ORDER)}
_BW4_FAMILY = (KirLigand.BW4, KirLigand.BW4_80I, KirLigand.BW4_80T)
_P, _A, _Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
_WEAK = "bw4_weak_functional"


def _carried(locus: str, policy: Bw4Policy, b_locus_c1: bool) -> frozenset[KirLigand]:
    if locus == "C":
        return frozenset({KirLigand.C1, KirLigand.C2})
    if locus == "B":
        return frozenset(_BW4_FAMILY + ((KirLigand.C1,) if b_locus_c1 else ()))
    a = {KirLigand.A3_A11}
    if policy is not Bw4Policy.B_ONLY:
        a.update(_BW4_FAMILY)
    return frozenset(a)


def _is_weak_name(allele: str) -> bool:
    group, _, rest = allele.partition(":")
    protein = f"{group}:{rest.split(':')[0]}" if rest else group
    return group in BW4_WEAK_FUNCTIONAL_GROUPS or protein.rstrip("NLSQCA") in BW4_WEAK_FUNCTIONAL_PROTEINS


def _all_bw4_weak(call: LigandCall) -> bool:
    """True when every Bw4 allele the call covers is a weak functional one (decided by name, never guessed)."""
    try:
        name = parse_allele_name(call.normalized)
    except KirmatchError:
        name = None
    if name is not None:
        if name.locus == "A" and name.fields[0] and f"A*{name.fields[0]}" in BW4_WEAK_FUNCTIONAL_GROUPS:
            return True
        if name.resolution >= 2 and name.protein in BW4_WEAK_FUNCTIONAL_PROTEINS:
            return True
    complete = call.n_alleles == len(call.alleles)
    return complete and bool(call.alleles) and all(_is_weak_name(a) for a in call.alleles)


def _kir3dl2(call: LigandCall) -> Presence:
    if call.expressed is False:
        return _A
    if call.kir3dl2 and call.expressed is True:
        return _P
    if call.kir3dl2 or "a3_a11_by_group" in call.flags:
        return _Q
    if any(a.split(":")[0] in KIR3DL2_GROUPS for a in call.alleles):
        return _Q
    return _A


def _from_call(call: LigandCall, locus: str, policy: Bw4Policy, b_locus_c1: bool) -> tuple[Presence, ...]:
    carried = _carried(locus, policy, b_locus_c1)
    unclassified = "unclassified" in call.ligand_counts
    out = dict.fromkeys(_ORDER, _A)

    def main(ligand: KirLigand, epitope: Ligand) -> Presence:
        if ligand not in carried:
            return _A
        if call.ligand is epitope:
            return _P
        if call.ligand is None and epitope in call.possible_ligands:
            return _Q
        return _Q if unclassified else _A

    out[KirLigand.C1] = main(KirLigand.C1, Ligand.C1)
    out[KirLigand.C2] = main(KirLigand.C2, Ligand.C2)
    out[KirLigand.BW4] = main(KirLigand.BW4, Ligand.BW4)
    for ligand, subtype in ((KirLigand.BW4_80I, "80I"), (KirLigand.BW4_80T, "80T")):
        if ligand not in carried:
            continue
        if call.ligand is Ligand.BW4 and call.bw4_80 == subtype:
            out[ligand] = _P
        elif subtype in call.possible_bw4_80 or unclassified:
            out[ligand] = _Q
    if policy is Bw4Policy.EXCLUDE_WEAK and _WEAK in call.flags:
        if _all_bw4_weak(call):
            weak_cap = _A if not unclassified else _Q
        else:
            weak_cap = _Q
        for ligand in _BW4_FAMILY:
            if out[ligand].rank > weak_cap.rank:
                out[ligand] = weak_cap
    if KirLigand.A3_A11 in carried:
        out[KirLigand.A3_A11] = _kir3dl2(call)
    return tuple(out[ligand] for ligand in _ORDER)


@functools.lru_cache(maxsize=65536)
def slot_contribution(
    designation: str | None, locus: str, policy: Bw4Policy = Bw4Policy.ALL, b_locus_c1: bool = True
) -> tuple[Presence, ...]:
    """What one allele slot contributes, one :class:`Presence` per :class:`KirLigand` (in enum order).

    ``designation`` ``None`` is a missing allele.
    """
    if designation is None:
        carried = _carried(locus, policy, b_locus_c1)
        return tuple(_Q if ligand in carried else _A for ligand in _ORDER)
    return _from_call(classify(designation), locus, policy, b_locus_c1)


class LigandEvidence(BaseModel):
    """Whether a person carries one KIR ligand, and which typed alleles make it so.

    ``alleles``: designations that carry it for certain (filled when ``presence`` is present);
    ``possible_from``: designations, or missing slots (``"HLA-C allele missing"``), that may carry it.
    """

    model_config = ConfigDict(frozen=True)

    ligand: KirLigand
    presence: Presence
    alleles: tuple[str, ...] = ()
    possible_from: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.presence is _P:
            return f"{self.ligand} present ({', '.join(self.alleles)})"
        if self.presence is _Q:
            return f"{self.ligand} possible ({', '.join(self.possible_from)})"
        return f"{self.ligand} absent"


class LigandProfile(BaseModel):
    """The KIR ligands one person carries, three-valued, with the policies used. Index it by ligand."""

    model_config = ConfigDict(frozen=True)

    genotype: Genotype
    ligands: tuple[LigandEvidence, ...]
    bw4_policy: Bw4Policy
    b_locus_c1: bool
    release: str

    def __getitem__(self, ligand: KirLigand | str) -> LigandEvidence:
        return self.ligands[_INDEX[_ligand(ligand)]]

    def presence(self, ligand: KirLigand | str) -> Presence:
        """present / absent / possible for one ligand."""
        return self[ligand].presence

    def __repr__(self) -> str:
        shown = ", ".join(f"{e.ligand}={e.presence.value}" for e in self.ligands)
        return f"LigandProfile({str(self.genotype)!r}: {shown})"

    def __str__(self) -> str:
        return f"{self.genotype}: " + "; ".join(str(e) for e in self.ligands) + f" (Bw4 policy {self.bw4_policy})."


def _ligand(value: KirLigand | str) -> KirLigand:
    try:
        return KirLigand(value)
    except ValueError:
        raise ProtocolValueError(
            f"unknown KIR ligand {quote(value)}; use one of {', '.join(x.value for x in KirLigand)}", input=value
        ) from None


def _slot_label(locus: str) -> str:
    return f"HLA-{locus} allele missing"


@functools.lru_cache(maxsize=16384)
def _profile(genotype: Genotype, policy: Bw4Policy, b_locus_c1: bool) -> LigandProfile:
    n = len(_ORDER)
    presence = [_A] * n
    certain: list[dict[str, None]] = [{} for _ in range(n)]
    maybe: list[dict[str, None]] = [{} for _ in range(n)]
    release = ""
    for locus, alternatives in genotype.loci.items():
        per_alt = []
        for pair in alternatives:
            contributions = [(d, slot_contribution(d, locus, policy, b_locus_c1)) for d in pair]
            per_alt.append(contributions)
            if not release:
                release = next((classify(d).release for d in pair if d is not None), "")
        for i in range(n):
            locus_presence = consensus(
                contributions[0][1][i] | contributions[1][1][i] for contributions in per_alt
            )
            presence[i] = presence[i] | locus_presence
            for contributions in per_alt:
                for d, values in contributions:
                    value = values[i]
                    if value is _A:
                        continue
                    label = d if d is not None else _slot_label(locus)
                    if value is _P and locus_presence is _P:
                        certain[i].setdefault(label)
                    else:
                        maybe[i].setdefault(label)
    evidence = tuple(
        trusted(
            LigandEvidence,
            
            ligand=ligand,
            presence=presence[i],
            alleles=tuple(certain[i]) if presence[i] is _P else (),
            possible_from=tuple(k for k in maybe[i] if k not in certain[i]),
        )
        for i, ligand in enumerate(_ORDER)
    )
    return trusted(
        LigandProfile,
        
        genotype=genotype,
        ligands=evidence,
        bw4_policy=policy,
        b_locus_c1=b_locus_c1,
        release=release or get_reference().info.release,
    )


def ligand_profile(
    genotype: Genotype | object, *, bw4_policy: Bw4Policy | str = Bw4Policy.ALL, b_locus_c1: bool = True
) -> LigandProfile:
    """Which KIR ligands the person typed as ``genotype`` carries (see the module docstring for the logic).

    ``genotype`` may be a :class:`~kirmatch.Genotype` or anything :meth:`Genotype.coerce` reads.

    >>> p = ligand_profile({"C": ("C*07:02", "C*04:01"), "B": ("B*57:01", None)})
    >>> p.presence("C2").value, p["Bw4"].alleles
    ('present', ('B*57:01',))
    """
    return _profile(Genotype.coerce(genotype), Bw4Policy.coerce(bw4_policy), bool(b_locus_c1))
