"""Score every document for toxicity with a batched classifier on Beam's RunInference.

Reads: `text`. Writes: `toxicity_score` (the backend's `toxicity` label) and `toxicity_labels`
(every label the backend emits, each in [0, 1]). Errored documents pass through untouched; a
document the classifier fails on becomes an `error` with stage `toxicity` and a message naming
only the exception type, never the text.
Drop reasons, applied by the decide step through `check` with the per-label thresholds of the
config: `toxic` (the `toxicity` label), and the label's own name for every other thresholded
label (`identity_attack`, `insult`, `threat`, `obscene`, `severe_toxicity`, `sexual_explicit`,
`profanity`).

Backends (`schemas.toxicity`, field `backend.kind`):

- `profanity_check` (CPU default, no download): alt-profanity-check's shipped TF-IDF + linear
  SVM model gives `profanity`, with the lexicon's one-word identity terms hidden from it (it
  learned to score "gay" or "queer" as offensive in themselves); lexicon rules add
  `identity_attack` (a slur, or an identity term next to dehumanising, hostile or violent words:
  "<group> are vermin", "deport the <group>", "a disgusting <group>") and `insult` (insults
  addressed to "you"); `toxicity` is the largest of the three. Chunks that report and condemn
  abuse (a word such as "called" or "said" together with one such as "racist") have their
  scores multiplied by `counter_speech_discount`. The profanity model's features come from the
  vectorizer's own vocabulary and weights over one tokenisation shared with the rules; the
  numbers equal `vectorizer.transform` + `predict_proba` (tested; the vectorizer's settings are
  checked when the model loads).
- `detoxify` (GPU): the original, unbiased or multilingual transformer classifiers, loaded from a
  local checkpoint and base-model directory (or downloaded, only when configured), run in half
  precision on CUDA, one model copy per worker machine.

Long documents are cut into chunks of about `chunk_chars` characters at whitespace (at most
`max_chunks`, spread over the document) and each label is aggregated over the chunks (max by
default, or mean).

Batching: documents go to `RunInference` keyed by the document itself (a `KeyedModelHandler`),
so the scores come back attached to their document, id included, without a join or shuffle; the
chunks of a batch are scored together, at most `max_batch_size` chunks per model call. A batch
whose scoring fails is retried document by document, so one bad document fails alone; whatever
still fails lands in RunInference's dead-letter output and becomes per-document errors. Only the
classifier step carries the configured accelerator resource hint.

Version history: 1 - profanity_check with identity-attack rules; detoxify.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import math
import pickle
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.ml.inference.base import ModelHandler

from schemas.document import Doc
from schemas.toxicity import DetoxifyBackend, ProfanityCheckBackend, ToxicitySettings
from transforms import inference
from transforms.base import StageError
from transforms.identity import Lexicon, TermMatcher, load_lexicon
from transforms.inference import BatchFailure, Untouched

STAGE = "toxicity"
VERSION = "1"
MAIN_LABEL = "toxicity"
METRICS_NAMESPACE = "curate_toxicity"


class DropReason(StrEnum):
    TOXIC = "toxic"
    SEVERE_TOXICITY = "severe_toxicity"
    OBSCENE = "obscene"
    THREAT = "threat"
    INSULT = "insult"
    IDENTITY_ATTACK = "identity_attack"
    SEXUAL_EXPLICIT = "sexual_explicit"
    PROFANITY = "profanity"


_REASON_BY_LABEL = {MAIN_LABEL: DropReason.TOXIC} | {
    reason.value: reason for reason in DropReason if reason is not DropReason.TOXIC
}


def check(doc: Doc, settings: ToxicitySettings) -> list[str]:
    """Reasons the document fails under the per-label thresholds (score >= threshold fails)."""
    if doc.toxicity_score is None:
        return []
    # The main label first: the decide step names a rejection after the first reason.
    labels = sorted(settings.thresholds, key=lambda label: (label != MAIN_LABEL, label))
    return [
        _REASON_BY_LABEL[label].value
        for label in labels
        if doc.toxicity_labels.get(label, -1.0) >= settings.thresholds[label]
    ]


# --- chunks -------------------------------------------------------------------------------


def split_chunks(text: str, chunk_chars: int, max_chunks: int) -> list[str]:
    """Cut `text` into pieces of at most `chunk_chars` characters, at whitespace where possible.

    More than `max_chunks` pieces are thinned to `max_chunks` spread evenly from the first to
    the last, so the end of a long document is scored as well as its start.
    """
    if len(text) <= chunk_chars:
        return [text]
    chunks = []
    start, size = 0, len(text)
    while start < size:
        end = start + chunk_chars
        if end < size:
            # Cut at the last space or newline in the second half of the window.
            cut = max(
                text.rfind(" ", start + chunk_chars // 2, end),
                text.rfind("\n", start + chunk_chars // 2, end),
            )
            if cut > start:
                end = cut + 1
        chunks.append(text[start:end])
        start = end
    if len(chunks) > max_chunks:
        if max_chunks == 1:
            return chunks[:1]
        last = len(chunks) - 1
        chunks = [chunks[i * last // (max_chunks - 1)] for i in range(max_chunks)]
    return chunks


def aggregate(chunk_scores: Sequence[Mapping[str, float]], how: str) -> dict[str, float]:
    """Combine per-chunk label scores into the document's (max, or exact mean)."""
    labels = sorted(chunk_scores[0])
    if how == "max":
        return {label: max(s[label] for s in chunk_scores) for label in labels}
    return {
        label: math.fsum(s[label] for s in chunk_scores) / len(chunk_scores) for label in labels
    }


