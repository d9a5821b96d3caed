"""The fitted model: vocabulary, idf, configuration and both sides' indexes.

`fit()` reads every need and solution once; afterwards chunk tasks, the merge
and incremental scoring all work from a `FittedModel`, which travels between
machines as bytes (`to_bytes` / `from_bytes`, an .npz archive with JSON
metadata: no pickle, so loading a blob can never run code).
"""

from __future__ import annotations

import io
import itertools
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse

from matchmaking.engine.config import EngineConfig
from matchmaking.engine.indexes import (
    NeedIndex,
    SolutionIndex,
    concat,
    need_fields,
    solution_fields,
    sorted_unique,
)
from matchmaking.engine.records import NeedRecord, SolutionRecord
from matchmaking.engine.scoring import SolutionTables
from matchmaking.engine.suggest import Suggestions, centroids, infer_needs, suggest_text
from matchmaking.engine.text import (
    Tokenizer,
    contained_terms,
    displayable,
    fit_vocabulary,
    vectorize,
)
from matchmaking.engine.tokens import BatchTokenizer
from matchmaking.engine.version import ALGORITHM_VERSION

MODEL_FORMAT = "aiplus-engine-model/1"


class IncompatibleModelError(ValueError):
    """A stored model was fitted by another algorithm version: refit it."""


def _texts(record: NeedRecord | SolutionRecord) -> tuple[str, tuple[str, str]]:
    """(title, body texts) of a record: what its text vector is made of."""
    return record.title, (record.summary, record.description)


def need_document(need: NeedRecord, tokenizer: Tokenizer, title_weight: int) -> dict[str, float]:
    return tokenizer.document(need.title, (need.summary, need.description), title_weight)


def solution_document(
    solution: SolutionRecord, tokenizer: Tokenizer, title_weight: int
) -> dict[str, float]:
    return tokenizer.document(
        solution.title, (solution.summary, solution.description), title_weight
    )


