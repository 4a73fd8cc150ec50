"""Donor versus recipient: KIR-ligand incompatibility in the graft-versus-host (GvH) and host-versus-graft (HvG)
directions, under the matching models in use, three-valued and explained.

Decision logic of [`kir_ligand_mismatch`][kirmatch.kir_ligand_mismatch], per ligand L of the catalogue (C1, C2,
Bw4; Bw4-80I, Bw4-80T and A3/A11 as details), with D and R the donor's and recipient's
[`Presence`][kirmatch.Presence] of L from [`ligand_profile`][kirmatch.ligand_profile] and K the donor's
inhibitory KIR for L (C1: KIR2DL2/3, C2: KIR2DL1, Bw4: KIR3DL1, A3/A11: KIR3DL2), all combined by Kleene logic
(``possible`` = the typing does not decide):

* GvH is the rule of the model, from the registry [`kirmatch.models`][kirmatch.models]: ``ligand-ligand``
  (default; Ruggeri et al. 2002) D and not R; ``receptor-ligand`` (Leung et al. 2004) K and not R;
  ``missing-ligand`` (Heidenreich and Kroeger 2017, Fig. 1C) not R; ``educational`` (Dhuyser et al. 2022,
  Table 5) D and K and not R. The models that read K need ``donor_kir``.
* HvG in every model = R and not D (no recipient KIR typing is used), so that GvH(d, r) == HvG(r, d) under
  ``ligand-ligand``.
* ``gvh_incompatible`` = GvH(C1) or GvH(C2) or GvH(Bw4); ``hvg_incompatible`` likewise.
* Alloreactive donor NK subsets: with S the protocol ligands that may be missing in the recipient (GvH present or
  possible), each non-empty set of their receptors (C2: KIR2DL1, C1: KIR2DL2/3, Bw4: KIR3DL1) is a subset: NK cells
  expressing those inhibitory receptors and no inhibitory receptor for a ligand the recipient carries, nor NKG2A
  (whose ligand HLA-E every recipient carries), are not inhibited by the recipient's cells. A subset's presence is
  the Kleene "and" of its ligands' GvH. KIR2DL1+KIR3DL1+ cells are alloreactive to a recipient lacking both C2 and
  Bw4. The NK alloreactive repertoire is measured by "cell surface expression of all four major inhibitory KIR and
  CD94/NKG2A" (Fauriat et al., J Immunol 2008;181:6010).
"""

from __future__ import annotations

import functools
import html
import itertools
from collections.abc import Sequence

from pydantic import BaseModel

from kirmatch._errors import KirmatchError, KirTypingError, flag, with_context
from kirmatch._frozen import trusted
from kirmatch.catalogue import ALL_LIGANDS, PROTOCOL_LIGANDS, PROTOCOL_MASK, KirLigand
from kirmatch.genotype import Genotype
from kirmatch.kir import KirGenotype
from kirmatch.mac import environment_token
from kirmatch.models import LIGAND_LIGAND, MatchModel
from kirmatch.pools import DEFAULT_READING, Ciwd, Pool, Population, Reading
from kirmatch.presence import Bits, Planes, Presence, kleene_and, planes_and, planes_not, planes_of
from kirmatch.profile import CIWD_ORDER, DEFAULT_BW4_POLICY, Bw4Policy, PersonLigands, person_ligands
from kirmatch.reference import get_reference

__all__ = [
    "LigandComparison",
    "AlloreactiveSubset",
    "alloreactive_subsets",
    "KirLigandMismatch",
    "kir_ligand_mismatch",
]

_P, _A, _Q = Presence.PRESENT, Presence.ABSENT, Presence.POSSIBLE
_INDEX = {ligand: i for i, ligand in enumerate(KirLigand)}


class LigandComparison(BaseModel, frozen=True):
    """One ligand, donor against recipient: who carries it (and through which alleles), GvH and HvG."""

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
    donor_support: Ciwd | None = None
    recipient_support: Ciwd | None = None
    """When the donor's (recipient's) presence is possible: the best CIWD 3.0.0 category among the typed alleles
    that may carry the ligand."""


