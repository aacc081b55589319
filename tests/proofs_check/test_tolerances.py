from __future__ import annotations

import numpy as np
import pytest

from proofs_check import tolerances as tol


def test_gamma_matches_its_definition() -> None:
    assert tol.U64 == 2.0**-53
    assert tol.gamma(10) == pytest.approx(10 * 2.0**-53, rel=1e-12)
    with pytest.raises(ValueError):
        tol.gamma(2.0**53)


def test_gamma_bounds_a_real_summation_error() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 1000)
    exact = float(np.sum(x.astype(np.longdouble)))
    naive = 0.0
    for v in x:
        naive += v
    assert abs(naive - exact) <= tol.gamma(999) * exact


def test_within_and_not_above() -> None:
    assert tol.within(1.0 + 1e-16, 1.0, 4) and not tol.within(1.0 + 1e-12, 1.0, 4)
    assert tol.not_above(1.0 + 1e-16, 1.0, 4) and not tol.not_above(1.0 + 1e-12, 1.0, 4)