# --- identity-attack and insult rules (profanity_check backend) ----------------------------

# One tokenisation serves the profanity model and the rules: scikit-learn's default token
# pattern (runs of two or more word characters, lowercased; a run stops at an apostrophe or a
# hyphen) plus sentence punctuation, which no rule can step over. Punctuation tokens are not in
# the model's vocabulary, so its features are unchanged.
RULE_TOKEN_RE = re.compile(r"[.!?;:]|\w\w+")

# Contractions arrive split: "don't" is "don", "isn't" is "isn".
_NEGATIONS = frozenset(
    "not no never nor cannot dont don doesnt doesn didnt didn isnt isn arent aren wasnt wasn "
    "werent weren wont shouldnt shouldn wouldnt wouldn couldnt couldn aint ain".split()
)
_DEHUMANISING = frozenset(
    "animals animal vermin parasites parasite cockroaches cockroach roaches rats pigs apes "
    "monkeys savages subhuman subhumans filth scum trash garbage disease plague cancer "
    "infestation invaders mongrels degenerates abomination abominations terrorists criminals "
    "rapists pedophiles paedophiles perverts freaks leeches barbarians beasts insects "
    "cockroaches".split()
)
_HOSTILE_ADJECTIVES = frozenset(
    "disgusting vile nasty repulsive revolting stupid dumb idiotic moronic ugly evil worthless "
    "pathetic lazy dirty filthy smelly stinking sick gross horrible hideous useless brainless "
    "ignorant despicable loathsome wicked inferior subhuman savage primitive backward "
    "degenerate diseased terrible awful retarded trashy".split()
)
_INSULT_NOUNS = frozenset(
    "idiot idiots moron morons loser losers imbecile imbeciles cretin cretins fool fools jerk "
    "jerks clown clowns scum trash garbage pig pigs creep creeps freak freaks retard retards "
    "degenerate degenerates dumbass dipshit".split()
)
_VIOLENT_VERBS = frozenset(
    "kill murder exterminate eradicate eliminate slaughter massacre gas hang lynch shoot burn "
    "bomb destroy nuke purge cleanse sterilize sterilise castrate rape beat wipe".split()
)
_EXCLUDING_VERBS = frozenset("hate despise loathe deport expel ban rid".split())
_VIOLENT_OUTCOMES = frozenset(
    "killed murdered exterminated eradicated eliminated slaughtered massacred gassed hanged "
    "hung lynched shot burned burnt bombed destroyed nuked purged cleansed sterilized "
    "sterilised castrated raped beaten die rot burn hang suffer perish deported expelled "
    "banned jailed locked".split()
)
_COPULAS = frozenset("are is were was be".split())
_FILLERS = frozenset(
    "all just only such so really truly literally basically nothing but the an like total "
    "complete absolute utter fucking damn bloody bunch of more most very too always still "
    "simply being".split()
)
_MODALS = frozenset(
    "should must deserve deserves deserved need needs ought to be all just get got gotta "
    "better shall".split()
)
_DETERMINERS = frozenset(
    "all the those these every any some more of them fucking damn out off".split()
)
_INTENSIFIERS = frozenset("fucking damn bloody little goddamn".split())
_SECOND_PERSON = frozenset("you ya yall".split())
_YOU_COPULAS = frozenset("are re".split())
# Counter-speech: a reporting word together with a condemning one in the same chunk.
_REPORTING = frozenset(
    "called call calling calls word words term terms say said saying says use used using "
    "uses yelled shouted slur slurs quote quoted wrote tweeted heard".split()
)
_CONDEMNING = frozenset(
    "racist racism homophobic homophobia sexist sexism misogynist misogynistic misogyny "
    "transphobic transphobia bigot bigots bigoted bigotry hateful unacceptable offensive "
    "antisemitic antisemitism islamophobic islamophobia xenophobic xenophobia ableist ableism "
    "discrimination discriminatory harassment abusive slur slurs dehumanizing "
    "dehumanising".split()
)
_CUES = (
    _DEHUMANISING
    | _HOSTILE_ADJECTIVES
    | _INSULT_NOUNS
    | _VIOLENT_VERBS
    | (_EXCLUDING_VERBS | _VIOLENT_OUTCOMES | {"go", "get", "leave"})
)

