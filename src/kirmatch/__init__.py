"""kirmatch: KIR ligands of HLA class I alleles, from their protein sequence, and donor-recipient KIR-ligand matching.

The public API is re-exported here. Importing kirmatch is light: each name loads its module on first use (so
``kirmatch.classify`` does not import the donor or mismatch layers), the reference table loads on first use, and the
pandas layer [`kirmatch.frame`][kirmatch.frame] (which registers the ``DataFrame.kir`` accessor) is imported with
kirmatch only when pandas is already loaded, else on first use of ``kirmatch.frame``.

>>> import kirmatch
>>> kirmatch.classify("C*07:02").ligand
<Ligand.C1: 'C1'>
"""

from __future__ import annotations

import sys as _sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names re-exported below, imported on first use (see _EXPORTS)
    from kirmatch._errors import (
        AlleleNameError,
        ColumnError,
        ErrorCode,
        FileFormatError,
        GenotypeError,
        KirmatchError,
        KirTypingError,
        MacTableError,
        ProtocolValueError,
        ReferenceTableError,
        UnknownAlleleError,
    )
    from kirmatch.catalogue import PROTOCOL_LIGANDS, KirLigand, Ligand, LigandSpec
    from kirmatch.donor import DonorAssessment, DonorSubset, RankedDonor, assess_donor, rank_family_donors
    from kirmatch.genotype import Genotype
    from kirmatch.haplo import HaploMatch, LocusMatch, haplo_match
    from kirmatch.hla_typing import Typing, parse_typing
    from kirmatch.kir import (
        BContentGroup,
        InhibitoryKirPair,
        InhibitoryKirScore,
        KirBContent,
        KirBContentCall,
        KirGenotype,
        inhibitory_kir_score,
        kir_b_content,
        kir_b_content_from_genes,
    )
    from kirmatch.ligands import CallStatus, LigandCall, classify
    from kirmatch.mac import MacTable, load_mac_table
    from kirmatch.mismatch import AlloreactiveSubset, KirLigandMismatch, LigandComparison, kir_ligand_mismatch
    from kirmatch.models import MODELS, MatchModel, ModelRegistry
    from kirmatch.nomenclature import (
        AlleleName,
        GLLocus,
        GLString,
        TypingKind,
        parse_allele_name,
        parse_designation,
        parse_gl_string,
    )
    from kirmatch.pools import Ciwd, Pool, Population
    from kirmatch.presence import Presence, consensus, kleene_and, kleene_not, kleene_or
    from kirmatch.profile import Bw4Policy, LigandEvidence, LigandProfile, ligand_profile
    from kirmatch.protocol import (
        NK_PURIFICATION_THRESHOLD_PER_KG,
        alloreactive_nk_dose_per_kg,
        nk_dose_per_kg,
        reaches_purification_threshold,
    )
    from kirmatch.reference import AlleleRecord, ReferenceInfo, reference_info, reference_table

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    name: module
    for module, names in {
        "_errors": (
            "AlleleNameError", "ColumnError", "ErrorCode", "FileFormatError", "GenotypeError", "KirmatchError",
            "KirTypingError", "MacTableError", "ProtocolValueError", "ReferenceTableError", "UnknownAlleleError",
        ),
        "catalogue": ("PROTOCOL_LIGANDS", "KirLigand", "Ligand", "LigandSpec"),
        "donor": ("DonorAssessment", "DonorSubset", "RankedDonor", "assess_donor", "rank_family_donors"),
        "genotype": ("Genotype",),
        "haplo": ("HaploMatch", "LocusMatch", "haplo_match"),
        "hla_typing": ("Typing", "parse_typing"),
        "kir": (
            "BContentGroup", "InhibitoryKirPair", "InhibitoryKirScore", "KirBContent", "KirBContentCall",
            "KirGenotype", "inhibitory_kir_score", "kir_b_content", "kir_b_content_from_genes",
        ),
        "ligands": ("CallStatus", "LigandCall", "classify"),
        "mac": ("MacTable", "load_mac_table"),
        "mismatch": ("AlloreactiveSubset", "KirLigandMismatch", "LigandComparison", "kir_ligand_mismatch"),
        "models": ("MODELS", "MatchModel", "ModelRegistry"),
        "nomenclature": (
            "AlleleName", "GLLocus", "GLString", "TypingKind", "parse_allele_name", "parse_designation",
            "parse_gl_string",
        ),
        "pools": ("Ciwd", "Pool", "Population"),
        "presence": ("Presence", "consensus", "kleene_and", "kleene_not", "kleene_or"),
        "profile": ("Bw4Policy", "LigandEvidence", "LigandProfile", "ligand_profile"),
        "protocol": (
            "NK_PURIFICATION_THRESHOLD_PER_KG", "alloreactive_nk_dose_per_kg", "nk_dose_per_kg",
            "reaches_purification_threshold",
        ),
        "reference": ("AlleleRecord", "ReferenceInfo", "reference_info", "reference_table"),
    }.items()
    for name in names
}
"""Public name -> the module that defines it (the same imports as under TYPE_CHECKING above)."""

