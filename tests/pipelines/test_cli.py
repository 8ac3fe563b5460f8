"""The CLI's contract for bad input: one sentence naming the file, key or path; exit status 2."""

from pathlib import Path

import pytest

from pipelines.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["run", "--input", "/no/such/shard.warc.gz"],
            "Input path /no/such/shard.warc.gz does not exist.",
        ),
        (
            ["run", "--input", "/no/such/*.warc.gz"],
            "Input path /no/such/*.warc.gz matches no files.",
        ),
        (["run", "--set", "quality.min_wrds=3"], "--set: unknown key 'quality.min_wrds'."),
        (["run", "--set", "language.min_score=2"], "key 'language.min_score'"),
        (["run", "--config", "/no/such.yaml"], "Config file /no/such.yaml does not exist."),
        (["run", "--runnr", "x"], "Unknown option --runnr"),
        (
            ["run", "--set", "language.model_path=/no/lid.ftz"],
            "language.model_path: /no/lid.ftz does not exist",
        ),
    ],
)
def test_bad_arguments_exit_2_with_one_sentence(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert err.count("\n") == 0
    assert "Traceback" not in err


def test_a_stage_that_cannot_start_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    argv = ["run", "--output", str(tmp_path / "out"), "--set", "pii.ner_model=no_such_pipeline"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("curate: error: pii.ner_model: the spaCy pipeline 'no_such_pipeline'")
    assert err.count("\n") == 0
    assert [r for r in caplog.records if r.exc_info] == []
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_unknown_format_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "crawl.bin"
    odd.write_bytes(b"x")
    assert main(["run", "--input", str(odd)]) == 2
    assert f"Input {odd}: cannot tell the format" in capsys.readouterr().err


def test_duplicate_file_names_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "docs.jsonl").write_text('{"text": "x"}\n')
    argv = [
        "run",
        "--input",
        str(tmp_path / "a" / "docs.jsonl"),
        "--input",
        str(tmp_path / "b" / "docs.jsonl"),
    ]
    assert main(argv) == 2
    assert "share the file name docs.jsonl" in capsys.readouterr().err
