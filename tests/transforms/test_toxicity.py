import csv
import hashlib
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability import common_urns
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from pydantic import ValidationError

from schemas.document import Doc
from schemas.toxicity import DetoxifyBackend, ProfanityCheckBackend, ToxicitySettings
from tests.conftest import eval_dir
from transforms.base import StageError
from transforms.identity import load_lexicon
from transforms.toxicity import (
    DETOXIFY_ORIGINAL_CLASSES,
    RULE_TOKEN_RE,
    AttackRules,
    ProfanityCheckModelHandler,
    ScoreFailure,
    ScoreToxicity,
    aggregate,
    check,
    detoxify_checkpoint,
    load_detoxify,
    make_model_handler,
    model_files,
    rule_tokens,
    score_texts,
    split_chunks,
)

ACCELERATOR = "type:nvidia-tesla-t4;count:1;install-nvidia-driver"
PROFANITY_ALONE = ToxicitySettings(
    backend=ProfanityCheckBackend(identity_attack=False, mask_identity_terms=False)
)


def make_doc(key: str, text: str) -> Doc:
    return Doc(id=key, source_uri="u", source_record=key, source_format="jsonl", text=text)


@pytest.fixture(scope="module")
def rules() -> AttackRules:
    return AttackRules.from_lexicon(load_lexicon())


@pytest.fixture(scope="module")
def default_scorer() -> Any:
    return make_model_handler(ToxicitySettings()).load_model()


@pytest.fixture(scope="module")
def alone_scorer() -> Any:
    return make_model_handler(PROFANITY_ALONE).load_model()


# --- pure functions --------------------------------------------------------------------------


def test_split_chunks_cuts_at_whitespace() -> None:
    assert split_chunks("short text", 100, 8) == ["short text"]
    assert split_chunks("", 100, 8) == [""]
    text = " ".join(f"word{i:03d}" for i in range(100))  # 799 characters
    chunks = split_chunks(text, 200, 64)
    assert "".join(chunks) == text
    assert [len(c) for c in chunks] == [200, 200, 200, 199]
    assert all(c.endswith(" ") for c in chunks[:-1])
    # No whitespace at all: hard cuts.
    assert split_chunks("x" * 450, 200, 64) == ["x" * 200, "x" * 200, "x" * 50]


def test_split_chunks_thins_evenly() -> None:
    text = "".join(f"{i:02d}" + " " * 98 for i in range(10))  # ten 100-character pieces
    chunks = split_chunks(text, 100, 4)
    assert [c[:2] for c in chunks] == ["00", "03", "06", "09"]
    assert [c[:2] for c in split_chunks(text, 100, 1)] == ["00"]


def test_aggregate() -> None:
    scores = [{"toxicity": 0.2, "insult": 0.9}, {"toxicity": 0.6, "insult": 0.1}]
    assert aggregate(scores, "max") == {"insult": 0.9, "toxicity": 0.6}
    assert aggregate(scores, "mean") == {"insult": 0.5, "toxicity": 0.4}


def test_check_applies_per_label_thresholds() -> None:
    doc = make_doc("d", "")
    assert check(doc, ToxicitySettings()) == []  # not scored
    doc.toxicity_labels = {
        "toxicity": 0.8,
        "insult": 0.95,
        "identity_attack": 0.3,
        "profanity": 0.7,
    }
    doc.toxicity_score = 0.8
    settings = ToxicitySettings(thresholds={"insult": 0.9, "toxicity": 0.8, "identity_attack": 0.5})
    assert check(doc, settings) == ["toxic", "insult"]
    assert check(doc, ToxicitySettings(thresholds={"toxicity": 0.81})) == []


