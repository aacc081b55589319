"""The Cauchy estimator of ||H||_{1,1} (adamlinf Algorithm 4) against the exact norm (Theorem D.2)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reference.hessian import hessian_11_norm, hessian_11_norm_exact

H = np.array([[4.0, -1.0, 0.0, 2.0],
              [-1.0, 3.0, 0.5, 0.0],
              [0.0, 0.5, -2.0, 1.0],
              [2.0, 0.0, 1.0, 0.25]])
EXACT = 4 + 1 + 2 + 1 + 3 + 0.5 + 0.5 + 2 + 1 + 2 + 1 + 0.25  # sum_jk |H_jk| = 18.25


def theorem_d2_failure_probability(n: int, d: int, eps: float, delta: float) -> float:
    """adamlinf Theorem D.2: P(|estimate - ||H||| >= eps ||H||) <= 2d exp(-n Delta^2/2)
    + 2 exp(-2 n eps^2 cos^4((1 + Delta) pi/4) / pi^2), valid when n >= pi^3/(2 eps^2 cos^4(...))."""
    c4 = math.cos((1 + delta) * math.pi / 4) ** 4
    assert n >= math.pi**3 / (2 * eps**2 * c4), "Theorem D.2's condition on n"
    return 2 * d * math.exp(-n * delta**2 / 2) + 2 * math.exp(-2 * n * eps**2 * c4 / math.pi**2)


def test_exact_norm():
    assert hessian_11_norm_exact(H) == EXACT == 18.25


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_converges_within_theorem_d2_tolerance(seed):
    """n = 40000 Cauchy vectors, eps = 0.1, Delta = 0.2: Theorem D.2 bounds the probability of a
    relative error >= 10% by 1.3e-4 (computed below); seeded, so the test is deterministic."""
    n, eps = 40_000, 0.1
    assert theorem_d2_failure_probability(n, 4, eps, 0.2) < 2e-4
    est = hessian_11_norm(H, 4, n=n, rng=np.random.default_rng(seed))
    assert abs(est - EXACT) < eps * EXACT


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_converges_within_monte_carlo_standard_error(seed):
    """Tighter: the sample median of n draws of |Cauchy(0, a)| (density 2/(pi a (1 + x^2/a^2)), value
    1/(pi a) at its median a) has asymptotic standard deviation a pi / (2 sqrt n).  Rows share the
    Cauchy vectors, so the s.d. of the sum is at most ||H||_{1,1} pi/(2 sqrt n); allow 5 of them."""
    n = 40_000
    est = hessian_11_norm(H, 4, n=n, rng=np.random.default_rng(100 + seed))
    assert abs(est - EXACT) <= 5 * EXACT * math.pi / (2 * math.sqrt(n))


def test_error_shrinks_with_n_and_estimator_is_not_another_norm():
    """Negative controls: few samples are visibly off on average, and the estimate does not match the
    Frobenius norm (sqrt(sum H^2) = 7.1) or the (1,1)-norm of the diagonal only (9.25)."""
    rng = np.random.default_rng(7)
    small = [abs(hessian_11_norm(H, 4, n=5, rng=rng) - EXACT) for _ in range(200)]
    big = [abs(hessian_11_norm(H, 4, n=5000, rng=rng) - EXACT) for _ in range(20)]
    assert np.mean(small) > 5 * np.mean(big)
    est = hessian_11_norm(H, 4, n=40_000, rng=np.random.default_rng(0))
    assert abs(est - np.linalg.norm(H)) > 5 and abs(est - np.abs(np.diag(H)).sum()) > 5


def test_diagonal_one_stability():
    """For H = diag(a), (H v)_j = a_j v_j, and median |a_j v_j| -> a_j: the estimate is sum_j a_j
    times one median of |Cauchy(0,1)|, which tends to 1 (the 1-stability argument of Theorem D.2)."""
    a = np.array([1.0, 10.0, 100.0])
    est = hessian_11_norm(np.diag(a), 3, n=40_001, rng=np.random.default_rng(3))
    assert est == pytest.approx(a.sum(), rel=0.05)


def test_hvp_callable_equals_matrix():
    """A function V -> (H v_i)_i gives the same estimate as the matrix (same seed, same V)."""
    e1 = hessian_11_norm(H, 4, n=101, rng=np.random.default_rng(9))
    e2 = hessian_11_norm(lambda V: V @ H.T, 4, n=101, rng=np.random.default_rng(9))
    assert e1 == e2


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n": 0}, "n must be an integer >= 1"),
    ({"n": 2.5}, "n must be an integer >= 1"),
    ({"d": 0}, "d must be an integer >= 1"),
])
def test_validation(kwargs, match):
    args = {"d": 4, "n": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        hessian_11_norm(H, args["d"], n=args["n"], rng=np.random.default_rng(0))


def test_wrong_hvp_shape():
    with pytest.raises(ValueError, match=r"hvp returned shape \(10, 3\), expected \(10, 4\)"):
        hessian_11_norm(lambda V: V[:, :3], 4, n=10, rng=np.random.default_rng(0))
