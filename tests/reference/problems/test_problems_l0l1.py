"""reference.problems.l0l1: the nonconvex (L0, L1)-smooth cosh + cosine family."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from problem_checks import (
    EPS,
    assert_holds,
    assert_violated,
    coordinate_terms,
    fd_grad,
    fd_hessian,
    pairs_at_radius,
    s3_terms,
)
from reference.problems import cosh_cosine, l0l1_coefficients, random_orthogonal

D = 5


@pytest.fixture(params=[False, True], ids=["plain", "rotated"])
def p(request):
    Q = random_orthogonal(D, 11) if request.param else None
    return cosh_cosine(D, kappa=1.0, omega=2.0, radius=0.7, Q=Q)


def test_derivatives(p):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(D)
    np.testing.assert_allclose(p.grad(x), fd_grad(p.value, x), rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(p.hessian(x), fd_hessian(p.grad, x), rtol=1e-7, atol=1e-7)
    V = rng.standard_normal((3, D))
    np.testing.assert_allclose(p.hvp(x, V), V @ p.hessian(x).T, rtol=1e-13, atol=1e-14)
    z = x if p.Q is None else p.Q @ x
    assert p.value(x) == pytest.approx(np.sum(np.cosh(z) + np.cos(2 * z)), rel=1e-14)
    assert np.linalg.eigvalsh(p.hessian(np.zeros(D)))[0] == pytest.approx(1 - 4)  # nonconvex


def test_batch_equals_rows(p):
    X = np.random.default_rng(1).standard_normal((4, 3, D))
    for f in (p.value, p.grad, p.hessian):
        rows = np.stack([np.stack([f(x) for x in B]) for B in X])
        if p.Q is None:
            np.testing.assert_array_equal(f(X), rows)
        else:
            np.testing.assert_allclose(f(X), rows, rtol=1e-14, atol=1e-14)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 3.0), st.floats(0.0, 4.0), st.floats(1e-3, 3.0), st.integers(0, 2**31))
def test_per_coordinate_lemma(kappa, omega, r, seed):
    """|phi'(t+h) - phi'(t)| <= (a(r) + b(r) |phi'(t)|) |h| for |h| <= r (module docstring)."""
    p = cosh_cosine(1, kappa, omega, radius=r)
    a, b = l0l1_coefficients(kappa, omega, r)
    rng = np.random.default_rng(seed)
    t = np.concatenate([rng.uniform(-30, 30, 300), rng.standard_normal(300)])
    h = rng.uniform(-r, r, t.size)
    h[:50] = r  # at the radius
    lhs = np.abs(p.dphi(t + h) - p.dphi(t))
    rhs = (a + b * np.abs(p.dphi(t))) * np.abs(h)
    assert_holds(lhs, rhs, 8 * EPS * (np.cosh(np.abs(t) + r) + kappa * omega), "lemma")


@pytest.mark.parametrize("radius", [0.05, 0.7, 2.0])
def test_s3_constants_valid_at_radius(radius):
    rng = np.random.default_rng(2)
    for Q in (None, random_orthogonal(D, rng)):
        p = cosh_cosine(D, radius=radius, Q=Q)
        a, b = l0l1_coefficients(1.0, 2.0, radius)
        assert (p.constants.L0, p.constants.L1, p.constants.R) == (a, b, radius)
        X = np.concatenate([rng.standard_normal((300, D)), 8 * rng.standard_normal((300, D))])
        Y = pairs_at_radius(rng, X, radius)
        Y2 = X + rng.uniform(0, 1, (600, 1)) * (Y - X)  # inside the ball
        # adversarial: the whole step on one coordinate where |z_j| is large
        E = np.eye(D)[rng.integers(0, D, 600)] * rng.choice([-1.0, 1.0], (600, 1))
        Qm = np.eye(D) if Q is None else Q
        Y3 = pairs_at_radius(rng, X, radius, direction=E @ Qm)
        for Yk in (Y, Y2, Y3):
            assert_holds(*s3_terms(p, X, Yk), f"s3 Assumption 2, R={radius}")


def test_s3_L1_tight():
    """L1 = (e^R - 1)/R cannot be lowered: z_1 -> inf with h = R e_1 beats 0.9 L1."""
    for Q in (None, random_orthogonal(D, 3)):
        p = cosh_cosine(D, radius=0.7, Q=Q)
        Qm = np.eye(D) if Q is None else Q
        X = (np.array([30.0, 0, 0, 0, 0]) @ Qm)[None]
        Y = pairs_at_radius(np.random.default_rng(0), X, 0.7, direction=np.eye(D)[0] @ Qm)
        assert_holds(*s3_terms(p, X, Y), "s3")
        assert_violated(*s3_terms(p, X, Y, L1=0.9 * p.constants.L1), "0.9 L1")


def test_coordinate_constants():
    p = cosh_cosine(D, radius=0.7)
    c = p.constants
    assert c.radius_coordinate == pytest.approx(math.log(2), rel=1e-15)
    np.testing.assert_allclose(c.L1_vec, 1 / math.log(2))
    np.testing.assert_allclose(c.L0_vec, math.sqrt(D) * l0l1_coefficients(1.0, 2.0, math.log(2))[0])
    rng = np.random.default_rng(4)
    r = c.radius_coordinate
    X = np.concatenate([rng.standard_normal((400, D)), 10 * rng.standard_normal((400, D))])
    E = np.eye(D)[rng.integers(0, D, 800)] * rng.choice([-1.0, 1.0], (800, 1))
    for Y in (pairs_at_radius(rng, X, r), pairs_at_radius(rng, X, r, direction=E),
              X + rng.uniform(0, 1, (800, 1)) * (pairs_at_radius(rng, X, r) - X)):
        assert_holds(*coordinate_terms(p, X, Y), "gsignsgd Assumption 2")
    Xt = np.array([[30.0, 0, 0, 0, 0]])
    Yt = pairs_at_radius(rng, Xt, r, direction=np.eye(D)[0])
    assert_violated(*coordinate_terms(p, Xt, Yt, L1_vec=0.9 * c.L1_vec), "0.9 L1_vec")


def test_rotation_drops_coordinate_constants():
    c = cosh_cosine(D, Q=random_orthogonal(D, 5)).constants
    assert c.L0_vec is None and c.L1_vec is None and c.radius_coordinate is None
    assert c.L is None and c.H_inf is None and c.rho is None and c.hessian_11 is None
    assert "L1" in c.tight and "L0" not in c.tight


def test_minimizer(p):
    c = p.constants
    assert np.max(np.abs(p.grad(c.x_star))) < 1e-14
    assert p.value(c.x_star) == pytest.approx(c.F_star, rel=16 * D * EPS)
    t = np.linspace(-3, 3, 200001)
    assert np.all(p.phi(t) >= c.F_star / D - 4 * EPS * abs(c.F_star))
    X = c.x_star + 0.3 * np.random.default_rng(6).standard_normal((500, D))
    assert np.all(p.value(X) >= c.F_star * (1 - 4 * EPS))
    z_star = c.x_star if p.Q is None else p.Q @ c.x_star
    assert np.all(z_star > 0) and np.ptp(z_star) < 1e-14  # the positive minimizer (phi is even)


def test_overflow_never_nan():
    p = cosh_cosine(2)
    x = np.array([800.0, -800.0])
    assert p.value(x) == np.inf
    assert np.array_equal(p.grad(x), [np.inf, -np.inf])
    pr = cosh_cosine(2, Q=random_orthogonal(2, 0))
    with pytest.raises(FloatingPointError, match="overflow"):
        pr.grad(pr.Q.T @ x)


@pytest.mark.parametrize("kwargs, match", [
    (dict(d=0), "d must be an integer >= 1"),
    (dict(d=2, kappa=-1.0), "kappa must be"),
    (dict(d=2, omega=np.nan), "omega must be"),
    (dict(d=2, radius=0.0), "radius must be"),
    (dict(d=2, radius=np.inf), "radius must be"),
    (dict(d=2, Q=np.ones((2, 2))), "Q must be orthogonal"),
    (dict(d=2, Q=np.eye(3)), r"Q must have shape \(2, 2\)"),
])
def test_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        cosh_cosine(**kwargs)
