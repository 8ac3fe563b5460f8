"""MinHash signatures and LSH band keys for the dedup stage, vectorised with numpy.

Pure functions only: no Beam, no documents. `transforms.dedup` builds on them.

Text normal form (also what the exact-duplicate hash covers): Unicode NFKC, then `casefold()`,
then every run of whitespace collapsed to one space, leading and trailing whitespace removed.

Shingles are taken from a *token string* derived from the normal form:

- punctuation and symbol characters (Unicode categories P* and S*, in the Basic Multilingual
  Plane and the emoji and symbol blocks), control characters and whitespace become spaces;
  format characters (zero-width space, soft hyphen, byte-order mark, ...) are deleted;
- in `word` mode each Han ideograph, Hiragana and Katakana character (scripts written without
  spaces) becomes a token of its own; every other token is a maximal run of non-space
  characters (so letters, digits and marks of any script, e.g. `it's` gives `it` and `s`);
- the tokens are joined with single spaces.

A `word` shingle is `ngram` consecutive tokens joined by one space; a `char` shingle is `ngram`
consecutive characters of the token string (spaces included, ideographs not split apart). A text
with fewer than `ngram` units yields exactly one shingle, the whole token string, so a short
document is still comparable with its copies; a text with no tokens yields no shingle and an empty
signature, and is only ever grouped by the exact hash.

Shingle hash (`poly64`, the default): over the shingle's UTF-8 bytes, the polynomial
`sum(byte_i * P**(len-1-i)) mod 2**64` with `P = POLY_BASE`, xor `len * LENGTH_MIX`, the 64-bit
MurmurHash3 finalizer, low 32 bits. `shingle_hash32` is the same function byte by byte, usable as
`datasketch.MinHash(hashfunc=shingle_hash32)`. The vectorised form works on a batch of texts at
once: the spaces are collapsed in numpy, and every shingle's polynomial comes from one prefix sum
(`P` is odd, so it has an inverse modulo 2**64). With `shingle_hash="sha1"` the shingle hash is
datasketch's default `sha1_hash32` instead (several times slower), so a plain
`datasketch.MinHash(num_perm, seed)` reproduces the signature.

Permutations: datasketch 2.0's default `affine32` scheme, bit for bit. With
`gen = numpy.random.RandomState(seed)`, `a = gen.randint(0, 2**31, num_perm, uint32) * 2 + 1`,
`b = gen.randint(0, 2**32, num_perm, uint32)`; each 32-bit shingle hash `h` is pre-mixed with the
32-bit MurmurHash3 finalizer and permuted as `a * fmix32(h) + b mod 2**32`; the signature is the
column-wise minimum, `2**32 - 1` everywhere for an empty set. Band keys are the bytes datasketch's
`MinHashLSH` stores: each band's `rows` values as big-endian uint32.
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
from collections.abc import Sequence
from functools import cache

import numpy as np

MAX_HASH = np.uint32(0xFFFFFFFF)
_MASK64 = (1 << 64) - 1
_MASK32 = (1 << 32) - 1

# Odd, so it is invertible modulo 2**64, which is what lets a prefix sum give every span's hash.
POLY_BASE = 0x9E3779B97F4A7C15
_POLY_BASE_INV = pow(POLY_BASE, -1, 1 << 64)
# Mixed in so that spans differing only by leading zero bytes still hash apart.
LENGTH_MIX = 0xC2B2AE3D27D4EB4F

# Shingles are permuted in blocks of this many columns: bounds the (num_perm x block) uint32
# scratch matrix (7 MB at 112 permutations) while keeping numpy's per-call overhead negligible.
_BLOCK = 16384

# Scripts written without spaces between words: one token per character in `word` mode.
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
# Where punctuation and symbols live: the BMP plus the emoji and pictograph blocks.
_SYMBOL_RANGES = ((0x0000, 0xFFFF), (0x1F000, 0x1FAFF))


# --- text normal forms -------------------------------------------------------------------------


def fold_text(text: str) -> str:
    """NFKC, then casefold: the character-level part of the normal form."""
    return unicodedata.normalize("NFKC", text).casefold()


def collapse_whitespace(folded: str) -> str:
    """Whitespace runs collapsed to one space, leading and trailing whitespace removed."""
    return " ".join(folded.split())


def normalize_text(text: str) -> str:
    """The exact-duplicate normal form: NFKC, casefolded, whitespace runs collapsed, stripped."""
    return collapse_whitespace(fold_text(text))


@cache
def _translation_table(unit: str) -> dict[int, str]:
    # Built on first use (about 30 ms), not at import.
    table: dict[int, str] = {}
    for low, high in _SYMBOL_RANGES:
        for code in range(low, high + 1):
            category = unicodedata.category(chr(code))
            if category[0] in "PS" or category == "Cc" or chr(code).isspace():
                # Every separator becomes an ASCII space: runs of 0x20 are then the only
                # word boundaries, which the vectorised span code collapses.
                table[code] = " "
            elif category == "Cf":
                table[code] = ""
    if unit == "word":
        for low, high in _CJK_RANGES:
            for code in range(low, high + 1):
                if unicodedata.category(chr(code))[0] == "L":
                    table[code] = f" {chr(code)} "
    return table


def token_string(folded: str, unit: str = "word") -> str:
    """The string shingles are cut from (see the module docstring), from `fold_text` output."""
    return " ".join(folded.translate(_translation_table(unit)).split())


def separated(folded: str, unit: str = "word") -> bytes:
    """`token_string` before its spaces are collapsed, as UTF-8: what the vectorised span code
    takes (collapsing there, in numpy, is cheaper than `split` and `join` per document)."""
    return folded.translate(_translation_table(unit)).encode("utf-8")


# --- shingle spans and hashes ------------------------------------------------------------------


def shingle_spans(data: bytes, ngram: int, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """Byte offsets `[start, end)` of every shingle of a UTF-8 token string."""
    starts, ends, _, _ = _batch_spans([data], ngram, unit)
    return starts, ends


def _batch_spans(
    datas: Sequence[bytes], ngram: int, unit: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bytes]:
    """Shingle spans of many `separated` strings at once.

    Returns the token strings of all of them joined by single spaces, the `[start, end)` byte
    offsets of every shingle in it (document after document), and each document's number of
    shingles. Working on one buffer replaces a dozen numpy calls per document with a dozen per
    batch, which is most of the cost for documents of a few kilobytes.
    """
    counts = np.zeros(len(datas), dtype=np.int64)
    raw = np.frombuffer(b" ".join(datas), dtype=np.uint8)
    sizes = np.array([len(data) for data in datas], dtype=np.int64)
    raw_starts = np.cumsum(sizes + 1) - (sizes + 1)
    # Collapse runs of spaces to one (the documents' separators included) ...
    space = raw == 0x20
    keep = ~space
    keep[1:] |= space[1:] & ~space[:-1]
    keep[:1] = ~space[:1]
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    buf = raw[keep]
    # ... then map each document's range into the collapsed buffer and trim its spaces.
    starts = kept_before[raw_starts]
    ends = kept_before[raw_starts + sizes]
    nonempty = starts < ends
    starts[nonempty] += buf[starts[nonempty]] == 0x20
    nonempty = starts < ends
    ends[nonempty] -= buf[ends[nonempty] - 1] == 0x20
    joined = buf.tobytes()
    present = np.flatnonzero(starts < ends)
    if len(present) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, counts, joined
    if unit == "word":
        spaces = np.flatnonzero(buf == 0x20)
        unit_starts = np.concatenate(([0], spaces + 1))
        unit_ends = np.concatenate((spaces, [len(buf)]))
    else:
        # Character boundaries: every byte that is not a UTF-8 continuation byte starts one.
        unit_starts = np.flatnonzero((buf & 0xC0) != 0x80)
        unit_ends = np.concatenate((unit_starts[1:], [len(buf)]))
    first_unit = np.searchsorted(unit_starts, starts[present])
    unit_counts = np.searchsorted(unit_starts, ends[present]) - first_unit
    # A document with fewer units than `ngram` still gets one shingle: all of it.
    shingle_counts = np.maximum(unit_counts - ngram + 1, 1)
    owner = np.repeat(np.arange(len(present)), shingle_counts)
    position = (
        np.arange(int(shingle_counts.sum())) - (np.cumsum(shingle_counts) - shingle_counts)[owner]
    )
    first = first_unit[owner] + position
    last = np.minimum(first + ngram - 1, (first_unit + unit_counts - 1)[owner])
    counts[present] = shingle_counts
    return unit_starts[first].astype(np.int64), unit_ends[last].astype(np.int64), counts, joined


# One (P**k, P**-k) pair, replaced as a whole so concurrent readers never see a mixed pair.
_powers_cache: list[tuple[np.ndarray, np.ndarray]] = []


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """`P**k` and `P**-k` modulo 2**64 for k in [0, n], grown by doubling and kept per process."""
    cached = _powers_cache[-1] if _powers_cache else None
    if cached is None or len(cached[0]) <= n:
        size = max(4096, 1 << n.bit_length())
        fwd = np.full(size + 1, POLY_BASE, dtype=np.uint64)
        inv = np.full(size + 1, _POLY_BASE_INV, dtype=np.uint64)
        fwd[0] = inv[0] = 1
        cached = (np.cumprod(fwd, dtype=np.uint64), np.cumprod(inv, dtype=np.uint64))
        _powers_cache[:] = [cached]
    return cached


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def span_hashes64(data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The 64-bit `poly64` value (before folding to 32 bits) of every span `data[start:end]`."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint64)
    fwd, inv = _powers(len(data))
    buf = np.frombuffer(data, dtype=np.uint8).astype(np.uint64)
    # prefix[k] = sum(b_i * P**-(i+1) for i < k); unsigned arithmetic wraps modulo 2**64.
    prefix = np.zeros(len(buf) + 1, dtype=np.uint64)
    np.cumsum(buf * inv[1 : len(buf) + 1], out=prefix[1:])
    poly = (prefix[ends] - prefix[starts]) * fwd[ends]
    lengths = (ends - starts).astype(np.uint64)
    return _fmix64(poly ^ (lengths * np.uint64(LENGTH_MIX)))


def shingle_hash64(data: bytes) -> int:
    """The 64-bit `poly64` value of one shingle, byte by byte (reference for `span_hashes64`)."""
    h = 0
    for byte in data:
        h = (h * POLY_BASE + byte) & _MASK64
    h ^= (len(data) * LENGTH_MIX) & _MASK64
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _MASK64
    return h ^ (h >> 33)


def shingle_hash32(data: bytes) -> int:
    """The `poly64` shingle hash: a valid `hashfunc` for `datasketch.MinHash`."""
    return shingle_hash64(data) & _MASK32


def sha1_hash32(data: bytes) -> int:
    """datasketch's default hash function (`datasketch.hashfunc.sha1_hash32`), restated."""
    return int(struct.unpack("<I", hashlib.sha1(data).digest()[:4])[0])


