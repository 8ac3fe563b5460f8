"""Detoxify throughput on a GPU: documents/s and GPU memory per batch size.

    python -m bench.bench_gpu [--batch-sizes 64,128,256,512,1024] [--docs 4096]

Builds a detoxify `original`-shaped checkpoint (BERT-base: 12 layers, hidden 768, 6 classes,
30,522-entry WordPiece vocabulary) with random weights from a local config, so nothing is
downloaded: throughput and memory do not depend on the weights' values. The checkpoint goes
through the stage's real loading path (`load_detoxify`: detoxify's `get_model_and_tokenizer`,
CUDA, half precision) and documents through the handler's real scoring (`score_texts`:
chunking, tokenization with truncation to 512 tokens, sub-batching, aggregation).

Documents are the generated ~2 KB English-like texts of `bench.bench_toxicity` (one chunk each,
about 400 tokens). Exits with a message when no CUDA device is present; `--device cpu` with
small settings runs the same code as a smoke test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.bench_toxicity import COMMON, HOSTILE, IDENTITY, generate_doc
from transforms.toxicity import DETOXIFY_ORIGINAL_CLASSES, detoxify_checkpoint

CLASSES = DETOXIFY_ORIGINAL_CLASSES
BERT_BASE_VOCAB = 30_522


def write_vocabulary(path: Path, size: int) -> None:
    """A WordPiece vocabulary holding every word of the generated documents, padded to `size`."""
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    words = sorted({w.lower() for w in COMMON + IDENTITY + HOSTILE} | {".", ","})
    entries = special + letters + ["##" + c for c in letters] + words
    entries += [f"[unused{i}]" for i in range(size - len(entries))]
    path.write_text("\n".join(entries) + "\n")


def write_checkpoint(directory: Path, layers: int, hidden: int, heads: int, vocab: int) -> Path:
    """A detoxify-format checkpoint with random weights, and its base model's local directory."""
    import torch
    import transformers

    base = directory / "bert-base-uncased"
    base.mkdir()
    write_vocabulary(base / "vocab.txt", vocab)
    transformers.BertTokenizer(
        vocab_file=str(base / "vocab.txt"), model_max_length=512
    ).save_pretrained(base)
    config = transformers.BertConfig(
        vocab_size=vocab,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=4 * hidden,
        num_labels=len(CLASSES),
    )
    config.save_pretrained(base)
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    checkpoint = directory / "toxic_original_random.ckpt"
    torch.save(
        detoxify_checkpoint(model.state_dict(), CLASSES),
        checkpoint,
    )
    return checkpoint


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-sizes", default="64,128,256,512,1024")
    parser.add_argument("--docs", type=int, default=4096, help="documents timed per batch size")
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--fp32", action="store_true", help="full precision instead of float16")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--hidden", type=int, default=768)
    parser.add_argument("--heads", type=int, default=12)
    args = parser.parse_args(argv)

    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print(
            "bench_gpu: no CUDA device found. Run `make bench-gpu` on a machine with an NVIDIA "
            "GPU and a CUDA build of torch (or pass --device cpu for a small smoke run).",
            file=sys.stderr,
        )
        return 2

    from schemas.toxicity import DetoxifyBackend, ToxicitySettings
    from transforms.toxicity import load_detoxify, score_texts

    sizes = [int(s) for s in args.batch_sizes.split(",")]
    texts = [generate_doc(n) for n in range(max(args.docs, max(sizes)))]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = write_checkpoint(
            Path(tmp), args.layers, args.hidden, args.heads, BERT_BASE_VOCAB
        )
        backend = DetoxifyBackend(
            checkpoint=str(checkpoint),
            huggingface_config_path=str(Path(tmp) / "bert-base-uncased"),
            device=args.device,
            half_precision=not args.fp32,
            share_model=False,
        )
        started = time.perf_counter()
        scorer = load_detoxify(backend)
        load_seconds = time.perf_counter() - started
        tokens = scorer.tokenizer(texts[:256], truncation=True, max_length=512)["input_ids"]
        mean_tokens = sum(map(len, tokens)) / len(tokens)
        for size in sizes:
            settings = ToxicitySettings(backend=backend, max_batch_size=size, thresholds={})
            batches = [texts[i : i + size] for i in range(0, args.docs, size)]
            score_texts(batches[0], scorer, settings)  # warm-up: kernels, allocator
            if args.device == "cuda":
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
            started = time.perf_counter()
            for batch in batches:
                score_texts(batch, scorer, settings)
            if args.device == "cuda":
                torch.cuda.synchronize()
            seconds = time.perf_counter() - started
            done = sum(map(len, batches))
            peak = torch.cuda.max_memory_allocated() / 2**30 if args.device == "cuda" else 0.0
            rows.append((size, done, seconds, done / seconds, peak))
            print(f"batch {size}: {done / seconds:,.0f} documents/s", file=sys.stderr, flush=True)

    device = torch.cuda.get_device_name() if args.device == "cuda" else "cpu"
    precision = "float32" if args.fp32 or args.device == "cpu" else "float16"
    print(
        f"\ndetoxify original-shaped model ({args.layers} layers, hidden {args.hidden}, random "
        f"weights), {precision} on {device}; ~2 KB documents, {mean_tokens:.0f} tokens on "
        f"average (max 512); model load {load_seconds:.1f} s\n"
    )
    print("| batch size | documents | seconds | documents/s | peak GPU memory (GiB) |")
    print("|---|---|---|---|---|")
    for size, done, seconds, rate, peak in rows:
        print(f"| {size} | {done} | {seconds:.2f} | {rate:,.0f} | {peak:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
