"""Text features: one vocabulary for Chinese, English and mixed text.

Chinese is indexed as character unigrams and bigrams, which needs no word
segmentation and is a strong baseline for Chinese retrieval; Latin text as
lowercased word unigrams and bigrams. Both go into ONE vocabulary, so a mixed
sentence such as "基于LLM的knowledge base问答" yields features of both kinds.

A small bilingual glossary (data/glossary.json) adds the tokens of a canonical
Chinese term wherever an English form or a Chinese synonym of it occurs: an
English "defect inspection" need then shares features with a Chinese "缺陷检测"
solution. Domain words of three or more characters (知识库, 大模型 …) are also
indexed whole, which makes them readable explanation terms.

The vectors are TF-IDF with sublinear term frequency, the title counted
`title_weight` times, and L2-normalised so that a dot product is a cosine.
Every document is vectorised by the same per-row arithmetic whether it comes
alone or in a batch: incremental scoring must reproduce a full recompute bit
for bit.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

GLOSSARY_PATH = Path(__file__).parent / "data" / "glossary.json"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A CJK run, a Latin/digit word (with inner . - + # & ' as in "gpt-4o",
# "qwen2.5", "r&d"), or any other visible character, which breaks phrases.
_PIECE_RE = re.compile(rf"([{_CJK}]+)|([a-z0-9]+(?:[.\-+#&'][a-z0-9]+)*)|(\S)")
_CJK_RE = re.compile(rf"[{_CJK}]")

# "的" almost never starts or ends a word, so bigrams across it are noise.
_CJK_BREAKS = re.compile("的")
# Function characters carry no topic as unigrams (their bigrams stay: 对话, 以及 …).
_CJK_STOP_CHARS = frozenset("的了和与及或在是对为等将把被由于以其之并也而且就都又该此这那各每个")
_LATIN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "as",
        "into",
        "via",
        "per",
        "than",
        "then",
        "that",
        "this",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "we",
        "our",
        "us",
        "you",
        "your",
        "they",
        "their",
        "them",
        "he",
        "she",
        "his",
        "her",
        "i",
        "my",
        "me",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "do",
        "does",
        "did",
        "done",
        "have",
        "has",
        "had",
        "not",
        "no",
        "nor",
        "so",
        "such",
        "if",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "what",
        "how",
        "why",
        "all",
        "any",
        "each",
        "both",
        "more",
        "most",
        "other",
        "some",
        "only",
        "own",
        "same",
        "too",
        "very",
        "just",
        "also",
        "etc",
        "e.g",
        "i.e",
        "about",
        "over",
        "under",
        "up",
        "down",
        "out",
        "off",
        "again",
        "further",
        "once",
        "there",
        "here",
        "while",
        "during",
        "before",
        "after",
        "above",
        "below",
        "between",
        "through",
        "within",
        "without",
        "across",
        "against",
        "among",
        "around",
        "along",
        "need",
        "needs",
        "want",
        "wants",
        "would",
        "like",
        "help",
        "use",
        "using",
        "used",
        "based",
    ]
)
# Plural folding must not eat the "s" of these endings (analysis, process, logistics, status).
_KEEP_S_ENDINGS = ("ss", "us", "is", "ics", "os")


def normalize(text: str) -> str:
    """NFKC (full-width Ａ１，→ A1,) and lowercase: the same text in any input method."""
    return unicodedata.normalize("NFKC", text).lower()


def fold_word(word: str) -> str:
    """Fold an English plural onto its singular, so "defects" meets "defect"."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_KEEP_S_ENDINGS):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    return word[:-1]


def _latin_words(text: str) -> list[str]:
    return [fold_word(w) for w in re.findall(r"[a-z0-9]+(?:[.\-+#&'][a-z0-9]+)*", normalize(text))]


