"""NAdam in torch.optim.NAdam's definition (Dozat 2016 with momentum decay), an s3 Sec. 5 baseline.

The torch documentation's algorithm, step t with mu_t = beta1 (1 - 0.5 * 0.96^(t psi)):

    m_t = beta1 m_{t-1} + (1 - beta1) g_t,   v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
    m^_t = mu_{t+1} m_t / (1 - prod_{i<=t+1} mu_i) + (1 - mu_t) g_t / (1 - prod_{i<=t} mu_i)
    v^_t = v_t / (1 - beta2^t),   x_{t+1} = x_t - gamma m^_t / (sqrt(v^_t) + eps)

The expected values are this arithmetic written out with scalars (beta1 = 0.5, beta2 = 0.75).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import reference as R
from _cases import U, run

RTOL = 64 * U


@pytest.mark.parametrize("psi", [0.0, 0.5, 4e-3])
def test_two_steps_by_hand(psi):
    """g = 2 then 4 (m1 = 1, v1 = 1; m2 = 2.5, v2 = 4.75, as in test_adam), eps = 0."""
    mu1, mu2, mu3 = (0.5 * (1 - 0.5 * 0.96 ** (t * psi)) for t in (1, 2, 3))
    d1 = ((1 - mu1) / (1 - mu1) * 2.0 + mu2 / (1 - mu1 * mu2) * 1.0) / math.sqrt(1.0 / 0.25)
    d2 = ((1 - mu2) / (1 - mu1 * mu2) * 4.0 + mu3 / (1 - mu1 * mu2 * mu3) * 2.5) / math.sqrt(4.75 / 0.4375)
    xs, ds, st_ = run(R.nadam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, momentum_decay=psi), [[2.0], [4.0]], [0.0])
    np.testing.assert_allclose(ds[:, 0], [d1, d2], rtol=RTOL)
    np.testing.assert_allclose(xs[:, 0], [-0.1 * d1, -0.1 * d1 - 0.1 * d2], rtol=RTOL)
    assert st_.mu_product == pytest.approx(mu1 * mu2, rel=RTOL)
    if psi == 0.0:  # mu_t = 0.25 for all t: d1 = (2 + 0.25/0.9375)/2
        assert d1 == pytest.approx((2 + 0.25 / 0.9375) / 2, rel=1e-15)


def test_negative_control_momentum_decay_matters():
    _, d0, _ = run(R.nadam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, momentum_decay=0.0), [[2.0]], [0.0])
    _, d1, _ = run(R.nadam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0, momentum_decay=0.5), [[2.0]], [0.0])
    assert abs(d0[0, 0] - d1[0, 0]) > 1e-3


def test_eps_and_weight_decay():
    """eps outside the sqrt; coupled decay g <- g + lambda x; decoupled x <- x (1 - gamma lambda).

    psi = 0 (mu = 0.25), x0 = 2, lambda = 0.5: coupled g1' = 1 + 1 = 2 -> the hand d1 above with eps:
    d1 = (2 + 0.25/0.9375 * 1) / (2 + eps).
    """
    kw = dict(lr=0.1, beta1=0.5, beta2=0.75, momentum_decay=0.0, weight_decay=0.5)
    d1 = (2 + 0.25 / 0.9375) / (2 + 0.1)
    xs, ds, _ = run(R.nadam(eps=0.1, **kw), [[1.0]], [2.0])
    assert ds[0, 0] == pytest.approx(d1, rel=RTOL)
    assert xs[0, 0] == pytest.approx(2.0 - 0.1 * d1, rel=RTOL)
    # decoupled: the gradient is 2 itself, x1 = 2 (1 - 0.05) - 0.1 d1
    xs, ds, _ = run(R.nadam(eps=0.1, decoupled_weight_decay=True, **kw), [[2.0]], [2.0])
    assert ds[0, 0] == pytest.approx(d1, rel=RTOL)
    assert xs[0, 0] == pytest.approx(2.0 * 0.95 - 0.1 * d1, rel=RTOL)


def test_defaults_are_torch():
    hp = R.nadam().hyperparams
    assert (hp["lr"], hp["beta1"], hp["beta2"], hp["eps"], hp["momentum_decay"]) == (2e-3, 0.9, 0.999, 1e-8, 4e-3)