@dataclass
class FittedModel:
    """Vocabulary + idf + configuration, and the indexes of both sides.

    Immutable in use: `with_needs` / `without_needs` (and the solution
    counterparts) return a new model with the same vocabulary, which is what
    incremental updates keep in store between full recomputes.
    """

    config: EngineConfig
    terms: list[str]
    idf: np.ndarray
    needs: NeedIndex
    solutions: SolutionIndex
    algorithm_version: str = ALGORITHM_VERSION
    timings: dict[str, float] = field(default_factory=dict)
    # (capabilities x terms) and (industries x terms): what the catalog's
    # solutions of each code read like, fitted with the vocabulary (see
    # `suggest`). None: suggestions from cue words only.
    capability_centroids: sparse.csr_matrix | None = None
    industry_centroids: sparse.csr_matrix | None = None

    # ------------------------------------------------------------ text helpers

    @cached_property
    def tokenizer(self) -> Tokenizer:
        return Tokenizer(use_glossary=self.config.use_glossary)

    @cached_property
    def term_index(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self.terms)}

    @cached_property
    def displayable_terms(self) -> np.ndarray:
        glossary = self.tokenizer.glossary
        return np.fromiter((displayable(t, glossary) for t in self.terms), bool, len(self.terms))

    @cached_property
    def term_containment(self) -> tuple[np.ndarray, np.ndarray]:
        """Shown terms contained in each term (CSR indptr, indices): see `contained_terms`."""
        return contained_terms(self.terms, self.displayable_terms, self.term_index)

    @cached_property
    def solution_matrix_t(self) -> sparse.csr_matrix:
        """Solutions' TF-IDF transposed once (terms x solutions) for the products."""
        return self.solutions.matrix.T.tocsr()

    @cached_property
    def solution_tables(self) -> SolutionTables:
        """Per-solution lookup tables of the scoring (derived, not serialised)."""
        return SolutionTables.build(self.solutions, self.config)

    def vectorize_needs(self, needs: Sequence[NeedRecord]) -> sparse.csr_matrix:
        return self._vectorize(needs)

    def vectorize_solutions(self, solutions: Sequence[SolutionRecord]) -> sparse.csr_matrix:
        return self._vectorize(solutions)

    def _vectorize(self, records: Sequence[NeedRecord | SolutionRecord]) -> sparse.csr_matrix:
        """TF-IDF rows against the fitted vocabulary (unknown terms dropped)."""
        tokens = BatchTokenizer(use_glossary=self.config.use_glossary)
        batch = tokens.tokenize(map(_texts, records), self.config.title_weight)
        index = self.term_index
        lookup = np.fromiter(
            (index.get(term, -1) for term in batch.terms), dtype=np.int64, count=len(batch.terms)
        )
        final_ids = lookup[batch.term_ids] if len(batch.term_ids) else batch.term_ids
        return vectorize(final_ids, batch.counts, batch.lengths, self.idf)

    def need_index(self, needs: Sequence[NeedRecord]) -> NeedIndex:
        ordered = sorted_unique(needs, "need")
        matrix = self.vectorize_needs(ordered)
        return NeedIndex(
            matrix=matrix,
            **_effective_fields(ordered, matrix, self.config, self.capability_centroids),
        )

    def suggest(self, title: str, summary: str = "", description: str = "") -> Suggestions:
        """Capabilities and industries suggested for a text (see `suggest`)."""
        probe = NeedRecord(
            id=0, organization_id=0, title=title, summary=summary, description=description
        )
        return suggest_text(
            title,
            summary,
            description,
            row=self.vectorize_needs([probe]),
            capability_centroids=self.capability_centroids,
            industry_centroids=self.industry_centroids,
        )

    def solution_index(self, solutions: Sequence[SolutionRecord]) -> SolutionIndex:
        ordered = sorted_unique(solutions, "solution")
        return SolutionIndex(matrix=self.vectorize_solutions(ordered), **solution_fields(ordered))

    # ------------------------------------------------------ incremental upkeep

    def with_needs(self, needs: Sequence[NeedRecord]) -> FittedModel:
        """This model with `needs` added or replaced (same vocabulary and idf)."""
        added = self.need_index(needs)
        kept = np.flatnonzero(~np.isin(self.needs.ids, added.ids))
        return self._replace(needs=concat(self.needs.take(kept), added, NeedIndex))

    def without_needs(self, need_ids: Iterable[int]) -> FittedModel:
        kept = np.flatnonzero(~np.isin(self.needs.ids, np.fromiter(need_ids, np.int64)))
        return self._replace(needs=self.needs.take(kept))

    def with_solutions(self, solutions: Sequence[SolutionRecord]) -> FittedModel:
        """This model with `solutions` added or replaced (same vocabulary and idf)."""
        added = self.solution_index(solutions)
        kept = np.flatnonzero(~np.isin(self.solutions.ids, added.ids))
        return self._replace(solutions=concat(self.solutions.take(kept), added, SolutionIndex))

    def without_solutions(self, solution_ids: Iterable[int]) -> FittedModel:
        kept = np.flatnonzero(~np.isin(self.solutions.ids, np.fromiter(solution_ids, np.int64)))
        return self._replace(solutions=self.solutions.take(kept))

    def _replace(self, **changes: object) -> FittedModel:
        values = {
            "config": self.config,
            "terms": self.terms,
            "idf": self.idf,
            "needs": self.needs,
            "solutions": self.solutions,
            "algorithm_version": self.algorithm_version,
            "capability_centroids": self.capability_centroids,
            "industry_centroids": self.industry_centroids,
        }
        values.update(changes)
        model = FittedModel(**values)  # type: ignore[arg-type]
        # The text caches depend only on the vocabulary, the solution caches
        # only on the solutions: share what is still valid.
        shared = ["tokenizer", "term_index", "displayable_terms", "term_containment"]
        if "solutions" not in changes:
            shared += ["solution_tables", "solution_matrix_t"]
        for name in shared:
            if name in self.__dict__:
                model.__dict__[name] = self.__dict__[name]
        return model

    # ------------------------------------------------------------ serialising

    def to_bytes(self) -> bytes:
        """An .npz archive: JSON metadata, vocabulary as UTF-8, numeric arrays."""
        meta = {
            "format": MODEL_FORMAT,
            "algorithm_version": self.algorithm_version,
            "config": json.loads(self.config.to_json()),
        }
        arrays: dict[str, np.ndarray] = {
            "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8),
            "terms": np.frombuffer("\n".join(self.terms).encode(), np.uint8),
            "idf": self.idf,
        }
        for prefix, index in (("need_", self.needs), ("solution_", self.solutions)):
            arrays[prefix + "data"] = index.matrix.data
            arrays[prefix + "indices"] = index.matrix.indices
            arrays[prefix + "indptr"] = index.matrix.indptr
            for name in index.FIELDS:
                arrays[prefix + name] = getattr(index, name)
        for prefix, centroid in (
            ("capability_centroids_", self.capability_centroids),
            ("industry_centroids_", self.industry_centroids),
        ):
            if centroid is not None:
                arrays[prefix + "data"] = centroid.data
                arrays[prefix + "indices"] = centroid.indices
                arrays[prefix + "indptr"] = centroid.indptr
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> FittedModel:
        """Restore a model; raises IncompatibleModelError for another version."""
        with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(arrays["meta"].tobytes().decode())
        if meta.get("format") != MODEL_FORMAT:
            raise IncompatibleModelError(f"not an engine model: {meta.get('format')!r}")
        if meta["algorithm_version"] != ALGORITHM_VERSION:
            raise IncompatibleModelError(
                f"model fitted by {meta['algorithm_version']}, engine is {ALGORITHM_VERSION}"
            )
        text = arrays["terms"].tobytes().decode()
        terms = text.split("\n") if text else []
        idf = arrays["idf"]

        def matrix(prefix: str, n_rows: int) -> sparse.csr_matrix:
            result = sparse.csr_matrix(
                (arrays[prefix + "data"], arrays[prefix + "indices"], arrays[prefix + "indptr"]),
                shape=(n_rows, len(terms)),
            )
            result.has_sorted_indices = True
            return result

        def centroid(prefix: str) -> sparse.csr_matrix | None:
            if prefix + "data" not in arrays:
                return None
            indptr = arrays[prefix + "indptr"]
            return sparse.csr_matrix(
                (arrays[prefix + "data"], arrays[prefix + "indices"], indptr),
                shape=(len(indptr) - 1, len(terms)),
            )

        need_fields = {name: arrays["need_" + name] for name in NeedIndex.FIELDS}
        solution_fields = {name: arrays["solution_" + name] for name in SolutionIndex.FIELDS}
        return cls(
            config=EngineConfig.from_dict(meta["config"]),
            terms=terms,
            idf=idf,
            needs=NeedIndex(matrix=matrix("need_", len(need_fields["ids"])), **need_fields),
            solutions=SolutionIndex(
                matrix=matrix("solution_", len(solution_fields["ids"])), **solution_fields
            ),
            algorithm_version=meta["algorithm_version"],
            capability_centroids=centroid("capability_centroids_"),
            industry_centroids=centroid("industry_centroids_"),
        )


