"""normalized_sgdm (nsgdm Eqs. 2-3), nigt (nsgdm Alg. 1), igt (nsgdm Sec. 1), adaptive_nsgd (nsgdm Alg. 2)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as R
from _cases import U

RTOL = 64 * U


class Recorder:
    """grad f(x) = H x + c for a fixed H, c (noise-free); records every call point."""

    def __init__(self, H, c):
        self.H, self.c = np.asarray(H, dtype=float), np.asarray(c, dtype=float)
        self.points = []

    def __call__(self, x):
        self.points.append(np.array(x, copy=True))
        return self.H @ x + self.c


def run(alg, oracle, x0, T):
    x = np.asarray(x0, dtype=float)
    state = alg.init(x)
    xs, ds, states = [], [], []
    for _ in range(T):
        x, state = alg.step(x, state, oracle)
        xs.append(x)
        ds.append(state.direction)
        states.append(state)
    return np.array(xs), np.array(ds), states


def stream(grads):
    it = iter(np.asarray(grads, dtype=float))
    return lambda _x: next(it)


@pytest.mark.parametrize(
    ("m1", "expected"),
    [
        # m_1 = g_1 = (3, 4) -> d_1 = (0.6, 0.8); m_2 = 0.5 (3, 4) + 0.5 (0, -2) = (1.5, 1) -> /sqrt(3.25)
        ("gradient", [[0.6, 0.8], [1.5 / math.sqrt(3.25), 1 / math.sqrt(3.25)]]),
        # m_0 = 0: m_1 = (1.5, 2) -> same d_1; m_2 = (0.75, 0) -> d_2 = (1, 0)
        ("ema", [[0.6, 0.8], [1.0, 0.0]]),
    ],
)
def test_normalized_sgdm_m1_options(m1, expected):
    """nsgdm Eqs. (2)-(3): w_{t+1} = w_t - eta m_t/||m_t||; Theorem 1 sets m_1 = g_1.  beta = 0.5."""
    xs, ds, states = run(R.normalized_sgdm(lr=0.1, beta=0.5, m1=m1), stream([[3, 4], [0, -2]]), [0.0, 0.0], 2)
    np.testing.assert_allclose(ds, expected, rtol=RTOL, atol=1e-16)
    np.testing.assert_allclose(xs[-1], -0.1 * np.sum(expected, axis=0), rtol=RTOL)


# NIGT by hand, beta = 0.75 (beta/(1 - beta) = 3), eta = 0.1, grad f(x) = 2x + (1, 0), w_1 = (3, 4):
#   t = 1: call at w_1 -> g = (7, 8), m_1 = g, w_2 = w_1 - 0.1 (7, 8)/sqrt(113)
#   t = 2: x_2 = w_2 + 3 (w_2 - w_1), m_2 = 0.75 m_1 + 0.25 (2 x_2 + (1, 0)), w_3 = w_2 - 0.1 m_2/||m_2||
def test_nigt_extrapolation_point():
    rec = Recorder(2 * np.eye(2), [1.0, 0.0])
    xs, ds, states = run(R.nigt(lr=0.1, beta=0.75), rec, [3.0, 4.0], 2)
    w1 = np.array([3.0, 4.0])
    w2 = w1 - 0.1 * np.array([7.0, 8.0]) / math.sqrt(113.0)
    x2 = w2 + 3.0 * (w2 - w1)
    m2 = 0.75 * np.array([7.0, 8.0]) + 0.25 * (2 * x2 + [1.0, 0.0])
    np.testing.assert_allclose(rec.points, [w1, x2], rtol=RTOL)
    np.testing.assert_allclose(xs, [w2, w2 - 0.1 * m2 / np.sqrt(m2 @ m2)], rtol=RTOL)
    np.testing.assert_allclose(states[-1].m, m2, rtol=RTOL)
    np.testing.assert_allclose(states[-1].w_prev, w2, rtol=0)


@pytest.mark.parametrize("name", ["nigt", "igt", "adaptive_nsgd"])
def test_implicit_gradient_transport_is_exact_on_quadratics(name):
    """nsgdm Sec. 1/3: with a constant Hessian and no noise, the extrapolated evaluation makes the
    momentum equal the gradient at the current iterate, m_t = grad F(w_t), for every t.

    (beta m_{t-1} + (1-beta) H (w_t + beta/(1-beta)(w_t - w_{t-1})) + c = H w_t + c if m_{t-1} = H w_{t-1} + c;
    IGT's t/(t+1) weights likewise.)  A wrong extrapolation point breaks this at t = 2.
    """
    rng = np.random.default_rng(5)
    A = rng.normal(size=(3, 3))
    H, c = A @ A.T + np.eye(3), rng.normal(size=3)
    alg = {"nigt": R.nigt(lr=0.05, beta=0.9), "igt": R.igt(lr=0.05),
           "adaptive_nsgd": R.adaptive_nsgd(gbound=10.0)}[name]
    rec = Recorder(H, c)
    x0 = np.array([1.0, -2.0, 0.5])
    w, state = x0, alg.init(x0)
    for _ in range(12):
        w_t = w
        w, state = alg.step(w, state, rec)
        np.testing.assert_allclose(state.m, H @ w_t + c, rtol=1e-9, atol=1e-9)


def test_nigt_negative_control_plain_momentum_lags():
    """normalized_sgdm (no extrapolation) does not have m_t = grad F(w_t) on the same quadratic."""
    rec = Recorder(np.diag([1.0, 3.0]), [0.0, 0.0])
    w, state = np.array([1.0, 1.0]), R.normalized_sgdm(lr=0.1, beta=0.9).init(np.zeros(2))
    alg = R.normalized_sgdm(lr=0.1, beta=0.9)
    for _ in range(3):
        w_t = w
        w, state = alg.step(w, state, rec)
    assert np.abs(state.m - rec.H @ w_t).max() > 1e-3


def test_igt_by_hand():
    """IGT (nsgdm Sec. 1): m_t = t/(t+1) m_{t-1} + 1/(t+1) grad f(w_t + t (w_t - w_{t-1})), w_{t+1} = w_t - eta m_t,
    from t = 0.  grad f(x) = 2x, w = 1, eta = 0.1:
    calls at 1, 0.8 + (0.8 - 1) = 0.6, 0.64 + 2 (0.64 - 0.8) = 0.32; m = 2, 1 + 0.6 = 1.6,
    (2/3) 1.6 + (1/3) 0.64 = 1.28; w = 0.8, 0.64, 0.512."""
    rec = Recorder([[2.0]], [0.0])
    xs, ds, _ = run(R.igt(lr=0.1), rec, [1.0], 3)
    np.testing.assert_allclose([p[0] for p in rec.points], [1.0, 0.6, 0.32], rtol=RTOL)
    np.testing.assert_allclose(ds[:, 0], [2.0, 1.6, 1.28], rtol=RTOL)
    np.testing.assert_allclose(xs[:, 0], [0.8, 0.64, 0.512], rtol=RTOL)


class TwoSampleOracle:
    """grad f(x; xi) = x + xi with xi alternating +e, -e: the two samples of one step differ by 2e."""

    def __init__(self, e):
        self.e = np.asarray(e, dtype=float)
        self.points = []

    def __call__(self, x):
        sign = 1.0 if len(self.points) % 2 == 0 else -1.0
        self.points.append(np.array(x, copy=True))
        return x + sign * self.e


def test_adaptive_nsgd_recursion_by_hand():
    """nsgdm Algorithm 2 with gbound g = 1 (G_0 = D from its Appendix A, Theorem 4's proof):

    C = sqrt(7/(26 g^(6/7))), D = C^(-14/3), G_1 = 3 g^2 + D, eta_0 = C/D^(2/7);
    eta_t = C/(G_t^2 (t+1)^3)^(1/7), alpha_t = 1/(t eta_{t-1}^2 G_{t-1}), beta_t = 1 - alpha_t;
    x_t = w_t + beta_t/(1 - beta_t)(w_t - w_{t-1}) (w_0 = w_1); both samples at x_t;
    m_t = beta_t m_{t-1} + (1 - beta_t) grad f(x_t, xi_t);
    G_{t+1} = G_t + ||grad f(x_t, xi_t) - grad f(x_t, xi'_t)||^2 + g^2 ((t+1)^(1/4) - t^(1/4));
    w_{t+1} = w_t - eta_t m_t/||m_t||.
    """
    e = np.array([0.1, 0.0])
    oracle = TwoSampleOracle(e)
    w1 = np.array([0.3, 0.4])
    xs, _, states = run(R.adaptive_nsgd(gbound=1.0), oracle, w1, 2)

    C = math.sqrt(7 / 26)
    D = C ** (-14 / 3)
    G0, G1, eta0 = D, 3 + D, C / D ** (2 / 7)
    # t = 1: alpha_1 = 1/(eta_0^2 G_0) = 1 exactly in real arithmetic (the proof's alpha_t <= 1 is tight)
    eta1 = C / (G1**2 * 2**3) ** (1 / 7)
    alpha1 = 1 / (1 * eta0**2 * G0)
    assert alpha1 == pytest.approx(1.0, rel=1e-14)
    x1 = w1  # w_0 = w_1
    m1 = alpha1 * (x1 + e)
    G2 = G1 + 4 * 0.01 + (2**0.25 - 1)
    w2 = w1 - eta1 * m1 / np.linalg.norm(m1)
    # t = 2
    eta2 = C / (G2**2 * 3**3) ** (1 / 7)
    alpha2 = 1 / (2 * eta1**2 * G1)
    x2 = w2 + (1 - alpha2) / alpha2 * (w2 - w1)
    m2 = (1 - alpha2) * m1 + alpha2 * (x2 + e)
    G3 = G2 + 4 * 0.01 + (3**0.25 - 2**0.25)
    w3 = w2 - eta2 * m2 / np.linalg.norm(m2)

    np.testing.assert_allclose(oracle.points, [x1, x1, x2, x2], rtol=1e-13)
    np.testing.assert_allclose(xs, [w2, w3], rtol=1e-13)
    s1, s2 = states
    np.testing.assert_allclose([s1.eta[0], s1.G[0], s1.G_prev[0]], [eta1, G2, G1], rtol=1e-13)
    np.testing.assert_allclose([s2.eta[0], s2.G[0], s2.G_prev[0]], [eta2, G3, G2], rtol=1e-13)
    np.testing.assert_allclose(s2.m, m2, rtol=1e-13)
    assert 0 < alpha2 < 1


def test_adaptive_nsgd_noise_enters_G_only_through_the_sample_difference():
    """Negative control: e = 0 (identical samples) gives G_2 = G_1 + (2^(1/4) - 1), smaller than with e."""
    s_e = run(R.adaptive_nsgd(gbound=1.0), TwoSampleOracle([0.1, 0.0]), [0.3, 0.4], 1)[2][0]
    s_0 = run(R.adaptive_nsgd(gbound=1.0), TwoSampleOracle([0.0, 0.0]), [0.3, 0.4], 1)[2][0]
    assert s_e.G[0] - s_0.G[0] == pytest.approx(0.04, rel=1e-9)


def test_adaptive_nsgd_huge_G_does_not_overflow():
    """G_t ~ 1e301 (gradient differences ~1e150): eta_t = C / (G_t^2 (t+1)^3)^(1/7) must not form
    G_t^2 (overflow -> eta = 0 -> alpha = inf -> NaN iterate).  Regression test for that fix."""
    grads = np.array([[1e150, -1e150], [-1e150, 1e150]] * 4)
    tr = R.replay(R.adaptive_nsgd(gbound=1.0), grads)
    assert np.isfinite(tr.x).all() and np.isfinite(tr.state.eta).all()
    assert (tr.state.eta > 0).all()


MAG = st.one_of(st.just(0.0), st.floats(1e-100, 1e100))
GRAD = st.builds(lambda s, m: s * m, st.sampled_from([-1.0, 1.0]), MAG)
GRADS = st.lists(st.lists(GRAD, min_size=4, max_size=4), min_size=2, max_size=12)


@settings(max_examples=50, deadline=None)
@given(grads=GRADS, beta=st.one_of(st.just(0.0), st.floats(1e-3, 0.999)), which=st.sampled_from(["normalized_sgdm", "nigt", "adaptive_nsgd"]))
def test_directions_have_unit_norm_or_are_zero(grads, beta, which):
    """m_t/||m_t|| has norm 1 up to rounding ((d + 8) u for d = 4: the sum of squares, sqrt, the
    division and the test's own norm), or is exactly 0 when m_t = 0.  Magnitudes stay where ||m_t||^2
    is a normal number (hypothesis found beta = 7e-307 making m_t ~ 1e-307: ||m_t||^2 underflows to 0
    and the documented 0-denominator rule gives d_t = 0 although m_t != 0)."""
    g = np.array(grads)
    if which == "adaptive_nsgd":
        g = g[: len(g) // 2 * 2]
        alg = R.adaptive_nsgd(gbound=1.0)
    else:
        alg = R.ALGORITHMS[which](lr=0.1, beta=beta)
    tr = R.replay(alg, g)
    norms = np.sqrt(np.sum(tr.direction**2, axis=-1))
    zero = np.all(tr.state.m == 0, axis=-1)
    assert np.all(tr.direction[zero] == 0)
    assert np.all(np.abs(norms[~zero] - 1.0) <= 12 * U)
