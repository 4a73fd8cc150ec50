"""Donor versus recipient: KIR-ligand incompatibility in the graft-versus-host (GvH) and host-versus-graft (HvG)
directions, under the matching models in use, three-valued and explained.

Decision logic of [`kir_ligand_mismatch`][kirmatch.mismatch.kir_ligand_mismatch], per ligand L (C1, C2, Bw4; Bw4-80I, Bw4-80T and A3/A11 as
details), with D and R the donor's and recipient's [`Presence`][kirmatch.presence.Presence] of L from
[`ligand_profile`][kirmatch.profile.ligand_profile] and K the donor's inhibitory KIR for L (C1: KIR2DL2/3, C2: KIR2DL1,
Bw4: KIR3DL1, A3/A11: KIR3DL2), all combined by Kleene logic (``possible`` = the typing does not decide):

* ``ligand-ligand`` (default; Ruggeri et al., Science 2002;295:2097-2100, the protocol's rule):
  GvH = D and not R. Donor NK cells educated on L (through the KIR that reads it) meet a recipient without L.
* ``receptor-ligand`` (ligand-ligand, and the donor must also carry the KIR gene for the missing ligand):
  GvH = D and K and not R. Needs ``donor_kir``.
* ``missing-ligand`` (Leung et al., J Immunol 2004;172:644-650, who named it "receptor-ligand"; Hsu et al.,
  Blood 2005;105:4878-4884): GvH = K and not R, whatever the donor's own HLA. Needs ``donor_kir``.
* HvG in every model = R and not D (no recipient KIR typing is used), so that GvH(d, r) == HvG(r, d) under
  ``ligand-ligand``.
* ``gvh_incompatible`` = GvH(C1) or GvH(C2) or GvH(Bw4); ``hvg_incompatible`` likewise.
* Alloreactive donor NK subsets: GvH for C2 -> KIR2DL1+, C1 -> KIR2DL2/3+, Bw4 -> KIR3DL1+ (single-KIR NK cells
  for that receptor are the alloreactive ones), listed with their GvH presence when not absent.
"""

from __future__ import annotations

import functools
import html
from enum import Enum

from pydantic import BaseModel, ConfigDict

from kirmatch._errors import KirmatchError, KirTypingError, ProtocolValueError, quote, with_context
from kirmatch._frozen import trusted
from kirmatch.genotype import Genotype
from kirmatch.kir import RECEPTOR_FOR, KirGenotype
from kirmatch.mac import environment_token
from kirmatch.presence import Planes, Presence, planes_and, planes_not, planes_of, presence_at
from kirmatch.profile import (
    ALL_LIGANDS,
    LIGAND_BIT,
    PROTOCOL_LIGANDS,
    PROTOCOL_MASK,
    Bw4Policy,
    KirLigand,
    LigandProfile,
    ligand_profile,
)

__all__ = [
    "MatchModel",
    "LigandComparison",
    "AlloreactiveSubset",
    "KirLigandMismatch",
    "kir_ligand_mismatch",
]

_P, _A, _Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE


class MatchModel(str, Enum):
    """How donor NK alloreactivity is predicted (see the module docstring for the rules and references)."""

    LIGAND_LIGAND = "ligand-ligand"
    RECEPTOR_LIGAND = "receptor-ligand"
    MISSING_LIGAND = "missing-ligand"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def coerce(cls, value: object) -> MatchModel:
        try:
            return cls(value)
        except ValueError:
            raise ProtocolValueError(
                f"unknown matching model {quote(value)}; use one of {', '.join(m.value for m in cls)}", input=value
            ) from None

    @property
    def needs_kir(self) -> bool:
        """True for the models that read the donor's KIR gene content."""
        return self is not MatchModel.LIGAND_LIGAND


class LigandComparison(BaseModel):
    """One ligand, donor against recipient: who carries it (and through which alleles), GvH and HvG."""

    model_config = ConfigDict(frozen=True)

    ligand: KirLigand
    protocol: bool
    receptor: str
    donor: Presence
    recipient: Presence
    donor_kir: Presence | None
    gvh: Presence
    hvg: Presence
    donor_alleles: tuple[str, ...]
    donor_possible: tuple[str, ...]
    recipient_alleles: tuple[str, ...]
    recipient_possible: tuple[str, ...]


