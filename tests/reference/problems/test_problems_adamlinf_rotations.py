"""reference.problems.adamlinf_rotations: App. D.1's R_t for several t from one expm, and the x_0 stream."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from reference.problems import adamlinf_initial_points, adamlinf_quadratic, adamlinf_rotations


def test_rotations_equal_expm_of_the_problem_module() -> None:
    d, seed = 30, 7
    Rs = adamlinf_rotations(seed, [0.0, 0.002, 0.008, 0.015, 0.1], d)
    for t, R in Rs.items():
        assert np.abs(R - adamlinf_quadratic(t, seed=seed, d=d).R).max() <= 1e-12
        assert np.abs(R.T @ R - np.eye(d)).max() <= 1e-12


def test_binary_powers_by_hand() -> None:
    """t = 0.005 is 5 units = B^4 B: compare with expm at 0.005 from the same M stream."""
    d, seed = 12, 3
    M = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0]).standard_normal((d, d))
    R = adamlinf_rotations(seed, [0.005], d)[0.005]
    assert np.allclose(R, scipy.linalg.expm(0.005 * (M - M.T)), atol=1e-13)


def test_initial_points_stream() -> None:
    X = adamlinf_initial_points(4, 3, 20)
    q = adamlinf_quadratic(0.0, seed=4, d=20)
    assert X.shape == (3, 20) and np.all((X >= 0) & (X <= 1))
    assert np.array_equal(X[0], q.x0)


def test_validation() -> None:
    with pytest.raises(ValueError, match="multiple"):
        adamlinf_rotations(0, [0.0015], 4)
    with pytest.raises(ValueError, match="t_unit"):
        adamlinf_rotations(0, [0.1], 4, t_unit=0.0)
    with pytest.raises(ValueError, match="seed"):
        adamlinf_rotations(-1, [0.1], 4)
