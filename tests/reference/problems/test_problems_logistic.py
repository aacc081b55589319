"""reference.problems.logistic: exact derivatives, Newton optimum, constants, minibatch oracle."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from problem_checks import (
    assert_holds,
    assert_violated,
    check_L,
    coordinate_terms,
    fd_grad,
    fd_hessian,
    hinf_terms,
    hvec_terms,
    rho_terms,
)
from reference.problems import LogisticRegression, logistic_regression

N, D = 60, 5


@pytest.fixture(params=[0.0, 0.05], ids=["lam0", "lam0.05"])
def p(request):
    return logistic_regression(N, D, seed=1, lam=request.param)


def test_derivatives_and_batches(p):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(D)
    np.testing.assert_allclose(p.grad(x), fd_grad(p.value, x), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(p.hessian(x), fd_hessian(p.grad, x), rtol=1e-7, atol=1e-9)
    V = rng.standard_normal((3, D))
    np.testing.assert_allclose(p.hvp(x, V), V @ p.hessian(x), rtol=1e-13, atol=1e-15)
    X = rng.standard_normal((4, D))
    for f in (p.value, p.grad, p.hessian):
        np.testing.assert_allclose(f(X), np.stack([f(r) for r in X]), rtol=1e-14, atol=1e-15)
    m = p.y * (p.A @ x)
    assert p.value(x) == pytest.approx(np.mean(np.log1p(np.exp(-m))) + p.lam / 2 * x @ x, rel=1e-14)


def test_extreme_points_are_finite(p):
    for x in (np.full(D, 1e4), np.full(D, -1e100), np.zeros(D)):  # margins up to ~1e100
        assert np.isfinite(p.value(x))
        assert np.all(np.isfinite(p.grad(x)))
        assert np.all(np.isfinite(p.hessian(x)))
    with pytest.raises(FloatingPointError):  # a^T x overflows to inf - inf: raised, never NaN
        p.value(np.array([1e308, -1e308, 1e308, -1e308, 1e308]))


def test_minimizer(p):
    c = p.constants
    if p.lam == 0:
        assert c.F_star is None and c.x_star is None
        return
    assert np.linalg.norm(p.grad(c.x_star)) < 1e-15
    assert p.value(c.x_star) == c.F_star
    X = c.x_star + np.random.default_rng(1).standard_normal((500, D)) * np.logspace(-6, 1, 500)[:, None]
    assert np.all(p.value(X) >= c.F_star)


def test_smoothness_constants(p):
    c = p.constants
    rng = np.random.default_rng(2)
    X = 2 * rng.standard_normal((400, D))
    Y = X + rng.standard_normal((400, D)) * rng.uniform(1e-3, 2, (400, 1))
    assert_holds(*check_L(p, X, Y)[:3], "L")
    assert_holds(*coordinate_terms(p, X, Y), "L0_vec")
    assert_holds(*hinf_terms(p, X, Y), "H_inf")
    assert_holds(*hvec_terms(p, X, Y), "H_vec")
    assert_holds(*rho_terms(p, X, Y), "rho")
    H = p.hessian(X)
    assert np.all(np.abs(H).sum(axis=(-2, -1)) <= c.hessian_11)
    # L attained at x = 0 along the top eigenvector of hess F(0)
    w, V = np.linalg.eigh(p.hessian(np.zeros(D)))
    assert w[-1] == pytest.approx(c.L, rel=1e-14)
    Z, Zs = np.zeros((1, D)), 1e-5 * V[:, -1][None]
    assert check_L(p, Z, Zs)[3][0] > c.L * (1 - 1e-6)
    assert_violated(*check_L(p, Z, Zs, 0.9 * c.L)[:3], "0.9 L")
    # H_inf exact: brute-force inf->1 norm of hess F(0), attained at its best sign vector
    S = np.array(list(itertools.product([-1.0, 1.0], repeat=D)))
    vals = np.abs(S @ p.hessian(np.zeros(D))).sum(axis=1)
    assert c.H_inf_exact and c.H_inf == pytest.approx(vals.max(), rel=1e-14)
    s = S[np.argmax(vals)]
    lhs, rhs, slack = hinf_terms(p, Z, 1e-5 * s[None])
    assert lhs[0] / rhs[0] > 1 - 1e-6
    assert_violated(*hinf_terms(p, Z, 1e-5 * s[None], 0.9 * c.H_inf), "0.9 H_inf")


def _per_sample_grads(p, x):
    return np.stack([p.sample_grad(x, np.array([i])) for i in range(p.n)])


def test_sample_gradients_average_to_gradient(p):
    x = np.random.default_rng(3).standard_normal(D)
    G = _per_sample_grads(p, x)
    np.testing.assert_allclose(G.mean(axis=0), p.grad(x), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(p.sample_grad(x, np.arange(N)), p.grad(x), rtol=1e-13, atol=1e-15)


def test_minibatch_noise_constants(p):
    """Exact per-sample quantities (enumerating all n samples) against the bounds."""
    b = 4
    c1, cb = p.noise_constants(1), p.noise_constants(b)
    assert cb.sigma2 == pytest.approx(c1.sigma2 / b) and np.allclose(cb.sigma_vec, c1.sigma_vec / 2)
    assert np.array_equal(cb.sigma_as, c1.sigma_as)
    rng = np.random.default_rng(4)
    for x in np.concatenate([rng.standard_normal((20, D)), 50 * rng.standard_normal((20, D))]):
        E = _per_sample_grads(p, x) - p.grad(x)
        assert np.mean(np.sum(E**2, axis=1)) <= c1.sigma2 * (1 + 1e-12)
        assert np.all(np.mean(E**2, axis=0) <= c1.sigma_vec**2 * (1 + 1e-12))
        assert np.all(np.abs(E) <= c1.sigma_as * (1 + 1e-12))
        assert np.all(np.linalg.norm(E, axis=1) <= c1.sigma_as_norm * (1 + 1e-12))
        if p.lam == 0:
            G = _per_sample_grads(p, x)
            assert np.abs(G).max() <= cb.G_inf and np.linalg.norm(G, axis=1).max() <= cb.G_2
            assert np.abs(p.grad(x)).max() <= p.constants.G_inf
            assert np.linalg.norm(p.grad(x)) <= p.constants.G_2
    if p.lam == 0:  # G_inf, G_2 approached when sample i is badly misclassified
        i = int(np.argmax(np.linalg.norm(p.A, axis=1)))
        x = -1e3 * p.y[i] * p.A[i]
        g = p.sample_grad(x, np.array([i]))
        assert np.linalg.norm(g) > 0.999 * cb.G_2
    else:
        assert cb.G_inf is None and cb.G_2 is None
    # L_sample (adasam Assumption 1): attained by the worst sample at x = 0
    lmax = max(np.linalg.eigvalsh(np.outer(a, a) / 4 + p.lam * np.eye(D))[-1] for a in p.A)
    assert cb.L_sample == pytest.approx(lmax, rel=1e-13) and cb.L_sample >= p.constants.L


def test_minibatch_oracle_unbiased_and_variance(p):
    b, n_draws = 3, 20000
    x = np.random.default_rng(5).standard_normal(D)
    oracle = p.oracle(np.random.default_rng(6), batch_size=b)
    G = oracle(np.broadcast_to(x, (n_draws, D)))  # independent indices per run
    E = G - p.grad(x)
    se = E.std(axis=0, ddof=1) / np.sqrt(n_draws)
    assert np.all(np.abs(E.mean(axis=0)) <= 5 * se)
    # exact variance at x: (1/b) (1/n) sum_i ||g_i - g||^2 (sampling with replacement)
    var_exact = np.mean(np.sum((_per_sample_grads(p, x) - p.grad(x)) ** 2, axis=1)) / b
    sq = np.sum(E**2, axis=1)
    assert abs(sq.mean() - var_exact) <= 5 * sq.std(ddof=1) / np.sqrt(n_draws)
    assert abs(sq.mean() - var_exact * b) > 5 * sq.std(ddof=1) / np.sqrt(n_draws)  # no /b: rejected
    assert var_exact <= p.noise_constants(b).sigma2


def test_oracle_seeding_and_frozen_sample(p):
    x, y = np.zeros(D), np.ones(D)
    o1, o2 = p.oracle(7, batch_size=2), p.oracle(7, batch_size=2)
    np.testing.assert_array_equal(o1(x), o2(x))
    assert not np.array_equal(o1(x), o1(x))
    s = p.oracle(8, batch_size=1).sample()
    gx, gy = s(x), s(y)
    np.testing.assert_array_equal(s(x), gx)
    i = [k for k in range(N) if np.array_equal(p.sample_grad(x, np.array([k])), gx)]
    assert any(np.array_equal(p.sample_grad(y, np.array([k])), gy) for k in i)
    with pytest.raises(ValueError, match="sample drawn"):
        s(np.zeros((2, D)))
    exact = p.oracle()
    np.testing.assert_array_equal(exact(y), p.grad(y))
    assert p.oracle(0, batch_size=5)(np.zeros((3, 2, D))).shape == (3, 2, D)


def test_validation():
    with pytest.raises(ValueError, match="y must have shape"):
        LogisticRegression(np.ones((3, 2)), [1, -1, 0])
    with pytest.raises(ValueError, match="lam must be"):
        logistic_regression(10, 2, lam=-1.0)
    with pytest.raises(ValueError, match="batch_size must be"):
        logistic_regression(10, 2).oracle(0, batch_size=0)
    with pytest.raises(ValueError, match="rng must be"):
        logistic_regression(10, 2).oracle(None, batch_size=2)
    with pytest.raises(ValueError, match="idx must be"):
        logistic_regression(10, 2).sample_grad(np.zeros(2), np.array([10]))
    with pytest.raises(ValueError, match="n must be"):
        logistic_regression(0, 2)


def test_single_sample_bounds_are_tight():
    """n = 1: H_vec, hessian_11 (at x = 0) and rho (at |sigma''| maximal) are attained, so
    each bound's formula is checked for an exact value, and 0.9 times it fails."""
    a = np.array([1.0, 2.0])
    p = LogisticRegression(a[None], [1.0])
    c = p.constants
    np.testing.assert_allclose(c.H_vec, np.abs(a) * np.abs(a).sum() / 4, rtol=1e-15)
    Z = np.zeros((2, 2))
    Ys = 1e-6 * np.sign(np.outer(np.abs(a), a) / 4)  # h = sign(row i of hess F(0))
    assert_violated(*hvec_terms(p, Z, Ys, 0.9 * c.H_vec), "0.9 H_vec")
    assert np.abs(p.hessian(np.zeros(2))).sum() == pytest.approx(c.hessian_11, rel=1e-15)
    assert c.rho == pytest.approx(np.linalg.norm(a) ** 3 / (6 * np.sqrt(3)), rel=1e-15)
    m_star = np.log(2 + np.sqrt(3))  # sigma(m) = (3 + sqrt 3)/6: |sigma''| maximal
    x = (m_star / (a @ a)) * a
    Y = x + 1e-6 * a / np.linalg.norm(a)
    lhs, rhs, slack = rho_terms(p, x[None], Y[None])
    assert lhs[0] / rhs[0] > 1 - 1e-5
    assert_violated(*rho_terms(p, x[None], Y[None], 0.9 * c.rho), "0.9 rho")


