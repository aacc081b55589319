"""reference.problems.separable.global_min_1d: exact 1-D minimization and its certificate."""

from __future__ import annotations

import numpy as np
import pytest

from reference.problems import global_min_1d


def test_known_minimizer_to_machine_precision():
    t, f = global_min_1d(lambda t: 0.5 * (t - 0.3) ** 2 - 1.0, lambda t: t - 0.3, -2.0, 2.0, d2_bound=1.0)
    assert t == pytest.approx(0.3, abs=4e-16) and f == -1.0
    # two wells, the deeper one on the left; the tie-break picks the global one, not the larger t
    phi = lambda t: (t * t - 1) ** 2 + 0.1 * t  # noqa: E731
    dphi = lambda t: 4 * t * (t * t - 1) + 0.1  # noqa: E731
    t, f = global_min_1d(phi, dphi, -2.0, 2.0, d2_bound=12 * 4 + 4)
    assert t < 0 and abs(dphi(np.array(t))) < 1e-14
    grid = np.linspace(-2, 2, 1_000_001)
    assert np.all(phi(grid) >= f)


def test_missed_minimum_is_detected():
    """A narrow well between two grid points (no sign change of dphi on the grid) must not
    be silently skipped: the certificate refines the cells that could hide it."""
    c, w, depth = 0.123456789, 1e-6, 5.0
    phi = lambda t: 0.5 * t * t - depth * np.exp(-(((t - c) / w) ** 2))  # noqa: E731
    dphi = lambda t: t + depth * 2 * (t - c) / w**2 * np.exp(-(((t - c) / w) ** 2))  # noqa: E731
    with pytest.raises(RuntimeError, match="missed"):
        global_min_1d(phi, dphi, -1.0, 1.0, d2_bound=1 + 2 * depth / w**2 * 3)


def test_bracket_validation():
    with pytest.raises(ValueError, match="dphi\\(lo\\) < 0"):
        global_min_1d(lambda t: t, lambda t: np.ones_like(t), -1.0, 1.0, d2_bound=0.0)
