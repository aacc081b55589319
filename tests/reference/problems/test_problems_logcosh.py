"""reference.problems.logcosh: L w^2 sum log cosh(x_j/w), bounded gradients everywhere (adasam Assumption 3)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from problem_checks import (
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
)
from reference.problems import log_cosh, rademacher, with_noise

D = 4


@pytest.fixture
def p():
    return log_cosh(D, curvature=3.0, width=0.5)


def test_derivatives_and_values(p):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(D)
    np.testing.assert_allclose(p.grad(x), fd_grad(p.value, x), rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(p.hessian(x), fd_hessian(p.grad, x), rtol=1e-7, atol=1e-7)
    V = rng.standard_normal((3, D))
    np.testing.assert_allclose(p.hvp(x, V), V @ p.hessian(x).T, rtol=1e-13, atol=1e-14)
    assert p.value(x) == pytest.approx(3.0 * 0.25 * np.sum(np.log(np.cosh(x / 0.5))), rel=1e-13)
    # large arguments: no overflow, value ~ L w (|x| - w log 2)
    big = np.array([1e4, -1e4, 800.0, 0.0])
    assert np.all(np.isfinite(p.value(big))) and np.all(np.isfinite(p.hessian(big)))
    assert p.value(big) == pytest.approx(3.0 * 0.5 * (2e4 + 800 - 3 * 0.5 * math.log(2)), rel=1e-14)
    np.testing.assert_array_equal(p.grad(big), [1.5, -1.5, 1.5, 0.0])


def test_batch_equals_rows(p):
    X = np.random.default_rng(1).standard_normal((4, 3, D))
    for f in (p.value, p.grad, p.hessian):
        np.testing.assert_array_equal(f(X), np.stack([np.stack([f(x) for x in B]) for B in X]))


def test_optimum_and_gradient_bound(p):
    c = p.constants
    assert c.F_star == 0.0 and p.value(c.x_star) == 0.0 and np.all(p.grad(c.x_star) == 0)
    X = np.random.default_rng(2).standard_normal((20000, D)) * np.logspace(-3, 3, 20000)[:, None]
    assert p.value(X).min() >= 0
    G = np.abs(p.grad(X))
    assert G.max() <= c.G_inf and G.max() > c.G_inf * (1 - 1e-12)  # supremum, approached
    assert np.linalg.norm(p.grad(np.full(D, 50.0))) == pytest.approx(c.G_2, rel=1e-12)


def test_smoothness_constants_hold_and_are_tight(p):
    c = p.constants
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5000, D)) * rng.uniform(0, 3, (5000, 1))
    Y = X + rng.standard_normal((5000, D)) * rng.uniform(0, 1, (5000, 1))
    lhs, rhs, slack, _ = check_L(p, X, Y)
    assert_holds(lhs, rhs, slack, "L")
    # tight: near 0 the function is the quadratic L ||x||^2 / 2
    X0, Y0 = np.zeros((1, D)), np.full((1, D), 1e-4)
    lhs, rhs, slack, _ = check_L(p, X0, Y0, L=c.L * (1 - 1e-6))
    assert_violated(lhs, rhs, slack, "L tight")
    for terms in (coordinate_terms, hinf_terms, hvec_terms):
        assert_holds(*terms(p, X, Y), terms.__name__)
    assert_holds(*rho_terms(p, X, Y), "rho")
    assert_holds(*hessian_11_terms(p, X), "hessian_11")
    # rho approached at tanh^2(x/w) = 1/3 along an axis
    t0 = 0.5 * math.atanh(1 / math.sqrt(3))
    Xr, Yr = np.array([[t0, 0, 0, 0]]), np.array([[t0 + 1e-7, 0, 0, 0]])
    lhs, rhs, slack = rho_terms(p, Xr, Yr, rho=c.rho * (1 - 1e-4))
    assert_violated(lhs, rhs, slack, "rho tight")
    assert c.L == c.L_sample == 3.0 and c.G_inf == 1.5 and c.H_inf == 12.0 and c.hessian_11 == 12.0


def test_with_rademacher_noise_constants():
    sp_ = with_noise(log_cosh(2, curvature=1.0, width=2.0), rademacher(0.5))
    c = sp_.constants
    assert c.G_inf == 2.5 and c.sigma2 == pytest.approx(0.5) and c.L_sample == 1.0
    g = sp_.oracle(0)(np.random.default_rng(4).standard_normal((1000, 2)) * 10)
    assert np.abs(g).max() <= c.G_inf


@pytest.mark.parametrize("kw,match", [({"curvature": 0.0}, "curvature"), ({"width": -1.0}, "width"),
                                      ({"curvature": float("nan")}, "curvature")])
def test_validation(kw, match):
    with pytest.raises(ValueError, match=match):
        log_cosh(2, **kw)
