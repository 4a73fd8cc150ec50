"""kirmatch: KIR ligands of HLA class I alleles, from their protein sequence, and donor-recipient KIR-ligand matching.

The public API is re-exported here. Importing kirmatch is light: the reference table (and pandas, for the frame
functions) load on first use.

>>> import kirmatch
>>> kirmatch.classify("C*07:02").ligand
<Ligand.C1: 'C1'>
"""

from __future__ import annotations

from kirmatch._errors import (
    AlleleNameError,
    KirmatchError,
    MacTableError,
    ReferenceTableError,
    UnknownAlleleError,
)
from kirmatch.ligands import CallStatus, Ligand, LigandCall, classify
from kirmatch.mac import MacTable, load_mac_table
from kirmatch.nomenclature import (
    AlleleName,
    GLLocus,
    GLString,
    TypingKind,
    parse_allele_name,
    parse_designation,
    parse_gl_string,
)
from kirmatch.reference import AlleleRecord, ReferenceInfo, reference_info, reference_table
from kirmatch.typings import Typing, parse_typing

__version__ = "0.1.0"

__all__ = [
    "AlleleName",
    "AlleleNameError",
    "AlleleRecord",
    "CallStatus",
    "GLLocus",
    "GLString",
    "KirmatchError",
    "Ligand",
    "LigandCall",
    "MacTable",
    "MacTableError",
    "ReferenceInfo",
    "ReferenceTableError",
    "Typing",
    "TypingKind",
    "UnknownAlleleError",
    "classify",
    "load_mac_table",
    "parse_allele_name",
    "parse_designation",
    "parse_gl_string",
    "parse_typing",
    "reference_info",
    "reference_table",
    "__version__",
]
