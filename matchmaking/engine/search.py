"""Relevance search over catalog records, with the matching engine's text analysis.

A query and every record are tokenised as the engine tokenises needs and
solutions (`text.Tokenizer`: Chinese character unigrams and bigrams, Latin
words and word pairs, glossary words), with a larger glossary: the matching
glossary (data/glossary.json) plus the search synonym list (data/synonyms.txt)
plus the groups staff add in the admin. A term of a synonym group, in either
language, adds the tokens of the group's canonical Chinese term, so
"defect detection" meets 缺陷检测 and "call center" meets 客服中心.

Records are TF-IDF vectors (sublinear tf, smoothed idf, L2-normalised), the
title counted `TITLE_WEIGHT` times. A record is a result when it covers
enough of the query (`MIN_COVERAGE`: the share of the query's squared
weight, unknown query terms included, that the record contains): a record that
merely shares the character 区 with 区块链 is not one. Results are ordered by
a mix of cosine and coverage (`rank`).

The index is plain arrays built in one pass (`tokens.BatchTokenizer`); the
Django side keeps one per catalog state and rebuilds it when the state
changes (matchmaking/search/index.py).
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from matchmaking.engine.text import (
    _LATIN_STOPWORDS,
    _PIECE_RE,
    GLOSSARY_PATH,
    Glossary,
    Tokenizer,
    fold_word,
    normalize,
)
from matchmaking.engine.tokens import BatchTokenizer

SYNONYMS_PATH = Path(__file__).parent / "data" / "synonyms.txt"
TITLE_WEIGHT = 3
# A record must hold this share of the query's (squared) weight to be a result.
MIN_COVERAGE = 0.3
# How much of the rank is coverage (the rest is cosine similarity).
COVERAGE_SHARE = 0.5
MAX_QUERY_CHARS = 200
HIGHLIGHTS_KEPT = 1024
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:[.\-+#&'][a-z0-9]+)*")
_SPLIT = re.compile(r"\s*[,，、]\s*")
# Joins the vocabulary in `arrays`: no token holds it (the batch tokenizer splits on it).
_TERM_SEPARATOR = "\x00"


@dataclass(frozen=True)
class SynonymGroup:
    """Equivalent terms; the first Chinese term is the canonical one."""

    zh: tuple[str, ...]
    en: tuple[str, ...] = ()


def parse_synonyms(text: str) -> list[SynonymGroup]:
    """Groups of a synonym list: `中文, 中文 | english, english` per line (# comments)."""
    groups = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        chinese, _bar, english = line.partition("|")
        group = parse_group(chinese, english)
        if group is None:
            msg = f"synonym line {number}: no Chinese term: {raw!r}"
            raise ValueError(msg)
        groups.append(group)
    return groups


def parse_group(chinese: str, english: str) -> SynonymGroup | None:
    """One group from its Chinese and English term lists (comma-separated); None if no
    Chinese term."""
    zh = _terms(chinese)
    en = _terms(english)
    return SynonymGroup(zh=zh, en=en) if zh else None


def _terms(text: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for term in _SPLIT.split(normalize(text).strip()):
        term = " ".join(term.split())
        if term:
            seen.setdefault(term, None)
    return tuple(seen)


@lru_cache(maxsize=1)
def file_synonyms() -> tuple[SynonymGroup, ...]:
    return tuple(parse_synonyms(SYNONYMS_PATH.read_text(encoding="utf-8")))


def build_glossary(groups: Iterable[SynonymGroup]) -> Glossary:
    """The matching glossary grown by synonym groups: every other term of a group
    (either language) expands to the group's canonical Chinese term."""
    import json  # noqa: PLC0415 -- read once per glossary build

    data = json.loads(GLOSSARY_PATH.read_text(encoding="utf-8"))
    english: dict[str, dict[str, None]] = {}
    chinese: dict[str, dict[str, None]] = {}
    canonicals: dict[str, None] = {}
    for entry in data["entries"]:
        canonicals.setdefault(entry["zh"], None)
        for form in entry["en"]:
            english.setdefault(entry["zh"], {}).setdefault(normalize(form), None)
        for alt in entry["alt"]:
            chinese.setdefault(entry["zh"], {}).setdefault(alt, None)
    for group in groups:
        canonical = group.zh[0]
        canonicals.setdefault(canonical, None)
        for form in group.en:
            english.setdefault(canonical, {}).setdefault(form, None)
        for alt in group.zh[1:]:
            if alt != canonical:
                chinese.setdefault(canonical, {}).setdefault(alt, None)
    entries = [
        {"zh": zh, "en": list(english.get(zh, ())), "alt": list(chinese.get(zh, ()))}
        for zh in canonicals
    ]
    return Glossary.from_entries(entries, data["words"])


@dataclass(frozen=True)
class SearchDocument:
    """A record as search sees it: its id, title and the other texts the viewer may read.

    `version` is whatever tells the caller that a record changed (its last change as an
    integer): the index keeps it per record, so a caller can compare and re-index only
    the records whose version differs (`SearchIndex.updated`).
    """

    key: int
    title: str
    texts: tuple[str, ...]
    version: int = 0


@dataclass(frozen=True)
class Hit:
    key: int
    score: float


class SearchIndex:
    """TF-IDF vectors of a set of records, searched by query (see the module docstring).

    The index keeps each record's raw term counts (in the term ids of its own
    `BatchTokenizer`, which grow as new words come) and derives the vectors from them:
    `updated` tokenises only new or changed records, `arrays`/`from_arrays` write and
    read an index as plain arrays (shared between processes through a file); the
    vectors, idf included, equal a whole rebuild's up to the float rounding of a sum.
    """

    def __init__(
        self,
        documents: Sequence[SearchDocument] = (),
        *,
        glossary: Glossary,
        groups=(),
        tokenizer: BatchTokenizer | None = None,
        counted: tuple[np.ndarray, np.ndarray, sparse.csr_matrix] | None = None,
    ) -> None:
        """The index of `documents`; or, for `updated` and `from_arrays`, of records
        already `counted` (keys, versions, raw counts in `tokenizer`'s term ids)."""
        self._setup(glossary, groups, tokenizer or BatchTokenizer(glossary=glossary))
        self._fit(*(counted if counted is not None else self._tokenized(documents)))

    def _setup(self, glossary: Glossary, groups, batch: BatchTokenizer) -> None:
        self.glossary = glossary
        self.groups = tuple(groups)
        self.batch = batch
        self.tokenizer = batch.reference
        self.plain = Tokenizer(use_glossary=False)
        # Query -> its highlight terms (a pass over every synonym group), recent queries.
        self._highlights: dict[str, tuple[str, ...]] = {}

    def _tokenized(
        self, documents: Sequence[SearchDocument]
    ) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
        """(keys, versions, raw counts) of documents, tokenised by this index's tokenizer."""
        batch = self.batch.tokenize(((d.title, d.texts) for d in documents), TITLE_WEIGHT)
        indptr = np.zeros(len(documents) + 1, dtype=np.int64)
        np.cumsum(batch.lengths, out=indptr[1:])
        counts = sparse.csr_matrix(
            (batch.counts, batch.term_ids.astype(np.int32), indptr),
            shape=(len(documents), len(self.batch.terms)),
        )
        keys = np.fromiter((d.key for d in documents), dtype=np.int64, count=len(documents))
        versions = np.fromiter((d.version for d in documents), dtype=np.int64, count=len(documents))
        return keys, versions, counts

    def _fit(self, keys: np.ndarray, versions: np.ndarray, counts: sparse.csr_matrix) -> None:
        """Vectors of the records from their raw counts (`text.vectorize`'s arithmetic)."""
        n_docs, n_terms = len(keys), len(self.batch.terms)
        counts = sparse.csr_matrix(
            (counts.data, counts.indices, counts.indptr), shape=(n_docs, n_terms)
        )
        self.keys, self.versions, self.counts = keys, versions, counts
        df = np.bincount(counts.indices, minlength=n_terms)
        # A term no record holds any more weighs as an unknown one.
        self.idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
        self.unknown_idf = float(np.log(1.0 + n_docs) + 1.0)
        rows = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(counts.indptr))
        weights = (1.0 + np.log(counts.data)) * self.idf[counts.indices]
        norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=n_docs))
        norms[norms == 0] = 1.0
        weights = weights / norms[rows]
        matrix = sparse.csr_matrix((weights, counts.indices, counts.indptr), shape=counts.shape)
        self.weights = matrix.tocsc()

    @property
    def terms(self) -> dict[str, int]:
        return self.batch.index

    def updated(
        self, documents: Sequence[SearchDocument], removed: Iterable[int] = ()
    ) -> SearchIndex:
        """A new index: `documents` added or replacing the records of the same key,
        `removed` keys dropped. Only `documents` are tokenised; this index stays as it
        was (a search running on it meanwhile is not disturbed)."""
        drop = np.fromiter(itertools.chain(removed, (d.key for d in documents)), dtype=np.int64)
        keep = np.flatnonzero(~np.isin(self.keys, drop))
        keys, versions, counts = self._tokenized(documents)
        n_terms = len(self.batch.terms)
        kept = self.counts[keep]
        kept = sparse.csr_matrix((kept.data, kept.indices, kept.indptr), shape=(len(keep), n_terms))
        counts = sparse.csr_matrix(
            (counts.data, counts.indices, counts.indptr), shape=(len(documents), n_terms)
        )
        return SearchIndex(
            glossary=self.glossary,
            groups=self.groups,
            tokenizer=self.batch,
            counted=(
                np.concatenate([self.keys[keep], keys]),
                np.concatenate([self.versions[keep], versions]),
                sparse.vstack([kept, counts], format="csr"),
            ),
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The index as plain arrays (no pickled objects), for `from_arrays`."""
        vocabulary = _TERM_SEPARATOR.join(self.batch.terms).encode("utf-8")
        return {
            "keys": self.keys,
            "versions": self.versions,
            "data": self.counts.data,
            "indices": self.counts.indices,
            "indptr": self.counts.indptr,
            "terms": np.frombuffer(vocabulary, dtype=np.uint8),
        }

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], *, glossary: Glossary, groups=()
    ) -> SearchIndex:
        """An index written by `arrays` (with the same glossary)."""
        batch = BatchTokenizer(glossary=glossary)
        vocabulary = bytes(arrays["terms"]).decode("utf-8")
        terms = vocabulary.split(_TERM_SEPARATOR) if vocabulary else []
        batch.terms = terms
        batch.index = {term: i for i, term in enumerate(terms)}
        keys = np.asarray(arrays["keys"], dtype=np.int64)
        counts = sparse.csr_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(len(keys), len(terms))
        )
        versions = np.asarray(arrays["versions"], dtype=np.int64)
        return cls(
            glossary=glossary, groups=groups, tokenizer=batch, counted=(keys, versions, counts)
        )

    def __len__(self) -> int:
        return len(self.keys)

    def _weights(self, counts: dict[str, float]) -> tuple[np.ndarray, np.ndarray, float]:
        """(known term columns, their weights, squared norm including unknown terms)."""
        columns, weights = [], []
        total = 0.0
        for term, count in counts.items():
            column = self.terms.get(term)
            if column is not None and column >= len(self.idf):
                column = None  # a word a newer index (sharing the tokenizer) learnt
            idf = self.unknown_idf if column is None else float(self.idf[column])
            weight = (1.0 + np.log(count)) * idf
            total += weight * weight
            if column is not None:
                columns.append(column)
                weights.append(weight)
        return np.asarray(columns, dtype=np.int64), np.asarray(weights), total

    def units(self, query: str) -> list[list[dict[str, float]]]:
        """The query as units, each a list of alternative token sets.

        A unit is a glossary term of the query (alternatives: its own tokens, and
        the tokens of each canonical term it stands for), or a run of other words
        or characters (its own tokens). A record covers a unit as well as it
        covers the unit's best alternative: "call center" is covered by 客服 or
        by 呼叫中心, not only by both.
        """
        units: list[list[dict[str, float]]] = []
        phrase: list[str] = []
        for cjk, latin, _other in _PIECE_RE.findall(normalize(query[:MAX_QUERY_CHARS])):
            if latin:
                phrase.append(fold_word(latin))
                continue
            units.extend(self._latin_units(phrase))
            phrase = []
            if cjk:
                units.extend(self._chinese_units(cjk))
        units.extend(self._latin_units(phrase))
        return [unit for unit in units if unit and unit[0]]

    def _latin_units(self, words: list[str]) -> list[list[dict[str, float]]]:
        english = self.glossary.english
        units, i, n = [], 0, len(words)
        while i < n:
            for length in range(min(self.glossary.max_english_len, n - i), 0, -1):
                canonicals = english.get(tuple(words[i : i + length]))
                if canonicals:
                    surface = self.plain.document(" ".join(words[i : i + length]), (), 1)
                    units.append([surface] + [self._canonical(c) for c in canonicals])
                    i += length
                    break
            else:
                units.append([self.plain.document(words[i], (), 1)])
                i += 1
        return units

    def _chinese_units(self, run: str) -> list[list[dict[str, float]]]:
        known = self.glossary.display_words
        longest = max(self.glossary.chinese_lengths, default=2)
        units, rest, i = [], "", 0
        while i < len(run):
            for length in range(min(longest, len(run) - i), 1, -1):
                piece = run[i : i + length]
                if piece in known or piece in self.glossary.chinese:
                    if rest:
                        units.append([self.plain.document(rest, (), 1)])
                        rest = ""
                    canonicals = self.glossary.chinese.get(piece, ())
                    units.append(
                        [self._canonical(piece)]
                        + [self._canonical(c) for c in canonicals if c != piece]
                    )
                    i += length
                    break
            else:
                rest += run[i]
                i += 1
        if rest:
            units.append([self.plain.document(rest, (), 1)])
        return units

    def _canonical(self, term: str) -> dict[str, float]:
        return {t: float(n) for t, n in self.tokenizer.canonical_tokens(term).items()}

    def coverage(self, query: str) -> np.ndarray:
        """Per record, the share of the query it covers (units weighted by their size)."""
        covered = np.zeros(len(self.keys))
        total = 0.0
        for unit in self.units(query):
            best = np.zeros(len(self.keys))
            size = 0.0
            for alternative in unit:
                columns, weights, norm = self._weights(alternative)
                size = max(size, norm)
                if len(columns) and norm > 0:
                    presence = self.weights[:, columns]
                    presence.data[:] = 1.0
                    share = presence @ (weights * weights) / norm
                    np.maximum(best, share, out=best)
            covered += best * size
            total += size
        return covered / total if total else covered

    def search(
        self, query: str, *, among: Iterable[int] | None = None, limit: int | None = None
    ) -> list[Hit]:
        """Records that answer the query, best first (the first `limit`); `among`
        restricts to those keys."""
        if not len(self.keys):
            return []
        columns, weights, total = self._weights(
            self.tokenizer.document(query[:MAX_QUERY_CHARS], (), 1)
        )
        if not len(columns) or total <= 0:
            return []
        cosine = self.weights[:, columns] @ weights / np.sqrt(total)
        coverage = self.coverage(query)
        keep = coverage >= MIN_COVERAGE
        if among is not None:
            keep &= np.isin(self.keys, np.fromiter(among, dtype=np.int64))
        rows = np.flatnonzero(keep)
        rank = COVERAGE_SHARE * coverage[rows] + (1 - COVERAGE_SHARE) * cosine[rows]
        # Best first; equal ranks by newer key first (a stable, reproducible order).
        order = np.lexsort((-self.keys[rows], -rank))
        return [Hit(int(self.keys[rows[i]]), float(rank[i])) for i in order[:limit]]

    # ------------------------------------------------------------ highlighting

    def highlight_terms(self, query: str) -> tuple[str, ...]:
        """What to mark in a result: the query's words and Chinese runs (and their
        character pairs), and every term of a synonym group the query uses."""
        terms = self._highlights.get(query)
        if terms is None:
            if len(self._highlights) >= HIGHLIGHTS_KEPT:
                self._highlights.clear()
            terms = self._highlights[query] = self._highlight_terms(query)
        return terms

    def _highlight_terms(self, query: str) -> tuple[str, ...]:
        text = normalize(query[:MAX_QUERY_CHARS])
        found: set[str] = set()
        words = _LATIN_WORD.findall(text)
        for word in words:
            if word not in _LATIN_STOPWORDS and len(word) >= 2:
                found.add(word)
        for run in _CJK_RUN.findall(text):
            found.add(run)
            found.update(run[i : i + 2] for i in range(len(run) - 1))
        padded = f" {' '.join(words)} "
        for group in self.groups:
            if any(zh in text for zh in group.zh) or any(f" {en} " in padded for en in group.en):
                found.update(group.zh)
                found.update(group.en)
        return tuple(sorted(found, key=lambda t: (-len(t), t)))


def _pattern(terms: Sequence[str]) -> re.Pattern | None:
    return _compiled(tuple(terms))


@lru_cache(maxsize=256)
def _compiled(terms: tuple[str, ...]) -> re.Pattern | None:
    """The pattern of a result page's terms (asked twice per record of the page)."""
    parts = []
    for term in terms[:300]:
        escaped = re.escape(term)
        if _CJK_RUN.fullmatch(term):
            parts.append(escaped)
        else:  # a whole Latin word or phrase, plurals allowed
            parts.append(rf"(?<![a-z0-9]){escaped}(?:e?s)?(?![a-z0-9])")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def snippet(text: str, terms: Sequence[str], *, width: int = 120) -> str:
    """HTML: a window of `text` around its first matched term, the terms in <mark>,
    everything else escaped. Without a match, the text's start."""
    text = " ".join(text.split())
    pattern = _pattern(terms)
    matches = list(pattern.finditer(text)) if pattern else []
    if not matches:
        cut = text[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
    start = max(0, matches[0].start() - width // 4)
    end = min(len(text), start + width)
    parts = ["…" if start > 0 else ""]
    at = start
    for match in matches:
        if match.start() < at or match.end() > end:
            continue
        parts.append(html.escape(text[at : match.start()]))
        parts.append(f"<mark>{html.escape(match.group(0))}</mark>")
        at = match.end()
    parts.append(html.escape(text[at:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts)


def matched(text: str, terms: Sequence[str]) -> bool:
    pattern = _pattern(terms)
    return bool(pattern and pattern.search(" ".join(text.split())))
