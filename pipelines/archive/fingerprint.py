"""Text fingerprints of articles: a hash of the normalised text and a MinHash of its shingles.

Reprints differ from their origin in furniture (a dateline, "Источник: …", another headline),
in a cut or added paragraph and in a reworded sentence, so the body is compared as a set of
word 5-shingles after normalisation (lower case, ё → е, punctuation gone, datelines and
credit lines dropped). A 128-value MinHash (datasketch's scheme affine32, over a 32-bit hash
of each shingle) estimates the Jaccard similarity of two such sets; `pipelines.archive.lsh`
stores its values cut into bands, so that candidates for any new article are found by an
indexed lookup, across runs and processes. Candidates are then verified (`reprints`):
similar enough as wholes (estimated Jaccard), or one mostly inside the other (a truncated
copy), and telling the same facts: the numbers of the shorter text are mostly in the longer
one. The last check keeps apart notes written every day from one template (weather,
traffic, exchange rates), whose fixed sentences look like a reprint but whose numbers are
that day's (bench/dedupe.py measures both sides).

Changing `SHINGLE`, `NUM_PERM`, `lsh.BANDS`/`ROWS`, the hash or the normalisation makes stored
fingerprints incomparable: it needs a migration that computes them again.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipelines.archive.stemming import WORD_RE

SHINGLE = 5  # words per shingle
NUM_PERM = 128
JACCARD_MIN = 0.4  # estimated Jaccard of a reprint and its origin
CONTAINMENT_MIN = 0.65  # the shorter text inside the longer one (a truncated reprint)
NUMBERS_MIN = 0.7  # share of the numbers of the shorter text found in the longer one
NUMBERS_CHECKED = 3  # texts with fewer distinct numbers skip the check
MAX_NUMBERS = 200
MIN_WORDS = 25  # shorter bodies are not fingerprinted: too little text to tell a reprint
_SEED = 1
_TEXTS_AT_ONCE = 20  # texts whose MinHash is taken in one numpy pass
_ORDER = np.uint64(0x100000001B3)  # multiplier that makes the shingle hash depend on word order

_WORD = WORD_RE  # the index's words (runs of letters and digits)
# "БАРНАУЛ, 7 ноября." / "МОСКВА, 7 ноя – РИА Новости." / "Барнаул, 7 ноября /ТАСС/."
_DATELINE = re.compile(
    r"^[A-ZА-ЯЁ][\w\- ]{2,40}, \d{1,2} [а-яё]+\.?"
    r"(?:\s*[–—-]\s*[^.\n]{1,30}\.|\s*/[^/\n]{1,30}/\.?)?\s*"
)
# whole paragraphs that are credits or calls to action, not text
_FURNITURE = re.compile(
    r"^(?:источник|фото|видео|текст|автор|читайте также|подписывайтесь|самое важное)\b.{0,200}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fingerprint:
    text_hash: str  # sha1 of headline and body words: the same text, whatever its furniture
    size: int  # distinct shingles (for containment)
    hashvalues: np.ndarray  # NUM_PERM uint32
    numbers: frozenset[str]  # the distinct numbers of the text (its facts)

    def blob(self) -> bytes:
        return self.hashvalues.astype("<u4").tobytes()

    @classmethod
    def from_row(cls, text_hash: str, size: int, blob: bytes, numbers: str) -> Fingerprint:
        return cls(text_hash, size, np.frombuffer(blob, dtype="<u4"), frozenset(numbers.split()))


def words(body: str) -> list[str]:
    """The body as normalised words: lower case, ё → е, no dateline, no credit paragraphs."""
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    kept = [p for p in paragraphs if not _FURNITURE.match(p)]
    if kept:
        kept[0] = _DATELINE.sub("", kept[0], count=1)
    text = " ".join(kept).lower().replace("ё", "е")
    return _WORD.findall(text)


class _WordHashes(dict[str, int]):
    """word -> crc32 of its UTF-8 (a miss computes it; words repeat, so lookups stay in C)."""

    def __missing__(self, word: str) -> int:
        if len(self) >= 300_000:
            self.clear()
        value = self[word] = zlib.crc32(word.encode())
        return value


_word_hashes = _WordHashes()


def _word_array(tokens: Sequence[str]) -> np.ndarray:
    return np.fromiter(map(_word_hashes.__getitem__, tokens), np.uint64, len(tokens))


def _combine(words_: np.ndarray, n: int, k: int) -> np.ndarray:
    """The 32-bit hash of each of the first `n` runs of `k` words (crc32s combined in order)."""
    combined = np.zeros(n, dtype=np.uint64)
    for i in range(k):
        combined = combined * _ORDER + words_[i : i + n]  # wraps modulo 2**64, as meant
    return (combined >> np.uint64(32)) ^ (combined & np.uint64(0xFFFFFFFF))


def shingles(tokens: Sequence[str], k: int = SHINGLE) -> np.ndarray:
    """The distinct word k-shingles of `tokens`, each as a 32-bit hash (crc32 of its words,
    combined in order): cheaper than joining and hashing every shingle's text."""
    k = max(1, min(k, len(tokens)))
    return _distinct(_combine(_word_array(tokens), max(1, len(tokens) - k + 1), k))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (np.unique's hash path is twenty times slower here)."""
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _shingle_sets(texts: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """`shingles` of every text at once: (all distinct shingles, text by text; their counts).

    The texts' words are hashed as one array and shingled in one pass; shingles that would
    run across the end of a text are dropped, and one sort makes each text's set distinct."""
    if any(len(t) < SHINGLE for t in texts):  # too short for a full shingle: one by one
        sets = [shingles(t) for t in texts]
        return np.concatenate(sets), np.fromiter(map(len, sets), np.int64, len(sets))
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    words_ = _word_array([w for t in texts for w in t])
    combined = _combine(words_, len(words_) - SHINGLE + 1, SHINGLE)
    owner = np.repeat(np.arange(len(texts), dtype=np.uint64), lengths)[: len(combined)]
    ends = np.cumsum(lengths)
    position = np.arange(len(combined))
    whole = position + SHINGLE <= np.repeat(ends, lengths)[: len(combined)]
    keyed = _distinct((owner[whole] << np.uint64(32)) | combined[whole])
    counts = np.bincount((keyed >> np.uint64(32)).astype(np.int64), minlength=len(texts))
    return keyed & np.uint64(0xFFFFFFFF), counts


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations (odd `a`, any `b`) for our seed, as uint32, drawn
    as `MinHash._init_permutations` draws them from numpy's legacy generator, whose stream
    numpy keeps fixed. Importing datasketch for them cost every crawl and import half a
    second (it loads scipy); a test holds the two equal."""
    generator = np.random.RandomState(_SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def fingerprint(body: str, headline: str = "") -> Fingerprint | None:
    """The fingerprint of an article; None when its body is too short to compare."""
    tokens = words(body)
    digest = text_hash(tokens, headline)
    return None if digest is None else of_words(tokens, digest)


def text_hash(tokens: Sequence[str], headline: str = "") -> str | None:
    """The hash of the headline's and the body's normalised words (the same text whatever
    its furniture); None when the body has too few words to call two texts the same."""
    if len(tokens) < MIN_WORDS:
        return None
    heading = " ".join(_WORD.findall(headline.lower().replace("ё", "е")))
    return hashlib.sha1(f"{heading}\n{' '.join(tokens)}".encode()).hexdigest()


def of_words(tokens: Sequence[str], digest: str) -> Fingerprint:
    """The fingerprint of a body's normalised words (`words`) whose `text_hash` is `digest`:
    the MinHash is of the body alone (reprints change headlines)."""
    return of_words_many([(tokens, digest)])[0]


def of_words_many(texts: Sequence[tuple[Sequence[str], str]]) -> list[Fingerprint]:
    """`of_words` of many texts at once: one numpy pass over all their shingles.

    The values are datasketch's affine32 MinHash of each shingle set (hash values taken as
    they are, MurmurHash3 finaliser, `a * h + b` in 32 bits, minimum per permutation), as
    `MinHash.update_batch` computes them one sketch at a time; a test holds the two equal.
    """
    if not texts:
        return []
    grams, sizes = _shingle_sets([tokens for tokens, _ in texts])
    values = _fmix32(grams.astype(np.uint32))
    a, b = _permutations()
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    # a text of no shingles (no words) keeps datasketch's empty sketch, every value the most
    minima = np.full((len(texts), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    # a few texts at a time: their NUM_PERM × shingles products stay in the CPU's cache
    # (all 500 of a batch at once make a 60 MB array and run four times slower)
    for first in range(0, len(texts), _TEXTS_AT_ONCE):
        last = min(first + _TEXTS_AT_ONCE, len(texts))
        lo, hi = bounds[first], bounds[last]
        if lo == hi:
            continue
        permuted = np.multiply.outer(a, values[lo:hi])  # uint32: wraps modulo 2**32, as meant
        permuted += b[:, None]
        # reduceat reads an empty span as the one value at its start: reduce the others only
        filled = np.flatnonzero(sizes[first:last]) + first
        minima[filled] = np.minimum.reduceat(permuted, bounds[filled] - lo, axis=1).T
    return [
        Fingerprint(digest, size, minima[i], _numbers(tokens))
        for i, ((tokens, digest), size) in enumerate(zip(texts, sizes.tolist(), strict=True))
    ]


def _numbers(tokens: Sequence[str]) -> frozenset[str]:
    return frozenset(sorted({t for t in tokens if not t.isalpha()})[:MAX_NUMBERS])


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (datasketch's pre-mix for the affine32 scheme)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


# -- similarity -------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPrints:
    """Fingerprints of stored articles as arrays, for comparing one text with many at once."""

    ids: list[int]
    values: np.ndarray  # len(ids) × NUM_PERM
    sizes: np.ndarray
    numbers: list[str]  # space-separated, as stored

    def subset(self, rows: Sequence[int]) -> StoredPrints:
        """The prints at these row positions."""
        if len(rows) == len(self.ids):
            return self
        return StoredPrints(
            [self.ids[r] for r in rows],
            self.values[list(rows)].reshape(len(rows), NUM_PERM),
            self.sizes[list(rows)],
            [self.numbers[r] for r in rows],
        )

    @classmethod
    def of(cls, prints: Sequence[tuple[int, Fingerprint]]) -> StoredPrints:
        """Fingerprints at hand (not yet stored) in the same form, to compare them alike."""
        return cls.from_rows(
            [(i, p.size, p.blob(), " ".join(sorted(p.numbers))) for i, p in prints]
        )

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[int, int, bytes, str]]) -> StoredPrints:
        """Rows of (article_id, shingles, signature, numbers)."""
        blob = b"".join(r[2] for r in rows)
        return cls(
            [r[0] for r in rows],
            np.frombuffer(blob, dtype="<u4").reshape(len(rows), NUM_PERM),
            np.array([r[1] for r in rows], dtype=np.float64),
            [r[3] for r in rows],
        )


def same_facts(a: frozenset[str], b: frozenset[str]) -> bool:
    """Most numbers of the text with fewer numbers are in the other one (or too few to say)."""
    small, large = sorted((a, b), key=len)
    if len(small) < NUMBERS_CHECKED:
        return True
    return len(small & large) >= NUMBERS_MIN * len(small)


def reprints(fp: Fingerprint, stored: StoredPrints) -> list[int]:
    """The ids of `stored` that are verified near-duplicates of `fp`, compared all at once:
    similar as wholes (estimated Jaccard) or one a cut copy of the other (containment), with
    the same facts (`same_facts`)."""
    if not stored.ids:
        return []
    j = np.count_nonzero(stored.values == fp.hashvalues, axis=1) / NUM_PERM
    common = j * (fp.size + stored.sizes) / (1 + j)
    contained = common / np.maximum(1, np.minimum(fp.size, stored.sizes))
    similar = np.flatnonzero((j >= JACCARD_MIN) | (contained >= CONTAINMENT_MIN))
    return [
        stored.ids[i]
        for i in similar.tolist()
        if same_facts(fp.numbers, frozenset(stored.numbers[i].split()))
    ]
