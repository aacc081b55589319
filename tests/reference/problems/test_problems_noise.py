"""reference.problems.noise: Monte Carlo checks of every noise constant, and with_noise.

Tolerances are 5 standard errors estimated from the samples themselves (seeded).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.problems import (
    bounded,
    coordinate,
    diagonal_quadratic,
    gaussian,
    logistic_regression,
    minibatch,
    rademacher,
    with_noise,
)

D, N = 4, 40000
EPS = np.finfo(np.float64).eps
SIG = np.array([0.5, 1.0, 2.0, 0.0])


def _within(samples, target, k=5.0):
    """|mean(samples) - target| <= k standard errors, per column."""
    se = samples.std(axis=0, ddof=1) / np.sqrt(samples.shape[0])
    return np.abs(samples.mean(axis=0) - target) <= k * se + 1e-300


MODELS = {
    "gaussian": lambda: gaussian(1.5).bind(D),
    "coordinate": lambda: coordinate(SIG),
    "bounded": lambda: bounded(SIG),
    "bounded_scalar": lambda: bounded(0.7).bind(D),
    "rademacher": lambda: rademacher(SIG),
    "minibatch": lambda: minibatch(bounded(SIG), 5),
}


@pytest.fixture(params=list(MODELS))
def noise(request):
    return MODELS[request.param]()


def test_moments_and_bounds(noise):
    e = noise.draw(np.random.default_rng(0), (N, D))
    assert e.shape == (N, D) and e.dtype == np.float64
    assert np.all(_within(e, 0.0))  # zero mean: the oracle is unbiased
    var = noise.sigma_vec**2
    ok = _within(e**2, var)
    assert np.all(ok | (var == 0))
    assert np.all(e[:, var == 0] == 0)
    # a constant 10% off is detected (so the check can fail)
    assert not np.all(_within(e[:, var > 0] ** 2, 1.1 * var[var > 0]))
    sq = np.sum(e**2, axis=1)
    assert _within(sq[:, None], noise.sigma2_total)[0]
    assert noise.sigma2_total == pytest.approx(np.sum(var), rel=1e-14) and noise.variance_bound == noise.sigma2_total
    if noise.as_bound is None:
        assert noise.name.startswith(("gaussian", "coordinate"))  # unbounded noise
    else:
        assert np.all(np.abs(e) <= noise.as_bound)
        if not noise.name.startswith("minibatch"):  # the supremum: approached (uniform) or attained
            assert np.all(np.abs(e).max(axis=0) >= 0.99 * noise.as_bound)


def test_gaussian_scaling_is_total_variance():
    for d in (1, 10, 100):
        g = gaussian(2.0).bind(d)
        assert g.sigma2_total == 4.0 and np.allclose(g.sigma_vec, 2.0 / np.sqrt(d))
        e = g.draw(np.random.default_rng(d), (4000, d))
        sq = np.sum(e**2, axis=1)
        assert _within(sq[:, None], 4.0)[0]
        if d > 1:  # without the 1/sqrt(d) scaling E||e||^2 would be 4 d: rejected
            assert not _within(sq[:, None], 4.0 * d)[0]


def test_minibatch_divides_variance_exactly():
    base = rademacher(SIG)
    for b in (1, 3, 8):
        m = minibatch(base, b)
        assert m.sigma2_total == pytest.approx(base.sigma2_total / b, rel=1e-15)
        np.testing.assert_allclose(m.sigma_vec, base.sigma_vec / np.sqrt(b), rtol=1e-15)
        np.testing.assert_array_equal(m.as_bound, base.as_bound)
        e = m.draw(np.random.default_rng(b), (N, D))
        assert np.all(_within(e[:, :3] ** 2, m.sigma_vec[:3] ** 2))
    g = minibatch(gaussian(1.0), 4).bind(9)
    assert g.sigma2_total == pytest.approx(0.25) and g.as_bound is None


def test_draw_dtype_and_stream():
    n = bounded(SIG)
    a = n.draw(np.random.default_rng(1), (3, D), np.float32)
    b = n.draw(np.random.default_rng(1), (3, D))
    assert a.dtype == np.float32 and np.array_equal(a, b.astype(np.float32))


# -- with_noise ------------------------------------------------------------------------

@pytest.fixture
def sp():
    return with_noise(diagonal_quadratic([1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 0.0, 1.0]), bounded(SIG))


def test_with_noise_constants(sp):
    c, cb = sp.constants, sp.base.constants
    assert c.L == cb.L and c.F_star == cb.F_star and np.array_equal(c.H_vec, cb.H_vec)
    assert c.sigma2 == pytest.approx(np.sum(SIG**2) / 3)
    np.testing.assert_allclose(c.sigma_vec, SIG / np.sqrt(3))
    np.testing.assert_array_equal(c.sigma_as, SIG)
    assert c.sigma_as_norm == pytest.approx(np.linalg.norm(SIG))
    assert {"sigma2", "sigma_vec", "sigma_as", "L"} <= c.tight
    cg = with_noise(sp.base, gaussian(1.0)).constants
    assert cg.sigma_as is None and cg.sigma_as_norm is None and cg.sigma2 == 1.0
    x = np.arange(4.0)
    assert sp.value(x) == sp.base.value(x) and np.array_equal(sp.hessian(x), sp.base.hessian(x))


def test_with_noise_oracle(sp):
    x = np.array([0.3, -1.0, 2.0, 0.5])
    o = sp.oracle(np.random.default_rng(2))
    G = o(np.broadcast_to(x, (N, D)))  # each row an independent draw
    assert np.all(_within(G, sp.grad(x)))
    E = G - sp.grad(x)
    assert np.all(np.abs(E) <= SIG + 2 * EPS * np.abs(G))
    assert np.array_equal(sp.oracle(3)(x), sp.oracle(3)(x))  # seeded
    assert sp.oracle(3)(x.astype(np.float32)).dtype == np.float32
    s = sp.oracle(4).sample()
    y = x + 1.0
    np.testing.assert_array_equal(s(x) - sp.grad(x), s(y) - sp.grad(y))  # one frozen sample
    with pytest.raises(ValueError, match="sample drawn"):
        s(np.zeros((2, D)))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**31))
def test_oracle_batch_shapes(d, k, seed):
    p = with_noise(diagonal_quadratic(np.ones(d)), minibatch(rademacher(0.5), 2))
    X = np.random.default_rng(seed).standard_normal((k, d))
    g = p.oracle(seed)(X)
    gx = p.grad(X)  # g - gx rounds: allow 2 ulp of |g|
    assert g.shape == (k, d) and np.all(np.abs(g - gx) <= 0.5 + 2 * EPS * np.abs(g))


@pytest.mark.parametrize("make, match", [
    (lambda: gaussian(-1.0), "sigma must be"),
    (lambda: gaussian(np.nan), "sigma must be"),
    (lambda: coordinate([1.0, -1.0]), "sigma_vec must have entries >= 0"),
    (lambda: coordinate([]), "sigma_vec must be"),
    (lambda: bounded(np.inf), "sigma must be"),
    (lambda: rademacher([[1.0]]), "sigma must be"),
    (lambda: minibatch(gaussian(1.0), 0), "b must be an integer >= 1"),
    (lambda: minibatch(gaussian(1.0), 2.0), "b must be an integer >= 1"),
    (lambda: minibatch(gaussian(1.0), True), "b must be an integer >= 1"),
    (lambda: minibatch("gaussian", 2), "noise must be a Noise"),
    (lambda: gaussian(1.0).sigma_vec, "no dimension yet"),
    (lambda: coordinate(SIG).bind(3), "cannot bind"),
    (lambda: coordinate(SIG).draw(np.random.default_rng(0), (2, 3)), "dimension 4"),
    (lambda: with_noise(diagonal_quadratic([1.0, 2.0]), coordinate(SIG)), "cannot bind"),
    (lambda: with_noise(with_noise(diagonal_quadratic([1.0]), gaussian(1.0)), gaussian(1.0)), "already has noise"),
    (lambda: with_noise(diagonal_quadratic([1.0]), gaussian(1.0)).oracle(None), "rng must be"),
])
def test_validation(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_logistic_with_additive_noise_keeps_bounds():
    p = logistic_regression(30, 3, seed=0)
    sp = with_noise(p, bounded(0.1))
    assert sp.constants.G_inf == pytest.approx(p.constants.G_inf + 0.1)
    G = sp.oracle(0)(np.random.default_rng(1).standard_normal((2000, 3)) * 10)
    assert np.abs(G).max() <= sp.constants.G_inf * (1 + 4 * EPS)
