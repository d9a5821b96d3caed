"""Side indexes: the items of one side as arrays, in ascending id order.

A side index holds, per item, the L2-normalised TF-IDF row and the
structured fields encoded as small integer codes and multi-hot arrays,
ready for matrix products and broadcasts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from scipy import sparse

from matchmaking.engine.config import (
    CAPABILITIES,
    DATA_READINESS,
    DEPLOYMENTS,
    INDUSTRIES,
    MATURITIES,
)
from matchmaking.engine.records import NeedRecord, SolutionRecord


def _code(value: str | None, codes: tuple[str, ...], what: str) -> int:
    if value is None or value == "":
        return -1
    try:
        return codes.index(value)
    except ValueError:
        raise ValueError(f"unknown {what} code {value!r}; expected one of {codes}") from None


def _multi_hot(values: Iterable[str], codes: tuple[str, ...], what: str) -> np.ndarray:
    row = np.zeros(len(codes), dtype=np.float64)
    for value in values:
        row[_code(value, codes, what)] = 1.0
    return row


def _money(value: int | None) -> float:
    return np.nan if value is None else float(value)


@dataclass
class NeedIndex:
    """Needs in ascending id order, as arrays."""

    ids: np.ndarray  # int64
    organization_ids: np.ndarray  # int64
    matrix: sparse.csr_matrix  # TF-IDF rows
    industry: np.ndarray  # int64 code, -1 unknown
    capabilities: np.ndarray  # (n, C) multi-hot
    deployment: np.ndarray  # int64 code, -1 no requirement
    readiness: np.ndarray  # int64 code, -1 unknown
    budget_min: np.ndarray  # float64, nan unknown
    budget_max: np.ndarray
    # 1 where `capabilities` were inferred from the text (none declared, or the
    # text contradicts the declared ones): see `suggest.effective_capabilities`.
    caps_inferred: np.ndarray  # int8
    requires_filing: np.ndarray  # bool

    FIELDS = (
        "ids",
        "organization_ids",
        "industry",
        "capabilities",
        "deployment",
        "readiness",
        "budget_min",
        "budget_max",
        "caps_inferred",
        "requires_filing",
    )

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> NeedIndex:
        return NeedIndex(
            matrix=self.matrix[rows], **{name: getattr(self, name)[rows] for name in self.FIELDS}
        )


@dataclass
class SolutionIndex:
    """Solutions in ascending id order, as arrays."""

    ids: np.ndarray
    organization_ids: np.ndarray
    matrix: sparse.csr_matrix
    industries: np.ndarray  # (n, I) multi-hot
    capabilities: np.ndarray  # (n, C) multi-hot
    deployment: np.ndarray  # (n, D) multi-hot
    maturity: np.ndarray  # int64 code, -1 unknown
    price_min: np.ndarray
    price_max: np.ndarray
    filing_verified: np.ndarray  # bool

    FIELDS = (
        "ids",
        "organization_ids",
        "industries",
        "capabilities",
        "deployment",
        "maturity",
        "price_min",
        "price_max",
        "filing_verified",
    )

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> SolutionIndex:
        return SolutionIndex(
            matrix=self.matrix[rows], **{name: getattr(self, name)[rows] for name in self.FIELDS}
        )


def sorted_unique(records: Sequence, what: str) -> list:
    ordered = sorted(records, key=lambda record: record.id)
    for before, after in itertools.pairwise(ordered):
        if before.id == after.id:
            raise ValueError(f"duplicate {what} id {before.id}")
    return ordered


def need_fields(needs: Sequence[NeedRecord]) -> dict[str, np.ndarray]:
    n = len(needs)
    return {
        "ids": np.fromiter((x.id for x in needs), np.int64, n),
        "organization_ids": np.fromiter((x.organization_id for x in needs), np.int64, n),
        "industry": np.fromiter(
            (_code(x.industry, INDUSTRIES, "industry") for x in needs), np.int64, n
        ),
        "capabilities": np.array(
            [_multi_hot(x.capabilities, CAPABILITIES, "capability") for x in needs]
        ).reshape(n, len(CAPABILITIES)),
        "deployment": np.fromiter(
            (_code(x.deployment, DEPLOYMENTS, "deployment") for x in needs), np.int64, n
        ),
        "readiness": np.fromiter(
            (_code(x.data_readiness, DATA_READINESS, "data readiness") for x in needs), np.int64, n
        ),
        "budget_min": np.fromiter((_money(x.budget_min) for x in needs), np.float64, n),
        "budget_max": np.fromiter((_money(x.budget_max) for x in needs), np.float64, n),
        "caps_inferred": np.zeros(n, dtype=np.int8),
        "requires_filing": np.fromiter((x.requires_filing for x in needs), np.bool_, n),
    }


def solution_fields(solutions: Sequence[SolutionRecord]) -> dict[str, np.ndarray]:
    n = len(solutions)
    return {
        "ids": np.fromiter((x.id for x in solutions), np.int64, n),
        "organization_ids": np.fromiter((x.organization_id for x in solutions), np.int64, n),
        "industries": np.array(
            [_multi_hot(x.industries, INDUSTRIES, "industry") for x in solutions]
        ).reshape(n, len(INDUSTRIES)),
        "capabilities": np.array(
            [_multi_hot(x.capabilities, CAPABILITIES, "capability") for x in solutions]
        ).reshape(n, len(CAPABILITIES)),
        "deployment": np.array(
            [_multi_hot(x.deployment_modes, DEPLOYMENTS, "deployment") for x in solutions]
        ).reshape(n, len(DEPLOYMENTS)),
        "maturity": np.fromiter(
            (_code(x.maturity, MATURITIES, "maturity") for x in solutions), np.int64, n
        ),
        "price_min": np.fromiter((_money(x.price_min) for x in solutions), np.float64, n),
        "price_max": np.fromiter((_money(x.price_max) for x in solutions), np.float64, n),
        "filing_verified": np.fromiter((x.filing_verified for x in solutions), np.bool_, n),
    }


_Index = TypeVar("_Index", NeedIndex, SolutionIndex)


def concat(first: _Index, second: _Index, cls: type[_Index]) -> _Index:
    fields = {
        name: np.concatenate([getattr(first, name), getattr(second, name)]) for name in cls.FIELDS
    }
    matrix = sparse.vstack([first.matrix, second.matrix], format="csr")
    order = np.argsort(fields["ids"], kind="stable")
    merged = cls(matrix=matrix, **fields)
    return merged.take(order)
