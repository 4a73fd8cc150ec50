"""kirmatch: KIR ligands of HLA class I alleles, from their protein sequence, and donor-recipient KIR-ligand matching.

The public API is re-exported here. Importing kirmatch is light: the reference table loads on first use, and the pandas
layer [`kirmatch.frame`][kirmatch.frame] (which registers the ``DataFrame.kir`` accessor) is imported with kirmatch only
when pandas is already loaded, else on first use of ``kirmatch.frame``.

>>> import kirmatch
>>> kirmatch.classify("C*07:02").ligand
<Ligand.C1: 'C1'>
"""

from __future__ import annotations

import sys as _sys

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


def __getattr__(name: str) -> object:
    # ``kirmatch.frame`` (pandas layer) and ``kirmatch.strategies`` (hypothesis) load on first use only.
    if name in {"frame", "strategies"}:
        import importlib

        return importlib.import_module(f"kirmatch.{name}")
    raise AttributeError(f"module 'kirmatch' has no attribute {name!r}")


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