def _effective_fields(
    needs: Sequence[NeedRecord],
    matrix: sparse.csr_matrix,
    config: EngineConfig,
    capability_centroids: sparse.csr_matrix | None,
) -> dict[str, np.ndarray]:
    """The needs' index fields, with capabilities inferred where the text calls for it."""
    fields = need_fields(needs)
    if config.infer_capabilities and len(needs):
        fields["capabilities"], fields["caps_inferred"] = infer_needs(
            [(n.title, n.summary, n.description) for n in needs],
            matrix,
            fields["capabilities"],
            capability_centroids,
        )
    return fields


def fit(
    needs: Sequence[NeedRecord],
    solutions: Sequence[SolutionRecord],
    config: EngineConfig | None = None,
) -> FittedModel:
    """Fit the vocabulary and idf on both sides and index them.

    One vocabulary over needs and solutions together: idf then reflects how
    common a term is on the platform as a whole, whichever side uses it.
    """
    config = config or EngineConfig()
    started = time.perf_counter()
    ordered_needs = sorted_unique(needs, "need")
    ordered_solutions = sorted_unique(solutions, "solution")
    tokens = BatchTokenizer(use_glossary=config.use_glossary)
    documents = itertools.chain(map(_texts, ordered_needs), map(_texts, ordered_solutions))
    batch = tokens.tokenize(documents, config.title_weight)
    terms, idf, remap = fit_vocabulary(
        batch, max_df=config.max_df, max_df_min_docs=config.max_df_min_docs
    )
    final_ids = remap[batch.term_ids] if len(batch.term_ids) else batch.term_ids
    matrix = vectorize(final_ids, batch.counts, batch.lengths, idf)
    n_needs = len(ordered_needs)
    solutions = SolutionIndex(matrix=matrix[n_needs:], **solution_fields(ordered_solutions))
    capability_centroids = centroids(solutions.matrix, solutions.capabilities)
    need_matrix = matrix[:n_needs]
    model = FittedModel(
        config=config,
        terms=terms,
        idf=idf,
        needs=NeedIndex(
            matrix=need_matrix,
            **_effective_fields(ordered_needs, need_matrix, config, capability_centroids),
        ),
        solutions=solutions,
        capability_centroids=capability_centroids,
        industry_centroids=centroids(solutions.matrix, solutions.industries),
    )
    model.__dict__["tokenizer"] = tokens.reference
    model.timings["vectorize"] = time.perf_counter() - started
    return model