@dataclass(frozen=True)
class Glossary:
    """Lookup tables built from the glossary data file."""

    # English phrase (tuple of folded words) -> canonical Chinese terms.
    english: dict[tuple[str, ...], tuple[str, ...]]
    # Chinese synonym -> canonical Chinese terms.
    chinese: dict[str, tuple[str, ...]]
    # Chinese words indexed whole (3+ characters).
    long_words: frozenset[str]
    # Chinese words shown as explanation terms.
    display_words: frozenset[str]
    max_english_len: int
    chinese_lengths: tuple[int, ...]

    @classmethod
    def load(cls, path: Path = GLOSSARY_PATH) -> Glossary:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls.from_entries(data["entries"], data["words"])

    @classmethod
    def from_entries(cls, entries: Iterable[dict], extra_words: Iterable[str] = ()) -> Glossary:
        """Tables of entries {"zh": canonical, "en": [forms], "alt": [Chinese synonyms]}."""
        english: dict[tuple[str, ...], list[str]] = {}
        chinese: dict[str, list[str]] = {}
        words: set[str] = set(extra_words)
        for entry in entries:
            canonical = entry["zh"]
            words.add(canonical)
            for form in entry["en"]:
                english.setdefault(tuple(_latin_words(form)), []).append(canonical)
            for alt in entry["alt"]:
                words.add(alt)
                chinese.setdefault(alt, []).append(canonical)
        long_words = frozenset(w for w in words if len(w) >= 3)
        lengths = {len(w) for w in long_words} | {len(w) for w in chinese}
        return cls(
            english={k: tuple(v) for k, v in english.items() if k},
            chinese={k: tuple(v) for k, v in chinese.items()},
            long_words=long_words,
            display_words=frozenset(words),
            max_english_len=max(len(k) for k in english),
            chinese_lengths=tuple(sorted(lengths, reverse=True)),
        )


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return Glossary.load()


class Tokenizer:
    """Turns a text into weighted token counts (see the module docstring)."""

    def __init__(self, *, use_glossary: bool = True, glossary: Glossary | None = None) -> None:
        self.glossary = (glossary or default_glossary()) if use_glossary else None
        self._canonical_cache: dict[str, dict[str, int]] = {}

    def count(self, text: str, weight: int, counts: dict[str, float]) -> None:
        """Add the tokens of `text`, each occurrence counting `weight`, to `counts`."""
        phrase: list[str] = []
        for cjk, latin, _other in _PIECE_RE.findall(normalize(text)):
            if latin:
                phrase.append(fold_word(latin))
                continue
            if phrase:
                self._count_latin(phrase, weight, counts)
                phrase = []
            if cjk:
                self._count_cjk(cjk, weight, counts)
        if phrase:
            self._count_latin(phrase, weight, counts)

    def _count_latin(self, words: list[str], weight: int, counts: dict[str, float]) -> None:
        previous: str | None = None
        for word in words:
            if word in _LATIN_STOPWORDS or len(word) < 2 or (word.isdigit() and len(word) < 3):
                previous = None  # a stopword breaks the phrase: no "quality of" bigrams
                continue
            counts[word] = counts.get(word, 0.0) + weight
            if previous is not None:
                bigram = f"{previous} {word}"
                counts[bigram] = counts.get(bigram, 0.0) + weight
            previous = word
        if self.glossary is None:
            return
        # Greedy longest match, so "visual inspection" expands once as a whole.
        english = self.glossary.english
        i, n = 0, len(words)
        while i < n:
            for length in range(min(self.glossary.max_english_len, n - i), 0, -1):
                canonicals = english.get(tuple(words[i : i + length]))
                if canonicals:
                    for canonical in canonicals:
                        self._add_canonical(canonical, weight, counts)
                    i += length
                    break
            else:
                i += 1

    def _count_cjk(self, run: str, weight: int, counts: dict[str, float]) -> None:
        for part in _CJK_BREAKS.split(run):
            self._count_chars(part, weight, counts)
            if self.glossary is not None:
                self._count_words(part, weight, counts)

    @staticmethod
    def _count_chars(part: str, weight: int, counts: dict[str, float]) -> None:
        for i, char in enumerate(part):
            if char not in _CJK_STOP_CHARS:
                counts[char] = counts.get(char, 0.0) + weight
            if i + 1 < len(part):
                bigram = part[i : i + 2]
                counts[bigram] = counts.get(bigram, 0.0) + weight

    def _count_words(self, part: str, weight: int, counts: dict[str, float]) -> None:
        glossary = self.glossary
        assert glossary is not None  # noqa: S101 -- only called with a glossary
        n = len(part)
        for i in range(n):
            for length in glossary.chinese_lengths:
                if i + length > n:
                    continue
                piece = part[i : i + length]
                if piece in glossary.long_words:
                    counts[piece] = counts.get(piece, 0.0) + weight
                for canonical in glossary.chinese.get(piece, ()):
                    if canonical != piece:
                        self._add_canonical(canonical, weight, counts)

    def canonical_tokens(self, canonical: str) -> dict[str, int]:
        """The canonical term's own tokens, exactly as Chinese text containing it
        would produce them (no further synonym expansion: no loops)."""
        tokens = self._canonical_cache.get(canonical)
        if tokens is None:
            tokens_f: dict[str, float] = {}
            self._count_chars(canonical, 1, tokens_f)
            assert self.glossary is not None  # noqa: S101 -- only called with a glossary
            for i in range(len(canonical)):
                for j in range(i + 3, len(canonical) + 1):
                    if canonical[i:j] in self.glossary.long_words:
                        tokens_f[canonical[i:j]] = tokens_f.get(canonical[i:j], 0.0) + 1
            tokens = {k: int(v) for k, v in tokens_f.items()}
            self._canonical_cache[canonical] = tokens
        return tokens

    def _add_canonical(self, canonical: str, weight: int, counts: dict[str, float]) -> None:
        for token, n in self.canonical_tokens(canonical).items():
            counts[token] = counts.get(token, 0.0) + n * weight

    def document(self, title: str, body: Iterable[str], title_weight: int) -> dict[str, float]:
        """Weighted counts of a record: the title counts `title_weight` times."""
        counts: dict[str, float] = {}
        self.count(title, title_weight, counts)
        for text in body:
            if text:
                self.count(text, 1, counts)
        return counts


