"""kirmatch: KIR ligands of HLA class I alleles, from their protein sequence, and donor-recipient KIR-ligand matching.

The public API is re-exported here. Importing kirmatch is light: the reference table (and pandas, for the frame
functions) load on first use.

>>> import kirmatch
>>> kirmatch.classify("C*07:02").ligand
<Ligand.C1: 'C1'>
"""

from __future__ import annotations

from kirmatch._errors import AlleleNameError, KirmatchError, ReferenceTableError, UnknownAlleleError
from kirmatch.ligands import CallStatus, Ligand, LigandCall, classify
from kirmatch.nomenclature import AlleleName, parse_allele_name
from kirmatch.reference import AlleleRecord, ReferenceInfo, reference_info, reference_table

__version__ = "0.1.0"

__all__ = [
    "AlleleName",
    "AlleleNameError",
    "AlleleRecord",
    "CallStatus",
    "KirmatchError",
    "Ligand",
    "LigandCall",
    "ReferenceInfo",
    "ReferenceTableError",
    "UnknownAlleleError",
    "classify",
    "parse_allele_name",
    "reference_info",
    "reference_table",
    "__version__",
]