_SUBMODULES = frozenset(
    {
        "build_hla_table", "build_kir_table", "catalogue", "cli", "donor", "frame", "genotype", "haplo", "hla_typing",
        "kir", "kir_reference", "ligands", "mac", "mismatch", "models", "nomenclature", "pools", "presence",
        "profile", "protocol", "reference", "strategies", "tables_io",
    }
)


def __getattr__(name: str) -> object:
    # The public names load their module on first use, so that ``import kirmatch`` costs almost nothing and a
    # process that classifies alleles imports only what that needs. Submodules (``kirmatch.frame``, the pandas
    # layer; ``kirmatch.strategies``, hypothesis) load on first use too, as attributes.
    import importlib

    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f"kirmatch.{module}"), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"kirmatch.{name}")
    raise AttributeError(f"module 'kirmatch' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, *_SUBMODULES})


if "pandas" in _sys.modules:  # pandas already loaded: register the DataFrame.kir accessor now, at no extra cost
    import importlib as _importlib

    _importlib.import_module("kirmatch.frame")

__all__ = [
    "AlleleName",
    "AlleleNameError",
    "AlleleRecord",
    "alloreactive_nk_dose_per_kg",
    "AlloreactiveSubset",
    "assess_donor",
    "BContentGroup",
    "Bw4Policy",
    "CallStatus",
    "Ciwd",
    "classify",
    "ColumnError",
    "consensus",
    "DonorAssessment",
    "DonorSubset",
    "ErrorCode",
    "FileFormatError",
    "Genotype",
    "GenotypeError",
    "GLLocus",
    "GLString",
    "haplo_match",
    "HaploMatch",
    "inhibitory_kir_score",
    "InhibitoryKirPair",
    "InhibitoryKirScore",
    "kir_b_content",
    "kir_b_content_from_genes",
    "kir_ligand_mismatch",
    "KirBContent",
    "KirBContentCall",
    "KirGenotype",
    "KirLigand",
    "KirLigandMismatch",
    "KirmatchError",
    "KirTypingError",
    "kleene_and",
    "kleene_not",
    "kleene_or",
    "Ligand",
    "ligand_profile",
    "LigandCall",
    "LigandComparison",
    "LigandEvidence",
    "LigandProfile",
    "LigandSpec",
    "LocusMatch",
    "load_mac_table",
    "MacTable",
    "MacTableError",
    "MatchModel",
    "ModelRegistry",
    "MODELS",
    "nk_dose_per_kg",
    "NK_PURIFICATION_THRESHOLD_PER_KG",
    "parse_allele_name",
    "parse_designation",
    "parse_gl_string",
    "parse_typing",
    "Presence",
    "PROTOCOL_LIGANDS",
    "Pool",
    "Population",
    "ProtocolValueError",
    "rank_family_donors",
    "RankedDonor",
    "reaches_purification_threshold",
    "reference_info",
    "reference_table",
    "ReferenceInfo",
    "ReferenceTableError",
    "Typing",
    "TypingKind",
    "UnknownAlleleError",
    "__version__",
]
