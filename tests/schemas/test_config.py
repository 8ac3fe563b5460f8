from pathlib import Path

import pytest

from schemas.config import ConfigError, CurateConfig, load_config

PROJECT = Path(__file__).resolve().parents[2]


def test_default_yaml_matches_built_in_defaults() -> None:
    # configs/default.yaml spells the defaults out; it must not silently diverge from them.
    assert load_config(PROJECT / "configs" / "default.yaml") == CurateConfig()


def test_overrides_keep_yaml_types() -> None:
    config = load_config(
        None, ["quality.min_words=10", "language.allowed=[en, de]", "mode=annotate"]
    )
    assert config.quality.min_words == 10
    assert config.language.allowed == ("en", "de")
    assert config.mode == "annotate"


def test_config_hash_is_stable_and_sensitive() -> None:
    assert CurateConfig().sha256() == CurateConfig().sha256()
    assert load_config(None, ["quality.min_words=10"]).sha256() != CurateConfig().sha256()


@pytest.mark.parametrize(
    ("yaml_text", "overrides", "message"),
    [
        ("quality:\n  min_wrds: 3\n", [], "unknown key 'quality.min_wrds'"),
        ("quality:\n  min_words: -1\n", [], "key 'quality.min_words'"),
        ("mode: delete\n", [], "key 'mode'"),
        ("quality: [1, 2\n", [], "is not valid YAML at line"),
        ("- a\n- b\n", [], "must hold a mapping"),
        ("", ["quality.min_words"], "expected dotted.key=value"),
        ("", ["quality..x=1"], "is not a dotted key"),
        ("mode: filter\n", ["mode.x=1"], "which is not a section"),
    ],
)
def test_bad_config_is_one_sentence_naming_file_and_key(
    tmp_path: Path, yaml_text: str, overrides: list[str], message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, overrides)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text


def test_missing_config_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere\.yaml does not exist"):
        load_config(tmp_path / "nowhere.yaml")


def test_yaml_cannot_construct_objects(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("mode: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_config(path)


def _keys(model: type, prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            keys += _keys(annotation, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def test_every_config_key_is_documented() -> None:
    reference = (PROJECT / "docs" / "pipeline.md").read_text()
    missing = [key for key in _keys(CurateConfig) if f"`{key}`" not in reference]
    assert missing == []