class AlloreactiveSubset(BaseModel):
    """Donor NK cells expressing ``receptor`` (alone, among the inhibitory KIR) that the recipient cannot inhibit."""

    model_config = ConfigDict(frozen=True)

    receptor: str
    ligand: KirLigand
    presence: Presence

    def __str__(self) -> str:
        sure = "" if self.presence is _P else f" ({self.presence})"
        return f"{self.receptor}+{sure}"


def _who(alleles: tuple[str, ...]) -> str:
    return ", ".join(alleles)


def _carries(side: str, c: LigandComparison, presence: Presence, sure: tuple[str, ...], maybe: tuple[str, ...]) -> str:
    if presence is _P:
        return f"the {side} carries {c.ligand} ({_who(sure)})"
    if presence is _Q:
        return f"the {side} may carry {c.ligand} ({_who(maybe)})"
    return f"the {side} has no {c.ligand}"


class KirLigandMismatch(BaseModel):
    """Donor-versus-recipient KIR-ligand (in)compatibility: per ligand GvH and HvG, the verdict, the alloreactive
    NK subsets, and the model, policies and IPD-IMGT/HLA release it was decided with.

    ``str()`` is a paragraph, [`verdict`][kirmatch.mismatch.KirLigandMismatch.verdict] one line, [`findings`][kirmatch.mismatch.KirLigandMismatch.findings] one sentence per finding;
    ``model_dump()`` is JSON-ready; in a notebook it renders as a donor-versus-recipient grid.
    """

    model_config = ConfigDict(frozen=True)

    model: MatchModel
    bw4_policy: Bw4Policy
    b_locus_c1: bool
    donor: Genotype
    recipient: Genotype
    donor_kir: KirGenotype | None
    ligands: tuple[LigandComparison, ...]
    gvh_incompatible: Presence
    hvg_incompatible: Presence
    alloreactive_nk: tuple[AlloreactiveSubset, ...]
    release: str

    # ----------------------------------------------------------------------------------------------- reading

    def __getitem__(self, ligand: KirLigand | str) -> LigandComparison:
        try:
            wanted = ligand if isinstance(ligand, KirLigand) else KirLigand(ligand)
        except ValueError:
            raise ProtocolValueError(
                f"{quote(ligand)} is not a KIR ligand; use one of {', '.join(x.value for x in KirLigand)}",
                input=ligand,
            ) from None
        for c in self.ligands:
            if c.ligand is wanted:
                return c
        raise KeyError(ligand)  # pragma: no cover - every KirLigand has a row

    def gvh(self, ligand: KirLigand | str) -> Presence:
        """GvH mismatch for one ligand."""
        return self[ligand].gvh

    def hvg(self, ligand: KirLigand | str) -> Presence:
        """HvG mismatch for one ligand."""
        return self[ligand].hvg

    @property
    def gvh_ligands(self) -> tuple[KirLigand, ...]:
        """The protocol ligands with a certain GvH mismatch."""
        return tuple(c.ligand for c in self.ligands if c.protocol and c.gvh is _P)

    @property
    def hvg_ligands(self) -> tuple[KirLigand, ...]:
        """The protocol ligands with a certain HvG mismatch."""
        return tuple(c.ligand for c in self.ligands if c.protocol and c.hvg is _P)

    # ------------------------------------------------------------------------------------------------ words

    def _gvh_reason(self, c: LigandComparison) -> str:
        parts = []
        if self.model is not MatchModel.MISSING_LIGAND:
            donor = {_P: f"donor {_who(c.donor_alleles)}", _Q: f"donor may carry {c.ligand} via {_who(c.donor_possible)}"}
            parts.append(donor.get(c.donor, f"donor has no {c.ligand}"))
        if self.model.needs_kir:
            parts.append(f"donor {c.receptor}{'+' if c.donor_kir is _P else ' not typed'}")
        recipient = {_A: f"recipient has no {c.ligand}", _Q: f"recipient may carry {c.ligand} via {_who(c.recipient_possible)}"}
        parts.append(recipient.get(c.recipient, f"recipient carries {c.ligand}"))
        return f"{c.ligand} ({'; '.join(parts)})"

    def verdict(self) -> str:
        """One line: GvH KIR-ligand incompatible / incompatibility possible / compatible, with the ligands."""
        sure = [c for c in self.ligands if c.protocol and c.gvh is _P]
        maybe = [c for c in self.ligands if c.protocol and c.gvh is _Q]
        model = "" if self.model is MatchModel.LIGAND_LIGAND else f" ({self.model} model)"
        if sure:
            line = f"GvH KIR-ligand incompatible{model}: " + ", ".join(self._gvh_reason(c) for c in sure)
            if maybe:
                line += "; possibly also " + ", ".join(self._gvh_reason(c) for c in maybe)
            return line
        if maybe:
            return f"GvH KIR-ligand incompatibility possible{model}: " + ", ".join(self._gvh_reason(c) for c in maybe)
        return f"GvH KIR-ligand compatible{model}: no ligand among C1, C2, Bw4 is missing in the recipient"

    def findings(self) -> tuple[str, ...]:
        """One short sentence per finding (GvH and HvG per protocol ligand, and the Bw4 subtype details)."""
        out = []
        for c in self.ligands:
            if c.gvh is _A or not (c.protocol or c.gvh is _P):
                continue
            lead = "GvH" if c.gvh is _P else "Possible GvH"
            donor = _carries("donor", c, c.donor, c.donor_alleles, c.donor_possible)
            recipient = _carries("recipient", c, c.recipient, c.recipient_alleles, c.recipient_possible)
            if self.model is MatchModel.MISSING_LIGAND:
                sentence = f"{lead} for {c.ligand} (missing ligand): {recipient}"
            else:
                sentence = f"{lead} for {c.ligand}: {donor} and {recipient}"
            if self.model.needs_kir:
                kir = {_P: "carries", _Q: "may carry", _A: "lacks"}[c.donor_kir or _Q]
                sentence += f"; the donor {kir} {c.receptor}"
            if c.protocol:
                sentence += f", so donor {c.receptor}+ NK cells {'are' if c.gvh is _P else 'may be'} alloreactive"
            out.append(sentence + ".")
        for c in self.ligands:
            if c.hvg is _A or not (c.protocol or c.hvg is _P):
                continue
            lead = "HvG" if c.hvg is _P else "Possible HvG"
            recipient = _carries("recipient", c, c.recipient, c.recipient_alleles, c.recipient_possible)
            donor = _carries("donor", c, c.donor, c.donor_alleles, c.donor_possible)
            out.append(f"{lead} for {c.ligand}: {recipient} and {donor}.")
        if not out:
            out.append("No GvH or HvG KIR-ligand mismatch for C1, C2 or Bw4.")
        return tuple(out)

    def explain(self) -> str:
        """The verdict, then one sentence per finding, one per line."""
        return "\n".join((self.verdict() + ".",) + self.findings())

    def _settings(self) -> str:
        c1 = "counted" if self.b_locus_c1 else "not counted"
        return (
            f"Model {self.model}, Bw4 policy {self.bw4_policy}, HLA-B C1 {c1}; IPD-IMGT/HLA {self.release}."
        )

    def __str__(self) -> str:
        return (
            f"Donor {str(self.donor) or '(untyped)'} versus recipient {str(self.recipient) or '(untyped)'}. "
            f"{self.verdict()}. {' '.join(self.findings())} {self._settings()}"
        )

    def __repr__(self) -> str:
        gvh = "/".join(str(c.ligand) for c in self.ligands if c.protocol and c.gvh is not _A)
        hvg = "/".join(str(c.ligand) for c in self.ligands if c.protocol and c.hvg is not _A)
        return (
            f"KirLigandMismatch(gvh={self.gvh_incompatible.value}{f' [{gvh}]' if gvh else ''}, "
            f"hvg={self.hvg_incompatible.value}{f' [{hvg}]' if hvg else ''}, model={self.model.value!r})"
        )

    def _repr_html_(self) -> str:
        e = html.escape
        shade = {_P: "background:#f4b6b6", _Q: "background:#fbe3a6", _A: ""}

        def cell(presence: Presence, sure: tuple[str, ...], maybe: tuple[str, ...]) -> str:
            mark = {_P: "yes", _Q: "?", _A: "no"}[presence]
            alleles = sure if presence is _P else maybe if presence is _Q else ()
            detail = f" <small>{e(', '.join(alleles))}</small>" if alleles else ""
            return f"<td>{e(mark)}{detail}</td>"

        rows = []
        for c in self.ligands:
            name = f"<b>{e(str(c.ligand))}</b>" if c.protocol else e(str(c.ligand))
            rows.append(
                f"<tr><th style='text-align:left'>{name}</th>"
                f"{cell(c.donor, c.donor_alleles, c.donor_possible)}"
                f"{cell(c.recipient, c.recipient_alleles, c.recipient_possible)}"
                f"<td style='{shade[c.gvh]}'>{e(c.gvh.value)}</td>"
                f"<td style='{shade[c.hvg]}'>{e(c.hvg.value)}</td></tr>"
            )
        return (
            "<div class='kirmatch-mismatch'>"
            f"<p><b>{e(self.verdict())}</b></p>"
            "<table><thead><tr><th>ligand</th>"
            f"<th>donor<br><small>{e(str(self.donor))}</small></th>"
            f"<th>recipient<br><small>{e(str(self.recipient))}</small></th>"
            "<th>GvH</th><th>HvG</th></tr></thead><tbody>"
            + "".join(rows)
            + f"</tbody></table><p><small>{e(self._settings())}</small></p></div>"
        )


