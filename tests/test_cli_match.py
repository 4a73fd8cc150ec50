"""The ``kirmatch match`` command."""

from __future__ import annotations

import io
import json

from kirmatch import nomenclature
from kirmatch.cli import main

DONOR = ["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:02", "C*04:01"]
RECIPIENT = ["A*01:01", "A*02:01", "B*08:01", "B*07:02", "C*07:02", "C*03:04"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_match_prints_a_verdict():
    code, out, err = run("match", "--donor", *DONOR, "--recipient", *RECIPIENT)
    assert code == 0 and err == ""
    assert out.strip() == "GvH KIR-ligand incompatible: C2 (donor C*04:01; recipient has no C2)"


def test_match_with_missing_alleles_explain_and_json():
    code, out, _ = run("match", "--donor", *DONOR, "--recipient", *RECIPIENT[:5], "-", "--explain")
    assert code == 0 and out.startswith("GvH KIR-ligand incompatibility possible: C2") and "  Possible GvH" in out
    code, out, _ = run("match", "--donor", *DONOR, "--recipient", *RECIPIENT, "--json", "--bw4-policy", "b-only")
    data = json.loads(out)
    assert code == 0 and data["gvh_incompatible"] == "present" and data["bw4_policy"] == "b-only"


def test_match_kir_models():
    # The donor's C2 educates no KIR2DL1+ cells (no KIR2DL1): compatible under the educational model. Under Leung's
    # receptor-ligand model the donor's HLA plays no part: KIR3DL1 and a recipient without Bw4 suffice.
    code, out, _ = run("match", "--donor", *DONOR, "--recipient", *RECIPIENT, "--model", "educational",
                       "--donor-kir", "2DL3,3DL1,3DL2")
    assert code == 0 and out.startswith("GvH KIR-ligand compatible")
    code, out, _ = run("match", "--donor", *DONOR, "--recipient", *RECIPIENT, "--model", "receptor-ligand",
                       "--donor-kir", "2DL3,3DL1,3DL2")
    assert code == 0 and out.startswith("GvH KIR-ligand incompatible (receptor-ligand model): Bw4 (donor KIR3DL1+")
    code, _, err = run("match", "--donor", *DONOR, "--recipient", *RECIPIENT, "--model", "receptor-ligand")
    assert code == 1 and "--donor-kir" in err


def test_match_bad_input_exits_1_with_a_clear_message():
    code, out, err = run("match", "--donor", *DONOR[:5], "C*99:99", "--recipient", *RECIPIENT)
    assert code == 1 and out == ""
    assert "donor HLA-C allele 2: 'C*99:99'" in err
    code, _, err = run("match", "--donor", *DONOR[:4], "--recipient", *RECIPIENT)
    assert code == 1 and "six designations" in err
    if not hasattr(nomenclature, "parse_gl_string"):
        code, _, err = run("match", "--donor", "A*01:01+A*02:01", "--recipient", *RECIPIENT)
        assert code == 1 and "GL strings" in err
