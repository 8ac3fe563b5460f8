"""Every kind of damaged shard, read record by record: errors where the damage is, the rest kept.

The shards come from `tests.corrupt_shards`; each case names the `error` rows a reader must emit
and the intact documents it must keep. `docs/faults.md` lists the cases and these tests.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from schemas.config import ExtractSettings, InputSettings
from schemas.document import Doc, Status
from tests.corrupt_shards import (
    CHARSET_WORDS,
    KINDS,
    BadCase,
    write_corrupt_shards,
    write_huge_shards,
)
from transforms.extract import extract_text
from transforms.read import READERS, ShardSpec, detect_format

SETTINGS = InputSettings()
_PARAGRAPHS_0 = "The ferry to Wrayford now leaves every forty minutes"


@pytest.fixture(scope="module")
def corrupt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, BadCase]]:
    directory = tmp_path_factory.mktemp("corrupt")
    return directory, write_corrupt_shards(directory)


def read(path: Path, settings: InputSettings = SETTINGS) -> tuple[list[Doc], Counter[str]]:
    fmt = detect_format(path.name)
    assert fmt is not None
    spec = ShardSpec(index=0, uri=str(path), name=path.name, format=fmt, size=path.stat().st_size)
    skipped: Counter[str] = Counter()
    return list(READERS[fmt](spec, settings, lambda r: skipped.update([r]))), skipped


def check_case(path: Path, case: BadCase, docs: list[Doc]) -> None:
    errors = [d for d in docs if d.status is Status.ERROR]
    good = [d for d in docs if d.status is not Status.ERROR]
    if case.errors == ("*",):  # damage that loses the rest of the file: one error, anywhere
        assert len(errors) == 1
    else:
        assert [d.source_record for d in errors] == list(case.errors)
    for doc in errors:
        assert doc.stage == "read"
        assert doc.reason and doc.reason.startswith(f"{path.name} {doc.source_record}: ")
        assert doc.source_uri == str(path)
    # Every intact record is read as usual, in file order, and nothing else appears.
    assert [d.source_record for d in good] == list(case.good)
    assert all(d.status is Status.KEPT and d.reason is None for d in good)
    assert len({d.id for d in docs}) == len(docs)


def test_every_kind_of_damage_is_generated(corrupt: tuple[Path, dict[str, BadCase]]) -> None:
    directory, cases = corrupt
    assert sorted(p.name for p in directory.iterdir()) == sorted(cases)
    kinds = {case.damage for case in cases.values()}
    assert len(kinds) >= 15, sorted(kinds)
    assert set(KINDS) == {
        "gzip",
        "warc",
        "charset",
        "text",
        "json",
        "parquet",
        "zstd",
        "empty",
        "arc",
    }


def test_damaged_shards_give_errors_at_the_damage_and_keep_the_rest(
    corrupt: tuple[Path, dict[str, BadCase]],
) -> None:
    directory, cases = corrupt
    for name, case in sorted(cases.items()):
        docs, _ = read(directory / name)
        try:
            check_case(directory / name, case, docs)
        except AssertionError as exc:
            raise AssertionError(
                f"{name} ({case.damage}): {[(d.source_record, d.reason) for d in docs]}"
            ) from exc


def test_good_records_keep_their_content(corrupt: tuple[Path, dict[str, BadCase]]) -> None:
    directory, _ = corrupt
    docs, skipped = read(directory / "content-length-long.warc.gz")
    assert skipped == {"warcinfo_record": 1}
    pages = [d for d in docs if d.status is Status.KEPT]
    for doc in pages:
        number = doc.url.rsplit("/", 1)[-1] if doc.url else ""
        assert doc.payload and f"Notes from the valley, part {number}</h1>".encode() in doc.payload
        assert doc.http_status == 200


def test_wrong_charsets_still_give_the_words(corrupt: tuple[Path, dict[str, BadCase]]) -> None:
    directory, _ = corrupt
    docs, _ = read(directory / "wrong-charset.warc.gz")
    assert [d.status for d in docs] == [Status.KEPT] * 5
    texts = [extract_text(d, ExtractSettings()) for d in docs]
    # Undeclared cp1252, UTF-8 behind an unknown label: the words come back exactly.
    assert CHARSET_WORDS in texts[1] and CHARSET_WORDS in texts[3]
    # UTF-8 declared as Latin-1 is decoded as declared, and declared UTF-8 with one stray byte
    # falls back to cp1252 for the whole page (resiliparse's rule): mojibake, but text.
    assert "CafÃ© crÃ¨me" in texts[2]
    assert "CafÃ©" in texts[4] and _PARAGRAPHS_0 in texts[4]
    assert all(t.encode("utf-8") for t in texts)


def test_nul_bytes_are_removed_from_extracted_html(
    corrupt: tuple[Path, dict[str, BadCase]],
) -> None:
    directory, _ = corrupt
    docs, _ = read(directory / "nul-bytes.warc.gz")
    texts = [extract_text(d, ExtractSettings()) for d in docs if d.status is Status.KEPT]
    assert texts and all("\x00" not in t for t in texts)


_PEAK = """
import resource, sys
from pathlib import Path
from schemas.config import InputSettings
from transforms.read import READERS, ShardSpec, detect_format
path = Path(sys.argv[1])
fmt = detect_format(path.name)
spec = ShardSpec(0, str(path), path.name, fmt, path.stat().st_size)
print(sum(1 for _ in READERS[fmt](spec, InputSettings(), lambda r: None)))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _read_peak_kib(path: Path) -> int:
    """Peak resident memory (KiB) of a fresh process that reads `path` with the reader."""
    import subprocess
    import sys

    from tests.conftest import PROJECT

    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT,
    )
    return int(done.stdout.split()[-1])


@pytest.mark.slow
def test_hundred_megabyte_records_are_errors_in_bounded_memory(tmp_path: Path) -> None:
    cases = write_huge_shards(tmp_path / "huge")
    small = write_corrupt_shards(tmp_path / "small")
    for name, case in cases.items():
        docs, _ = read(tmp_path / "huge" / name)
        check_case(tmp_path / "huge" / name, case, docs)
        (error,) = [d for d in docs if d.status is Status.ERROR]
        assert "exceeds input.max_record_bytes" in (error.reason or "")
    # Reading a 100 MB record or line costs no more memory than reading a small file: it is
    # skipped in bounded chunks, never held.
    baseline = max(_read_peak_kib(tmp_path / "small" / n) for n in ("bad-utf8.jsonl",))
    assert {n: _read_peak_kib(tmp_path / "huge" / n) - baseline < 64 * 1024 for n in cases} == {
        n: True for n in cases
    }
    assert small
