"""Issue 14: an interrupted ``kirmatch screen`` leaves no output file or the complete one, never a truncated list that
looks valid, and never changes its input. Real signals to a real ``kirmatch screen`` subprocess."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROWS = 100_000
RECIPIENT = "A*01:01 A*03:01 B*08:01 B*07:02 C*07:02 C*03:04"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    alleles = {
        "A": ["A*01:01", "A*02:01", "A*03:01", "A*24:02", "A*11:01"],
        "B": ["B*08:01", "B*07:02", "B*57:01", "B*44:02", "B*35:01"],
        "C": ["C*07:02", "C*04:01", "C*03:04", "C*06:02", "C*07:01"],
    }
    draw = random.Random(14)
    lines = ["donor_id,A1,A2,B1,B2,C1,C2,age"]
    for i in range(ROWS):
        typing = ",".join(draw.choice(alleles[locus]) for locus in "AABBCC")
        lines.append(f"D{i:06d},{typing},{draw.randint(18, 60)}")
    path = tmp_path_factory.mktemp("registry") / "donors.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _start(donors: Path, output: Path, path: str) -> subprocess.Popen[str]:
    """``kirmatch screen`` in a new process, by the streaming reader or (``--by`` is not streamed) the pandas path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    by = ["--by", "age"] if path == "pandas" else []
    return subprocess.Popen(
        [sys.executable, "-m", "kirmatch", "screen", str(donors), "--recipient", RECIPIENT, "-o", str(output),
         *by, "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        # a runner started in the background ignores SIGINT, and children inherit that: restore Ctrl-C's default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_temporary(directory: Path, process: subprocess.Popen[str], timeout: float = 60) -> bool:
    """Wait until the output's temporary file exists (the write has begun); False if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list(directory.glob(".*.kirmatch-tmp*")):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    return False


def _complete(output: Path) -> bool:
    text = output.read_text()
    lines = text.splitlines()
    return text.endswith("\n") and len(lines) == ROWS + 1 and lines[0].startswith("donor_id,kir_rank,")


@pytest.mark.parametrize(
    ("signum", "code", "moment"),
    [
        (signal.SIGINT, 130, "writing"),
        (signal.SIGTERM, 143, "writing"),
        (signal.SIGINT, 130, "mid-write"),
        (signal.SIGTERM, 143, "computing"),
    ],
)
@pytest.mark.parametrize("path", ["stream", "pandas"])
def test_an_interrupted_screen_leaves_the_old_file_or_the_complete_one(
    registry: Path, tmp_path: Path, signum: int, code: int, moment: str, path: str
) -> None:
    before = _sha(registry)
    output = tmp_path / "ranked.csv"
    output.write_text("the previous list\n")  # an earlier run's file: it must survive whole or be replaced whole
    process = _start(registry, output, path)
    if moment == "computing":
        time.sleep(2.0)  # reading and matching (after the imports), before any write
        began = process.poll() is None
    else:
        began = _wait_for_temporary(tmp_path, process)
        if moment == "mid-write":
            time.sleep(0.05)
    if began:
        process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert _sha(registry) == before, "the input was changed"
    assert not list(tmp_path.glob(".*.kirmatch-tmp*")), "a temporary file was left behind"
    text = output.read_text()
    assert text == "the previous list\n" or _complete(output), f"truncated output: {len(text.splitlines())} lines"
    if moment == "writing":
        assert began and process.returncode == code, err  # signalled as the write began: it cannot have finished
    if process.returncode != 0:  # the signal arrived before the end (else the run simply finished)
        assert process.returncode == code
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert ("interrupted" if signum == signal.SIGINT else "terminated") in err


def test_the_output_can_never_be_the_input(registry: Path, tmp_path: Path) -> None:
    copy = tmp_path / "registry.csv"
    copy.write_bytes(registry.read_bytes()[:5000].rsplit(b"\n", 1)[0] + b"\n")
    before = _sha(copy)
    link = tmp_path / "same.csv"
    os.link(copy, link)
    for target in (copy, link, tmp_path / "." / "registry.csv"):
        done = subprocess.run(
            [sys.executable, "-m", "kirmatch", "screen", str(copy), "--recipient", RECIPIENT, "-o", str(target)],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        assert done.returncode == 1 and "is the input file" in done.stderr, done.stderr
    assert _sha(copy) == before
