"""DenseProduct computes `(left @ right).toarray()` bit for bit, on both of its paths."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from matchmaking.engine.product import DenseProduct


def random_csr(rng, shape, density, *, index_type=np.int32):
    matrix = sparse.random(*shape, density=density, format="csr", random_state=rng)
    matrix.data = rng.random(matrix.nnz)  # no structure in the values: sums in any order differ
    matrix.indices = matrix.indices.astype(index_type)
    matrix.indptr = matrix.indptr.astype(index_type)
    return matrix


@pytest.mark.parametrize("use_kernel", [True, False], ids=["kernel", "public"])
@pytest.mark.parametrize("index_type", [np.int32, np.int64])
def test_dense_product_equals_scipy_product_bitwise(use_kernel, index_type):
    # Arrange
    rng = np.random.default_rng(3)
    right = random_csr(rng, (400, 90), 0.05, index_type=index_type)
    product = DenseProduct(right)
    product.use_kernel = use_kernel and product.use_kernel

    # Act / Assert: several blocks through the same (reused) buffers, largest first.
    for n_rows in (60, 7, 1, 60):
        left = random_csr(rng, (n_rows, 400), 0.05)
        assert np.array_equal(product(left), (left @ right).toarray())


def test_dense_product_of_empty_shapes():
    right = sparse.csr_matrix((5, 0))
    left = sparse.csr_matrix((3, 5))

    assert DenseProduct(right)(left).shape == (3, 0)
    assert DenseProduct(sparse.csr_matrix((5, 4)))(sparse.csr_matrix((0, 5))).shape == (0, 4)


def test_dense_product_of_all_zero_rows():
    right = random_csr(np.random.default_rng(1), (10, 6), 0.3)
    left = sparse.csr_matrix((2, 10))

    assert np.array_equal(DenseProduct(right)(left), np.zeros((2, 6)))


def test_dense_product_rejects_misaligned_shapes():
    with pytest.raises(ValueError, match="do not align"):
        DenseProduct(sparse.csr_matrix((5, 4)))(sparse.csr_matrix((2, 6)))
