"""Capabilities and industries suggested from a need's own words.

An enterprise describes a problem ("产品表面有没有划痕全靠老师傅肉眼看"), not an
AI capability. Two signals, both readable:

- cues (data/cues.json): everyday words that point to a capability or an
  industry, in Chinese and English, widened by the glossary (a synonym or an
  English form of a cue's canonical term is a cue too). The words found are
  the reason shown with a suggestion ("因为提到：划痕、毛刺、肉眼").
- centroids: what the approved catalog teaches. Each capability's (and
  industry's) centroid is the normalised mean TF-IDF row of the solutions
  that declare it, fitted with the vocabulary and stored in the model; a
  need's cosine to a centroid says how much it reads like the catalog's
  records of that capability, in any language the glossary bridges.

`confidence` blends both into [0, 1]. `effective_capabilities` decides what
the scorer uses: the declared capabilities when the text supports at least
one of them (a need naming the right capability keeps today's score), the
inferred ones when the author declared none ("not sure") or when the text
contradicts every declared one with confidence. The need's index records
which happened, and explanations say "capability inferred from the
description".
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from matchmaking.engine.config import CAPABILITIES, INDUSTRIES
from matchmaking.engine.text import Glossary, _latin_words, default_glossary, normalize

CUES_PATH = Path(__file__).parent / "data" / "cues.json"

# Blend of the two signals, and the share of a cue-less text's confidence the
# centroid alone can reach (a text must say something recognisable).
CUE_SHARE = 0.6
# A cosine to a centroid at or above this counts as a full centroid signal.
CENTROID_FULL = 0.25
TITLE_WEIGHT = 2.0  # a cue in the title counts double
# Inference: what counts as a confident suggestion, and how close to the best
# the second one must be to be inferred as well.
MIN_CONFIDENCE = 0.35
SECOND_RATIO = 0.8
MAX_INFERRED = 2
# The declared capabilities stand when the text gives one of them this share
# of the best suggestion's confidence (or is silent).
SUPPORT_RATIO = 0.5


@dataclass(frozen=True)
class Suggestion:
    code: str
    confidence: float
    # The words of the text that pointed to it, as written (normalised), best first.
    words: tuple[str, ...]


@dataclass(frozen=True)
class Suggestions:
    capabilities: tuple[Suggestion, ...]
    industries: tuple[Suggestion, ...]


_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class CueTable:
    """Cue words of one label set (capabilities or industries)."""

    labels: tuple[str, ...]
    chinese: dict[str, tuple[int, ...]]
    english: dict[tuple[str, ...], tuple[int, ...]]
    chinese_lengths: tuple[int, ...]  # longest first
    english_lengths: dict[str, tuple[int, ...]]  # first word -> phrase lengths, longest first

    @classmethod
    def build(
        cls, labels: tuple[str, ...], data: dict[str, dict[str, list[str]]], glossary: Glossary
    ) -> CueTable:
        unknown = set(data) - set(labels)
        if unknown:
            raise ValueError(f"cues for unknown codes {sorted(unknown)}")
        chinese: dict[str, set[int]] = {}
        english: dict[tuple[str, ...], set[int]] = {}
        for label, words in data.items():
            index = labels.index(label)
            for word in words.get("zh", []):
                chinese.setdefault(normalize(word), set()).add(index)
            for word in words.get("en", []):
                key = tuple(_latin_words(word))
                if key:
                    english.setdefault(key, set()).add(index)
        # A glossary synonym or English form of a canonical term is a cue for what
        # the canonical term points to: itself a cue, or containing cue words
        # (外观缺陷 holds 外观 and 缺陷, so 肉眼看 → 外观缺陷 points to vision).
        own = {word: set(labels) for word, labels in chinese.items()}

        def canonical_labels(canonical: str) -> set[int]:
            if canonical in own:
                return own[canonical]
            return set().union(*(v for w, v in own.items() if w in canonical))

        def covered(synonym: str, found: set[int]) -> bool:
            # A synonym holding a cue word of its own labels (肉眼看 holds 肉眼) adds
            # nothing but would hide that word from the reason shown.
            return any(w in synonym and found <= v for w, v in own.items())

        for synonym, canonicals in glossary.chinese.items():
            found = set().union(*(canonical_labels(c) for c in canonicals))
            if found and not covered(synonym, found):
                chinese.setdefault(synonym, set()).update(found)
        for phrase, canonicals in glossary.english.items():
            found = set().union(*(canonical_labels(c) for c in canonicals))
            if found:
                english.setdefault(phrase, set()).update(found)
        firsts: dict[str, set[int]] = {}
        for phrase in english:
            firsts.setdefault(phrase[0], set()).add(len(phrase))
        return cls(
            labels=labels,
            chinese={w: tuple(sorted(v)) for w, v in chinese.items()},
            english={w: tuple(sorted(v)) for w, v in english.items()},
            chinese_lengths=tuple(sorted({len(w) for w in chinese}, reverse=True)),
            english_lengths={w: tuple(sorted(v, reverse=True)) for w, v in firsts.items()},
        )

    def find(self, texts: Sequence[tuple[str, float]]) -> list[dict[str, float]]:
        """Per label: each cue word found in the weighted texts, with its weight.

        Leftmost longest matches, without overlap: Chinese within each run of
        Chinese characters, English over the folded words.
        """
        found: list[dict[str, float]] = [{} for _ in self.labels]

        def add(word: str, labels: tuple[int, ...], weight: float) -> None:
            for label in labels:
                found[label][word] = max(found[label].get(word, 0.0), weight)

        for text, weight in texts:
            if not text:
                continue
            folded = normalize(text)
            for run in _CJK_RUN.findall(folded):
                i, n = 0, len(run)
                while i < n:
                    for length in self.chinese_lengths:
                        labels = self.chinese.get(run[i : i + length]) if i + length <= n else None
                        if labels:
                            add(run[i : i + length], labels, weight)
                            i += length
                            break
                    else:
                        i += 1
            words = _latin_words(folded)
            i, n = 0, len(words)
            while i < n:
                for length in self.english_lengths.get(words[i], ()):
                    labels = self.english.get(tuple(words[i : i + length]))
                    if labels:
                        add(" ".join(words[i : i + length]), labels, weight)
                        i += length
                        break
                else:
                    i += 1
        return found


@dataclass(frozen=True)
class Cues:
    capabilities: CueTable
    industries: CueTable


def load_cues(path: Path = CUES_PATH, glossary: Glossary | None = None) -> Cues:
    data = json.loads(path.read_text(encoding="utf-8"))
    glossary = glossary or default_glossary()
    return Cues(
        capabilities=CueTable.build(CAPABILITIES, data["capabilities"], glossary),
        industries=CueTable.build(INDUSTRIES, data["industries"], glossary),
    )


@lru_cache(maxsize=1)
def default_cues() -> Cues:
    return load_cues()


def centroids(rows: sparse.csr_matrix, labels: np.ndarray) -> sparse.csr_matrix:
    """(labels x terms) L2-normalised mean of the rows carrying each label (multi-hot)."""
    if rows.shape[0] == 0:
        return sparse.csr_matrix((labels.shape[1], rows.shape[1]))
    sums = sparse.csr_matrix(labels.T.astype(np.float64)) @ rows
    norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    result = sparse.diags(scale) @ sums
    return sparse.csr_matrix(result)


def _texts(title: str, summary: str, description: str) -> list[tuple[str, float]]:
    return [(title, TITLE_WEIGHT), (summary, 1.0), (description, 1.0)]


def confidences(found: list[dict[str, float]], similarity: np.ndarray | None) -> np.ndarray:
    """Confidence of every label from the cue words found and the centroid cosines."""
    return confidences_of(np.array([sum(words.values()) for words in found]), similarity)


def confidences_of(hits: np.ndarray, similarity: np.ndarray | None) -> np.ndarray:
    """`confidences` from the weighted cue counts (any shape, labels last)."""
    cue = 1.0 - 0.5**hits
    if similarity is None:
        return cue
    centroid = np.minimum(1.0, np.maximum(similarity, 0.0) / CENTROID_FULL)
    return CUE_SHARE * cue + (1.0 - CUE_SHARE) * centroid


def ranked(
    table: CueTable, found: list[dict[str, float]], conf: np.ndarray
) -> tuple[Suggestion, ...]:
    order = sorted(range(len(table.labels)), key=lambda i: (-conf[i], i))
    return tuple(
        Suggestion(
            code=table.labels[i],
            confidence=round(float(conf[i]), 3),
            words=tuple(sorted(found[i], key=lambda w: (-found[i][w], -len(w), w))),
        )
        for i in order
        if conf[i] > 0
    )


def inferred(conf: np.ndarray) -> list[int]:
    """Capabilities the text alone supports: the confident best one or two."""
    order = sorted(range(len(conf)), key=lambda i: (-conf[i], i))
    best = conf[order[0]]
    if best < MIN_CONFIDENCE:
        return []
    return [i for i in order[:MAX_INFERRED] if conf[i] >= SECOND_RATIO * best]


def effective_capabilities(declared: np.ndarray, conf: np.ndarray) -> tuple[np.ndarray, bool]:
    """(multi-hot capabilities the scorer uses, whether they were inferred)."""
    guess = inferred(conf)
    if declared.any():
        support = float(conf[declared > 0].max())
        if not guess or support >= SUPPORT_RATIO * float(conf[guess[0]]):
            return declared, False
    if not guess:
        return declared, False
    result = np.zeros(len(conf))
    result[guess] = 1.0
    return result, True


def infer_needs(
    texts: Sequence[tuple[str, str, str]],
    matrix: sparse.csr_matrix,
    declared: np.ndarray,
    capability_centroids: sparse.csr_matrix | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Effective capabilities (n x C) and inferred flags (n,) of needs given as
    (title, summary, description) with their TF-IDF rows and declared capabilities.

    `effective_capabilities` for every row at once (the same rule, as arrays).
    """
    table = default_cues().capabilities
    similarity = None
    if capability_centroids is not None and capability_centroids.shape[1] == matrix.shape[1]:
        similarity = (matrix @ capability_centroids.T).toarray()
    hits = np.array(
        [[sum(words.values()) for words in table.find(_texts(*text))] for text in texts]
    ).reshape(len(texts), len(table.labels))
    conf = confidences_of(hits, similarity)
    order = np.argsort(-conf, axis=1, kind="stable")[:, :MAX_INFERRED]
    best = np.take_along_axis(conf, order[:, :1], axis=1)
    chosen = np.take_along_axis(conf, order, axis=1) >= SECOND_RATIO * best
    chosen &= best >= MIN_CONFIDENCE
    guess = np.zeros_like(conf)
    np.put_along_axis(guess, order, chosen.astype(np.float64), axis=1)
    has_guess = best[:, 0] >= MIN_CONFIDENCE
    has_declared = declared.any(axis=1)
    support = np.where(declared > 0, conf, -1.0).max(axis=1)
    keep = ~has_guess | (has_declared & (support >= SUPPORT_RATIO * best[:, 0]))
    result = np.where(keep[:, None], declared, guess)
    return result, (~keep).astype(np.int8)


def suggest_text(
    title: str,
    summary: str = "",
    description: str = "",
    *,
    row: sparse.csr_matrix | None = None,
    capability_centroids: sparse.csr_matrix | None = None,
    industry_centroids: sparse.csr_matrix | None = None,
) -> Suggestions:
    """Ranked suggestions for one text; `row` is its TF-IDF row in the centroids' vocabulary."""
    cues = default_cues()
    texts = _texts(title, summary, description)
    result = []
    for table, cents in (
        (cues.capabilities, capability_centroids),
        (cues.industries, industry_centroids),
    ):
        found = table.find(texts)
        similarity = None
        if row is not None and cents is not None and cents.shape[1] == row.shape[1]:
            similarity = (row @ cents.T).toarray().ravel()
        result.append(ranked(table, found, confidences(found, similarity)))
    return Suggestions(capabilities=result[0], industries=result[1])