def _genotype(value: object, side: str) -> Genotype:
    try:
        return Genotype.coerce(value)
    except KirmatchError as exc:
        raise side_context(exc, side) from exc


def side_context(exc: KirmatchError, side: str) -> KirmatchError:
    """``exc`` with ``side`` ("donor", "recipient") in front: ``donor HLA-C allele 2: ...``, ``donor: ...``."""
    return with_context(exc, side, " " if str(exc).startswith("HLA-") else ": ")


def kir_ligand_mismatch(
    donor: Genotype | object,
    recipient: Genotype | object,
    *,
    model: MatchModel | str = MatchModel.LIGAND_LIGAND,
    bw4_policy: Bw4Policy | str = Bw4Policy.ALL,
    b_locus_c1: bool = True,
    donor_kir: KirGenotype | None = None,
) -> KirLigandMismatch:
    """Is the donor KIR-ligand incompatible with the recipient, for which ligand, how surely, and why?

    ``donor`` and ``recipient`` are [`Genotype`][kirmatch.genotype.Genotype] values or anything [`Genotype.coerce`][kirmatch.genotype.Genotype.coerce]
    reads (a dict, a GL string, six designations). ``model`` is ``ligand-ligand`` (default),
    ``receptor-ligand`` or ``missing-ligand``; the last two need ``donor_kir`` ([`KirGenotype`][kirmatch.kir.KirGenotype]).
    See the module docstring for the decision logic.

    >>> m = kir_ligand_mismatch({"C": ("C*07:02", "C*04:01")}, {"C": ("C*07:02", "C*03:04")})
    >>> m.gvh("C2").value, m.gvh("Bw4").value, m.gvh_incompatible.value  # HLA-A and -B untyped: Bw4 unknown
    ('present', 'possible', 'present')
    """
    chosen = MatchModel.coerce(model)
    policy = Bw4Policy.coerce(bw4_policy)
    if donor_kir is not None and not isinstance(donor_kir, KirGenotype):
        raise KirTypingError(
            f"donor_kir must be a KirGenotype (e.g. KirGenotype.from_genes('2DL1 2DL3 3DL1 3DL2')), "
            f"got {type(donor_kir).__name__}",
            input=donor_kir,
        )
    if chosen.needs_kir and donor_kir is None:
        raise KirTypingError(
            f"the {chosen} model needs the donor's KIR gene content: pass donor_kir=KirGenotype(...) "
            "with KIR2DL1, 2DL2, 2DL3, 3DL1 and 3DL2 present or absent"
        )
    return _mismatch(
        _genotype(donor, "donor"),
        _genotype(recipient, "recipient"),
        chosen,
        policy,
        bool(b_locus_c1),
        donor_kir,
        environment_token(),
    )


