"""reference.problems.gd_lower_bound: the 1-D hard functions of gsignsgd Theorem 2."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from problem_checks import EPS, assert_holds, assert_violated, check_L, fd_grad, fd_hessian
from reference.problems import exp_plateau, slope_plateau

T = np.linspace(-25.0, 25.0, 200_001)[:, None]


@pytest.fixture(params=["slope", "exp"])
def p(request):
    return slope_plateau(0.5, 2.0) if request.param == "slope" else exp_plateau(1.0, 2.0, 300.0)


def test_derivatives(p):
    for x in (np.array([0.05]), np.array([-0.13]), np.array([p.t1 + 0.3 * p.w]), np.array([p.plateau_start + 2.0])):
        np.testing.assert_allclose(p.grad(x), fd_grad(p.value, x), rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(p.hessian(x), fd_hessian(p.grad, x), rtol=1e-6, atol=1e-6)


def test_c2_at_the_junctions(p):
    for t in (p.t1, p.plateau_start):
        lo, hi = np.array([[t * (1 - 1e-12)]]), np.array([[t * (1 + 1e-12)]])
        for f in (p.value, lambda x: p.grad(x)[..., 0], lambda x: p.hessian(x)[..., 0, 0]):
            # a jump would be O(1) x the value; continuity leaves O(1e-12 t |next derivative|)
            assert abs(f(hi)[0] - f(lo)[0]) < 1e-9 * max(1.0, abs(f(lo)[0]), p.c / p.w)


def test_eq1_holds_on_a_grid_and_plateau_values(p):
    L0, L1 = p.eq1
    g, h = p.grad(T)[:, 0], p.hessian(T)[:, 0, 0]
    assert_holds(np.abs(h), L0 + L1 * np.abs(g), 8 * EPS * (L0 + L1 * np.abs(g)), "Eq. (1)")
    assert p.value(T).min() == 0.0 == p.constants.F_star and p.value(np.zeros(1)) == 0.0
    far = np.abs(T[:, 0]) >= p.plateau_start
    np.testing.assert_allclose(np.abs(g[far]), p.slope, rtol=1e-13)
    assert np.all(np.abs(g[~far]) <= p.slope * (1 + 1e-13))
    assert p.sublevel_grad_sup(p.plateau_start + 3.0) == pytest.approx(p.slope, rel=1e-13)


def test_slope_plateau_closed_forms():
    eps, L0 = 0.5, 2.0
    p = slope_plateau(eps, L0)
    assert p.slope == pytest.approx(eps, rel=1e-15)
    assert p.plateau_start == pytest.approx(1.2 * eps / L0, rel=1e-15)
    assert p.f_plateau == pytest.approx(52 / 75 * eps**2 / L0, rel=1e-14)
    assert float(p.value(np.array([p.plateau_start]))) == pytest.approx(p.f_plateau, rel=1e-14)
    inside = np.abs(T[:, 0]) < p.plateau_start
    assert np.all(np.abs(p.grad(T)[inside, 0]) < eps) and np.all(np.abs(p.grad(T)[~inside, 0]) >= eps * (1 - 1e-15))


def test_slope_plateau_is_L_smooth_and_tight():
    p = slope_plateau(0.5, 2.0)
    rng = np.random.default_rng(3)
    X = rng.uniform(-3, 3, (20_000, 1))
    Y = X + rng.standard_normal((20_000, 1)) * rng.uniform(1e-6, 2, (20_000, 1))
    lhs, rhs, slack, _ = check_L(p, X, Y)
    assert_holds(lhs, rhs, slack, "L")
    lhs, rhs, slack, _ = check_L(p, X, Y, L=0.99 * p.constants.L)
    assert_violated(lhs, rhs, slack, "L tight")


def test_exp_plateau_closed_forms_and_eq1_tight():
    L0, L1, M = 1.0, 2.0, 300.0
    p = exp_plateau(L0, L1, M)
    assert p.slope == pytest.approx(M, rel=1e-14)
    assert p.plateau_start == pytest.approx((math.log(0.8 * (1 + M * L1 / L0)) + 0.5) / L1, rel=1e-14)
    core = np.linspace(0, p.t1, 1001)[:, None]
    g, h = p.grad(core)[:, 0], p.hessian(core)[:, 0, 0]
    np.testing.assert_allclose(h, L0 + L1 * g, rtol=1e-12)  # equality: no smaller L1 with any L0 works far out
    assert p.constants.L is None  # the Hessian grows to L0 + L1 g1: not globally Lipschitz-gradient in the class sense


@settings(max_examples=30, deadline=None)
@given(st.floats(0.1, 5.0), st.floats(0.1, 5.0), st.floats(1.0, 1e4))
def test_exp_plateau_in_class_for_every_constant(L0, L1, r):
    p = exp_plateau(L0, L1, r * L0 / L1)
    t = np.linspace(-2 * p.plateau_start, 2 * p.plateau_start, 20_001)[:, None]
    g, h = p.grad(t)[:, 0], p.hessian(t)[:, 0, 0]
    assert np.all(h <= (L0 + L1 * np.abs(g)) * (1 + 1e-12) + 1e-12) and np.all(h >= 0)
    assert p.slope == pytest.approx(r * L0 / L1, rel=1e-12)
    # the plateau starts no later than (ln(M L1/L0) + 1)/L1, the threshold of gsignsgd Theorem 2
    assert p.plateau_start * L1 <= math.log(r) + 1 + 1e-12


def test_validation():
    for bad in (dict(eps=0.0, L0=1.0), dict(eps=1.0, L0=-1.0), dict(eps=float("nan"), L0=1.0)):
        with pytest.raises(ValueError):
            slope_plateau(**bad)
    with pytest.raises(ValueError, match="M"):
        exp_plateau(1.0, 1.0, 0.5)  # M < L0/L1
    with pytest.raises(ValueError, match="L1"):
        exp_plateau(1.0, 0.0, 5.0)