class AlloreactiveSubset(BaseModel, frozen=True):
    """Donor NK cells that the recipient cannot inhibit: they express the inhibitory ``receptors`` (for ``ligands``,
    which the recipient lacks), no inhibitory KIR for a ligand the recipient carries, and no NKG2A.

    ``receptor`` names the combination (``"KIR2DL1"``, ``"KIR2DL1+KIR3DL1"``); ``presence`` is the Kleene "and" of
    the ligands' GvH mismatch.
    """

    receptor: str
    receptors: tuple[str, ...]
    ligands: tuple[KirLigand, ...]
    presence: Presence

    def __str__(self) -> str:
        sure = "" if self.presence is _P else f" ({self.presence})"
        return f"{self.receptor}+{sure}"


def alloreactive_subsets(mismatched: Sequence[tuple[KirLigand, Presence]]) -> tuple[AlloreactiveSubset, ...]:
    """Every non-empty combination of the receptors of the (possibly) mismatched protocol ligands, singles first."""
    out: list[AlloreactiveSubset] = []
    for size in range(1, len(mismatched) + 1):
        for combination in itertools.combinations(mismatched, size):
            receptors = tuple(ligand.spec.receptor for ligand, _ in combination)
            out.append(
                trusted(
                    AlloreactiveSubset,
                    receptor="+".join(receptors),
                    receptors=receptors,
                    ligands=tuple(ligand for ligand, _ in combination),
                    presence=kleene_and(*(presence for _, presence in combination)),
                )
            )
    return tuple(out)


def _who(alleles: tuple[str, ...]) -> str:
    return ", ".join(alleles)


def _missing_locus(source: str) -> str | None:
    """The locus of a missing-slot label (``"HLA-C allele missing"``), else None."""
    if source.startswith("HLA-") and source.endswith(" allele missing"):
        return source[4:5]
    return None


def _backing(support: Ciwd | None) -> str:
    """`` (only through rare alleles)`` when the alleles behind a possible ligand are not common."""
    if support is None or support is Ciwd.COMMON:
        return ""
    return f" (only through {support} alleles)"