@functools.lru_cache(maxsize=16384)
def _mismatch(
    donor: Genotype,
    recipient: Genotype,
    model: MatchModel,
    policy: Bw4Policy,
    b_locus_c1: bool,
    donor_kir: KirGenotype | None,
    _mac: object,
) -> KirLigandMismatch:
    d = ligand_profile(donor, bw4_policy=policy, b_locus_c1=b_locus_c1)
    r = ligand_profile(recipient, bw4_policy=policy, b_locus_c1=b_locus_c1)
    return _compare(d, r, model, donor_kir)


def kir_planes(donor_kir: KirGenotype) -> Planes:
    """The donor's inhibitory KIR for each ligand (`LIGAND_BIT` order), as planes."""
    return planes_of(donor_kir.receptor(ligand) for ligand in KirLigand)


def mismatch_planes(
    model: MatchModel, donor: Planes, recipient: Planes, kir: Planes | None = None
) -> tuple[Planes, Planes]:
    """(GvH, HvG) planes of every ligand at once: the rules of the module docstring, in Kleene logic on bit
    planes, so that they run unchanged on Python ints (one pair) and numpy arrays (a registry)."""
    not_r = planes_not(recipient, ALL_LIGANDS)
    if model is MatchModel.LIGAND_LIGAND:
        gvh = planes_and(donor, not_r)
    elif model is MatchModel.RECEPTOR_LIGAND:
        gvh = planes_and(planes_and(donor, kir), not_r)  # type: ignore[arg-type]
    else:
        gvh = planes_and(kir, not_r)  # type: ignore[arg-type]
    hvg = planes_and(recipient, planes_not(donor, ALL_LIGANDS))
    return gvh, hvg


