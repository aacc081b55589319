"""adam, adamw, adam_clipped, amsgrad, rmsprop against hand-computed steps (d <= 2).

Adam as s3 Eq. (2) (bias-corrected m_t / (1 - beta1^t), v_t / (1 - beta2^t)) and as adamlinf
Algorithm 1 (no bias correction, ``m / sqrt(v + eps)``, ``v_0 = v0``).  Hand values use
beta1 = 0.5, beta2 = 0.75, so 1 - beta1 = 0.5, 1 - beta2 = 0.25, 1 - beta2^2 = 0.4375.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as R
from _cases import U, coefficient, run

RTOL = 64 * U
B1, B2 = 0.5, 0.75
G = [[2.0, -1.0], [4.0, 0.0]]  # g_1, g_2 for coordinates 0 and 1


# Hand derivation (s3 Eq. 2), coordinate 0 (g = 2, 4):
#   m1 = 0.5*2 = 1, v1 = 0.25*4 = 1, m^1 = 1/0.5 = 2, v^1 = 1/0.25 = 4
#   m2 = 0.5 + 0.5*4 = 2.5, v2 = 0.75 + 0.25*16 = 4.75, m^2 = 2.5/0.75 = 10/3, v^2 = 4.75/0.4375 = 76/7
# coordinate 1 (g = -1, 0):
#   m1 = -0.5, v1 = 0.25, m^1 = -1, v^1 = 1;  m2 = -0.25, v2 = 0.1875, m^2 = -1/3, v^2 = 3/7
MHAT = [[2.0, -1.0], [10 / 3, -1 / 3]]
VHAT = [[4.0, 1.0], [76 / 7, 3 / 7]]


def test_adam_eq2_eps0():
    """s3 Eq. (2): x_{t+1} = x_t - gamma m^_t / sqrt(v^_t) (eps = 0)."""
    xs, ds, st_ = run(R.adam(lr=0.1, beta1=B1, beta2=B2, eps=0.0), G, [0.0, 0.0])
    expected = [[MHAT[t][j] / math.sqrt(VHAT[t][j]) for j in range(2)] for t in range(2)]
    np.testing.assert_allclose(ds, expected, rtol=RTOL)
    np.testing.assert_allclose(xs[1], [-0.1 * (expected[0][0] + expected[1][0]),
                                       -0.1 * (expected[0][1] + expected[1][1])], rtol=RTOL)
    np.testing.assert_allclose(st_.m, [2.5, -0.25], rtol=RTOL)  # un-corrected buffers
    np.testing.assert_allclose(st_.v, [4.75, 0.1875], rtol=RTOL)


def test_adam_negative_control_without_bias_correction_differs():
    """Dropping the bias correction changes step 2 (m2/sqrt(v2) = 2.5/sqrt(4.75) != (10/3)/sqrt(76/7))."""
    _, ds, _ = run(R.adam(lr=0.1, beta1=B1, beta2=B2, eps=0.0, bias_correction=False), G, [0.0, 0.0])
    assert ds[1, 0] == pytest.approx(2.5 / math.sqrt(4.75), rel=RTOL)
    assert abs(ds[1, 0] - (10 / 3) / math.sqrt(76 / 7)) > 0.1


def test_adam_eps_outside_sqrt_torch_form():
    """torch.optim.Adam: d = m^ / (sqrt(v^) + eps), eps = 0.1."""
    _, ds, _ = run(R.adam(lr=0.1, beta1=B1, beta2=B2, eps=0.1), G, [0.0, 0.0])
    expected = [[MHAT[t][j] / (math.sqrt(VHAT[t][j]) + 0.1) for j in range(2)] for t in range(2)]
    np.testing.assert_allclose(ds, expected, rtol=RTOL)


def test_adam_eps_inside_sqrt_bias_corrected():
    """eps_inside_sqrt with bias correction: d = m^ / sqrt(v^ + eps), eps = 0.1."""
    _, ds, _ = run(R.adam(lr=0.1, beta1=B1, beta2=B2, eps=0.1, eps_inside_sqrt=True), G, [0.0, 0.0])
    expected = [[MHAT[t][j] / math.sqrt(VHAT[t][j] + 0.1) for j in range(2)] for t in range(2)]
    np.testing.assert_allclose(ds, expected, rtol=RTOL)


def test_adamlinf_algorithm1_v0():
    """adamlinf Alg. 1: v_{0,i} = v0, no bias correction, d = m_t / sqrt(v_t + eps).

    v0 = 1, eps = 0.25.  coord 0: m1 = 1, v1 = 0.75 + 1 = 1.75 -> d1 = 1/sqrt 2;
    m2 = 2.5, v2 = 0.75*1.75 + 4 = 5.3125 -> d2 = 2.5/sqrt(5.5625).
    coord 1: m1 = -0.5, v1 = 0.75 + 0.25 = 1 -> d1 = -0.5/sqrt 1.25; m2 = -0.25, v2 = 0.75 -> d2 = -0.25/sqrt 1.
    """
    alg = R.adam(lr=0.1, beta1=B1, beta2=B2, eps=0.25, bias_correction=False, eps_inside_sqrt=True, v0=1.0)
    _, ds, st_ = run(alg, G, [0.0, 0.0])
    np.testing.assert_allclose(ds, [[1 / math.sqrt(2), -0.5 / math.sqrt(1.25)],
                                    [2.5 / math.sqrt(5.5625), -0.25]], rtol=RTOL)
    np.testing.assert_allclose(st_.v, [5.3125, 0.75], rtol=RTOL)
    # v0 matters: v0 = 0 gives d1 = 1/sqrt(1 + 0.25) on coordinate 0
    _, ds0, _ = run(R.adam(lr=0.1, beta1=B1, beta2=B2, eps=0.25, bias_correction=False,
                           eps_inside_sqrt=True), G[:1], [0.0, 0.0])
    assert ds0[0, 0] == pytest.approx(1 / math.sqrt(1.25), rel=RTOL)


def test_adam_coupled_l2_weight_decay():
    """Coupled (L2) weight decay, torch.optim.Adam(weight_decay): g <- g + lambda x.

    x0 = 1, lambda = 0.5, lr = 0.1, eps = 0, g = 2, 4:
    g1' = 2.5, m1 = 1.25, v1 = 1.5625 -> m^ = 2.5, v^ = 6.25, d1 = 1, x1 = 0.9;
    g2' = 4 + 0.45 = 4.45, m2 = 0.625 + 2.225 = 2.85, v2 = 0.75*1.5625 + 0.25*4.45^2.
    """
    xs, ds, _ = run(R.adam(lr=0.1, beta1=B1, beta2=B2, eps=0.0, weight_decay=0.5), [[2.0], [4.0]], [1.0])
    v2 = 0.75 * 1.5625 + 0.25 * 4.45**2
    d2 = (2.85 / 0.75) / math.sqrt(v2 / 0.4375)
    np.testing.assert_allclose(ds[:, 0], [1.0, d2], rtol=RTOL)
    np.testing.assert_allclose(xs[:, 0], [0.9, 0.9 - 0.1 * d2], rtol=RTOL)


def test_adam_decoupled_weight_decay_and_adamw():
    """Decoupled (AdamW): x_{t+1} = x_t (1 - gamma lambda) - gamma d_t; d_t as without decay."""
    xs, ds, _ = run(R.adam(lr=0.1, beta1=B1, beta2=B2, eps=0.0, weight_decay=0.5,
                           decoupled_weight_decay=True), [[2.0], [4.0]], [1.0])
    d2 = (10 / 3) / math.sqrt(76 / 7)
    x1 = 1.0 * (1 - 0.05) - 0.1 * 1.0
    np.testing.assert_allclose(ds[:, 0], [1.0, d2], rtol=RTOL)
    np.testing.assert_allclose(xs[:, 0], [x1, x1 * 0.95 - 0.1 * d2], rtol=RTOL)
    # adamw is the same with decoupled decay by default (lambda = 1e-2, AdamW's default)
    xw, _, _ = run(R.adamw(lr=0.1, beta1=B1, beta2=B2, eps=0.0), [[2.0]], [1.0])
    assert xw[0, 0] == pytest.approx(1.0 * (1 - 0.1 * 1e-2) - 0.1, rel=RTOL)
    assert R.adamw(lr=0.1).hyperparams["decoupled_weight_decay"] is True


def test_amsgrad_keeps_the_max():
    """AMSGrad (Reddi et al. 2018, torch form): v_max_t = max(v_max_{t-1}, v_t), denominator
    sqrt(v_max_t)/sqrt(1 - beta2^t) + eps.  g = 2 then 0 (v decreases), eps = 0:

    t1: m = 1, v = 1, v_max = 1 -> d1 = 2 / (1/0.5) = 1;
    t2: m = 0.5, v = 0.75 < v_max = 1 -> d2 = (0.5/0.75) / (1/sqrt 0.4375).
    """
    _, ds, st_ = run(R.amsgrad(lr=0.1, beta1=B1, beta2=B2, eps=0.0), [[2.0], [0.0]], [0.0])
    np.testing.assert_allclose(ds[:, 0], [1.0, (0.5 / 0.75) * math.sqrt(0.4375)], rtol=RTOL)
    assert st_.v_max[0] == 1.0 and st_.v[0] == 0.75
    # negative control: plain Adam uses v2 = 0.75 and gives a larger step
    _, da, _ = run(R.adam(lr=0.1, beta1=B1, beta2=B2, eps=0.0), [[2.0], [0.0]], [0.0])
    assert da[1, 0] == pytest.approx((0.5 / 0.75) / math.sqrt(0.75 / 0.4375), rel=RTOL)
    assert da[1, 0] > ds[1, 0] + 0.05


def test_adam_clipped_clips_each_coordinate():
    """s3 Sec. 5.5: Adam's update clipped to [-1, 1].  Step 2 coord 0 is (10/3)/sqrt(76/7) = 1.0116."""
    _, ds, _ = run(R.adam_clipped(lr=0.1, beta1=B1, beta2=B2, eps=0.0), G, [0.0, 0.0])
    unclipped = (10 / 3) / math.sqrt(76 / 7)
    assert unclipped > 1.0
    np.testing.assert_allclose(ds, [[1.0, -1.0], [1.0, (-1 / 3) / math.sqrt(3 / 7)]], rtol=RTOL)
    _, dh, _ = run(R.adam_clipped(lr=0.1, beta1=B1, beta2=B2, eps=0.0, clip=0.5), G, [0.0, 0.0])
    np.testing.assert_allclose(dh, [[0.5, -0.5], [0.5, -0.5]], rtol=0)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # v1 = 2, d1 = 2/sqrt 2; v2 = 1 + 8 = 9, d2 = 4/3
        ({}, [math.sqrt(2), 4 / 3]),
        # centered: gbar1 = 1, var1 = 2 - 1 = 1 -> d1 = 2; gbar2 = 0.5 + 2 = 2.5, var2 = 9 - 6.25 -> 4/sqrt(2.75)
        ({"centered": True}, [2.0, 4 / math.sqrt(2.75)]),
        # heavy ball on the preconditioned step: buf2 = 0.5 buf1 + 4/3
        ({"momentum": 0.5}, [math.sqrt(2), 0.5 * math.sqrt(2) + 4 / 3]),
        ({"eps": 0.5, "eps_inside_sqrt": True}, [2 / math.sqrt(2.5), 4 / math.sqrt(9.5)]),
        ({"eps": 0.5}, [2 / (math.sqrt(2) + 0.5), 4 / 3.5]),
    ],
)
def test_rmsprop_torch_form(kwargs, expected):
    """RMSprop (torch.optim.RMSprop, alpha = beta2 = 0.5), g = 2 then 4, eps = 0 unless given."""
    kw = {"lr": 0.1, "beta2": 0.5, "eps": 0.0, **kwargs}
    _, ds, _ = run(R.rmsprop(**kw), [[2.0], [4.0]], [0.0])
    np.testing.assert_allclose(ds[:, 0], expected, rtol=RTOL)


