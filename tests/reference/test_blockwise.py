"""adasgd (adamlinf Algorithm 2) and blockwise_adam (adamlinf Algorithm 3).

Alg. 3: m_{t,i} = b1 m_{t-1,i} + (1 - b1) g_{t,i};
        v_{t,b} = b2 v_{t-1,b} + (1 - b2) sum_{Phi(i)=b} g_{t,i}^2 / d_b   (v_{0,b} = v0);
        x_{t,i} = x_{t-1,i} - eta_t m_{t,i} / sqrt(v_{t,Phi(i)} + eps).
Phi = identity is adamlinf's Adam (Alg. 1), Phi = const is AdaSGD (Alg. 2) (adamlinf Sec. 3.3).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import reference as R
from _cases import U, run

RTOL = 64 * U


def test_non_contiguous_partition_by_hand():
    """Phi = (1, 0, 1): coordinates 0 and 2 share a block, 1 is alone.  b1 = 0.5, b2 = 0.75, eps = 0.

    g_1 = (2, -1, 4): block {0,2}: mean g^2 = (4 + 16)/2 = 10, v = 2.5; block {1}: v = 0.25;
        m_1 = (1, -0.5, 2) -> d_1 = (1/sqrt 2.5, -0.5/0.5, 2/sqrt 2.5)
    g_2 = (0, 3, -2): block {0,2}: mean = 2, v = 1.875 + 0.5 = 2.375; block {1}: v = 0.1875 + 2.25 = 2.4375;
        m_2 = (0.5, 1.25, 0) -> d_2 = (0.5/sqrt 2.375, 1.25/sqrt 2.4375, 0)
    """
    alg = R.blockwise_adam(lr=0.1, blocks=[1, 0, 1], beta1=0.5, beta2=0.75)
    xs, ds, st_ = run(alg, [[2.0, -1.0, 4.0], [0.0, 3.0, -2.0]], [0.0, 0.0, 0.0])
    s25 = math.sqrt(2.5)
    np.testing.assert_allclose(ds, [[1 / s25, -1.0, 2 / s25],
                                    [0.5 / math.sqrt(2.375), 1.25 / math.sqrt(2.4375), 0.0]], rtol=RTOL)
    np.testing.assert_allclose(st_.v, [2.4375, 2.375], rtol=RTOL)  # blocks in sorted id order (0, 1)
    np.testing.assert_allclose(xs[-1], -0.1 * ds.sum(axis=0), rtol=RTOL)


def test_eps_and_v0():
    """v0 = 1, eps = 0.25 (adamlinf Alg. 3's v_{0,b} and eps inside the sqrt), same g_1:
    v_1 = (0.75 + 2.5, 0.75 + 0.25) -> d_1 = (1/sqrt 3.5, -0.5/sqrt 1.25, 2/sqrt 3.5)."""
    alg = R.blockwise_adam(lr=0.1, blocks=[1, 0, 1], beta1=0.5, beta2=0.75, eps=0.25, v0=1.0)
    _, ds, _ = run(alg, [[2.0, -1.0, 4.0]], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(ds[0], [1 / math.sqrt(3.5), -0.5 / math.sqrt(1.25), 2 / math.sqrt(3.5)], rtol=RTOL)


def test_adasgd_by_hand():
    """adamlinf Alg. 2: v_t = b2 v_{t-1} + (1 - b2) ||g_t||^2/d.  b1 = 0.5, b2 = 0.75, d = 2:
    g_1 = (3, 4): v_1 = 0.25 * 12.5, m_1 = (1.5, 2); g_2 = (0, -2): v_2 = 0.75 v_1 + 0.25 * 2, m_2 = (0.75, 0)."""
    xs, ds, st_ = run(R.adasgd(lr=0.1, beta1=0.5, beta2=0.75), [[3.0, 4.0], [0.0, -2.0]], [0.0, 0.0])
    v1 = 0.25 * 12.5
    v2 = 0.75 * v1 + 0.5
    np.testing.assert_allclose(ds, [[1.5 / math.sqrt(v1), 2 / math.sqrt(v1)], [0.75 / math.sqrt(v2), 0.0]], rtol=RTOL)
    assert st_.v.shape == (1,) and st_.v[0] == pytest.approx(v2, rel=RTOL)
    # negative control: a per-coordinate v (Adam) would give d_1 = (1.5/sqrt(2.25), 2/sqrt(4)) = (1, 1)
    assert abs(ds[0, 0] - 1.0) > 0.1


@pytest.mark.parametrize("d", [3, 9, 37])
@pytest.mark.parametrize("ids", ["identity", "reversed", "sparse"])
def test_identity_partition_is_adamlinf_adam(d, ids):
    """Phi(i) = i (any distinct ids) gives adam(bias_correction=False, eps_inside_sqrt=True, v0=...)
    bit for bit: each block mean is g_i^2 / 1."""
    blocks = {"identity": list(range(d)), "reversed": list(range(d))[::-1],
              "sparse": [10 * i + 3 for i in range(d)][::-1]}[ids]
    g = np.random.default_rng(d).normal(size=(8, 4, d)) * np.logspace(-3, 3, d)
    kw = dict(lr=0.05, beta1=0.8, beta2=0.95, eps=1e-6, v0=0.3)
    a = R.replay(R.blockwise_adam(blocks=blocks, **kw), g)
    b = R.replay(R.adam(bias_correction=False, eps_inside_sqrt=True, **kw), g)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.direction, b.direction)


@pytest.mark.parametrize("d", [2, 3, 8, 9, 37])
def test_single_block_partition_is_adasgd(d):
    """Phi(i) = 1 gives AdaSGD (adamlinf Sec. 3.3).  Equal up to rounding, not bit for bit: the block
    mean is np.add.reduceat (sequential) and AdaSGD's ||g||^2 is np.sum (pairwise/unrolled), so the
    two sums of d squares differ by at most (d - 1) u relative (both are sums of non-negative
    terms); v_t inherits that relative error (an EMA of such sums, plus 2 u), and d_t = m/sqrt(v + eps)
    half of it plus 2 u: |d_block - d_adasgd| <= ((d - 1) + 8) u |d|."""
    g = np.random.default_rng(d).normal(size=(10, 3, d)) * np.logspace(-2, 2, d)
    kw = dict(lr=0.05, beta1=0.8, beta2=0.95, eps=1e-6, v0=0.3)
    a = R.replay(R.blockwise_adam(blocks=[5] * d, **kw), g)
    b = R.replay(R.adasgd(**kw), g)
    np.testing.assert_allclose(a.direction, b.direction, rtol=(d + 7) * U, atol=0)
    np.testing.assert_allclose(a.state.v[..., 0], b.state.v[..., 0], rtol=(d + 7) * U, atol=0)


def test_adasgd_is_rotation_invariant_and_adam_is_not():
    """adamlinf Theorem 2.2: AdaSGD is rotation-invariant (d(R g) = R d(g)); Adam is only
    permutation-invariant (the negative control)."""
    rng = np.random.default_rng(11)
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    g = rng.normal(size=(10, 4)) * [10.0, 1.0, 0.1, 0.01]
    kw = dict(lr=0.05, beta1=0.9, beta2=0.99)
    a = R.replay(R.adasgd(**kw), g)
    a_rot = R.replay(R.adasgd(**kw), g @ Q.T)
    np.testing.assert_allclose(a_rot.direction, a.direction @ Q.T, rtol=1e-12, atol=1e-12)
    b = R.replay(R.blockwise_adam(blocks=[0, 1, 2, 3], **kw), g)
    b_rot = R.replay(R.blockwise_adam(blocks=[0, 1, 2, 3], **kw), g @ Q.T)
    assert np.abs(b_rot.direction - b.direction @ Q.T).max() > 1e-2
    perm = [2, 0, 3, 1]
    b_perm = R.replay(R.blockwise_adam(blocks=[0, 1, 2, 3], **kw), g[:, perm])
    assert np.array_equal(b_perm.direction, b.direction[:, perm])


def test_blocks_must_match_dimension():
    alg = R.blockwise_adam(lr=0.1, blocks=[0, 1, 0])
    with pytest.raises(ValueError, match="blocks has 3 entries but x has d = 4"):
        alg.init(np.zeros(4))