def any_of(planes: Planes, mask: int = PROTOCOL_MASK) -> Planes:
    """Kleene "or" over the ligands in ``mask``, as one bit: (1, 0) present, (0, 1) possible, (0, 0) absent."""
    present = (planes[0] & mask) != 0
    return present, ((planes[1] & mask) != 0) & ~present


def _compare(d: LigandProfile, r: LigandProfile, model: MatchModel, donor_kir: KirGenotype | None) -> KirLigandMismatch:
    kir = kir_planes(donor_kir) if donor_kir is not None else None
    gvh_planes, hvg_planes = mismatch_planes(model, d.planes, r.planes, kir)
    rows = []
    subsets = []
    for de, re_ in zip(d.ligands, r.ligands):
        ligand = de.ligand
        bit = LIGAND_BIT[ligand]
        receptor = RECEPTOR_FOR[ligand]
        gvh = presence_at(gvh_planes, bit)
        hvg = presence_at(hvg_planes, bit)
        protocol = ligand in PROTOCOL_LIGANDS
        if protocol and gvh is not _A:
            subsets.append(trusted(AlloreactiveSubset, receptor=receptor, ligand=ligand, presence=gvh))
        rows.append(
            trusted(LigandComparison,
                ligand=ligand,
                protocol=protocol,
                receptor=receptor,
                donor=de.presence,
                recipient=re_.presence,
                donor_kir=presence_at(kir, bit) if kir is not None else None,
                gvh=gvh,
                hvg=hvg,
                donor_alleles=de.alleles,
                donor_possible=de.possible_from,
                recipient_alleles=re_.alleles,
                recipient_possible=re_.possible_from,
            )
        )
    gvh_any = any_of(gvh_planes)
    hvg_any = any_of(hvg_planes)
    return trusted(KirLigandMismatch,
        model=model,
        bw4_policy=d.bw4_policy,
        b_locus_c1=d.b_locus_c1,
        donor=d.genotype,
        recipient=r.genotype,
        donor_kir=donor_kir,
        ligands=tuple(rows),
        gvh_incompatible=presence_at((int(gvh_any[0]), int(gvh_any[1])), 1),
        hvg_incompatible=presence_at((int(hvg_any[0]), int(hvg_any[1])), 1),
        alloreactive_nk=tuple(subsets),
        release=d.release,
    )