def is_cjk(term: str) -> bool:
    return bool(_CJK_RE.match(term))


def displayable(term: str, glossary: Glossary | None) -> bool:
    """Whether a term reads as a word to a user.

    Latin words and word pairs do (bare numbers do not). A Chinese character
    bigram often straddles two words (检测系统 → 测系), so Chinese terms are
    shown only when the glossary knows them as words.
    """
    if not is_cjk(term):
        return not term.replace(" ", "").isdigit()
    if len(term) < 2:
        return False
    return glossary is not None and term in glossary.display_words


def pick_terms(ranked: Sequence[str], limit: int) -> tuple[str, ...]:
    """The first `limit` terms, skipping any contained in another listed term.

    `ranked` is ordered most contributing first; "defect" is not listed next
    to "defect inspection", nor 缺陷 next to 缺陷检测.
    """
    pool = list(ranked[: limit * 2])
    kept: list[str] = []
    for term in pool:
        if any(term != other and _contains(other, term) for other in pool):
            continue
        kept.append(term)
        if len(kept) == limit:
            break
    return tuple(kept)


def _contains(longer: str, shorter: str) -> bool:
    if len(longer) <= len(shorter):
        return False
    if is_cjk(shorter):
        return shorter in longer
    return f" {shorter} " in f" {longer} "