def test_settings_validation() -> None:
    with pytest.raises(ValidationError, match="threshold label 'threat' is not emitted"):
        ToxicitySettings(thresholds={"threat": 0.5})
    with pytest.raises(ValidationError, match="threshold label 'insult' is not emitted"):
        ToxicitySettings(
            backend=ProfanityCheckBackend(identity_attack=False), thresholds={"insult": 0.5}
        )
    with pytest.raises(ValidationError, match="must lie in"):
        ToxicitySettings(thresholds={"toxicity": 1.5})
    with pytest.raises(ValidationError, match="needs checkpoint and huggingface_config_path"):
        ToxicitySettings.model_validate({"backend": {"kind": "detoxify"}})
    with pytest.raises(ValidationError, match="kind"):
        ToxicitySettings.model_validate({"backend": {"kind": "perspective"}})
    detoxify = ToxicitySettings.model_validate(
        {"backend": {"kind": "detoxify", "allow_download": True}, "thresholds": {"threat": 0.5}}
    )
    assert isinstance(detoxify.backend, DetoxifyBackend)
    assert detoxify.backend.labels()[:2] == ("toxicity", "severe_toxicity")


def test_rule_token_pattern() -> None:
    assert RULE_TOKEN_RE.findall("don't stop: a b-c x!") == ["don", "stop", ":", "!"]
    assert RULE_TOKEN_RE.findall("a b c , ' -") == []
    assert rule_tokens("Muslim’s VIEW.") == ["muslim", "view", "."]


@pytest.mark.parametrize(
    ("text", "identity_attack", "insult"),
    [
        # Predicates on a group, attributive insults, hostile verbs, calls for violence.
        ("Muslims are vermin", 0.9, 0.0),
        ("immigrants are a bunch of criminals", 0.9, 0.0),
        ("gays are disgusting", 0.85, 0.0),
        ("Angela is a disgusting lesbian", 0.85, 0.0),
        ("kill all the jews", 0.9, 0.0),
        ("I hate muslims", 0.85, 0.0),
        ("Jews should be gassed", 0.9, 0.0),
        ("refugees must die", 0.9, 0.0),
        ("mexicans go back to mexico", 0.8, 0.0),
        ("a filthy kike", 0.9, 0.0),  # a slur
        ("muslims are vermin, kill all muslims", 1 - (1 - 0.9) * (1 - 0.9), 0.0),  # noisy-or
        # Negations, news and sentence boundaries do not fire.
        ("Muslims are not vermin", 0.0, 0.0),
        ("I don't hate muslims", 0.0, 0.0),
        ("Jews killed in attack", 0.0, 0.0),
        ("Muslims should be welcomed", 0.0, 0.0),
        ("The water is filthy. Refugees arrived today", 0.0, 0.0),
        ("a terrible history of discrimination against women", 0.0, 0.0),
        # Insults addressed to the reader.
        ("you are an idiot", 0.0, 0.8),
        ("are you stupid", 0.0, 0.8),
        ("you're not stupid", 0.0, 0.0),
        ("thank you so much", 0.0, 0.0),
    ],
)
def test_attack_rules(rules: AttackRules, text: str, identity_attack: float, insult: float) -> None:
    signals = rules.signals(rule_tokens(text))
    assert (signals.identity_attack, signals.insult) == (pytest.approx(identity_attack), insult)


def test_counter_speech_is_detected(rules: AttackRules) -> None:
    assert rules.signals(rule_tokens("He called me a faggot, which is homophobic")).counter_speech
    assert not rules.signals(rule_tokens("You faggot")).counter_speech


# --- the profanity_check backend -------------------------------------------------------------


def test_features_and_probabilities_match_scikit_learn(alone_scorer: Any) -> None:
    texts = [
        "Hello world, this is fine.",
        "You are a stupid idiot!!",
        "Don't you dare — naïve café, Straße",
        "",
        "word " * 500,
    ]
    expected = alone_scorer.vectorizer.transform(texts)
    features = alone_scorer.features([rule_tokens(t) for t in texts])
    assert (abs(expected - features)).max() == 0.0
    np.testing.assert_array_equal(
        alone_scorer.probabilities(features),
        alone_scorer._classifier.predict_proba(expected)[:, 1],
    )