def test_rmsprop_weight_decay_is_coupled():
    """torch RMSprop weight_decay: g <- g + lambda x.  x0 = 2, lambda = 0.5: g1' = 1 + 1 = 2, v1 = 2."""
    xs, ds, _ = run(R.rmsprop(lr=0.1, beta2=0.5, eps=0.0, weight_decay=0.5), [[1.0]], [2.0])
    assert ds[0, 0] == pytest.approx(2 / math.sqrt(2), rel=RTOL)
    assert xs[0, 0] == pytest.approx(2 - 0.1 * math.sqrt(2), rel=RTOL)


# --------------------------------------------------------------------------- properties

def theorem1_bound(b1: float, b2: float, t: int) -> float:
    """s3 Theorem 1, Eq. (3): the bound on |m^_t / sqrt(v^_t)| for beta1^2 < beta2 (finite t)."""
    r = b1 * b1 / b2
    return ((1 - b1) * math.sqrt(1 - b2**t) * math.sqrt(1 - r**t)
            / ((1 - b1**t) * math.sqrt(1 - b2) * math.sqrt(1 - r)))


MAG = st.one_of(st.just(0.0), st.floats(1e-30, 1e30))
GRAD = st.builds(lambda s, m: s * m, st.sampled_from([-1.0, 1.0]), MAG)
GRADS = st.lists(st.lists(GRAD, min_size=2, max_size=2), min_size=1, max_size=12)
# rounding: as in test_s3 (every path to m, v has <= 2T + 3 roundings; bias corrections, sqrt,
# division add <= 6), so |fl(d)| <= bound (1 + (4T + 20) u).