# Weights of single findings; several findings combine as a noisy-or.
W_SLUR = 0.9
W_VIOLENT = 0.9
W_DEHUMANISING = 0.9
W_HOSTILE = 0.85
W_EXCLUSION = 0.8
W_INSULT = 0.8


class AttackSignals(NamedTuple):
    identity_attack: float
    insult: float
    counter_speech: bool


NO_SIGNALS = AttackSignals(0.0, 0.0, False)


def _noisy_or(weights: Iterable[float]) -> float:
    miss = 1.0
    for weight in weights:
        miss *= 1.0 - weight
    return 1.0 - miss


def _negated(tokens: Sequence[str], before: int) -> bool:
    return any(t in _NEGATIONS for t in tokens[max(0, before - 3) : before])


def _skip(tokens: Sequence[str], i: int, allowed: frozenset[str], limit: int) -> int:
    n = len(tokens)
    while limit and i < n and tokens[i] in allowed:
        i += 1
        limit -= 1
    return i


def _after_target(tokens: Sequence[str], end: int) -> float:
    """'<group> are (a bunch of) vermin', '<group> should be deported', '<group> go back'."""
    n = len(tokens)
    if end >= n:
        return 0.0
    word = tokens[end]
    if word in _COPULAS:
        j = _skip(tokens, end + 1, _FILLERS, 4)
        if j < n and not _negated(tokens, j):
            if tokens[j] in _DEHUMANISING:
                return W_DEHUMANISING
            if tokens[j] in _HOSTILE_ADJECTIVES:
                return W_HOSTILE
    if word in ("go", "get") and end + 1 < n and tokens[end + 1] in ("back", "home", "out"):
        return W_EXCLUSION
    j = _skip(tokens, end, _MODALS, 4)
    # A modal is required: "<group> killed in attack" is news, "<group> should be killed" is not.
    if end < j < n and not any(tokens[k] in _NEGATIONS for k in range(end, j)):
        if tokens[j] in _VIOLENT_OUTCOMES:
            return W_VIOLENT
        if tokens[j] == "leave" or (
            tokens[j] in ("go", "get") and j + 1 < n and tokens[j + 1] in ("back", "home", "out")
        ):
            return W_EXCLUSION
    return 0.0


def _before_target(tokens: Sequence[str], start: int) -> float:
    """'a disgusting <group>', 'kill all the <group>', 'I hate <group>'."""
    k = start - 1
    if k >= 0 and tokens[k] in _INTENSIFIERS:
        k -= 1
    if k >= 0 and tokens[k] in _HOSTILE_ADJECTIVES and not _negated(tokens, k):
        return W_HOSTILE
    k = start - 1
    while k >= 0 and start - k <= 3 and tokens[k] in _DETERMINERS:
        k -= 1
    if k >= 0 and not _negated(tokens, k):
        if tokens[k] in _VIOLENT_VERBS:
            return W_VIOLENT
        if tokens[k] in _EXCLUDING_VERBS:
            return W_HOSTILE
    return 0.0


