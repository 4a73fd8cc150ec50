"""The house rules of issue 10: one ligand catalogue, one model registry, one error module with codes, and results
that are deeply immutable and hashable."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pandas as pd
import pytest
from hypothesis import given, settings
from pydantic import ValidationError

import kirmatch
import kirmatch.frame
import kirmatch.strategies as kst
from kirmatch import (
    MODELS,
    ErrorCode,
    Genotype,
    KirGenotype,
    KirLigand,
    KirmatchError,
    MatchModel,
    Presence,
    classify,
    inhibitory_kir_score,
    kir_b_content,
    kir_ligand_mismatch,
    ligand_profile,
    parse_typing,
    reference_info,
)
from kirmatch.catalogue import ALL_LIGANDS, PROTOCOL_LIGANDS, PROTOCOL_MASK
from kirmatch.cli import main
from kirmatch.presence import planes_and, planes_not
from kirmatch.profile import locus_mask

DONOR = "A*02:01+A*03:01^B*57:01+B*07:02^C*07:02+C*04:01"
RECIPIENT = "A*01:01+A*03:01^B*08:01+B*07:02^C*07:01+C*07:02"

# ------------------------------------------------------------------------------------------------ the catalogue


def test_catalogue_bits_are_distinct_powers_of_two_in_catalogue_order() -> None:
    bits = [ligand.bit for ligand in KirLigand]
    assert bits == [1 << i for i in range(len(bits))]
    assert ALL_LIGANDS == sum(bits)
    assert PROTOCOL_LIGANDS == (KirLigand.C1, KirLigand.C2, KirLigand.BW4)
    assert PROTOCOL_MASK == KirLigand.C1.bit | KirLigand.C2.bit | KirLigand.BW4.bit


def test_receptors_and_loci_come_from_the_catalogue() -> None:
    assert KirLigand.C1.spec.inhibitory == ("KIR2DL2", "KIR2DL3") and KirLigand.C1.spec.receptor == "KIR2DL2/3"
    assert KirLigand.C2.spec.activating == ("KIR2DS1",)
    assert locus_mask("C") == KirLigand.C1.bit | KirLigand.C2.bit
    assert locus_mask("B", b_locus_c1=False) & KirLigand.C1.bit == 0
    for locus in "ABC":  # a locus contributes exactly the ligands whose entry names it
        expected = sum(ligand.bit for ligand in KirLigand if locus in ligand.spec.loci)
        assert locus_mask(locus) == expected


def test_everything_downstream_has_one_row_or_column_per_catalogue_entry() -> None:
    profile = ligand_profile(DONOR)
    assert tuple(e.ligand for e in profile.ligands) == tuple(KirLigand)
    m = kir_ligand_mismatch(DONOR, RECIPIENT)
    assert tuple(c.ligand for c in m.ligands) == tuple(KirLigand)
    columns = set(kirmatch.frame.mismatch_schema().columns)
    assert {f"kir_gvh_{ligand.column}" for ligand in KirLigand} <= columns
    assert {f"kir_{ligand.column}" for ligand in KirLigand} <= set(kirmatch.frame.profile_schema().columns)
    # the iKIR pairs are the catalogue's inhibitory genes of the protocol ligands (and A3/A11 when asked)
    score = inhibitory_kir_score(KirGenotype.from_genes("2DL1 2DL2 2DL3 3DL1 3DL2"), DONOR, include_kir3dl2=False)
    genes = sorted(g for ligand in PROTOCOL_LIGANDS for g in ligand.spec.inhibitory)
    assert [p.receptor for p in score.pairs] == genes


def test_unknown_ligand_is_one_typed_error_everywhere() -> None:
    m = kir_ligand_mismatch(DONOR, RECIPIENT)
    for call in (lambda: m["C3"], lambda: ligand_profile(DONOR)["C3"], lambda: KirGenotype().receptor("C3")):
        with pytest.raises(kirmatch.ProtocolValueError, match="unknown KIR ligand 'C3'") as info:
            call()
        assert info.value.code is ErrorCode.UNKNOWN_LIGAND


# ------------------------------------------------------------------------------------------- the model registry


def _recipient_only(donor, lacks, kir):  # type: ignore[no-untyped-def]
    """A dummy rule: GvH wherever the recipient lacks the ligand, whoever the donor is."""
    return lacks


@pytest.fixture
def dummy_model() -> Iterator[MatchModel]:
    model = MODELS.register(
        MatchModel(
            name="dummy-recipient-only",
            rule="GvH = the recipient lacks the ligand",
            citation="none (a test model)",
            quote="",
            also_called="",
            needs_kir=False,
            uses_donor_hla=False,
            gvh=_recipient_only,
        )
    )
    try:
        yield model
    finally:
        MODELS.unregister(model.name)
    assert "dummy-recipient-only" not in MODELS


def test_a_registered_model_reaches_the_scalar_path_the_frame_and_the_cli(dummy_model: MatchModel) -> None:
    m = kir_ligand_mismatch(DONOR, RECIPIENT, model="dummy-recipient-only")
    assert m.model is dummy_model and m.model_dump()["model"] == "dummy-recipient-only"
    # the recipient lacks Bw4; the donor's own HLA plays no part in this rule
    assert m.gvh("Bw4") is Presence.PRESENT and m.gvh("C1") is Presence.ABSENT
    donors = pd.DataFrame([["A*02:01", "A*03:01", "B*57:01", "B*07:02", "C*07:02", "C*04:01"]],
                          columns=["A1", "A2", "B1", "B2", "C1", "C2"])
    out = kirmatch.frame.mismatch_against(donors, RECIPIENT, model="dummy-recipient-only")
    assert out.attrs["kirmatch_model"] == "dummy-recipient-only"
    assert out["kir_gvh_Bw4"].tolist() == ["present"] and out["kir_gvh_C1"].tolist() == ["absent"]
    out_text, err_text = io.StringIO(), io.StringIO()
    code = main(["match", "--donor", DONOR, "--recipient", RECIPIENT, "--model", "dummy-recipient-only", "--json"],
                out=out_text, err=err_text)
    assert code == 0, err_text.getvalue()
    assert json.loads(out_text.getvalue())["model"] == "dummy-recipient-only"


def test_cli_choices_are_the_registry(dummy_model: MatchModel, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("match", "screen"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "dummy-recipient-only" in capsys.readouterr().out


def test_the_registry_refuses_duplicates_and_unknown_names() -> None:
    with pytest.raises(kirmatch.ProtocolValueError, match="already registered"):
        MODELS.register(MODELS.get("ligand-ligand"))
    with pytest.raises(kirmatch.ProtocolValueError, match="'ruggeri'") as info:
        MODELS.get("ruggeri")
    assert info.value.code is ErrorCode.UNKNOWN_MODEL
    assert MODELS.names()[0] == "ligand-ligand" and len(MODELS) == len(list(MODELS))


def test_the_rules_are_the_registered_functions_on_planes() -> None:
    donor, recipient = ligand_profile(DONOR).planes, ligand_profile(RECIPIENT).planes
    lacks = planes_not(recipient, ALL_LIGANDS)
    assert MODELS.get("ligand-ligand").gvh(donor, lacks, None) == planes_and(donor, lacks)


# ----------------------------------------------------------------------------------------------- error codes


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: classify("C*07:0"), ErrorCode.MALFORMED_NAME),
        (lambda: classify("C*99:99"), ErrorCode.UNKNOWN_ALLELE),
        (lambda: classify("A*01:34N"), ErrorCode.DELETED_ALLELE),
        (lambda: kir_ligand_mismatch(DONOR, RECIPIENT, model="ruggeri"), ErrorCode.UNKNOWN_MODEL),
        (lambda: kir_ligand_mismatch(DONOR, RECIPIENT, bw4_policy="weak"), ErrorCode.UNKNOWN_OPTION),
        (lambda: kir_ligand_mismatch(DONOR, RECIPIENT, model="receptor-ligand"), ErrorCode.BAD_KIR_TYPING),
        (lambda: Genotype.from_strings("A*01:01"), ErrorCode.BAD_GENOTYPE),
        (lambda: kir_b_content("A/C", "A/A"), ErrorCode.BAD_KIR_TYPING),
        (lambda: kirmatch.nk_dose_per_kg(1e9, -1), ErrorCode.BAD_VALUE),
        (lambda: kirmatch.frame.find_hla_columns(pd.DataFrame({"x": []})), ErrorCode.COLUMN_NOT_FOUND),
    ],
)
def test_every_error_has_its_code(call, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KirmatchError) as info:
        call()
    assert info.value.code is code
    assert isinstance(info.value, ValueError)


def test_every_error_class_lives_in_one_module_and_has_a_default_code() -> None:
    from kirmatch import _errors

    classes = [getattr(kirmatch, name) for name in kirmatch.__all__ if name.endswith("Error")]
    assert classes and all(cls.__module__ == _errors.__name__ for cls in classes)
    assert all(isinstance(cls.default_code, ErrorCode) for cls in classes)


def test_frames_and_json_errors_carry_the_code() -> None:
    donors = pd.DataFrame({"A1": ["A*01:01", "A*99:99"], "A2": ["A*02:01"] * 2, "B1": ["B*08:01"] * 2,
                           "B2": ["B*57:01"] * 2, "C1": ["C*07:02", "C7:02"], "C2": ["C*04:01"] * 2})
    out = kirmatch.frame.mismatch_against(donors, RECIPIENT, errors="flag")
    assert out["kir_error_code"].tolist()[0] is pd.NA
    assert out["kir_error_code"].iloc[1] == "unknown_allele"  # the row's first problem, column order A1..C2
    text = io.StringIO()
    assert main(["classify", "C*99:99", "--json"], out=text, err=io.StringIO()) == 1
    assert json.loads(text.getvalue())[0]["code"] == "unknown_allele"


# --------------------------------------------------------------------------------- immutable, hashable results


def _results() -> list[object]:
    kir = KirGenotype.from_genes("2DL1 2DL3 3DL1 3DL2", centromeric="A/B", telomeric="A/A")
    m = kir_ligand_mismatch(DONOR, RECIPIENT, model="receptor-ligand", donor_kir=kir)
    profile = ligand_profile(DONOR)
    score = inhibitory_kir_score(kir, profile)
    return [
        classify("B*13:01"), classify("C*07"), parse_typing("C*07:01:01G"), reference_info(), Genotype.from_gl(DONOR),
        profile, profile.ligands[0], m, m.ligands[0], kir, kir.b_content, score, score.pairs[0],
        kirmatch.parse_allele_name("C*07:02:01:01"), kirmatch.parse_gl_string(DONOR),
    ]


def test_every_result_type_hashes_and_equal_results_hash_equal() -> None:
    for result in _results():
        assert isinstance(hash(result), int), type(result).__name__
    call = classify("B*13:01")
    twin = kirmatch.LigandCall.model_validate(call.model_dump())
    assert twin == call and hash(twin) == hash(call)


def test_returned_results_cannot_be_changed() -> None:
    call = classify("B*13:01")
    with pytest.raises(ValidationError):
        call.status = kirmatch.CallStatus.AMBIGUOUS  # type: ignore[misc]
    for mapping in (call.flag_counts, call.ligand_counts, reference_info().inputs_sha256):
        with pytest.raises(TypeError):
            mapping["x"] = 1  # type: ignore[index]
    assert classify("B*13:01") == call and "x" not in classify("B*13:01").flag_counts
    m = kir_ligand_mismatch(DONOR, RECIPIENT)
    with pytest.raises(ValidationError):
        m.ligands[0].gvh = Presence.ABSENT  # type: ignore[misc]


def test_internal_bit_planes_stay_out_of_dumps_and_schemas() -> None:
    profile = ligand_profile(DONOR)
    assert "planes" not in profile.model_dump() and "_planes" not in profile.model_dump()
    assert "planes" not in json.dumps(kirmatch.LigandProfile.model_json_schema())
    again = kirmatch.LigandProfile.model_validate(profile.model_dump())
    assert again == profile and hash(again) == hash(profile) and again.planes == profile.planes


@settings(max_examples=40)
@given(kst.donor_recipient_pairs())
def test_law_mismatch_results_round_trip_and_hash(pair: tuple[Genotype, Genotype]) -> None:
    m = kir_ligand_mismatch(*pair)
    again = kirmatch.KirLigandMismatch.model_validate_json(m.model_dump_json())
    assert again == m and hash(again) == hash(m)


def test_the_docs_models_table_is_the_registry(dummy_model: MatchModel) -> None:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "docs_hooks" / "models_table.py"
    spec = importlib.util.spec_from_file_location("models_table_hook", path)
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    table = hook.models_table()
    for model in MODELS:
        assert f"`{model.name}`" in table and model.rule in table
    page = (path.parents[1] / "docs" / "models.md").read_text(encoding="utf-8")
    assert hook.MARKER.search(page), "docs/models.md must take its table from the registry"
