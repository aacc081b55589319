"""sgd_clip: the clipping framework of Zhang, Jin, Fang & Wang (2020, Alg. 1) that gsignsgd Sec. 5
compares against (SGDClipGrad: nu = 0; SGDClipMomentum: nu = 1):

    m_t = beta m_{t-1} + (1 - beta) g_t
    x_{t+1} = x_t - [nu min(eta, gamma/||m_t||) m_t + (1 - nu) min(eta, gamma/||g_t||) g_t]

Hand values use a 3-4-5 triangle: beta = 0.5, g_1 = (3, 4) (||g_1|| = 5), g_2 = (0, -2),
so m_1 = (1.5, 2) (||m_1|| = 2.5) and m_2 = (0.75, 0) (||m_2|| = 0.75).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as R
from _cases import U, coefficient, run

RTOL = 64 * U
G = [[3.0, 4.0], [0.0, -2.0]]


@pytest.mark.parametrize(
    ("nu", "steps"),
    [
        # nu = 1 (SGDClipMomentum), eta = 1, gamma = 1: step1 = min(1, 1/2.5) m1 = (0.6, 0.8) (active);
        #   step2 = min(1, 1/0.75) m2 = m2 = (0.75, 0) (inactive)
        (1.0, [[0.6, 0.8], [0.75, 0.0]]),
        # nu = 0 (SGDClipGrad): step1 = (1/5) g1 = (0.6, 0.8); step2 = (1/2) g2 = (0, -1) (both active)
        (0.0, [[0.6, 0.8], [0.0, -1.0]]),
        # nu = 0.5: the average of the two: step2 = 0.5 (0.75, 0) + 0.5 (0, -1)
        (0.5, [[0.6, 0.8], [0.375, -0.5]]),
    ],
)
def test_clip_by_hand(nu, steps):
    xs, ds, _ = run(R.sgd_clip(lr=1.0, gamma=1.0, beta=0.5, nu=nu), G, [0.0, 0.0])
    np.testing.assert_allclose(ds, steps, rtol=RTOL, atol=0)  # eta = 1: direction = step
    np.testing.assert_allclose(xs[-1], -np.sum(steps, axis=0), rtol=RTOL)


def test_eta_below_threshold_and_direction_scaling():
    """eta = 0.5, gamma = 1, nu = 1: step1 = min(0.5, 0.4) m1 = 0.4 m1 (clipped) -> d1 = step1/eta = 0.8 m1;
    step2 = min(0.5, 1.33) m2 = 0.5 m2 (not clipped) -> d2 = m2."""
    xs, ds, _ = run(R.sgd_clip(lr=0.5, gamma=1.0, beta=0.5, nu=1.0), G, [0.0, 0.0])
    np.testing.assert_allclose(ds, [[1.2, 1.6], [0.75, 0.0]], rtol=RTOL)
    np.testing.assert_allclose(xs, [[-0.6, -0.8], [-0.975, -0.8]], rtol=RTOL)


def test_inactive_clipping_is_sgd_with_ema_momentum():
    """gamma large: min(eta, gamma/||.||) = eta, so d_t = nu m_t + (1 - nu) g_t (negative control for the clip)."""
    _, ds, _ = run(R.sgd_clip(lr=0.1, gamma=1e6, beta=0.5, nu=0.25), G, [0.0, 0.0])
    np.testing.assert_allclose(ds, [[0.25 * 1.5 + 0.75 * 3, 0.25 * 2 + 0.75 * 4],
                                    [0.25 * 0.75, 0.75 * -2.0]], rtol=RTOL)


def test_zero_gradient_gives_zero_step():
    """||u|| = 0: min(eta, gamma/0) is eta (no clipping), so the step is eta * 0 = 0 (never NaN)."""
    xs, ds, _ = run(R.sgd_clip(lr=0.1, gamma=0.1, nu=0.5), [[0.0, 0.0]] * 2, [1.0, 2.0])
    assert np.array_equal(ds, np.zeros((2, 2))) and np.array_equal(xs[-1], [1.0, 2.0])


def test_lr_schedule_changes_threshold():
    """eta_t = t: step 2 of nu = 0 is min(2, 1/2) g2 = (0, -1) -> d2 = step/eta_2 = (0, -0.5)."""
    _, ds, _ = run(R.sgd_clip(lr=lambda t: float(t), gamma=1.0, beta=0.5, nu=0.0), G, [0.0, 0.0])
    np.testing.assert_allclose(ds[1], [0.0, -0.5], rtol=RTOL)


FINITE = st.floats(-1e100, 1e100, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(grads=st.lists(st.lists(FINITE, min_size=4, max_size=4), min_size=1, max_size=8),
       nu=st.floats(0.0, 1.0), beta=coefficient(0.999), eta=st.floats(1e-3, 1e3), gamma=st.floats(1e-3, 1e3))
def test_step_length_at_most_gamma(grads, nu, beta, eta, gamma):
    """Every step has length ||x_{t+1} - x_t|| = eta ||d_t|| <= gamma (Zhang et al. Alg. 1).

    Rounding: the norm (4 squares, 3 sums, sqrt), gamma/(eta ||u||), the two products and the
    mix give a relative error below (d + 16) u = 20 u (the test's own norm adds <= 4 u).
    """
    _, ds, _ = run(R.sgd_clip(lr=eta, gamma=gamma, beta=beta, nu=nu), grads, [0.0] * 4)
    lengths = eta * np.sqrt(np.sum(ds * ds, axis=-1))
    assert np.all(lengths <= gamma * (1 + 24 * U))