def _after_you(tokens: Sequence[str], i: int) -> float:
    """'you are a stupid ...', 'you idiot', 'are you stupid'."""
    n = len(tokens)
    j = i + 1
    if j < n and tokens[j] in _YOU_COPULAS:
        j += 1
    j = _skip(tokens, j, _FILLERS, 4)
    if j < n and not _negated(tokens, j):
        word = tokens[j]
        if word in _INSULT_NOUNS or word in _HOSTILE_ADJECTIVES or word in _DEHUMANISING:
            return W_INSULT
    return 0.0


@dataclass(frozen=True)
class AttackRules:
    """The lexicon compiled for the identity-attack and insult rules."""

    targets: TermMatcher
    slurs: TermMatcher
    target_words: frozenset[str]
    slur_words: frozenset[str]

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> AttackRules:
        return cls(
            targets=TermMatcher(lexicon.groups),
            slurs=TermMatcher(lexicon.slurs),
            target_words=frozenset(t[0] for terms in lexicon.groups.values() for t in terms),
            slur_words=frozenset(t[0] for terms in lexicon.slurs.values() for t in terms),
        )

    def signals(self, tokens: Sequence[str]) -> AttackSignals:
        """Identity-attack and insult scores of one chunk's tokens (see RULE_TOKEN_RE)."""
        present = set(tokens)
        counter = not present.isdisjoint(_REPORTING) and not present.isdisjoint(_CONDEMNING)
        has_slur = not present.isdisjoint(self.slur_words)
        has_cue = not present.isdisjoint(_CUES)
        # Cheap set tests first: most chunks have no cue word and skip the positional rules.
        if not has_slur and not has_cue:
            return AttackSignals(0.0, 0.0, counter)
        attack: list[float] = []
        if has_slur:
            attack.extend(W_SLUR for _ in self.slurs.find(tokens))
        if has_cue and not present.isdisjoint(self.target_words):
            for mention in self.targets.find(tokens):
                weight = max(
                    _after_target(tokens, mention.end), _before_target(tokens, mention.start)
                )
                if weight:
                    attack.append(weight)
        insult: list[float] = []
        if has_cue and not present.isdisjoint(_SECOND_PERSON):
            for i, token in enumerate(tokens):
                if token in _SECOND_PERSON:
                    weight = _after_you(tokens, i)
                    if weight:
                        insult.append(weight)
        return AttackSignals(_noisy_or(attack), _noisy_or(insult), counter)


def rule_tokens(text: str) -> list[str]:
    return RULE_TOKEN_RE.findall(text.replace("\u2019", "'").lower())


def combine_profanity(
    profanity: float, signals: AttackSignals | None, counter_speech_discount: float
) -> dict[str, float]:
    """The profanity_check backend's labels from the model score and the rule signals."""
    if signals is None:
        return {MAIN_LABEL: profanity, "profanity": profanity}
    factor = counter_speech_discount if signals.counter_speech else 1.0
    attack = signals.identity_attack * factor
    insult = signals.insult * factor
    return {
        MAIN_LABEL: max(profanity * factor, attack, insult),
        "profanity": profanity,
        "identity_attack": attack,
        "insult": insult,
    }


# --- loaded models -----------------------------------------------------------------------


class Scorer(Protocol):
    """What a ModelHandler loads: label scores for a list of texts (chunks)."""

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]: ...


_SKLEARN_DEFAULTS = {
    "analyzer": "word",
    "binary": False,
    "lowercase": True,
    "ngram_range": (1, 1),
    "norm": "l2",
    "preprocessor": None,
    "strip_accents": None,
    "sublinear_tf": False,
    "token_pattern": r"(?u)\b\w\w+\b",
    "tokenizer": None,
    "use_idf": True,
}