def test_beyond_profanity(alone_scorer: Any, default_scorer: Any) -> None:
    """What the profanity model alone gets wrong, and what the default does about it."""
    threshold = ToxicitySettings().thresholds["toxicity"]
    hate_without_swearing = [
        "Muslims are vermin and should be deported",
        "Immigrants are a disease",
        "Jews should be gassed",
        "We should ban all muslims",
    ]
    identity_mentions = ["I am a proud gay man", "Being queer is wonderful"]
    counter_speech = [
        "He called me a faggot and that is homophobic",
        "Calling women bitches is sexist and I said so",
    ]

    def flagged(scorer: Any, texts: list[str]) -> list[bool]:
        return [s["toxicity"] >= threshold for s in scorer.score(texts)]

    assert flagged(alone_scorer, hate_without_swearing) == [False] * 4
    assert flagged(default_scorer, hate_without_swearing) == [True] * 4
    # Masking identity terms removes the profanity model's learned association of the words
    # themselves with offence ("gay" alone scores 0.73 there).
    alone = [s["toxicity"] for s in alone_scorer.score(identity_mentions)]
    masked = [s["toxicity"] for s in default_scorer.score(identity_mentions)]
    assert [round(x, 2) for x in alone] == [0.73, 0.80]
    assert all(x < 0.06 for x in masked)
    # Counter-speech quoting a slur: flagged by the profanity model, discounted by the default.
    assert flagged(alone_scorer, counter_speech) == [True, True]
    assert flagged(default_scorer, counter_speech) == [False, False]
    labels = default_scorer.score(counter_speech[:1])[0]
    assert sorted(labels) == ["identity_attack", "insult", "profanity", "toxicity"]
    assert labels["identity_attack"] == pytest.approx(0.9 * 0.5)
    assert labels["toxicity"] == pytest.approx(labels["profanity"] * 0.5)


class FlakyScorer:
    """A model stand-in that fails on any chunk containing 'BOOM' (tests the fallback)."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        self.calls.append(len(texts))
        if any("BOOM" in t for t in texts):
            raise ValueError("cannot score: " + " ".join(texts))
        return [{"toxicity": len(t) / 1000} for t in texts]


def test_a_failing_document_fails_alone() -> None:
    settings = ToxicitySettings(chunk_chars=100, max_batch_size=3)
    scorer = FlakyScorer()
    texts = ["a" * 250, "b" * 50, "secret BOOM", "c" * 10]
    predictions = score_texts(texts, scorer, settings)
    assert predictions == [
        {"toxicity": 0.1},
        {"toxicity": 0.05},
        ScoreFailure("classifier failed on this document (ValueError)"),
        {"toxicity": 0.01},
    ]
    # Six chunks in calls of at most three, then one document at a time.
    assert scorer.calls == [3, 3, 3, 1, 1, 1]


def test_score_toxicity_in_a_beam_pipeline(default_scorer: Any) -> None:
    texts = {
        "hate": "Muslims are vermin and should be deported",
        "mention": "I am a proud gay man",
        "long": "Have a lovely day. " * 100 + "you are an idiot",
        "empty": "",
    }
    docs = [make_doc(key, text) for key, text in texts.items()]
    failed = make_doc("failed", "unreadable")
    failed.fail("read", "bad record")
    docs.append(failed)
    settings = ToxicitySettings(chunk_chars=500)
    expected = []
    for key, text in texts.items():
        chunks = split_chunks(text, settings.chunk_chars, settings.max_chunks)
        labels = aggregate(default_scorer.score(chunks), "max")
        expected.append((key, "kept", labels["toxicity"], labels))
    expected.append(("failed", "error", None, {}))
    with TestPipeline(runner=FnApiRunner()) as pipeline:
        scored = (
            pipeline
            | beam.Create(docs)
            | "score_toxicity" >> ScoreToxicity(settings)
            | beam.Map(lambda d: (d.id, d.status.value, d.toxicity_score, d.toxicity_labels))
        )
        assert_that(scored, equal_to(expected))
    # The insult sits in the last of four chunks; the max aggregate carries it to the document.
    assert len(split_chunks(texts["long"], 500, 64)) == 4
    assert expected[2][3]["insult"] == 0.8


class BrokenHandler(ProfanityCheckModelHandler):
    """Fails outside the per-document fallback, so failures reach RunInference's dead letters."""

    def run_inference(self, batch: Sequence[str], model: Any, inference_args: Any = None) -> Any:
        raise RuntimeError("model crashed on " + "|".join(batch))


