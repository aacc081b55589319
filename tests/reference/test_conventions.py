"""The convention options added for third-party implementations (reference.oracle's conformance):
nadam ``mu_schedule='constant'`` (optax.nadam), amsgrad ``v_max_of='v_hat'`` (optax.amsgrad),
rmsprop ``v0`` (TF1 / optax ``initial_scale``).  Each is checked against its closed form written
out here from the library's documented update, and shown to change the result (negative control).
"""

from __future__ import annotations

import numpy as np
import pytest

import reference as R

T = 40


def _grads(seed: int = 0, d: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    g = (rng.standard_t(2.0, size=(T, d)) + 0.3) * 10.0 ** rng.uniform(-2, 1, size=d)
    g[T // 2:] *= 1e-2  # v_t decreases in the second half (where the AMSGrad forms differ)
    return g


def _close(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)


def test_nadam_constant_mu_is_optax_nesterov_adam() -> None:
    """optax scale_by_adam(nesterov=True): m^ = b1 m_t/(1 - b1^(t+1)) + (1 - b1) g_t/(1 - b1^t)."""
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 1e-2
    g = _grads()
    x = np.zeros(g.shape[1])
    m = v = np.zeros_like(x)
    xs = []
    for t, gt in enumerate(g, start=1):
        m = b1 * m + (1 - b1) * gt
        v = b2 * v + (1 - b2) * gt * gt
        m_hat = b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * gt / (1 - b1**t)
        x = x - lr * m_hat / (np.sqrt(v / (1 - b2**t)) + eps)
        xs.append(x)
    ours = R.replay(R.nadam(lr=lr, mu_schedule="constant"), g).x[1:]
    _close(ours, np.stack(xs))
    dozat = R.replay(R.nadam(lr=lr), g).x[1:]
    assert np.abs(dozat - ours).max() > 1e-4  # the schedule matters


def test_nadam_constant_ignores_momentum_decay() -> None:
    g = _grads(1)
    a = R.replay(R.nadam(lr=1e-2, mu_schedule="constant", momentum_decay=0.0), g).x
    b = R.replay(R.nadam(lr=1e-2, mu_schedule="constant", momentum_decay=0.5), g).x
    assert np.array_equal(a, b)


def test_amsgrad_v_hat_is_optax_default() -> None:
    """optax scale_by_amsgrad: nu_max = max(nu_max, v_t/(1 - b2^t)), d = m^/(sqrt(nu_max) + eps)."""
    b1, b2, eps, lr = 0.9, 0.99, 1e-8, 1e-2
    g = _grads(2)
    x = np.zeros(g.shape[1])
    m = v = vmax = np.zeros_like(x)
    xs, vmaxs = [], []
    for t, gt in enumerate(g, start=1):
        m = b1 * m + (1 - b1) * gt
        v = b2 * v + (1 - b2) * gt * gt
        vmax = np.maximum(vmax, v / (1 - b2**t))
        x = x - lr * (m / (1 - b1**t)) / (np.sqrt(vmax) + eps)
        xs.append(x)
        vmaxs.append(vmax)
    tr = R.replay(R.amsgrad(lr=lr, beta2=b2, v_max_of="v_hat"), g)
    _close(tr.x[1:], np.stack(xs))
    _close(tr.state.v_max, np.stack(vmaxs))
    torch_form = R.replay(R.amsgrad(lr=lr, beta2=b2), g).x[1:]
    assert np.abs(torch_form - tr.x[1:]).max() > 1e-6  # differ once v decreases


def test_amsgrad_v_max_of_is_moot_without_bias_correction() -> None:
    g = _grads(3)
    a = R.replay(R.amsgrad(lr=1e-2, bias_correction=False), g).x
    b = R.replay(R.amsgrad(lr=1e-2, bias_correction=False, v_max_of="v_hat"), g).x
    assert np.array_equal(a, b)


@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop_v0_is_the_initial_second_moment(centered: bool) -> None:
    """v_0 = v0: the first step divides by sqrt(beta2 v0 + (1 - beta2) g^2) (+ eps)."""
    g = _grads(4)
    alg = R.rmsprop(lr=1e-2, beta2=0.9, v0=1.0, centered=centered, eps_inside_sqrt=True, eps=1e-10)
    state = alg.init(np.zeros(g.shape[1]))
    assert np.array_equal(state.v, np.ones(g.shape[1]))
    tr = R.replay(alg, g)
    v1 = 0.9 + 0.1 * g[0] ** 2
    var = v1 - (0.1 * g[0]) ** 2 if centered else v1
    _close(tr.x[1], -1e-2 * g[0] / np.sqrt(var + 1e-10))
    zero = R.replay(R.rmsprop(lr=1e-2, beta2=0.9, centered=centered, eps_inside_sqrt=True, eps=1e-10), g).x
    assert np.abs(zero - tr.x).max() > 1e-3