def shingle_source(text: str, unit: str) -> bytes:
    """What `shingle_values` takes for a raw text: its `separated` form."""
    return separated(fold_text(text), unit)


def shingles(text: str, ngram: int = 5, unit: str = "word") -> list[bytes]:
    """Every shingle of a text as bytes, in text order (repeats included), e.g. for datasketch."""
    starts, ends, _, data = _batch_spans([shingle_source(text, unit)], ngram, unit)
    return [data[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def shingle_values(
    datas: Sequence[bytes], ngram: int, unit: str, hash_name: str = "poly64"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shingle hashes of many `separated` strings: `(hashes32, values64, counts)`.

    `hashes32` (fed to MinHash) and `values64` (used for exact Jaccard) hold every document's
    shingles one after another; `counts[i]` is how many belong to `datas[i]`.
    """
    starts, ends, counts, joined = _batch_spans(datas, ngram, unit)
    values64 = span_hashes64(joined, starts, ends)
    if hash_name == "sha1":
        spans = zip(starts.tolist(), ends.tolist(), strict=True)
        hashes32 = np.fromiter(
            (sha1_hash32(joined[s:e]) for s, e in spans), dtype=np.uint32, count=len(starts)
        )
    else:
        hashes32 = (values64 & np.uint64(_MASK32)).astype(np.uint32)
    return hashes32, values64, counts


def jaccard(values_a: np.ndarray, values_b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets given as 64-bit values (repeats allowed)."""
    a, b = np.unique(values_a), np.unique(values_b)
    if len(a) == 0 and len(b) == 0:
        return 1.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


# --- signatures --------------------------------------------------------------------------------


def permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """datasketch 2.0's `affine32` permutation parameters `(a, b)` for `num_perm` and `seed`."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class MinHasher:
    """Computes datasketch-identical MinHash signatures for many shingle sets at once."""

    def __init__(self, num_perm: int = 112, seed: int = 1) -> None:
        a, b = permutations(num_perm, seed)
        self.num_perm = num_perm
        self._a = a[:, None]
        self._b = b[:, None]

    def signature(self, hashes32: np.ndarray) -> np.ndarray:
        """The signature of one set of 32-bit shingle hashes."""
        return self.signatures(hashes32, np.array([len(hashes32)]))[0]

    def signatures(self, hashes32: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """One row of `num_perm` uint32 values per set; set `i` is the next `counts[i]` hashes."""
        out = np.full((len(counts), self.num_perm), MAX_HASH, dtype=np.uint32)
        ends = np.cumsum(counts)
        index, total = 0, len(counts)
        while index < total:
            # Take whole sets until the block is full; a set longer than a block goes alone,
            # folded in block-sized pieces.
            begin = int(ends[index] - counts[index])
            stop = int(np.searchsorted(ends, begin + _BLOCK, side="right"))
            if stop <= index:
                set_end = int(ends[index])
                for piece in range(begin, set_end, _BLOCK):
                    chunk = hashes32[piece : min(piece + _BLOCK, set_end)]
                    minima = self._min_per_set(chunk, np.array([0]))[:, 0]
                    out[index] = np.minimum(out[index], minima)
                index += 1
                continue
            sizes = counts[index:stop]
            filled = np.flatnonzero(sizes)
            if len(filled):
                chunk = hashes32[begin : int(ends[stop - 1])]
                offsets = (np.cumsum(sizes) - sizes)[filled]
                out[index + filled] = self._min_per_set(chunk, offsets).T
            index = stop
        return out

    def _min_per_set(self, hashes32: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        # Permutations on rows, shingles on columns: the min-reduction then runs along
        # contiguous memory, several times faster than reducing a (shingles x perms) matrix.
        permuted = self._a * _fmix32(hashes32.astype(np.uint32, copy=False))
        permuted += self._b
        return np.minimum.reduceat(permuted, offsets, axis=1)


def band_keys(signature: np.ndarray, bands: int, rows: int) -> list[bytes]:
    """Each band's key: its `rows` values as big-endian uint32, as datasketch's MinHashLSH."""
    big_endian = signature[: bands * rows].astype(">u4").tobytes()
    width = 4 * rows
    return [big_endian[i * width : (i + 1) * width] for i in range(bands)]


def is_empty(signature: np.ndarray) -> bool:
    return bool(np.all(signature == MAX_HASH))


# --- LSH parameters ----------------------------------------------------------------------------


@cache
def optimal_bands_rows(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """Bands and rows minimising weighted false positive and negative probability mass.

    The same search as datasketch's `MinHashLSH._optimal_param`, so `MinHashLSH(threshold,
    num_perm)` picks the same bands and rows. The integrands are polynomials of degree
    `b * r <= num_perm`, which Gauss-Legendre quadrature with `num_perm // 2 + 1` nodes
    integrates exactly, so no adaptive integrator (and no scipy) is needed.
    """
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def integrate(low: float, high: float, b: int, r: int, collide: bool) -> float:
        s = (high - low) / 2 * nodes + (high + low) / 2
        p = 1.0 - (1.0 - s ** float(r)) ** float(b)
        return float((high - low) / 2 * np.dot(weights, p if collide else 1.0 - p))

    best, best_error = (0, 0), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            error = (
                integrate(0.0, threshold, b, r, True) * false_positive_weight
                + integrate(threshold, 1.0, b, r, False) * false_negative_weight
            )
            if error < best_error:
                best, best_error = (b, r), error
    return best


def collision_probability(similarity: float, bands: int, rows: int) -> float:
    """Probability that two sets with this Jaccard similarity share at least one band."""
    return float(1.0 - (1.0 - similarity**rows) ** bands)
