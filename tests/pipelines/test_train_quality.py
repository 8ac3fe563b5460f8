"""`curate train-quality` end to end: same inputs, same model bytes; clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipelines.cli import main
from tests.transforms.test_quality_model import BAD, GOOD


def test_train_quality_writes_a_reproducible_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.txt"
    good.write_text("".join(f'{{"text": "{t}"}}\n' for t in GOOD))
    bad.write_text("\n".join(BAD) + "\n")
    digests = []
    for name in ("a.bin", "b.bin"):
        args = ["train-quality", "--positive", str(good), "--negative", str(bad),
                "--output", str(tmp_path / name),
                "--holdout", "0.2"]  # fmt: skip
        assert main(args) == 0
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    printed = capsys.readouterr().out
    assert "precision" in printed and "recall" in printed
    assert f"sha256 {digests[0]}" in printed
    assert digests[0] == digests[1]
    assert (tmp_path / "a.bin.sha256").read_text() == f"{digests[0]}  a.bin\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ('{"txt": 1}\n', "has no text field 'text'"),
        ("not json\n", "line 1 is not JSON"),
    ],
)
def test_bad_training_files_are_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    positive = tmp_path / "pos.jsonl"
    if content is not None:
        positive.write_text(content)
    (tmp_path / "neg.txt").write_text("cheap deal\n")
    args = ["train-quality", "--positive", str(positive), "--negative", str(tmp_path / "neg.txt"),
            "--output", str(tmp_path / "m.bin")]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
