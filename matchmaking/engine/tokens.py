"""Token counts of many documents at once, as array work over their code points.

The rules are `text.Tokenizer`'s, word for word (its docstrings say why each
rule exists); this module applies them to a batch of documents without a
Python loop per character or word:

- each text is NFKC-normalised and lowercased (`text.normalize`), and the
  texts of a batch are joined by a NUL, a "visible other" character that
  ends every Chinese run and Latin phrase just as the end of a text does;
- Chinese: the code points of CJK runs split at 的 ("parts"); a unigram per
  part character outside the function characters, a bigram per two adjacent
  part characters (16-bit codes packed into one integer);
- glossary words inside parts: every window of a glossary length is looked
  up by its packed code (exact for up to four characters, longer windows
  are checked as strings), adding the long word itself and the canonical
  terms of a synonym;
- Latin: the words are what `_PIECE_RE` would find (one `findall`); a mask
  of word characters gives their positions, and two words are in one phrase
  when only whitespace lies between them. Folding, stopwords and the
  English glossary are decided once per distinct word; bigrams join
  adjacent kept words of a phrase; glossary phrases are found per window of
  words and taken greedily, longest first, as the reference does.

Every token occurrence becomes (document, term id, weight); a sparse COO ->
CSR conversion sums them per document. Counts are sums of small integers,
exact in any order, so the result equals the reference tokenizer's counts
(tests/matchmaking/engine/test_tokens.py compares them on the development
set, on synthetic catalogs and on generated text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from matchmaking.engine.text import (
    _CJK_STOP_CHARS,
    _LATIN_STOPWORDS,
    Glossary,
    TokenizedBatch,
    Tokenizer,
    fold_word,
    normalize,
)

# The Latin word of `text._PIECE_RE`.
_WORD_RE = re.compile(r"[a-z0-9]+(?:[.\-+#&'][a-z0-9]+)*")
_WORD_JOINERS = np.array([ord(c) for c in ".-+#&'"], dtype=np.uint32)
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_DE = ord("的")
_SEPARATOR = "\x00"
# Documents tokenised together: bounds the per-character arrays of a batch.
BATCH_DOCUMENTS = 2048


@lru_cache(maxsize=1)
def space_codes() -> np.ndarray:
    """Code points Python's regex `\\s` matches (str.isspace); none lies above U+3000."""
    return np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)