def _listing(items: Sequence[str], word: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _carries(side: str, c: LigandComparison, presence: Presence, sure: tuple[str, ...], maybe: tuple[str, ...]) -> str:
    if presence is _P:
        return f"the {side} carries {c.ligand} ({_who(sure)})"
    if presence is _Q:
        return f"the {side} may carry {c.ligand} ({_who(maybe)})"
    return f"the {side} has no {c.ligand}"


class KirLigandMismatch(BaseModel, frozen=True):
    """Donor-versus-recipient KIR-ligand (in)compatibility: per ligand GvH and HvG, the verdict, the alloreactive
    NK subsets, and the model, policies and IPD-IMGT/HLA release it was decided with.

    ``str()`` is a paragraph, [`verdict`][kirmatch.mismatch.KirLigandMismatch.verdict] one line,
    [`findings`][kirmatch.mismatch.KirLigandMismatch.findings] one sentence per finding; ``model_dump()`` is JSON-ready;
    in a notebook it renders as a donor-versus-recipient grid.
    """

    model: MatchModel
    bw4_policy: Bw4Policy
    b_locus_c1: bool
    pool: Pool = Pool.ALL
    population: Population = Population.TOTAL
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
        return self.ligands[_INDEX[KirLigand.coerce(ligand)]]

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
        parts: list[str] = []
        if self.model.uses_donor_hla:
            donor = {
                _P: f"donor {_who(c.donor_alleles)}",
                _Q: f"donor may carry {c.ligand} via {_who(c.donor_possible)}{_backing(c.donor_support)}",
            }
            parts.append(donor.get(c.donor, f"donor has no {c.ligand}"))
        if self.model.needs_kir:
            parts.append(f"donor {c.receptor}{'+' if c.donor_kir is _P else ' not typed'}")
        recipient = {
            _A: f"recipient has no {c.ligand}",
            _Q: f"recipient may carry {c.ligand} via {_who(c.recipient_possible)}{_backing(c.recipient_support)}",
        }
        parts.append(recipient.get(c.recipient, f"recipient carries {c.ligand}"))
        return f"{c.ligand} ({'; '.join(parts)})"

    def verdict(self) -> str:
        """One line: GvH KIR-ligand incompatible / incompatibility possible / compatible, with the ligands."""
        sure = [c for c in self.ligands if c.protocol and c.gvh is _P]
        maybe = [c for c in self.ligands if c.protocol and c.gvh is _Q]
        model = "" if self.model is LIGAND_LIGAND else f" ({self.model} model)"
        if sure:
            line = f"GvH KIR-ligand incompatible{model}: " + ", ".join(self._gvh_reason(c) for c in sure)
            if maybe:
                line += "; possibly also " + ", ".join(self._gvh_reason(c) for c in maybe)
            return line
        if maybe:
            line = f"GvH KIR-ligand incompatibility possible{model}: " + ", ".join(self._gvh_reason(c) for c in maybe)
            blanks = self._only_blank_loci(maybe)
            if blanks:
                line += (
                    f"; the only doubt is a blank second allele ({', '.join(blanks)}): if it means homozygous, "
                    "read the typing with homozygous_if_blank=True (--homozygous-if-blank)"
                )
            return line
        return f"GvH KIR-ligand compatible{model}: no ligand among C1, C2, Bw4 is missing in the recipient"

    def _typed_once(self, side: str, locus: str) -> bool:
        genotype = self.donor if side == "donor" else self.recipient
        alternatives = genotype.loci[locus]
        return len(alternatives) == 1 and sum(d is None for d in alternatives[0]) == 1

    def _doubts(self, c: LigandComparison) -> list[tuple[str, str]]:
        """(side, source) of every doubt behind a possible GvH on ``c``: the slots that may carry the ligand."""
        out: list[tuple[str, str]] = []
        if self.model.uses_donor_hla and c.donor is _Q:
            out += [("donor", source) for source in c.donor_possible]
        if c.recipient is _Q:
            out += [("recipient", source) for source in c.recipient_possible]
        return out

    def _only_blank_loci(self, maybe: Sequence[LigandComparison]) -> list[str]:
        """The loci typed once whose blank second allele is the only doubt of every possible ligand, else []."""
        loci: dict[str, None] = {}
        for c in maybe:
            if self.model.needs_kir and c.donor_kir is _Q:
                return []
            for side, source in self._doubts(c):
                locus = _missing_locus(source)
                if locus is None or not self._typed_once(side, locus):
                    return []
                loci.setdefault(f"{side} HLA-{locus}")
        return list(loci)

    def next_steps(self) -> tuple[str, ...]:
        """What typing would decide each "possible" GvH ligand, one sentence each (empty when nothing is possible).

        A missing allele asks for that allele (or, for a locus typed once, for ``homozygous_if_blank``); a
        low-resolution designation asks for two-field typing of its locus; an allele whose ligand no typing can
        decide (questionable expression, a ligand inferred from sequence) is named as such; an untyped donor KIR
        gene asks for KIR typing.
        """
        steps: dict[str, None] = {}
        for c in self.ligands:
            if not c.protocol or c.gvh is not _Q:
                continue
            for side, source in self._doubts(c):
                steps.setdefault(self._step(side, source, c))
            if self.model.needs_kir and c.donor_kir is _Q:
                steps.setdefault(f"Type the donor's {c.receptor} (KIR gene content) to decide {c.ligand}.")
        return tuple(steps)

    def _step(self, side: str, source: str, c: LigandComparison) -> str:
        locus = _missing_locus(source)
        if locus is not None:
            if self._typed_once(side, locus):
                return (
                    f"The {side}'s HLA-{locus} is typed once: type its second allele, or read the typing with "
                    f"homozygous_if_blank=True if the blank means homozygous."
                )
            return f"Type HLA-{locus} of the {side} to decide {c.ligand}."
        fields = source.split("*", 1)[1] if "*" in source else ""
        if ":" in fields and "/" not in source and not source.endswith(("G", "P")) and "XX" not in source:
            return (
                f"{source} ({side}) may or may not carry {c.ligand} whatever the typing: its expression is "
                f"questionable or its ligand is inferred from sequence only (see classify('{source}'))."
            )
        return f"Type HLA-{source[:1]} of the {side} at two fields ({source} may or may not carry {c.ligand})."

    def _finding(self, c: LigandComparison, direction: str) -> str | None:
        """The sentence for one ligand in one direction (``"GvH"``, ``"HvG"``), or None when there is nothing to say:
        no mismatch, or only a possible one on a detail ligand (the Bw4 subtypes, A3/A11)."""
        mismatch = c.gvh if direction == "GvH" else c.hvg
        if mismatch is _A or not (c.protocol or mismatch is _P):
            return None
        lead = direction if mismatch is _P else f"Possible {direction}"
        donor = _carries("donor", c, c.donor, c.donor_alleles, c.donor_possible)
        recipient = _carries("recipient", c, c.recipient, c.recipient_alleles, c.recipient_possible)
        if direction == "HvG":
            return f"{lead} for {c.ligand}: {recipient} and {donor}."
        if self.model.uses_donor_hla:
            sentence = f"{lead} for {c.ligand}: {donor} and {recipient}"
        else:
            sentence = f"{lead} for {c.ligand} ({self.model} model): {recipient}"
        if self.model.needs_kir:
            kir = {_P: "carries", _Q: "may carry", _A: "lacks"}[c.donor_kir or _Q]
            sentence += f"; the donor {kir} {c.receptor}"
        elif not self.model.uses_donor_hla:
            sentence += f"; the donor's {c.receptor} is assumed, not typed"
        if c.protocol:
            sentence += f", so donor {c.receptor}+ NK cells {'are' if mismatch is _P else 'may be'} alloreactive"
        if c.ligand is KirLigand.C1 and c.recipient is not _P and self._recipient_c2() is not _A:
            # Pende et al., Blood 2009;113:3119: "KIR2DL2/3+ NK cells displayed poor alloreactivity against leukemia
            # cells carrying ... C2 group. Unexpectedly, this was due to recognition of C2 by KIR2DL2/3"
            sentence += (
                "; KIR2DL2/3 also recognise C2, which the recipient carries or may carry, so KIR2DL2/3+ cells may be "
                "poorly alloreactive (Pende et al. 2009)"
            )
        return sentence + "."

    def _recipient_c2(self) -> Presence:
        return self[KirLigand.C2].recipient

    def alloreactive_text(self) -> str | None:
        """One sentence naming the alloreactive donor NK subsets and what they must lack, or None when there is none.

        Under the ``ligand-ligand`` and ``educational`` models the donor carries each missing ligand, so the NK cells
        with its receptor are educated (licensed) by it.
        """
        if not self.alloreactive_nk:
            return None
        sure = [s.receptor + "+" for s in self.alloreactive_nk if s.presence is _P]
        maybe = [s.receptor + "+" for s in self.alloreactive_nk if s.presence is _Q]
        carried = [c for c in self.ligands if c.protocol and c.recipient is not _A]
        blockers = [f"{c.receptor} ({c.ligand})" for c in carried] + ["NKG2A"]
        parts: list[str] = []
        if sure:
            parts.append(f"{_listing(sure)} cells")
        if maybe:
            parts.append(f"possibly {_listing(maybe)} cells")
        licensed = " educated by the donor's own ligand," if self.model.uses_donor_hla else ""
        return (
            f"Alloreactive donor NK subsets: {' and '.join(parts)},{licensed} that express no inhibitory receptor "
            f"for a ligand of the recipient: no {_listing(blockers, 'or')}."
        )

    def findings(self) -> tuple[str, ...]:
        """One short sentence per finding (GvH, then HvG, per protocol ligand, and the Bw4 subtype details)."""
        out = [
            sentence
            for direction in ("GvH", "HvG")
            for c in self.ligands
            if (sentence := self._finding(c, direction)) is not None
        ]
        subsets = self.alloreactive_text()
        if subsets is not None:
            out.insert(sum(1 for c in self.ligands if self._finding(c, "GvH") is not None), subsets)
        if not out:
            out.append("No GvH or HvG KIR-ligand mismatch for C1, C2 or Bw4.")
        return tuple(out)

    def explain(self) -> str:
        """The verdict, then one sentence per finding, then what typing would decide a "possible", one per line."""
        steps = tuple(f"Next: {step}" for step in self.next_steps())
        return "\n".join((self.verdict() + ".", *self.findings(), *steps))

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

        rows: list[str] = []
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
    model: MatchModel | str = LIGAND_LIGAND,
    bw4_policy: Bw4Policy | str = DEFAULT_BW4_POLICY,
    b_locus_c1: bool = True,
    donor_kir: KirGenotype | None = None,
    pool: Pool | str = Pool.ALL,
    population: Population | str = Population.TOTAL,
    count_group_nulls: bool = False,
) -> KirLigandMismatch:
    """Is the donor KIR-ligand incompatible with the recipient, for which ligand, how surely, and why?

    ``donor`` and ``recipient`` are [`Genotype`][kirmatch.genotype.Genotype] values or anything
    [`Genotype.coerce`][kirmatch.genotype.Genotype.coerce] reads (a dict, a GL string, six designations). ``model``
    names a registered model (``ligand-ligand``, the default; ``receptor-ligand``, ``missing-ligand``, ``educational``:
    [`kirmatch.models`][kirmatch.models]); those that read KIR need ``donor_kir``
    ([`KirGenotype`][kirmatch.KirGenotype]). ``pool``, ``population`` and ``count_group_nulls`` say how
    low-resolution designations and G groups are read ([`kirmatch.pools`][kirmatch.pools]). See the module docstring
    for the decision logic; `next_steps` says which typing would decide a "possible".

    >>> b = ("B*08:01", "B*07:02")
    >>> m = kir_ligand_mismatch({"B": b, "C": ("C*07:02", "C*04:01")}, {"B": b, "C": ("C*07:02", "C*03:04")})
    >>> m.gvh("C2").value, m.gvh("Bw4").value, m.gvh_incompatible.value  # HLA-A untyped: Bw4 unknown
    ('present', 'possible', 'present')
    """
    chosen = MatchModel.coerce(model)
    policy = Bw4Policy.coerce(bw4_policy)
    reading = Reading.of(pool, population, count_group_nulls)
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
        flag(b_locus_c1, "b_locus_c1"),
        donor_kir,
        environment_token(),
        reading,
    )


