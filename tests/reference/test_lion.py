"""Lion (Chen et al. 2023b), an s3 Sec. 5 baseline, in the google/automl form:

    c_t = beta1 m_{t-1} + (1 - beta1) g_t,  d_t = sign(c_t),  m_t = beta2 m_{t-1} + (1 - beta2) g_t,
    x_{t+1} = x_t (1 - gamma lambda) - gamma d_t
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as R
from _cases import U


def run(alg, grads, x0):
    x = np.asarray(x0, dtype=float)
    state = alg.init(x)
    xs, ds, ms = [], [], []
    for g in grads:
        x, state = alg.step(x, state, lambda _x, g=g: np.asarray(g, dtype=float))
        xs.append(x)
        ds.append(state.direction)
        ms.append(state.m)
    return np.array(xs), np.array(ds), np.array(ms)


def test_three_steps_by_hand():
    """beta1 = 0.5, beta2 = 0.75; coordinate 0: g = 2, -4, 1; coordinate 1: g = 0, 0, -0.5 (sign(0) = 0).

    c0: c1 = 1 -> 1, m1 = 0.5; c2 = 0.25 - 2 = -1.75 -> -1, m2 = 0.375 - 1 = -0.625;
        c3 = -0.3125 + 0.5 = 0.1875 -> 1, m3 = -0.46875 + 0.25 = -0.21875.
    c1: c1 = c2 = 0 -> 0; c3 = -0.25 -> -1.
    """
    xs, ds, ms = run(R.lion(lr=0.1, beta1=0.5, beta2=0.75), [[2.0, 0.0], [-4.0, 0.0], [1.0, -0.5]], [0.0, 0.0])
    assert np.array_equal(ds, [[1.0, 0.0], [-1.0, 0.0], [1.0, -1.0]])
    np.testing.assert_allclose(ms[:, 0], [0.5, -0.625, -0.21875], rtol=0)
    np.testing.assert_allclose(xs[-1], [-0.1, 0.1], rtol=1e-15)


def test_interpolation_uses_old_momentum_and_exact_zero():
    """c_2 = beta1 m_1 + (1 - beta1) g_2 = 0.5*0.5 + 0.5*(-0.5) = 0 -> d_2 = 0 (not m_2's sign)."""
    _, ds, ms = run(R.lion(lr=0.1, beta1=0.5, beta2=0.75), [[2.0], [-0.5]], [0.0])
    assert ds[1, 0] == 0.0 and ms[1, 0] == pytest.approx(0.375 - 0.125)
    # beta1 = 1 (allowed, [0, 1]): c_t = m_{t-1}, so d_1 = sign(0) = 0 and d_2 = sign(m_1) = 1
    _, d1, _ = run(R.lion(lr=0.1, beta1=1.0, beta2=0.75), [[2.0], [-0.5]], [0.0])
    assert np.array_equal(d1[:, 0], [0.0, 1.0])


def test_decoupled_weight_decay():
    xs, _, _ = run(R.lion(lr=0.1, beta1=0.5, beta2=0.75, weight_decay=0.5), [[2.0]], [3.0])
    assert xs[0, 0] == pytest.approx(3.0 * (1 - 0.05) - 0.1, rel=64 * U)


FINITE = st.floats(-1e300, 1e300, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(grads=st.lists(st.lists(FINITE, min_size=3, max_size=3), min_size=1, max_size=10),
       b1=st.floats(0.0, 1.0), b2=st.floats(0.0, 0.999))
def test_direction_is_a_sign(grads, b1, b2):
    """d_t in {-1, 0, 1} for every finite gradient sequence."""
    # c_t and m_t are convex combinations: no overflow even at 1e300 (a warning would fail the test)
    _, ds, _ = run(R.lion(lr=0.1, beta1=b1, beta2=b2), grads, [0.0] * 3)
    assert set(np.unique(ds)) <= {-1.0, 0.0, 1.0}


def test_defaults():
    hp = R.lion().hyperparams
    assert (hp["lr"], hp["beta1"], hp["beta2"]) == (1e-4, 0.9, 0.99)
