"""Draws as a function of (seed, draw index) alone, so chunking and executors cannot change one.

Draws come in fixed blocks of :data:`BLOCK_DRAWS`. Block ``b`` has its own generator, seeded by
``SeedSequence(seed, spawn_key=(b,))`` — the ``b``-th child ``SeedSequence(seed).spawn`` would
give — and always draws a whole block; a run of N draws keeps the first N. A chunk is a run of
whole blocks, so any chunk size, any executor and any N give draw ``i`` the same value.

Rank correlation is applied with a Gaussian copula: each block's standard normals are
correlated with the Pearson matrix ``2·sin(π·ρ/6)`` (the normal correlation whose Spearman rank
correlation is ρ), turned into uniforms by the normal CDF and then into values by each entry's
inverse CDF. Monotone transforms keep ranks, so the values have rank correlation ρ (less where a
discrete distribution ties values).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..schema import Distribution
from ._distributions import inverse_cdf

BLOCK_DRAWS = 1024
"""Draws per seeded block; chunks are whole blocks."""
_SMALLEST = 1e-300
_LARGEST = 1.0 - 2.0**-53

Array = np.ndarray


def normal_correlation(rank: Array) -> Array:
    """The factor ``L`` (``L @ L.T`` = the normal scores' Pearson matrix) that gives rank correlation ``rank``."""
    pearson = 2.0 * np.sin(np.pi * rank / 6.0)
    np.fill_diagonal(pearson, 1.0)
    try:
        return np.linalg.cholesky(pearson)
    except np.linalg.LinAlgError:
        # Positive semi-definite but singular (a correlation of ±1): factor through its eigenvectors.
        eigenvalues, vectors = np.linalg.eigh(pearson)
        return vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))


def sample_blocks(distributions: list[Distribution], factor: Array, seed: int, first_block: int, blocks: int) -> Array:
    """Draws of every entry for ``blocks`` whole blocks from ``first_block``: shape (blocks × BLOCK_DRAWS, entries)."""
    parts = []
    for block in range(first_block, first_block + blocks):
        generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))
        normals = generator.standard_normal((BLOCK_DRAWS, len(distributions)))
        parts.append(np.einsum("dk,ek->de", normals, factor))
    uniforms = np.clip(special.ndtr(np.concatenate(parts)), _SMALLEST, _LARGEST)
    return np.column_stack(
        [inverse_cdf(distribution, uniforms[:, index]) for index, distribution in enumerate(distributions)]
    )


def blocks_for(draws: int) -> int:
    """Whole blocks that hold ``draws`` draws."""
    return -(-draws // BLOCK_DRAWS)