def test_dead_letters_become_document_errors() -> None:
    docs = [make_doc("a", "private text one"), make_doc("b", "private text two")]
    handler = BrokenHandler(ToxicitySettings())
    with TestPipeline(runner=FnApiRunner()) as pipeline:
        outcomes = (
            pipeline
            | beam.Create(docs)
            | ScoreToxicity(ToxicitySettings(), model_handler=handler)
            | beam.Map(lambda d: (d.id, d.status.value, d.stage, d.reason))
        )
        message = "classifier failed on this batch (RuntimeError)"
        assert_that(
            outcomes,
            equal_to([("a", "error", "toxicity", message), ("b", "error", "toxicity", message)]),
        )


def test_model_files_of_the_cpu_default() -> None:
    entries = model_files(ToxicitySettings())
    assert [(e["backend"], Path(str(e["file"])).name) for e in entries] == [
        ("profanity_check", "vectorizer.joblib"),
        ("profanity_check", "model.joblib"),
        ("profanity_check", "identity_terms.yaml"),
    ]
    for entry in entries:
        assert entry["sha256"] == hashlib.sha256(Path(str(entry["file"])).read_bytes()).hexdigest()
    assert entries[0]["name"] == "alt-profanity-check-1.9.1/vectorizer.joblib"
    assert len(model_files(PROFANITY_ALONE)) == 2


# --- detoxify, with a tiny randomly initialised checkpoint -----------------------------------

CLASSES = DETOXIFY_ORIGINAL_CLASSES
VOCAB = (
    ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    + list("abcdefghijklmnopqrstuvwxyz")
    + ["##" + c for c in "abcdefghijklmnopqrstuvwxyz"]
    + ["the", "you", "are", "hello", "world", "a", "lovely", "day", "."]
)


@pytest.fixture(scope="module")
def tiny_detoxify(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    """A detoxify checkpoint in the released format, and its base model's local directory.

    The checkpoint holds what `detoxify.detoxify.load_checkpoint` reads: the training config
    (`arch.args` with a hub model name, as the released files have, and the Jigsaw class names)
    and the state dict of a 2-layer, 32-wide BERT classifier with random weights.
    """
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    base = tmp_path_factory.mktemp("bert-tiny")
    (base / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    tokenizer = transformers.BertTokenizer(vocab_file=str(base / "vocab.txt"), model_max_length=64)
    tokenizer.save_pretrained(base)
    config = transformers.BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=len(CLASSES),
    )
    config.save_pretrained(base)
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config).eval()
    checkpoint = base.parent / "toxic_tiny.ckpt"
    torch.save(
        detoxify_checkpoint(model.state_dict(), CLASSES),
        checkpoint,
    )
    return checkpoint, base, (model, tokenizer)


def reference_scores(reference: Any, texts: list[str], device: str = "cpu") -> list[list[float]]:
    import torch

    model, tokenizer = reference
    model = model.to(device)
    with torch.inference_mode():
        encoded = tokenizer(texts, return_tensors="pt", padding=True, truncation=True).to(device)
        return torch.sigmoid(model(**encoded)[0]).cpu().tolist()


def detoxify_settings(checkpoint: Path, base: Path, **backend: Any) -> ToxicitySettings:
    return ToxicitySettings(
        backend=DetoxifyBackend(
            checkpoint=str(checkpoint), huggingface_config_path=str(base), **backend
        ),
        chunk_chars=100,
        thresholds={"toxicity": 0.5, "threat": 0.5},
    )


def test_detoxify_loads_offline_from_local_files(tiny_detoxify: tuple[Path, Path, Any]) -> None:
    checkpoint, base, reference = tiny_detoxify
    settings = detoxify_settings(checkpoint, base, device="cpu")
    scorer = load_detoxify(settings.backend)  # type: ignore[arg-type]
    assert scorer.class_names == [
        "toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack",
    ]  # fmt: skip
    texts = ["hello world", "you are a lovely day"]
    scores = scorer.score(texts)
    # The checkpoint's weights were loaded (not a fresh random model): same numbers.
    for got, want in zip(scores, reference_scores(reference, texts), strict=True):
        assert list(got.values()) == pytest.approx(want, abs=1e-6)
    assert scorer.max_length == 64  # capped by the tokenizer's model_max_length


