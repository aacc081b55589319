"""reference.problems.lipschitz_hessian: z^2/2 + kappa cos(omega z), optionally rotated."""

from __future__ import annotations

import math

import numpy as np
import pytest

from problem_checks import (
    EPS,
    assert_holds,
    assert_violated,
    check_L,
    coordinate_terms,
    fd_grad,
    fd_hessian,
    hessian_11_terms,
    hinf_terms,
    hvec_terms,
    rho_terms,
    s3_terms,
)
from reference.problems import quadratic_cosine, random_orthogonal

D = 6
KAPPA, OMEGA = 0.5, 3.0
M = 1 + KAPPA * OMEGA**2  # L


@pytest.fixture(params=[False, True], ids=["plain", "rotated"])
def p(request):
    return quadratic_cosine(D, KAPPA, OMEGA, Q=random_orthogonal(D, 7) if request.param else None)


def _Qm(p):
    return np.eye(D) if p.Q is None else p.Q


def test_derivatives_and_batches(p):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(D)
    np.testing.assert_allclose(p.grad(x), fd_grad(p.value, x), rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(p.hessian(x), fd_hessian(p.grad, x), rtol=1e-7, atol=1e-7)
    V = rng.standard_normal((3, D))
    np.testing.assert_allclose(p.hvp(x, V), V @ p.hessian(x).T, rtol=1e-13, atol=1e-14)
    X = rng.standard_normal((5, D))
    for f in (p.value, p.grad, p.hessian):
        rows = np.stack([f(r) for r in X])
        if p.Q is None:
            np.testing.assert_array_equal(f(X), rows)
        else:
            np.testing.assert_allclose(f(X), rows, rtol=1e-14, atol=1e-14)
    assert np.linalg.eigvalsh(p.hessian(np.zeros(D)))[0] == pytest.approx(1 - KAPPA * OMEGA**2)


def test_values_of_constants(p):
    c = p.constants
    assert (c.L, c.L0, c.L1, c.R, c.rho, c.L_sample) == (M, M, 0.0, math.inf, KAPPA * OMEGA**3, M)
    assert c.H_inf == D * M and c.H_inf_exact
    np.testing.assert_array_equal(c.L0_vec, math.sqrt(D) * M)
    if p.Q is None:
        np.testing.assert_array_equal(c.H_vec, M)
        assert c.hessian_11 == D * M and {"H_vec", "hessian_11", "L0_vec"} <= c.tight
    else:
        assert "H_vec" not in c.tight and "hessian_11" not in c.tight


def test_first_order_constants_valid_and_tight(p):
    rng = np.random.default_rng(1)
    Qm = _Qm(p)
    X = 2 * rng.standard_normal((500, D))
    Y = X + rng.standard_normal((500, D)) * rng.uniform(1e-3, 2, (500, 1))
    assert_holds(*check_L(p, X, Y)[:3], "L")
    assert_holds(*s3_terms(p, X, Y), "s3 Assumption 2")
    assert_holds(*coordinate_terms(p, X, Y), "gsignsgd Assumption 2")
    assert_holds(*hinf_terms(p, X, Y), "H_inf")
    assert_holds(*hvec_terms(p, X, Y), "H_vec")
    # worst points: z = (pi/omega) 1 (Hessian = L I); small steps
    x0 = np.full(D, math.pi / OMEGA) @ Qm
    eps = 1e-4
    Xw = np.tile(x0, (D, 1))
    Yw = Xw + eps * Qm  # rows: eps Q^T e_j
    lhs, rhs, slack, ratio = check_L(p, Xw, Yw)
    assert ratio.min() > M * (1 - 1e-6)
    assert_violated(*check_L(p, Xw, Yw, 0.9 * M)[:3], "0.9 L")
    S = np.sign(np.random.default_rng(2).standard_normal(D))
    lhs, rhs, slack = hinf_terms(p, x0[None], x0[None] + eps * S)
    assert lhs[0] / rhs[0] > 1 - 1e-6 and lhs[0] <= rhs[0] + slack[0]  # H_inf attained, any rotation
    assert_violated(*hinf_terms(p, x0[None], x0[None] + eps * S, 0.9 * D * M), "0.9 H_inf")
    if p.Q is None:
        assert_violated(*coordinate_terms(p, Xw, Yw, L0_vec=0.9 * p.constants.L0_vec), "0.9 L0_vec")
        assert_violated(*hvec_terms(p, Xw, Yw, 0.9 * p.constants.H_vec), "0.9 H_vec")


def test_rho_valid_and_tight(p):
    rng = np.random.default_rng(3)
    Qm = _Qm(p)
    X = 2 * rng.standard_normal((300, D))
    Y = X + rng.standard_normal((300, D)) * rng.uniform(1e-4, 1, (300, 1))
    assert_holds(*rho_terms(p, X, Y), "rho")
    x0 = np.full(D, math.pi / (2 * OMEGA)) @ Qm  # |phi'''| maximal
    Yw = x0 + 1e-5 * Qm[:1]
    lhs, rhs, slack = rho_terms(p, x0[None], Yw)
    assert lhs[0] / rhs[0] > 1 - 1e-4
    assert_violated(*rho_terms(p, x0[None], Yw, 0.9 * p.constants.rho), "0.9 rho")


def test_hessian_11_and_H_vec_bounds(p):
    rng = np.random.default_rng(4)
    X = np.concatenate([3 * rng.standard_normal((300, D)), rng.uniform(-2, 2, (300, D))])
    assert_holds(*hessian_11_terms(p, X), "hessian_11")
    H = p.hessian(X)
    assert np.all(np.abs(H).sum(axis=-1) <= p.constants.H_vec * (1 + 1e-14))
    if p.Q is None:  # attained at z = (pi/omega) 1
        lhs, rhs, _ = hessian_11_terms(p, np.full((1, D), math.pi / OMEGA))
        assert lhs[0] == pytest.approx(rhs[0], rel=1e-14)


def test_minimizer(p):
    c = p.constants
    assert np.max(np.abs(p.grad(c.x_star))) < 1e-14
    assert p.value(c.x_star) == pytest.approx(c.F_star, rel=16 * D * EPS)
    t = np.linspace(-4, 4, 400001)
    assert np.all(p.phi(t) >= c.F_star / D - 4 * EPS)
    X = c.x_star + np.random.default_rng(5).standard_normal((500, D))
    assert np.all(p.value(X) >= c.F_star - 16 * EPS)


def test_convex_limits_and_validation():
    c = quadratic_cosine(3, kappa=0.0).constants  # F = ||x||^2/2
    assert c.L == 1.0 and c.rho == 0.0 and c.F_star == 0.0 and np.array_equal(c.x_star, np.zeros(3))
    with pytest.raises(ValueError, match="kappa must be"):
        quadratic_cosine(3, kappa=-0.1)
    with pytest.raises(ValueError, match="omega must be"):
        quadratic_cosine(3, omega=np.inf)
    with pytest.raises(ValueError, match="d must be"):
        quadratic_cosine(2.5)
