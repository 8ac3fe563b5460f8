from pathlib import Path

import pytest

from schemas.config import ConfigError, CurateConfig
from schemas.document import Doc
from schemas.quality import WordListSettings
from transforms.word_list import (
    FilterListedWords,
    WordList,
    check,
    compile_words,
    count_hits,
    load_word_lists,
    parse_words,
)


def word_list(words: list[str], language: str = "en") -> WordList:
    return WordList(language, compile_words(words, language), "f", "0" * 64)


def test_off_by_default_with_the_shipped_english_list() -> None:
    settings = CurateConfig().quality.word_list
    assert settings.enabled is False
    lists = load_word_lists(settings)
    assert list(lists) == ["en"]
    assert count_hits("What a load of shit.", lists["en"]) == 1


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ("Total SHIT, and bullshit too.", 2),  # case-insensitive, whole words
        ("The shitake mushrooms were fresh.", 0),  # inside a longer word: no match
        ("Scunthorpe United won again.", 0),
        ("He said 'shit!' twice: shit shit.", 3),  # adjacent matches all count
        ("A fine day out.", 0),
    ],
)
def test_whole_word_matching(text: str, hits: int) -> None:
    assert count_hits(text, word_list(["shit", "bullshit", "cunt"])) == hits


def test_phrases_and_unspaced_scripts() -> None:
    assert count_hits("Two girls one cup of tea.", word_list(["two girls one cup"])) == 1
    assert count_hits("素晴らしいエロ動画", word_list(["エロ"], "ja")) == 1
    # Spaced languages need a word boundary; unspaced ones do not.
    assert count_hits("素晴らしいエロ動画", word_list(["エロ"], "en")) == 0


def test_list_files_skip_comments_and_blank_lines() -> None:
    assert parse_words("# a comment\nShit\n\n  crap  # inline\n") == ["crap", "shit"]


def test_stage_records_hits_and_check_drops_on_any(tmp_path: Path) -> None:
    listed = tmp_path / "en.txt"
    listed.write_text("darn\n")
    stage = FilterListedWords(WordListSettings(enabled=True, files={"en": str(listed)}))
    doc = Doc(id="x", source_uri="u", source_record="r", source_format="jsonl", text="Darn it.")
    doc.language = "en"
    stage.annotate(doc)
    assert doc.word_list_hits == 1
    assert check(doc, stage.settings) == ["listed_word"]
    doc.language, doc.text = "de", "Darn it."
    stage.annotate(doc)
    assert doc.word_list_hits is None  # no German list: not checked
    assert check(doc, stage.settings) == []


def test_unreadable_or_empty_list_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"quality.word_list.files.en: .* cannot be read"):
        load_word_lists(WordListSettings(files={"en": str(tmp_path / "missing.txt")}))
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(ConfigError, match="lists no words"):
        load_word_lists(WordListSettings(files={"en": str(tmp_path / "empty.txt")}))