def test_detoxify_in_a_beam_pipeline(tiny_detoxify: tuple[Path, Path, Any]) -> None:
    checkpoint, base, reference = tiny_detoxify
    settings = detoxify_settings(checkpoint, base, device="cpu", share_model=True)
    long_text = "hello world. " * 20  # 260 characters: three chunks
    chunks = split_chunks(long_text, settings.chunk_chars, settings.max_chunks)
    assert len(chunks) == 3
    per_chunk = np.array(reference_scores(reference, chunks))
    short = reference_scores(reference, ["you are the world"])[0]
    with TestPipeline(runner=FnApiRunner()) as pipeline:
        scored = (
            pipeline
            | beam.Create([make_doc("long", long_text), make_doc("short", "you are the world")])
            | ScoreToxicity(settings)
            | beam.Map(lambda d: (d.id, d.status.value, d.toxicity_score, d.toxicity_labels))
        )

        def matches(outcomes: list[tuple[str, str, float, dict[str, float]]]) -> None:
            by_id = {key: (status, score, labels) for key, status, score, labels in outcomes}
            assert by_id["long"][0] == by_id["short"][0] == "kept"
            assert list(by_id["long"][2]) == sorted(by_id["long"][2])
            long_labels = [by_id["long"][2][k] for k in ("toxicity", "threat")]
            assert long_labels == pytest.approx(per_chunk.max(axis=0)[[0, 3]], abs=1e-6)
            assert by_id["short"][1] == pytest.approx(short[0], abs=1e-6)

        assert_that(scored, matches)


def test_detoxify_model_files_and_missing_files(
    tiny_detoxify: tuple[Path, Path, Any], tmp_path: Path
) -> None:
    checkpoint, base, _ = tiny_detoxify
    entries = model_files(detoxify_settings(checkpoint, base))
    assert [Path(str(e["file"])).name for e in entries] == [
        "toxic_tiny.ckpt", "config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
    ]  # fmt: skip
    assert {e["name"] for e in entries} == {"detoxify-original"}
    assert entries[0]["sha256"] == hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    download = ToxicitySettings(backend=DetoxifyBackend(allow_download=True, model_type="unbiased"))
    assert model_files(download) == [
        {
            "name": "detoxify-unbiased",
            "backend": "detoxify",
            "file": "https://github.com/unitaryai/detoxify/releases/download/v0.3-alpha/"
            "toxic_debiased-c7548aa0.ckpt",
            "sha256": None,
        }
    ]
    with pytest.raises(StageError, match=r"toxicity\.backend\.checkpoint: .* does not exist"):
        ScoreToxicity(detoxify_settings(tmp_path / "missing.ckpt", base))


def test_detoxify_checkpoint_with_python_objects_needs_allow_pickle(
    tiny_detoxify: tuple[Path, Path, Any], tmp_path: Path
) -> None:
    import argparse

    import torch

    checkpoint, base, reference = tiny_detoxify
    # A training-time extra that only unpickling can rebuild (a class outside torch's allowlist).
    loaded = torch.load(checkpoint, map_location="cpu", weights_only=True)
    pickled = tmp_path / "pickled.ckpt"
    torch.save({**loaded, "hparams": argparse.Namespace(lr=1e-5)}, pickled)
    with pytest.raises(StageError) as refused:
        load_detoxify(detoxify_settings(pickled, base).backend)  # type: ignore[arg-type]
    assert str(refused.value) == (
        f"toxicity.backend.checkpoint: {pickled} holds Python objects besides tensors and plain "
        "data; set toxicity.backend.allow_pickle to true to unpickle it, only if you trust the "
        "file."
    )
    settings = detoxify_settings(pickled, base, allow_pickle=True)
    scorer = load_detoxify(settings.backend)  # type: ignore[arg-type]
    got = list(scorer.score(["hello world"])[0].values())
    assert got == pytest.approx(reference_scores(reference, ["hello world"])[0], abs=1e-6)