@functools.lru_cache(maxsize=32)
def _mismatch(
    donor: Genotype,
    recipient: Genotype,
    model: MatchModel,
    policy: Bw4Policy,
    b_locus_c1: bool,
    donor_kir: KirGenotype | None,
    _mac: object,
    reading: Reading = DEFAULT_READING,
) -> KirLigandMismatch:
    # the options are checked already: the people's ligands from their cache, compactly
    d = person_ligands(donor, policy, b_locus_c1, _mac, reading)
    r = person_ligands(recipient, policy, b_locus_c1, _mac, reading)
    settings = (policy, b_locus_c1, reading)
    return _compare(donor, d, recipient, r, model, donor_kir, settings)


def kir_planes(donor_kir: KirGenotype) -> Planes:
    """The donor's inhibitory KIR for each ligand (catalogue bit order), as planes."""
    return planes_of(donor_kir.receptor(ligand) for ligand in KirLigand)


def mismatch_planes(
    model: MatchModel, donor: tuple[Bits, Bits], recipient: tuple[Bits, Bits], kir: tuple[Bits, Bits] | None = None
) -> tuple[tuple[Bits, Bits], tuple[Bits, Bits]]:
    """(GvH, HvG) planes of every ligand at once: the model's rule, and HvG = recipient and not donor, in Kleene
    logic on bit planes, so that they run unchanged on Python ints (one pair) and numpy arrays (a registry)."""
    gvh = model.gvh(donor, planes_not(recipient, ALL_LIGANDS), kir)
    hvg = planes_and(recipient, planes_not(donor, ALL_LIGANDS))
    return gvh, hvg