def test_noise_constant_formulas_by_enumeration():
    """sigma2/sigma_vec formulas; sigma_as equals the sup over the vertices of [0,1]^n of
    |(u_i - ubar)_j| (brute force, n = 6); sigma_as_norm the triangle bound."""
    p = logistic_regression(6, 3, seed=2)
    A, y, n = p.A, p.y, p.n
    c = p.noise_constants(2)
    assert c.sigma2 == pytest.approx(np.sum(A**2) / (n * 2), rel=1e-15)
    np.testing.assert_allclose(c.sigma_vec, np.sqrt(np.sum(A**2, axis=0) / (n * 2)), rtol=1e-15)
    best = np.zeros(3)
    for s in itertools.product([0.0, 1.0], repeat=n):
        U = -(y * np.array(s))[:, None] * A
        best = np.maximum(best, np.abs(U - U.mean(axis=0)).max(axis=0))
    np.testing.assert_allclose(c.sigma_as, best, rtol=1e-14)
    r = np.linalg.norm(A, axis=1)
    assert c.sigma_as_norm == pytest.approx(max((1 - 1 / n) * r[i] + (r.sum() - r[i]) / n for i in range(n)))
    # the exact variance of one sample never exceeds sigma2 (b = 1), even far from 0
    for x in 30 * np.random.default_rng(0).standard_normal((50, 3)):
        E = _per_sample_grads(p, x) - p.grad(x)
        assert np.mean(np.sum(E**2, axis=1)) <= p.noise_constants(1).sigma2


def test_sigma_double_prime_maximum():
    """max_m |sigma''(m)| = 1/(6 sqrt 3), the factor in rho."""
    from scipy.special import expit
    m = np.linspace(-10, 10, 2_000_001)
    s = expit(m)
    assert np.abs(s * (1 - s) * (1 - 2 * s)).max() == pytest.approx(1 / (6 * np.sqrt(3)), rel=1e-10)