@pytest.mark.gpu
def test_detoxify_on_cuda_in_half_precision(tiny_detoxify: tuple[Path, Path, Any]) -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    checkpoint, base, reference = tiny_detoxify
    settings = detoxify_settings(checkpoint, base, device="auto", share_model=False)
    scorer = load_detoxify(settings.backend)  # type: ignore[arg-type]
    assert scorer.device.type == "cuda"
    assert next(scorer.model.parameters()).dtype == torch.float16
    texts = ["hello world", "you are a lovely day"] * 40
    for got, want in zip(scorer.score(texts), reference_scores(reference, texts), strict=True):
        assert list(got.values()) == pytest.approx(want, abs=2e-3)
    with TestPipeline(runner=FnApiRunner()) as pipeline:
        scored = (
            pipeline
            | beam.Create([make_doc(str(i), t) for i, t in enumerate(texts)])
            | ScoreToxicity(settings)
            | beam.Map(lambda d: d.status.value)
        )
        assert_that(scored, equal_to(["kept"] * len(texts)))


# --- the accelerator resource hint -----------------------------------------------------------


def accelerator_hints(pipeline_proto: Any) -> dict[str, bytes]:
    urn = common_urns.resource_hints.ACCELERATOR.urn
    environments = pipeline_proto.components.environments
    hints = {}
    for transform in pipeline_proto.components.transforms.values():
        if transform.environment_id:
            hint = environments[transform.environment_id].resource_hints.get(urn)
            if hint:
                hints[transform.unique_name] = hint
    return hints


def build_scoring_graph(pipeline: beam.Pipeline) -> None:
    settings = ToxicitySettings(accelerator=ACCELERATOR)
    _ = (
        pipeline
        | "read" >> beam.Create([make_doc("a", "some text")])
        | "score_toxicity" >> ScoreToxicity(settings)
        | "write" >> beam.Map(lambda d: d.id)
    )


def assert_only_the_classifier_is_hinted(hints: dict[str, bytes]) -> None:
    assert "score_toxicity/classify/BeamML_RunInference" in hints
    assert set(hints.values()) == {ACCELERATOR.encode()}
    assert all(name.startswith("score_toxicity/classify") for name in hints)


def test_only_the_classifier_step_asks_for_an_accelerator() -> None:
    pipeline = beam.Pipeline(runner=FnApiRunner())
    build_scoring_graph(pipeline)
    hints = accelerator_hints(pipeline.to_runner_api())
    assert_only_the_classifier_is_hinted(hints)
    without = beam.Pipeline(runner=FnApiRunner())
    _ = without | beam.Create([make_doc("a", "x")]) | ScoreToxicity(ToxicitySettings())
    assert accelerator_hints(without.to_runner_api()) == {}


@pytest.mark.skipif(
    importlib.util.find_spec("apitools") is None, reason="needs apache-beam[gcp] (Dataflow runner)"
)
def test_dataflow_dry_run_job_graph() -> None:
    options = PipelineOptions(
        [
            "--runner=DataflowRunner",
            "--dry_run=True",
            "--no_auth",
            "--sdk_location=container",
            "--project=curate-test",
            "--region=us-central1",
            "--temp_location=gs://curate-test/tmp",
        ]
    )
    pipeline = beam.Pipeline(options=options)
    build_scoring_graph(pipeline)
    result = pipeline.run()
    hints = accelerator_hints(result.job.proto_pipeline)  # type: ignore[attr-defined]
    assert_only_the_classifier_is_hinted(hints)


# --- evaluation data (skipped when absent) ----------------------------------------------------


def test_davidson_sample_beyond_profanity() -> None:
    path = eval_dir() / "toxicity" / "davidson_labeled_data.csv"
    if not path.exists():
        pytest.skip(f"evaluation data not present at {path}")
    from sklearn.metrics import roc_auc_score

    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))[:3000]
    classes = np.array([int(r["class"]) for r in rows])
    texts = [r["tweet"] for r in rows]
    threshold = ToxicitySettings().thresholds["toxicity"]
    results = {}
    for name, settings in (("alone", PROFANITY_ALONE), ("default", ToxicitySettings())):
        scorer = make_model_handler(settings).load_model()
        scores = np.array([s["toxicity"] for s in scorer.score(texts)])
        results[name] = (
            roc_auc_score(classes != 2, scores),
            float((scores[classes == 0] >= threshold).mean()),
        )
    assert results["default"][0] >= 0.9
    assert results["default"][1] > results["alone"][1]  # more of the hate class caught