def _pack(codes: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """The first `min(length, 4)` 16-bit codes from each start, packed into one integer."""
    key = np.zeros(len(starts), dtype=np.uint64)
    for offset in range(min(length, 4)):
        key = (key << np.uint64(16)) | codes[starts + offset].astype(np.uint64)
    return key


def _pack_word(word: str) -> int:
    key = 0
    for char in word[:4]:
        key = (key << 16) | ord(char)
    return key


@dataclass(frozen=True)
class _GlossaryTables:
    """The glossary as packed keys and per-match token expansions."""

    # Chinese window length -> (sorted packed keys, words in key order)
    windows: dict[int, tuple[np.ndarray, list[str]]]
    # Chinese window word -> tokens it adds (the long word and/or synonym canonicals)
    chinese_tokens: dict[str, dict[str, int]]
    # English glossary word -> 1-based code; 0 = not in any English form
    english_words: dict[str, int]
    # English phrase length -> (sorted packed keys of word codes, phrases in key order)
    english_keys: dict[int, tuple[np.ndarray, list[tuple[str, ...]]]]
    english_tokens: dict[tuple[str, ...], dict[str, int]]
    code_bits: int

    @classmethod
    def build(cls, glossary: Glossary, tokenizer: Tokenizer) -> _GlossaryTables:
        chinese_tokens: dict[str, dict[str, int]] = {}
        candidates = set(glossary.long_words) | set(glossary.chinese)
        for word in candidates:
            if len(word) not in glossary.chinese_lengths:
                continue
            tokens: dict[str, float] = {}
            if word in glossary.long_words:
                tokens[word] = 1.0
            for canonical in glossary.chinese.get(word, ()):
                if canonical != word:
                    _add(tokens, tokenizer.canonical_tokens(canonical))
            if tokens:
                chinese_tokens[word] = {term: int(n) for term, n in tokens.items()}
        windows = {}
        for length in glossary.chinese_lengths:
            words = sorted((w for w in chinese_tokens if len(w) == length), key=_pack_word)
            keys = np.array([_pack_word(w) for w in words], dtype=np.uint64)
            windows[length] = (keys, words)
        english_words: dict[str, int] = {}
        for phrase in glossary.english:
            for word in phrase:
                english_words.setdefault(word, len(english_words) + 1)
        code_bits = max(1, len(english_words).bit_length())
        if code_bits * glossary.max_english_len > 63:
            raise ValueError("English glossary too large to pack its phrases into 64 bits")
        english_keys = {}
        english_tokens = {}
        for length in range(1, glossary.max_english_len + 1):
            phrases = [p for p in glossary.english if len(p) == length]
            packed = {p: _pack_codes([english_words[w] for w in p], code_bits) for p in phrases}
            phrases.sort(key=packed.__getitem__)
            english_keys[length] = (
                np.array([packed[p] for p in phrases], dtype=np.uint64),
                phrases,
            )
        for phrase, canonicals in glossary.english.items():
            tokens = {}
            for canonical in canonicals:
                _add(tokens, tokenizer.canonical_tokens(canonical))
            english_tokens[phrase] = {term: int(n) for term, n in tokens.items()}
        return cls(
            windows=windows,
            chinese_tokens=chinese_tokens,
            english_words=english_words,
            english_keys=english_keys,
            english_tokens=english_tokens,
            code_bits=code_bits,
        )


def _add(counts: dict[str, float], tokens: dict[str, int]) -> None:
    for term, n in tokens.items():
        counts[term] = counts.get(term, 0.0) + n


def _pack_codes(codes: Sequence[int], bits: int) -> int:
    key = 0
    for code in codes:
        key = (key << bits) | code
    return key


@dataclass
class _Occurrences:
    """Token occurrences of a batch: document row, term id, weight."""

    rows: list[np.ndarray]
    terms: list[np.ndarray]
    weights: list[np.ndarray]

    def add(self, rows: np.ndarray, terms: np.ndarray, weights: np.ndarray) -> None:
        if len(rows):
            self.rows.append(rows)
            self.terms.append(terms)
            self.weights.append(weights)


class BatchTokenizer:
    """`Tokenizer.document` for many documents, as arrays (see the module docstring).

    The term ids it hands out are provisional and stable for the tokenizer's
    lifetime (`terms[id]` is the term), as `text.tokenize_batch`'s are.
    """

    def __init__(self, *, use_glossary: bool = True, glossary: Glossary | None = None) -> None:
        self.reference = Tokenizer(use_glossary=use_glossary, glossary=glossary)
        self.glossary = self.reference.glossary
        self._tables = (
            _GlossaryTables.build(self.glossary, self.reference) if self.glossary else None
        )
        self.index: dict[str, int] = {}
        self.terms: list[str] = []
        self._cjk_ids = np.full(0x10000, -1, dtype=np.int64)
        self._stop = np.zeros(0x10000, dtype=bool)
        self._stop[[ord(c) for c in _CJK_STOP_CHARS]] = True
        self._pair_ids: dict[int, int] = {}

    # ------------------------------------------------------------------ ids

    def _id(self, term: str) -> int:
        term_id = self.index.get(term)
        if term_id is None:
            term_id = self.index[term] = len(self.terms)
            self.terms.append(term)
        return term_id

    def _ids(self, terms: Iterable[str]) -> np.ndarray:
        return np.fromiter((self._id(t) for t in terms), dtype=np.int64)

    # ------------------------------------------------------------- batches

    def tokenize(
        self, documents: Iterable[tuple[str, Sequence[str]]], title_weight: int
    ) -> TokenizedBatch:
        """Counts of (title, body texts) documents; the title counts `title_weight` times."""
        parts: list[sparse.csr_matrix] = []
        batch: list[tuple[str, Sequence[str]]] = []
        for document in documents:
            batch.append(document)
            if len(batch) == BATCH_DOCUMENTS:
                parts.append(self._batch(batch, title_weight))
                batch = []
        if batch or not parts:
            parts.append(self._batch(batch, title_weight))
        term_ids = np.concatenate([p.indices for p in parts]).astype(np.int64)
        counts = np.concatenate([p.data for p in parts])
        lengths = np.concatenate([np.diff(p.indptr) for p in parts]).astype(np.int64)
        return TokenizedBatch(term_ids=term_ids, counts=counts, lengths=lengths, terms=self.terms)

    def _batch(
        self, documents: list[tuple[str, Sequence[str]]], title_weight: int
    ) -> sparse.csr_matrix:
        texts: list[str] = []
        text_rows: list[int] = []
        text_weights: list[int] = []
        for row, (title, body) in enumerate(documents):
            texts.append(normalize(title))
            text_rows.append(row)
            text_weights.append(title_weight)
            for text in body:
                if text:
                    texts.append(normalize(text))
                    text_rows.append(row)
                    text_weights.append(1)
        joined = _SEPARATOR.join(texts)
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        # Text of every code point (each separator belongs to the text before it).
        text_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[: len(codes)]
        rows = np.asarray(text_rows, dtype=np.int64)[text_of]
        weights = np.asarray(text_weights, dtype=np.float64)[text_of]
        found = _Occurrences([], [], [])
        self._chinese(codes, rows, weights, found, joined)
        self._latin(codes, rows, weights, found, joined)
        n_docs = len(documents)
        if not found.rows:
            return sparse.csr_matrix((n_docs, len(self.terms)))
        # COO -> CSR sums the occurrences of a term in a document; the sums are
        # of small integers, exact in any order.
        matrix = sparse.coo_matrix(
            (
                np.concatenate(found.weights),
                (np.concatenate(found.rows), np.concatenate(found.terms)),
            ),
            shape=(n_docs, len(self.terms)),
        ).tocsr()
        matrix.sum_duplicates()
        return matrix

    # ------------------------------------------------------------- Chinese

    def _chinese(
        self,
        codes: np.ndarray,
        rows: np.ndarray,
        weights: np.ndarray,
        found: _Occurrences,
        joined: str,
    ) -> None:
        cjk = np.zeros(len(codes), dtype=bool)
        for low, high in _CJK_RANGES:
            cjk |= (codes >= low) & (codes <= high)
        part = cjk & (codes != _DE)
        if not part.any():
            return
        at = np.flatnonzero(part)
        small = codes[at].astype(np.int64)  # CJK code points are below 2**16
        unigram = ~self._stop[small]
        self._add_codes(small[unigram], at[unigram], rows, weights, found, self._unigram_ids)
        # Bigrams: two adjacent part characters (a part never spans a 的 or a non-CJK).
        pair = at[:-1][np.diff(at) == 1]
        pair_codes = (codes[pair].astype(np.int64) << 16) | codes[pair + 1].astype(np.int64)
        self._add_codes(pair_codes, pair, rows, weights, found, self._bigram_ids)
        if self._tables is not None:
            self._chinese_words(codes, part, at, rows, weights, found, joined)

    def _add_codes(self, keys, positions, rows, weights, found, to_ids) -> None:
        if not len(keys):
            return
        distinct, inverse = np.unique(keys, return_inverse=True)
        found.add(rows[positions], to_ids(distinct)[inverse], weights[positions])

    def _unigram_ids(self, distinct: np.ndarray) -> np.ndarray:
        ids = self._cjk_ids[distinct]
        for i in np.flatnonzero(ids < 0).tolist():
            code = int(distinct[i])
            ids[i] = self._cjk_ids[code] = self._id(chr(code))
        return ids

    def _bigram_ids(self, distinct: np.ndarray) -> np.ndarray:
        known = self._pair_ids
        out = np.empty(len(distinct), dtype=np.int64)
        for i, code in enumerate(distinct.tolist()):
            term_id = known.get(code)
            if term_id is None:
                term_id = known[code] = self._id(chr(code >> 16) + chr(code & 0xFFFF))
            out[i] = term_id
        return out

    def _chinese_words(self, codes, part, at, rows, weights, found, joined) -> None:
        tables = self._tables
        assert tables is not None  # noqa: S101 -- only called with a glossary
        # Characters left in each part from every position: a window of length
        # L starts at p when at least L remain.
        starts = at[np.r_[True, np.diff(at) != 1]]
        ends = at[np.r_[np.diff(at) != 1, True]] + 1
        run = np.cumsum(np.r_[True, np.diff(at) != 1]) - 1
        remaining = ends[run] - at
        del starts
        window_at: list[np.ndarray] = []
        window_word: list[str] = []
        for length, (keys, words) in tables.windows.items():
            if not len(keys):
                continue
            begin = at[remaining >= length]
            packed = _pack(codes, begin, length)
            if length <= 4:  # the packed key is the whole window
                where = np.minimum(np.searchsorted(keys, packed), len(keys) - 1)
                hit = keys[where] == packed
                window_at.append(begin[hit])
                window_word.extend(words[w] for w in where[hit].tolist())
                continue
            # The key saw four characters: look the candidates up as strings.
            begin = begin[np.isin(packed, keys)]
            pieces = [joined[p : p + length] for p in begin.tolist()]
            known = np.fromiter(
                (piece in tables.chinese_tokens for piece in pieces), dtype=bool, count=len(pieces)
            )
            window_at.append(begin[known])
            window_word.extend(
                piece for piece, ok in zip(pieces, known.tolist(), strict=True) if ok
            )
        if window_word:
            self._expand(
                np.concatenate(window_at), window_word, tables.chinese_tokens, rows, weights, found
            )

    def _expand(self, positions, keys, expansions, rows, weights, found) -> None:
        """Add each match's expansion (term -> count) at its position's document and weight."""
        distinct: dict[object, int] = {}
        match_kind = np.fromiter(
            (distinct.setdefault(key, len(distinct)) for key in keys),
            dtype=np.int64,
            count=len(keys),
        )
        kind_terms: list[np.ndarray] = []
        kind_counts: list[np.ndarray] = []
        for key in distinct:
            tokens = expansions[key]
            kind_terms.append(self._ids(tokens))
            kind_counts.append(np.fromiter(tokens.values(), dtype=np.float64, count=len(tokens)))
        sizes = np.array([len(t) for t in kind_terms], dtype=np.int64)
        offsets = np.r_[0, np.cumsum(sizes)[:-1]]
        all_terms = np.concatenate(kind_terms)
        all_counts = np.concatenate(kind_counts)
        per_match = sizes[match_kind]
        match_of = np.repeat(np.arange(len(keys)), per_match)
        slot = np.arange(int(per_match.sum())) - np.repeat(
            np.cumsum(per_match) - per_match, per_match
        )
        source = offsets[match_kind][match_of] + slot
        where = positions[match_of]
        found.add(rows[where], all_terms[source], all_counts[source] * weights[where])

    # --------------------------------------------------------------- Latin

    def _latin(self, codes, rows, weights, found, joined) -> None:
        words = _WORD_RE.findall(joined)
        if not words:
            return
        alnum = ((codes >= ord("a")) & (codes <= ord("z"))) | (
            (codes >= ord("0")) & (codes <= ord("9"))
        )
        joiner = np.isin(codes, _WORD_JOINERS)
        inner = np.zeros(len(codes), dtype=bool)
        inner[1:-1] = joiner[1:-1] & alnum[:-2] & alnum[2:]
        member = alnum | inner
        edge = np.diff(member.view(np.int8), prepend=0, append=0)
        starts = np.flatnonzero(edge == 1)
        ends = np.flatnonzero(edge == -1)
        if len(starts) != len(words):  # pragma: no cover - the two scans disagree
            raise AssertionError("Latin word scan out of step with the reference pattern")
        # Two neighbouring words share a phrase when only whitespace separates them.
        visible = np.cumsum(~np.isin(codes, space_codes()), dtype=np.int64)
        visible = np.r_[0, visible]
        same_phrase = visible[starts[1:]] == visible[ends[:-1]]

        raw_index: dict[str, int] = {}
        raw = np.fromiter(
            (raw_index.setdefault(w, len(raw_index)) for w in words),
            dtype=np.int64,
            count=len(words),
        )
        folded_index: dict[str, int] = {}
        raw_folded = np.fromiter(
            (folded_index.setdefault(fold_word(w), len(folded_index)) for w in raw_index),
            dtype=np.int64,
            count=len(raw_index),
        )
        folded_words = list(folded_index)
        kept_folded = np.fromiter(
            (
                not (w in _LATIN_STOPWORDS or len(w) < 2 or (w.isdigit() and len(w) < 3))
                for w in folded_words
            ),
            dtype=bool,
            count=len(folded_words),
        )
        folded = raw_folded[raw]
        kept = kept_folded[folded]
        term_of_folded = np.full(len(folded_words), -1, dtype=np.int64)
        term_of_folded[kept_folded] = self._ids(
            w for w, k in zip(folded_words, kept_folded.tolist(), strict=True) if k
        )
        at = starts[kept]
        found.add(rows[at], term_of_folded[folded[kept]], weights[at])
        # Bigrams of adjacent kept words in one phrase.
        pair = np.flatnonzero(same_phrase & kept[:-1] & kept[1:])
        if len(pair):
            pair_keys = folded[pair] * len(folded_words) + folded[pair + 1]
            distinct, inverse = np.unique(pair_keys, return_inverse=True)
            first, second = np.divmod(distinct, len(folded_words))
            ids = self._ids(
                f"{folded_words[a]} {folded_words[b]}"
                for a, b in zip(first.tolist(), second.tolist(), strict=True)
            )
            at = starts[pair]
            found.add(rows[at], ids[inverse], weights[at])
        if self._tables is not None:
            self._english(folded, folded_words, same_phrase, starts, rows, weights, found)

    def _english(self, folded, folded_words, same_phrase, starts, rows, weights, found) -> None:
        tables = self._tables
        assert tables is not None  # noqa: S101 -- only called with a glossary
        code_of_folded = np.fromiter(
            (tables.english_words.get(w, 0) for w in folded_words),
            dtype=np.uint64,
            count=len(folded_words),
        )
        code = code_of_folded[folded]
        n = len(code)
        bits = np.uint64(tables.code_bits)
        # Longest glossary phrase starting at each word (0: none), within its phrase.
        longest = np.zeros(n, dtype=np.int64)
        phrase_at: dict[int, tuple[str, ...]] = {}  # the longest phrase found so far
        key = np.zeros(n, dtype=np.uint64)
        joined_ok = np.ones(n, dtype=bool)
        for length in range(1, len(tables.english_keys) + 1):
            valid = n - length + 1
            if valid <= 0:
                break
            if length == 1:
                key = code.copy()
            else:
                key = (key[:valid] << bits) | code[length - 1 :]
                joined_ok = joined_ok[:valid] & same_phrase[length - 2 : length - 2 + valid]
            keys, phrases = tables.english_keys[length]
            if not len(keys):
                continue
            where = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            hit = np.flatnonzero((keys[where] == key) & joined_ok)
            longest[hit] = length
            phrase_at.update(
                zip(hit.tolist(), (phrases[w] for w in where[hit].tolist()), strict=True)
            )
        if not phrase_at:
            return
        # Greedy, longest first, left to right within each phrase: a match
        # starts only after the previous one ends (phrases never overlap words).
        accepted_at: list[int] = []
        accepted: list[tuple[str, ...]] = []
        free_from = 0
        for i in sorted(phrase_at):
            if i < free_from:
                continue
            accepted_at.append(i)
            accepted.append(phrase_at[i])
            free_from = i + int(longest[i])
        positions = starts[np.asarray(accepted_at, dtype=np.int64)]
        self._expand(positions, accepted, tables.english_tokens, rows, weights, found)
