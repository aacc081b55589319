"""Adan (Xie et al.), an s3 Sec. 5 baseline; its Nesterov estimator is NAG (III) (s3 Sec. 3).

The Adan paper is not among /work/shared/papers.  'official' is checked against the arithmetic of
the official implementation (github.com/sail-sg/Adan, ``adan.py``, ``_single_tensor_adan``):
``neg_pre_grad = -g_1`` at step 1 (so the first difference is 0), ``exp_avg = b1 m + (1-b1) g``,
``exp_avg_diff = b2 v + (1-b2)(g - g_prev)``, ``u = g + b2 (g - g_prev)``,
``exp_avg_sq = b3 n + (1-b3) u^2``, ``denom = sqrt(n)/sqrt(1 - b3^t) + eps``,
``x -= lr/(1-b1^t) m/denom + lr b2/(1-b2^t) v/denom``, then ``x /= 1 + lr wd`` (or, no_prox,
``x *= 1 - lr wd`` first).  'paper' is Adan's Algorithm 1 update as the module documents it
(coefficients weight the new term; no bias correction; m_0 = n_0 = 0, g_0 := g_1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import reference as R
from _cases import U, run

RTOL = 64 * U


# official, (b1, b2, b3) = (0.5, 0.5, 0.75), eps = 0, g = 2, 4, 1:
# t1: diff 0, m = 1, v = 0, u = 2, n = 0.25*4 = 1; denom = 1/sqrt(0.25) = 2; num = 1/0.5 + 0 = 2 -> d1 = 1
# t2: diff 2, m = 0.5 + 2 = 2.5, v = 0.5*2 = 1, u = 4 + 1 = 5, n = 0.75 + 0.25*25 = 7;
#     denom = sqrt(7/0.4375) = 4; num = 2.5/0.75 + 0.5*1/0.75 = 4 -> d2 = 1
# t3: diff -3, m = 1.25 + 0.5 = 1.75, v = 0.5 - 1.5 = -1, u = 1 - 1.5 = -0.5, n = 5.25 + 0.0625 = 5.3125;
#     denom = sqrt(5.3125/0.578125); num = 1.75/0.875 + 0.5*(-1)/0.875
OFFICIAL_D = [1.0, 1.0, (1.75 / 0.875 - 0.5 / 0.875) / math.sqrt(5.3125 / 0.578125)]


def test_official_three_steps():
    alg = R.adan(lr=0.1, beta1=0.5, beta2=0.5, beta3=0.75, eps=0.0)
    xs, ds, st_ = run(alg, [[2.0], [4.0], [1.0]], [0.0])
    np.testing.assert_allclose(ds[:, 0], OFFICIAL_D, rtol=RTOL)
    np.testing.assert_allclose(st_.m, [1.75], rtol=RTOL)
    np.testing.assert_allclose(st_.v, [-1.0], rtol=RTOL)
    np.testing.assert_allclose(st_.n, [5.3125], rtol=RTOL)
    np.testing.assert_allclose(st_.g_prev, [1.0], rtol=0)


def test_official_eps_and_proximal_weight_decay():
    """eps outside the sqrt; proximal decay x_{t+1} = (x_t - lr d_t)/(1 + lr wd) (default) vs
    no_prox x_{t+1} = x_t (1 - lr wd) - lr d_t.  x0 = 1, lr = 0.1, wd = 0.5, g = 2: d1 = 2/(2 + 0.5)."""
    kw = dict(lr=0.1, beta1=0.5, beta2=0.5, beta3=0.75, eps=0.5, weight_decay=0.5)
    xs, ds, _ = run(R.adan(**kw), [[2.0]], [1.0])
    assert ds[0, 0] == pytest.approx(2 / 2.5, rel=RTOL)
    assert xs[0, 0] == pytest.approx((1.0 - 0.1 * 0.8) / 1.05, rel=RTOL)
    xs, _, _ = run(R.adan(no_prox=True, **kw), [[2.0]], [1.0])
    assert xs[0, 0] == pytest.approx(1.0 * 0.95 - 0.1 * 0.8, rel=RTOL)


def test_paper_form_two_steps():
    """'paper': m = (1-b1) m + b1 g, v = (1-b2) v + b2 diff, n = (1-b3) n + b3 (g + (1-b2) diff)^2,
    d = (m + (1-b2) v)/(sqrt(n) + eps), no bias correction.  Paper betas (0.25, 0.5, 0.25), g = 2, 4:

    t1: m = 0.5, v = 0, n = 0.25*4 = 1 -> d1 = 0.5
    t2: m = 0.375 + 1 = 1.375, v = 0.5*2 = 1, u = 4 + 0.5*2 = 5, n = 0.75 + 6.25 = 7 -> d2 = 1.875/sqrt 7
    """
    alg = R.adan(lr=0.1, beta1=0.25, beta2=0.5, beta3=0.25, eps=0.0, form="paper")
    _, ds, _ = run(alg, [[2.0], [4.0]], [0.0])
    np.testing.assert_allclose(ds[:, 0], [0.5, 1.875 / math.sqrt(7)], rtol=RTOL)
    # negative control: the same numbers read as official betas give different steps
    _, do, _ = run(R.adan(lr=0.1, beta1=0.25, beta2=0.5, beta3=0.25, eps=0.0), [[2.0], [4.0]], [0.0])
    assert abs(do[1, 0] - ds[1, 0]) > 1e-2


def test_default_betas_per_form():
    """None resolves to (0.98, 0.92, 0.99) (official) / (0.02, 0.08, 0.01) (paper convention)."""
    g = np.random.default_rng(0).normal(size=(6, 3))
    a = R.replay(R.adan(lr=0.1), g)
    b = R.replay(R.adan(lr=0.1, beta1=0.98, beta2=0.92, beta3=0.99), g)
    assert np.array_equal(a.x, b.x)
    c = R.replay(R.adan(lr=0.1, form="paper"), g)
    e = R.replay(R.adan(lr=0.1, form="paper", beta1=0.02, beta2=0.08, beta3=0.01), g)
    assert np.array_equal(c.x, e.x)
    assert not np.allclose(a.x, c.x)  # bias correction is the difference between the forms
