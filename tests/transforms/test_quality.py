import pytest

from schemas.config import QualitySettings
from schemas.document import Doc
from transforms.quality import check, quality_signals

SETTINGS = QualitySettings()
PROSE = (
    "The river runs past the old mill and the children walk along it every morning. "
    "In spring the water rises, and the miller opens the gates to let it through. "
) * 4


def scored(text: str) -> Doc:
    doc = Doc(id="x", source_uri="u", source_record="r", source_format="jsonl", text=text)
    for name, value in quality_signals(text).items():
        setattr(doc, name, value)
    return doc


def test_signals_of_plain_prose() -> None:
    signals = quality_signals("One two three.\nFour #five ...")
    assert signals == {
        "char_count": 29,
        "word_count": 6,
        "line_count": 2,
        "mean_word_length": 4.0,
        "alpha_word_ratio": 0.8333,
        "symbol_word_ratio": 0.3333,
    }


def test_cjk_characters_count_as_words_but_not_in_mean_length() -> None:
    signals = quality_signals("東京 abcd efgh ijkl")
    assert signals["word_count"] == 5
    assert signals["mean_word_length"] == 4.0
    # Mostly CJK: word length is meaningless, so the rule does not apply.
    japanese = quality_signals("東京は晴れ。気温は21度です。")
    assert japanese["word_count"] == 12
    assert japanese["mean_word_length"] is None
    assert japanese["alpha_word_ratio"] == 0.9167


def test_good_prose_passes() -> None:
    assert check(scored(PROSE), SETTINGS) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("too short to be a page", "too_few_words"),
        ("a b c d e f g h i j " * 10, "mean_word_length"),
        ("supercalifragilisticexpialidocious " * 60, "mean_word_length"),
        (PROSE + " #tag" * 20, "symbol_ratio"),
        (PROSE + " 12345 67890" * 40, "alpha_word_ratio"),
    ],
)
def test_each_rule_fails_its_example(text: str, reason: str) -> None:
    assert reason in check(scored(text), SETTINGS)


def test_too_many_words() -> None:
    assert check(scored(PROSE), QualitySettings(max_words=10)) == ["too_many_words"]
