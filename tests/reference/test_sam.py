"""sam, adasam (adasam Algorithm 1) and adam_sam (adasam Remark 1) with fake oracles.

adasam Alg. 1, per step: s_t = grad f_B(x_t) (line 3), delta_t = rho s_t/||s_t|| (line 4),
g_t = grad f_B(x_t + delta_t) on the SAME mini-batch B (line 5), then
m_t = b1 m_{t-1} + (1 - b1) g_t, v_t = b2 v_{t-1} + (1 - b2) g_t^2, v^_t = max(v^_{t-1}, v_t),
x_{t+1} = x_t - gamma m_t / sqrt(v^_t), with m_{-1} = 0, v^_{-1} = eps^2 (lines 6-10).

Fake problem: f(x; xi) = ||x - xi||^2 / 2, grad = x - xi, samples xi_1, xi_2, ... fixed.
``SampleOracle`` offers ``sample()`` (one xi frozen for both calls); ``DrawOracle`` draws a new xi
at every call (the fallback, and what replay does).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import reference as R
from _cases import U, run_oracle


def run(alg, oracle, x0, T):
    return run_oracle(alg, x0, oracle, T)

RTOL = 64 * U


class DrawOracle:
    def __init__(self, xis):
        self.xis = [np.asarray(x, dtype=float) for x in xis]
        self.points, self.used = [], []

    def _grad(self, x, k):
        self.points.append(np.array(x, copy=True))
        self.used.append(k)
        return x - self.xis[k]

    def __call__(self, x):
        return self._grad(x, len(self.used))


class SampleOracle(DrawOracle):
    def __init__(self, xis):
        super().__init__(xis)
        self.n_samples = 0

    def sample(self):
        k = self.n_samples
        self.n_samples += 1
        return lambda x: self._grad(x, k)


# x_0 = (1, 0), xi_1 = (-2, 4): s_1 = (3, -4), ||s_1|| = 5, rho = 0.5 -> delta_1 = (0.3, -0.4),
# x_0 + delta_1 = (1.3, -0.4), and with the same sample g_1 = (1.3 + 2, -0.4 - 4) = (3.3, -4.4).
X0 = [1.0, 0.0]
XI1 = [-2.0, 4.0]


def test_sam_same_sample_calls_at_x_and_perturbed_point():
    """sam, beta = 0 (plain SAM-SGD): both calls use xi_1; x_1 = x_0 - 0.1 g_1 = (0.67, 0.44)."""
    oracle = SampleOracle([XI1])
    xs, ds, _ = run(R.sam(lr=0.1, rho=0.5), oracle, X0, 1)
    np.testing.assert_allclose(oracle.points, [[1.0, 0.0], [1.3, -0.4]], rtol=RTOL)
    assert oracle.used == [0, 0]
    np.testing.assert_allclose(ds[0], [3.3, -4.4], rtol=RTOL)
    np.testing.assert_allclose(xs[0], [1 - 0.33, 0.44], rtol=RTOL)


def test_sam_without_sample_method_draws_twice():
    """No sample(): s_1 from xi_1, g_1 from xi_2 = (0, 0) at the same perturbed point -> g_1 = (1.3, -0.4)."""
    oracle = DrawOracle([XI1, [0.0, 0.0]])
    _, ds, _ = run(R.sam(lr=0.1, rho=0.5), oracle, X0, 1)
    np.testing.assert_allclose(oracle.points, [[1.0, 0.0], [1.3, -0.4]], rtol=RTOL)
    assert oracle.used == [0, 1]
    np.testing.assert_allclose(ds[0], [1.3, -0.4], rtol=RTOL)


def test_same_sample_false_ignores_sample_method():
    oracle = SampleOracle([XI1, [0.0, 0.0]])
    _, ds, _ = run(R.sam(lr=0.1, rho=0.5, same_sample=False), oracle, X0, 1)
    assert oracle.used == [0, 1] and oracle.n_samples == 0
    np.testing.assert_allclose(ds[0], [1.3, -0.4], rtol=RTOL)


def test_sam_momentum_two_steps():
    """sam with EMA momentum beta = 0.5: m_1 = 0.5 g_1 = (1.65, -2.2), x_1 = (1 - 0.165, 0.22).
    Step 2 with xi_2 = x_1 - (0, 2): s_2 = (0, 2), delta_2 = (0, 0.5), g_2 = (0, 2.5), m_2 = m_1/2 + (0, 1.25)."""
    x1 = np.array([1 - 0.165, 0.22])
    oracle = SampleOracle([XI1, x1 - [0.0, 2.0]])
    xs, ds, _ = run(R.sam(lr=0.1, rho=0.5, beta=0.5), oracle, X0, 2)
    np.testing.assert_allclose(oracle.points[2:], [x1, x1 + [0.0, 0.5]], rtol=RTOL)
    np.testing.assert_allclose(ds, [[1.65, -2.2], [0.825, -1.1 + 1.25]], rtol=RTOL)
    np.testing.assert_allclose(xs[1], x1 - 0.1 * np.array([0.825, 0.15]), rtol=RTOL)


# adasam, b1 = 0.5, b2 = 0.75, eps = 0.1 (v^_{-1} = 0.01), rho = 0.5, lr = 0.1:
# t1: g_1 = (3.3, -4.4), m_1 = (1.65, -2.2), v_1 = 0.25 g_1^2 = (2.7225, 4.84) = (1.65^2, 2.2^2),
#     v^_1 = v_1 -> d_1 = (1, -1), x_1 = (0.9, 0.1)
# t2: xi_2 = (0.9, 0): s_2 = (0, 0.1), delta_2 = (0, 0.5), g_2 = (0, 0.6); m_2 = (0.825, -0.8);
#     v_2 = (0.75*2.7225, 0.75*4.84 + 0.25*0.36) = (2.041875, 3.72) < v^_1 -> v^_2 = v^_1,
#     d_2 = (0.825/1.65, -0.8/2.2) = (0.5, -4/11)
def test_adasam_two_steps_and_the_max():
    oracle = SampleOracle([XI1, [0.9, 0.0]])
    xs, ds, st_ = run(R.adasam(lr=0.1, rho=0.5, beta1=0.5, beta2=0.75, eps=0.1), oracle, X0, 2)
    np.testing.assert_allclose(ds, [[1.0, -1.0], [0.5, -4 / 11]], rtol=RTOL)
    np.testing.assert_allclose(oracle.points, [[1, 0], [1.3, -0.4], [0.9, 0.1], [0.9, 0.6]], rtol=RTOL)
    np.testing.assert_allclose(st_.v, [2.041875, 3.72], rtol=RTOL)
    np.testing.assert_allclose(st_.v_hat, [2.7225, 4.84], rtol=RTOL)
    np.testing.assert_allclose(xs[1], [0.9 - 0.05, 0.1 + 0.1 * 4 / 11], rtol=RTOL)


def test_adam_sam_drops_the_max():
    """adasam Remark 1, line 8 dropped: v^_t = v_t, with v_{-1} = v^_{-1} = eps^2 = 0.01 (module docstring).

    d_1 = m_1 / sqrt(0.75*0.01 + 0.25 g_1^2); x_1 differs from adasam's, so step 2 is evaluated at
    the adam_sam iterate; we give it the same s_2/g_2 relation (xi_2 = x_1 - (0, 0.1))."""
    v1 = [0.0075 + 2.7225, 0.0075 + 4.84]
    d1 = [1.65 / math.sqrt(v1[0]), -2.2 / math.sqrt(v1[1])]
    x1 = np.array([1 - 0.1 * d1[0], -0.1 * d1[1]])
    oracle = SampleOracle([XI1, x1 - [0.0, 0.1]])
    _, ds, _ = run(R.adam_sam(lr=0.1, rho=0.5, beta1=0.5, beta2=0.75, eps=0.1), oracle, X0, 2)
    v2 = [0.75 * v1[0], 0.75 * v1[1] + 0.25 * 0.36]
    np.testing.assert_allclose(ds, [d1, [0.825 / math.sqrt(v2[0]), -0.8 / math.sqrt(v2[1])]], rtol=RTOL)


@pytest.mark.parametrize("name", ["adasam", "adam_sam"])
def test_adaptive_sam_without_sample_method_draws_twice(name):
    """No sample(): s_1 from xi_1, g_1 = (1.3, -0.4) from xi_2 = 0 at x_0 + delta_1 = (1.3, -0.4).
    m_1 = (0.65, -0.2), v_1 = v_0 b2 + 0.25 g_1^2 with v_0 = 0 (adasam) or eps^2 = 0.01 (adam_sam)."""
    oracle = DrawOracle([XI1, [0.0, 0.0]])
    _, ds, _ = run(R.ALGORITHMS[name](lr=0.1, rho=0.5, beta1=0.5, beta2=0.75, eps=0.1), oracle, X0, 1)
    np.testing.assert_allclose(oracle.points, [[1.0, 0.0], [1.3, -0.4]], rtol=RTOL)
    assert oracle.used == [0, 1]
    v0 = 0.0 if name == "adasam" else 0.01
    v1 = [0.75 * v0 + 0.25 * 1.69, 0.75 * v0 + 0.25 * 0.16]
    np.testing.assert_allclose(ds[0], [0.65 / math.sqrt(v1[0]), -0.2 / math.sqrt(v1[1])], rtol=RTOL)


def test_adasam_beta2_one_recovers_sam():
    """adasam Remark 1: beta2 = 1 -> v_t = v_{-1} = 0, v^_t = eps^2, d_t = m_t / eps: SAM with
    momentum beta1 and learning rate gamma/eps."""
    xis = np.random.default_rng(3).normal(size=(6, 3))
    a_or, s_or = SampleOracle(xis), SampleOracle(xis)
    xa, da, _ = run(R.adasam(lr=0.01, rho=0.2, beta1=0.7, beta2=1.0, eps=0.1), a_or, [0.5, 0.0, -1.0], 6)
    xs, ds, _ = run(R.sam(lr=0.1, rho=0.2, beta=0.7), s_or, [0.5, 0.0, -1.0], 6)
    np.testing.assert_allclose(da * 0.1, ds, rtol=1e-13)
    np.testing.assert_allclose(xa, xs, rtol=1e-13)


def test_zero_s_and_zero_rho_give_no_perturbation():
    """s_t = 0 -> delta_t = 0 (0/0 := 0); rho = 0 -> delta_t = 0: both calls at x_t."""
    oracle = SampleOracle([[1.0, 0.0]])  # grad at x_0 = (1, 0) is 0
    _, ds, _ = run(R.adasam(lr=0.1, rho=0.5), oracle, X0, 1)
    np.testing.assert_array_equal(oracle.points, [X0, X0])
    assert np.array_equal(ds[0], [0.0, 0.0])
    oracle = SampleOracle([XI1])
    run(R.sam(lr=0.1, rho=0.0), oracle, X0, 1)
    np.testing.assert_array_equal(oracle.points, [X0, X0])


@pytest.mark.parametrize("factory", [R.sam, R.adasam, R.adam_sam])
def test_two_oracle_calls_per_step(factory):
    alg = factory(lr=0.1)
    assert alg.oracle_calls == 2
    tr = R.replay(alg, np.ones((6, 2)))
    assert tr.x.shape == (4, 2)  # 6 gradients = 3 steps
