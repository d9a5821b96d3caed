"""Sparse x sparse products made dense, without scipy's symbolic pass.

`left @ right` on two CSR matrices runs two passes over the same loops:
`csr_matmat_maxnnz` counts the nonzeros of the result to size it, then
`csr_matmat` computes it. A block of the text product is made dense anyway,
so its size is known in advance (rows x columns): `DenseProduct` calls the
numeric kernel alone into buffers of that size, reused from block to block,
and saves the first pass — about a third of the product's time.

The numbers are those of `(left @ right).toarray()` bit for bit: the same
kernel runs on the same arrays, and the dense copy is scipy's own. The
kernel is scipy's (private) `_sparsetools.csr_matmat`; scipy is pinned in
requirements.txt, and if the kernel is missing or refuses the call the
public `@` runs instead (`tests/matchmaking/engine/test_product.py` checks
both paths against each other).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

try:  # pragma: no cover - import guard
    from scipy.sparse._sparsetools import csr_matmat as _csr_matmat
except ImportError:  # pragma: no cover - another scipy layout: public path only
    _csr_matmat = None

_INT32_MAX = np.iinfo(np.int32).max


class DenseProduct:
    """`(left @ right).toarray()` for many `left` blocks against one CSR `right`."""

    def __init__(self, right: sparse.csr_matrix) -> None:
        self.right = right
        self.use_kernel = _csr_matmat is not None
        self._indices = np.empty(0, dtype=np.int32)
        self._data = np.empty(0)

    def __call__(self, left: sparse.csr_matrix) -> np.ndarray:
        if left.shape[1] != self.right.shape[0]:
            raise ValueError(f"shapes {left.shape} and {self.right.shape} do not align")
        if self.use_kernel:
            try:
                return self._kernel(left)
            except (TypeError, ValueError):  # pragma: no cover - scipy changed
                self.use_kernel = False
        return (left @ self.right).toarray()

    def _kernel(self, left: sparse.csr_matrix) -> np.ndarray:
        right = self.right
        n_rows, n_cols = left.shape[0], right.shape[1]
        bound = n_rows * n_cols
        if bound == 0:
            return np.zeros((n_rows, n_cols))
        arrays = (left.indptr, left.indices, right.indptr, right.indices)
        wide = bound > _INT32_MAX or any(a.dtype != np.int32 for a in arrays)
        index_type = np.int64 if wide else np.int32
        left_indptr, left_indices, right_indptr, right_indices = (
            np.asarray(a, dtype=index_type) for a in arrays
        )
        if len(self._data) < bound or self._indices.dtype != index_type:
            self._indices = np.empty(bound, dtype=index_type)
            self._data = np.empty(bound, dtype=np.float64)
        indptr = np.empty(n_rows + 1, dtype=index_type)
        _csr_matmat(
            n_rows, n_cols,
            left_indptr, left_indices, np.asarray(left.data, dtype=np.float64),
            right_indptr, right_indices, np.asarray(right.data, dtype=np.float64),
            indptr, self._indices, self._data,
        )  # fmt: skip
        nnz = int(indptr[-1])
        result = sparse.csr_matrix(
            (self._data[:nnz], self._indices[:nnz], indptr), shape=(n_rows, n_cols), copy=False
        )
        return result.toarray()