class CalibratedLinear:
    """alt-profanity-check's classifier (sigmoid-calibrated linear SVMs) as plain arrays.

    scikit-learn's `predict_proba` validates its input on every call, which costs more than the
    arithmetic for the batch sizes used here; this computes the same numbers directly.
    """

    def __init__(self, coef: Any, intercept: Any, a: Any, b: Any) -> None:
        self.coef = coef  # (features, models)
        self.intercept = intercept
        self.a = a
        self.b = b

    @classmethod
    def from_sklearn(cls, model: Any) -> CalibratedLinear | None:
        """The arrays of a binary sigmoid-calibrated linear model, or None for anything else."""
        import numpy as np

        try:
            parts = model.calibrated_classifiers_
            if model.method != "sigmoid" or list(model.classes_) != [0, 1]:
                return None
            coef = np.stack([p.estimator.coef_[0] for p in parts], axis=1)
            intercept = np.array([p.estimator.intercept_[0] for p in parts])
            a = np.array([p.calibrators[0].a_ for p in parts])
            b = np.array([p.calibrators[0].b_ for p in parts])
        except (AttributeError, IndexError, TypeError):
            return None
        return cls(coef, intercept, a, b)

    def positive_proba(self, features: Any) -> Any:
        import numpy as np
        from scipy.special import expit

        decision = features @ self.coef + self.intercept
        proba = expit(-(self.a * decision + self.b))
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        # Summed one model at a time, like scikit-learn, so the numbers match to the last bit.
        total = np.zeros(proba.shape[0])
        for k in range(proba.shape[1]):
            total += proba[:, k]
        return total / proba.shape[1]


class ProfanityCheckScorer:
    """alt-profanity-check's vectorizer + calibrated linear SVM, plus the lexicon rules."""

    def __init__(
        self,
        vectorizer: Any,
        classifier: Any,
        rules: AttackRules | None,
        discount: float,
        masked: frozenset[str] = frozenset(),
    ) -> None:
        params = vectorizer.get_params()
        if any(params.get(k) != v for k, v in _SKLEARN_DEFAULTS.items()):
            raise StageError(
                "the installed alt-profanity-check vectorizer has settings this stage does not "
                "reproduce; use the pinned alt-profanity-check version."
            )
        # A masked word is left out of the features, as if the text did not contain it.
        self._vocabulary: dict[str, int] = {
            word: index for word, index in vectorizer.vocabulary_.items() if word not in masked
        }
        self._idf = vectorizer.idf_
        self._classifier = classifier
        self._linear = CalibratedLinear.from_sklearn(classifier)
        self._rules = rules
        self._discount = discount
        self.vectorizer = vectorizer

    def features(self, token_lists: Sequence[Sequence[str]]) -> Any:
        """TF-IDF features identical to `vectorizer.transform` of the same texts."""
        import numpy as np
        from scipy import sparse
        from sklearn.preprocessing import normalize

        lookup = self._vocabulary.get
        indices: list[int] = []
        indptr = [0]
        for tokens in token_lists:
            indices.extend([i for i in map(lookup, tokens) if i is not None])
            indptr.append(len(indices))
        counts = sparse.csr_matrix(
            (np.ones(len(indices)), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(token_lists), len(self._idf)),
        )
        counts.sum_duplicates()
        counts.data *= self._idf[counts.indices]
        return normalize(counts, norm="l2", copy=False)

    def probabilities(self, features: Any) -> Any:
        if self._linear is not None:
            return self._linear.positive_proba(features)
        return self._classifier.predict_proba(features)[:, 1]

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        token_lists = [rule_tokens(text) for text in texts]
        probabilities = self.probabilities(self.features(token_lists))
        results = []
        for tokens, probability in zip(token_lists, probabilities, strict=True):
            signals = self._rules.signals(tokens) if self._rules is not None else None
            results.append(combine_profanity(float(probability), signals, self._discount))
        return results


def profanity_check_files() -> list[Path]:
    """The shipped model files, found without importing the package (it loads them at import)."""
    spec = importlib.util.find_spec("profanity_check")
    if spec is None or not spec.submodule_search_locations:
        raise StageError("toxicity.backend: alt-profanity-check is not installed.")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    return [data / "vectorizer.joblib", data / "model.joblib"]


def load_profanity_check(
    backend: ProfanityCheckBackend, lexicon: Lexicon | None
) -> ProfanityCheckScorer:
    import joblib

    vectorizer_file, model_file = profanity_check_files()
    rules = None
    masked: frozenset[str] = frozenset()
    if lexicon is not None and backend.identity_attack:
        rules = AttackRules.from_lexicon(lexicon)
    if lexicon is not None and backend.mask_identity_terms:
        masked = frozenset(t[0] for terms in lexicon.groups.values() for t in terms if len(t) == 1)
    return ProfanityCheckScorer(
        joblib.load(vectorizer_file),
        joblib.load(model_file),
        rules,
        backend.counter_speech_discount,
        masked,
    )