@settings(max_examples=50, deadline=None)
@given(grads=GRADS, b1=coefficient(0.95), b2=st.floats(0.01, 0.999))
def test_theorem1_update_bound(grads, b1, b2):
    """s3 Theorem 1: beta1^2 < beta2 => |m^_t / sqrt(v^_t)| <= Eq. (3) at every t (eps = 0)."""
    if not b1 * b1 < b2 * (1 - 1e-9):
        return
    _, ds, _ = run(R.adam(lr=1e-3, beta1=b1, beta2=b2, eps=0.0), grads, [0.0, 0.0])
    for t, d in enumerate(ds, start=1):
        assert np.all(np.abs(d) <= theorem1_bound(b1, b2, t) * (1 + (4 * len(grads) + 20) * U))


def test_theorem1_bound_is_attained():
    """Equality case of Theorem 1: same signs and |g_k| = (beta2/beta1)^k |g_0| -> d_t = Eq. (3).

    With (0.9, 0.999) and large t the bound is the paper's ~7.27 (s3 Sec. 2).
    """
    b1, b2, T = 0.9, 0.999, 200
    grads = [[(b2 / b1) ** k] for k in range(1, T + 1)]
    _, ds, _ = run(R.adam(lr=1e-3, beta1=b1, beta2=b2, eps=0.0), grads, [0.0])
    np.testing.assert_allclose(ds[:, 0], [theorem1_bound(b1, b2, t) for t in range(1, T + 1)], rtol=1e-12)
    assert 7.2 < (1 - b1) / (math.sqrt(1 - b2) * math.sqrt(1 - b1 * b1 / b2)) < 7.3