def contained_terms(
    terms: Sequence[str], shown: np.ndarray, index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """For every term, the shown terms it contains in `pick_terms`' sense, as CSR arrays.

    Returns (indptr, indices): the terms contained in term `t` are
    `indices[indptr[t]:indptr[t + 1]]`. Only shown terms are listed, on both
    sides (explanations only ever compare shown terms). The relation is the
    one `pick_terms` tests, `_contains`; the candidates tried are a superset of
    every term `_contains` can accept — the pieces between spaces (how Latin
    terms compare) and every substring that starts with a Chinese character
    (how Chinese terms compare) — each then checked with `_contains` itself.
    """
    indptr = np.zeros(len(terms) + 1, dtype=np.int64)
    found: list[int] = []
    for term_id in np.flatnonzero(shown).tolist():
        longer = terms[term_id]
        if " " not in longer and not _CJK_RE.search(longer):
            continue  # one Latin word: contains no other term
        size = len(longer)
        starts = [0] + [at + 1 for at, char in enumerate(longer) if char == " "]
        ends = [at for at, char in enumerate(longer) if char == " "] + [size]
        pieces = {longer[a:b] for a in starts for b in ends if a < b and b - a < size}
        if _CJK_RE.search(longer):
            pieces.update(
                longer[a:b]
                for a in range(size)
                if _CJK_RE.match(longer[a])
                for b in range(a + 1, size + 1)
                if b - a < size
            )
        inner = sorted(
            other
            for other in (index.get(piece) for piece in pieces)
            if other is not None and shown[other] and _contains(longer, terms[other])
        )
        found.extend(inner)
        indptr[term_id + 1] = len(inner)
    np.cumsum(indptr, out=indptr)
    return indptr, np.asarray(found, dtype=np.int64)


# ---------------------------------------------------------------- vectorising


@dataclass
class TokenizedBatch:
    """Documents as compact arrays of (provisional term id, weighted count).

    Made by `tokens.BatchTokenizer`; one dict per document would cost ~10 KB
    each, which at 150,000 documents alone would break the memory budget.
    """

    term_ids: np.ndarray  # int64, concatenated per document
    counts: np.ndarray  # float64
    lengths: np.ndarray  # int64, tokens per document
    terms: list[str]  # provisional id -> term


def fit_vocabulary(
    batch: TokenizedBatch, *, max_df: float, max_df_min_docs: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Choose the vocabulary and its idf from a tokenized corpus.

    Returns (terms sorted, idf per term, provisional id -> final id or -1).
    idf = ln((1 + N) / (1 + df)) + 1, the smoothed form: a term in every
    document still counts a little, and a term seen once counts most.
    """
    n_docs = len(batch.lengths)
    df = np.bincount(batch.term_ids, minlength=len(batch.terms))
    keep = df > 0
    if n_docs >= max_df_min_docs:
        keep &= df <= max_df * n_docs
    kept = np.flatnonzero(keep)
    # Sorted terms make the model independent of the order documents came in.
    order = sorted(kept.tolist(), key=batch.terms.__getitem__)
    terms = [batch.terms[i] for i in order]
    remap = np.full(len(batch.terms), -1, dtype=np.int64)
    remap[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
    idf = np.log((1.0 + n_docs) / (1.0 + df[np.asarray(order, dtype=np.int64)])) + 1.0
    return terms, idf.astype(np.float64), remap


def vectorize(
    term_ids: np.ndarray, counts: np.ndarray, lengths: np.ndarray, idf: np.ndarray
) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows from final term ids (-1 = not in vocabulary).

    The arithmetic is per element or per row in term-id order, so a document
    gets bit-identical weights alone or in any batch.
    """
    n_docs = len(lengths)
    known = term_ids >= 0
    if not known.all():
        rows = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        lengths = np.bincount(rows[known], minlength=n_docs)
        term_ids, counts = term_ids[known], counts[known]
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    # Each row's terms in id order (ids are unique within a row): scipy sorts
    # row by row, far cheaper than one lexsort of the whole corpus.
    by_row = sparse.csr_matrix(
        (counts, term_ids.astype(np.int32), indptr), shape=(n_docs, len(idf)), copy=True
    )
    by_row.sort_indices()
    rows = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    cols, counts = by_row.indices, by_row.data
    weights = (1.0 + np.log(counts)) * idf[cols]
    # bincount sums each row's squares sequentially in column order.
    norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=n_docs))
    weights = weights / norms[rows]
    matrix = sparse.csr_matrix((weights, cols, indptr), shape=(n_docs, len(idf)), dtype=np.float64)
    matrix.has_sorted_indices = True
    return matrix


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Plain-Python cosine of two weight dicts (the reference implementation's)."""
    dot = sum(weight * b[term] for term, weight in a.items() if term in b)
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0