def any_of(planes: Planes, mask: int = PROTOCOL_MASK) -> Presence:
    """Kleene "or" over the ligands in ``mask``: present if any is present, else possible if any is possible."""
    if planes[0] & mask:
        return _P
    return _Q if planes[1] & mask else _A


_LIGANDS = tuple((i, ligand, ligand.bit, ligand.spec.receptor, ligand in PROTOCOL_LIGANDS)
                 for i, ligand in enumerate(KirLigand))


def _at(planes: Planes, bit: int) -> Presence:
    return _P if planes[0] & bit else _Q if planes[1] & bit else _A


@functools.lru_cache(maxsize=256)
def _untyped_row(i: int, gvh: Presence, hvg: Presence) -> LigandComparison:
    """The row of a ligand neither person can carry, without KIR typing (immutable, so shared)."""
    _, ligand, _, receptor, protocol = _LIGANDS[i]
    return trusted(
        LigandComparison, ligand=ligand, protocol=protocol, receptor=receptor, donor=_A, recipient=_A,
        donor_kir=None, gvh=gvh, hvg=hvg, donor_alleles=(), donor_possible=(), recipient_alleles=(),
        recipient_possible=(), donor_support=None, recipient_support=None,
    )


@functools.lru_cache(maxsize=256)
def _subsets(mismatched: tuple[tuple[KirLigand, Presence], ...]) -> tuple[AlloreactiveSubset, ...]:
    return alloreactive_subsets(mismatched)