# Detoxify renames the Jigsaw class names of its checkpoints (detoxify.detoxify.load_checkpoint).
_DETOXIFY_RENAMES = {
    "toxic": "toxicity",
    "identity_hate": "identity_attack",
    "severe_toxic": "severe_toxicity",
}


class DetoxifyScorer:
    """A detoxify model and tokenizer on one device; sigmoid scores per class."""

    def __init__(
        self, model: Any, tokenizer: Any, class_names: Sequence[str], device: Any, max_length: int
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.class_names = list(class_names)
        self.device = device
        model_max = getattr(tokenizer, "model_max_length", max_length) or max_length
        self.max_length = min(max_length, model_max) if model_max < 1_000_000 else max_length

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        import torch

        with torch.inference_mode():
            encoded = self.tokenizer(
                list(texts),
                return_tensors="pt",
                truncation=True,
                padding=True,
                max_length=self.max_length,
            ).to(self.device)
            logits = self.model(**encoded)[0]
            rows = torch.sigmoid(logits.float()).cpu().tolist()
        return [dict(zip(self.class_names, row, strict=True)) for row in rows]


def resolve_device(device: str) -> Any:
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise StageError("toxicity.backend.device is cuda, but no CUDA device is available.")
    return torch.device(device)


DETOXIFY_ORIGINAL_CLASSES = (
    "toxic",
    "severe_toxic",
    "obscene",
    "threat",
    "insult",
    "identity_hate",
)


def detoxify_checkpoint(state_dict: Any, classes: Sequence[str]) -> dict[str, Any]:
    """A checkpoint in the layout detoxify's loader reads, for a BERT sequence classifier.

    Tests and benchmarks build small or randomly initialised models in this layout, so that the
    real loading code runs without a download.
    """
    return {
        "config": {
            "arch": {
                "args": {
                    "model_type": "bert-base-uncased",
                    "model_name": "BertForSequenceClassification",
                    "tokenizer_name": "BertTokenizer",
                    "num_classes": len(classes),
                }
            },
            "dataset": {"args": {"classes": list(classes)}},
        },
        "state_dict": state_dict,
    }


def load_detoxify(backend: DetoxifyBackend) -> DetoxifyScorer:
    """Load a detoxify model the way detoxify does, but from local files unless told otherwise."""
    import torch
    from detoxify import detoxify

    torch.set_num_threads(backend.torch_threads)
    device = resolve_device(backend.device)
    if backend.checkpoint is not None and backend.huggingface_config_path is not None:
        # Detoxify checkpoints hold their training config (plain dicts and strings) next to the
        # weights. Full unpickling, as detoxify itself loads them, can run code from the file,
        # so it needs allow_pickle; the sha256 of the file is recorded in the manifest.
        try:
            loaded = torch.load(
                backend.checkpoint, map_location="cpu", weights_only=not backend.allow_pickle
            )
        except pickle.UnpicklingError:
            raise StageError(
                f"toxicity.backend.checkpoint: {backend.checkpoint} holds Python objects besides "
                "tensors and plain data; set toxicity.backend.allow_pickle to true to unpickle "
                "it, only if you trust the file."
            ) from None
        if not isinstance(loaded, dict) or "config" not in loaded or "state_dict" not in loaded:
            raise StageError(
                "toxicity.backend.checkpoint: not a detoxify checkpoint (needs 'config' and "
                "'state_dict')."
            )
        config = loaded["config"]
        class_names = [_DETOXIFY_RENAMES.get(c, c) for c in config["dataset"]["args"]["classes"]]
        arch = dict(config["arch"]["args"])
        # Detoxify builds the base model's config from `model_type` (a hub name such as
        # bert-base-uncased) before it reads huggingface_config_path: pointing `model_type` at
        # the local directory keeps loading offline, and the class count still comes from the
        # checkpoint rather than from the directory's config.json.
        arch["model_type"] = backend.huggingface_config_path
        model, tokenizer = detoxify.get_model_and_tokenizer(
            **arch, state_dict=loaded["state_dict"], huggingface_config_path=None
        )
    else:
        released = detoxify.Detoxify(backend.model_type, device="cpu")
        model, tokenizer, class_names = released.model, released.tokenizer, released.class_names
    model.eval()
    model.to(device)
    if device.type == "cuda" and backend.half_precision:
        model.half()
    return DetoxifyScorer(model, tokenizer, class_names, device, backend.max_length)


# --- batched scoring ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreFailure:
    """A document the classifier could not score; `message` never contains its text."""

    message: str


Prediction = dict[str, float] | ScoreFailure


def _score_chunks(scorer: Scorer, chunks: Sequence[str], per_call: int) -> list[dict[str, float]]:
    scores: list[dict[str, float]] = []
    for start in range(0, len(chunks), per_call):
        scores.extend(scorer.score(chunks[start : start + per_call]))
    return scores


def score_texts(
    texts: Sequence[str], scorer: Scorer, settings: ToxicitySettings
) -> list[Prediction]:
    """Score documents: chunk, score every chunk of the batch together, aggregate per document."""
    chunked = [split_chunks(t, settings.chunk_chars, settings.max_chunks) for t in texts]
    flat = [chunk for chunks in chunked for chunk in chunks]
    try:
        flat_scores = _score_chunks(scorer, flat, settings.max_batch_size)
    except Exception:
        # One document can break a whole batch (characters the tokenizer rejects, a chunk that
        # runs out of GPU memory): score each alone so the others still get their scores.
        return [_score_alone(scorer, chunks, settings) for chunks in chunked]
    predictions: list[Prediction] = []
    start = 0
    for chunks in chunked:
        predictions.append(aggregate(flat_scores[start : start + len(chunks)], settings.aggregate))
        start += len(chunks)
    return predictions


def _score_alone(scorer: Scorer, chunks: Sequence[str], settings: ToxicitySettings) -> Prediction:
    try:
        return aggregate(_score_chunks(scorer, chunks, settings.max_batch_size), settings.aggregate)
    except Exception as exc:  # the document becomes an error, the build goes on
        return ScoreFailure(f"classifier failed on this document ({type(exc).__name__})")


class _ChunkedToxicityHandler(ModelHandler[str, Prediction, Scorer]):
    """Shared batching and scoring; subclasses load their backend's `Scorer`."""

    def __init__(self, settings: ToxicitySettings, **kwargs: Any) -> None:
        self.settings = settings
        super().__init__(
            min_batch_size=settings.min_batch_size,
            max_batch_size=settings.max_batch_size,
            **kwargs,
        )

    def run_inference(
        self,
        batch: Sequence[str],
        model: Scorer,
        inference_args: dict[str, Any] | None = None,
    ) -> Iterable[Prediction]:
        return score_texts(batch, model, self.settings)

    def get_num_bytes(self, batch: Sequence[str]) -> int:
        return sum(len(text) for text in batch)

    def get_metrics_namespace(self) -> str:
        return METRICS_NAMESPACE


class ProfanityCheckModelHandler(_ChunkedToxicityHandler):
    """The CPU default: small shipped model, one copy per process."""

    def __init__(self, settings: ToxicitySettings, lexicon: Lexicon | None = None) -> None:
        backend = settings.backend
        assert isinstance(backend, ProfanityCheckBackend)
        self.backend = backend
        # The lexicon is read here, on the machine building the pipeline, and travels with the
        # handler: workers need not have the project's configs/ folder.
        uses_lexicon = backend.identity_attack or backend.mask_identity_terms
        if uses_lexicon and lexicon is None:
            lexicon = load_lexicon(backend.lexicon_path)
        self.lexicon = lexicon if uses_lexicon else None
        super().__init__(settings)

    def load_model(self) -> ProfanityCheckScorer:
        return load_profanity_check(self.backend, self.lexicon)


class DetoxifyModelHandler(_ChunkedToxicityHandler):
    """Detoxify on CUDA when present; one copy per worker machine when `share_model` is set."""

    def __init__(self, settings: ToxicitySettings) -> None:
        backend = settings.backend
        assert isinstance(backend, DetoxifyBackend)
        self.backend = backend
        kwargs: dict[str, Any] = {}
        if backend.share_model:
            kwargs["model_copies"] = 1
        if not backend.allow_download:
            kwargs["env_vars"] = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        super().__init__(settings, **kwargs)

    def load_model(self) -> DetoxifyScorer:
        return load_detoxify(self.backend)


def make_model_handler(
    settings: ToxicitySettings, lexicon: Lexicon | None = None
) -> _ChunkedToxicityHandler:
    """The ModelHandler of the configured backend (checks local model files exist)."""
    backend = settings.backend
    if isinstance(backend, DetoxifyBackend):
        for key, value in (
            ("checkpoint", backend.checkpoint),
            ("huggingface_config_path", backend.huggingface_config_path),
        ):
            if value is not None and not Path(value).exists():
                raise StageError(f"toxicity.backend.{key}: {value} does not exist.")
        return DetoxifyModelHandler(settings)
    return ProfanityCheckModelHandler(settings, lexicon)


# --- manifest ----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def model_files(settings: ToxicitySettings) -> list[dict[str, str | None]]:
    """Every model file the configured backend uses: name, backend, file, sha256.

    A download configured with `allow_download` is named by its URL with sha256 None: the file
    only exists on the workers that fetch it.
    """
    backend = settings.backend
    if isinstance(backend, ProfanityCheckBackend):
        version = importlib.metadata.version("alt-profanity-check")
        entries: list[dict[str, str | None]] = [
            {
                "name": f"alt-profanity-check-{version}/{path.name}",
                "backend": backend.kind,
                "file": str(path),
                "sha256": _sha256(path),
            }
            for path in profanity_check_files()
        ]
        if backend.identity_attack or backend.mask_identity_terms:
            lexicon = load_lexicon(backend.lexicon_path)
            entries.append(
                {
                    "name": "identity-terms",
                    "backend": backend.kind,
                    "file": lexicon.path,
                    "sha256": lexicon.sha256,
                }
            )
        return entries
    name = f"detoxify-{backend.model_type}"
    if backend.checkpoint is None or backend.huggingface_config_path is None:
        from detoxify.detoxify import MODEL_URLS

        return [
            {
                "name": name,
                "backend": backend.kind,
                "file": MODEL_URLS[backend.model_type],
                "sha256": None,
            }
        ]
    files = [Path(backend.checkpoint)]
    config_dir = Path(backend.huggingface_config_path)
    files += sorted(p for p in config_dir.iterdir() if p.is_file())
    return [
        {"name": name, "backend": backend.kind, "file": str(path), "sha256": _sha256(path)}
        for path in files
    ]


# --- Beam ---------------------------------------------------------------------------------


def _attach(element: tuple[Doc, Any]) -> Doc:
    doc, outcome = element
    if isinstance(outcome, Untouched):
        return doc
    if isinstance(outcome, BatchFailure):
        Metrics.counter(METRICS_NAMESPACE, "failed_docs").inc()
        doc.fail(STAGE, f"classifier failed on this batch ({outcome.exception})")
        return doc
    prediction: Prediction = outcome
    if isinstance(prediction, ScoreFailure):
        Metrics.counter(METRICS_NAMESPACE, "failed_docs").inc()
        doc.fail(STAGE, prediction.message)
        return doc
    doc.toxicity_labels = {label: float(score) for label, score in sorted(prediction.items())}
    doc.toxicity_score = doc.toxicity_labels[MAIN_LABEL]
    return doc


class ScoreToxicity(beam.PTransform):
    """Doc -> Doc with `toxicity_score` and `toxicity_labels` (or a per-document error).

    `model_handler` replaces the configured backend's handler (for custom backends).
    """

    def __init__(
        self,
        settings: ToxicitySettings,
        model_handler: ModelHandler | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.model_handler = model_handler or make_model_handler(settings, lexicon)

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return (
            docs
            # (Doc, text or None for an errored document)
            | "key_by_doc" >> beam.Map(inference.key_by_doc)
            # (Doc, prediction, Untouched or BatchFailure); errored documents are not scored
            | "classify" >> inference.classify(self.model_handler, STAGE, self.settings.accelerator)
            | "attach_scores" >> beam.Map(_attach)
        )


def model_loader(settings: ToxicitySettings) -> Callable[[], Scorer]:
    """A loader of the configured backend's scorer, for benchmarks and evaluation outside Beam."""
    return make_model_handler(settings).load_model