@settings(max_examples=50, deadline=None)
@given(grads=GRADS, c=st.floats(1e-3, 1e3), k=st.integers(-20, 20),
       b1=coefficient(0.9), b2=st.floats(0.85, 0.999), bc=st.booleans())
def test_scale_invariance_eps0(grads, c, k, b1, b2, bc):
    """adam(eps=0): m is 1-homogeneous, sqrt(v) too, so g -> c g leaves d unchanged.

    c = 2^k: bit for bit.  General c: both runs are within (4T + 20) u * B of the exact d, where
    B = Eq. (3)'s bound on sum_k w_k |g_k| / sqrt(v^) (the quantity rounding errors are relative to).
    """
    alg = R.adam(lr=1e-3, beta1=b1, beta2=b2, eps=0.0, bias_correction=bc)
    g = np.array(grads)
    _, d, _ = run(alg, g, [0.0, 0.0])
    _, d2k, _ = run(alg, g * 2.0**k, [0.0, 0.0])
    assert np.array_equal(d2k, d)
    _, dc, _ = run(alg, c * g, [0.0, 0.0])
    T = len(g)
    B = max(theorem1_bound(b1, b2, t) for t in range(1, T + 1))
    if not bc:
        B *= max(1.0, 1 / math.sqrt(1 - b2))  # without correction: factor (1-beta1^t)/sqrt(1-beta2^t) <= 1/sqrt(1-b2)
    np.testing.assert_allclose(dc, d, rtol=0, atol=2 * (4 * T + 20) * U * B)


FINITE = st.floats(-1e150, 1e150, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(grads=st.lists(st.lists(FINITE, min_size=3, max_size=3), min_size=1, max_size=10),
       clip=st.floats(1e-6, 1e6), b1=coefficient(0.99), b2=coefficient(0.999), eps=st.sampled_from([0.0, 1e-8]))
def test_adam_clipped_direction_within_clip(grads, clip, b1, b2, eps):
    """s3 Sec. 5.5: every coordinate of the clipped update lies in [-clip, clip] (np.clip is exact)."""
    _, ds, _ = run(R.adam_clipped(lr=1e-3, clip=clip, beta1=b1, beta2=b2, eps=eps), grads, [0.0] * 3)
    assert np.all(np.abs(ds) <= clip)


def test_defaults():
    """Adam's defaults (beta1, beta2) = (0.9, 0.999) as in s3 Sec. 2; torch's eps = 1e-8."""
    hp = R.adam().hyperparams
    assert (hp["beta1"], hp["beta2"], hp["eps"], hp["bias_correction"], hp["eps_inside_sqrt"]) == \
        (0.9, 0.999, 1e-8, True, False)
    assert R.adam_clipped().hyperparams["clip"] == 1.0  # s3 Sec. 5.5 clips to [-1, 1]