def _compare(
    donor: Genotype,
    d: PersonLigands,
    recipient: Genotype,
    r: PersonLigands,
    model: MatchModel,
    donor_kir: KirGenotype | None,
    settings: tuple[Bw4Policy, bool, Reading],
) -> KirLigandMismatch:
    kir = kir_planes(donor_kir) if donor_kir is not None else None
    d_planes, d_rows = d
    r_planes, r_rows = r
    gvh_planes, hvg_planes = mismatch_planes(model, d_planes, r_planes, kir)
    rows: list[LigandComparison] = []
    mismatched: list[tuple[KirLigand, Presence]] = []
    g0, g1 = gvh_planes
    h0, h1 = hvg_planes
    d0, d1 = d_planes
    r0, r1 = r_planes
    for i, ligand, bit, receptor, protocol in _LIGANDS:
        gvh = _P if g0 & bit else _Q if g1 & bit else _A
        hvg = _P if h0 & bit else _Q if h1 & bit else _A
        if protocol and gvh is not _A:
            mismatched.append((ligand, gvh))
        if kir is None and not (d0 | d1 | r0 | r1) & bit:  # neither can carry it
            rows.append(_untyped_row(i, gvh, hvg))
            continue
        de, re_ = d_rows[i], r_rows[i]
        rows.append(
            trusted(
                LigandComparison,
                ligand=ligand,
                protocol=protocol,
                receptor=receptor,
                donor=_P if d0 & bit else _Q if d1 & bit else _A,
                recipient=_P if r0 & bit else _Q if r1 & bit else _A,
                donor_kir=_at(kir, bit) if kir is not None else None,
                gvh=gvh,
                hvg=hvg,
                donor_alleles=de[0],
                donor_possible=de[1],
                recipient_alleles=re_[0],
                recipient_possible=re_[1],
                donor_support=None if de[2] < 0 else CIWD_ORDER[de[2]],
                recipient_support=None if re_[2] < 0 else CIWD_ORDER[re_[2]],
            )
        )
    policy, b_locus_c1, reading = settings
    return trusted(
        KirLigandMismatch,
        model=model,
        bw4_policy=policy,
        pool=reading.pool,
        population=reading.population,
        b_locus_c1=b_locus_c1,
        donor=donor,
        recipient=recipient,
        donor_kir=donor_kir,
        ligands=tuple(rows),
        gvh_incompatible=any_of(gvh_planes),
        hvg_incompatible=any_of(hvg_planes),
        alloreactive_nk=_subsets(tuple(mismatched)) if mismatched else (),
        release=get_reference().info.release,
    )
