"""generalized_signsgd (gsignsgd Algorithm 1), signsgd, signgd, signum, by hand and as properties.

gsignsgd Alg. 1 (element-wise): m_t = b1 m_{t-1} + (1 - b1) g_t, v_t = b2 v_{t-1} + (1 - b2) m_t^2,
x_{t+1} = x_t - eta m_t / sqrt(v_t), m_0 = v_0 = 0.  beta2 = 0 is Signum (gsignsgd Sec. 4).
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


def test_generalized_signsgd_two_steps():
    """b1 = 0.5, b2 = 0.75, g = 2 then -4 (coordinate 0), 0 then 0 (coordinate 1, 0/0 := 0).

    m1 = 1, v1 = 0.25*1 = 0.25 -> d1 = 1/0.5 = 2;
    m2 = 0.5 - 2 = -1.5, v2 = 0.1875 + 0.25*2.25 = 0.75 -> d2 = -1.5/sqrt(0.75) = -sqrt 3.
    """
    xs, ds, st_ = run(R.generalized_signsgd(lr=0.1, beta1=0.5, beta2=0.75), [[2.0, 0.0], [-4.0, 0.0]], [0.0, 0.0])
    np.testing.assert_allclose(ds, [[2.0, 0.0], [-math.sqrt(3), 0.0]], rtol=RTOL)
    np.testing.assert_allclose(xs[-1], [-0.2 + 0.1 * math.sqrt(3), 0.0], rtol=RTOL)
    np.testing.assert_allclose(st_.v, [0.75, 0.0], rtol=RTOL)
    # negative control: Adam's v from g^2 (not m^2) would give v1 = 0.25*4 = 1 and d1 = 1
    assert ds[0, 0] != pytest.approx(1.0)


def test_generalized_signsgd_eps():
    """eps (0 in the paper) is added to sqrt(v): d1 = 1/(0.5 + 0.5) = 1."""
    _, ds, _ = run(R.generalized_signsgd(lr=0.1, beta1=0.5, beta2=0.75, eps=0.5), [[2.0]], [0.0])
    assert ds[0, 0] == pytest.approx(1.0, rel=RTOL)


def test_signsgd_signgd_signum_by_hand():
    """signsgd/signgd: d = sign(g) (Bernstein et al. 2018; adamlinf Sec. 3.1).
    signum (beta = 0.5): m = 1, -1.5, 0 for g = 2, -4, 3 (0.5*(-1.5) + 0.5*1.5 = 0) -> d = 1, -1, 0."""
    grads = [[2.0, 0.0], [-4.0, -1e-300], [1.5, 5.0]]
    for f in (R.signsgd, R.signgd):
        xs, ds, _ = run(f(lr=0.1), grads, [0.0, 0.0])
        assert np.array_equal(ds, [[1.0, 0.0], [-1.0, -1.0], [1.0, 1.0]])
        np.testing.assert_allclose(xs[-1], [-0.1, 0.0], atol=1e-16)
    _, ds, st_ = run(R.signum(lr=0.1, beta=0.5), [[2.0], [-4.0], [1.5]], [0.0])
    assert np.array_equal(ds[:, 0], [1.0, -1.0, 0.0])
    assert st_.m[0] == 0.0


FINITE = st.floats(-1e150, 1e150, allow_nan=False)
GRADS = st.lists(st.lists(FINITE, min_size=3, max_size=3), min_size=1, max_size=10)


MAG = st.one_of(st.just(0.0), st.floats(1e-30, 1e30))
SGRADS = st.lists(st.lists(st.builds(lambda s, m: s * m, st.sampled_from([-1.0, 1.0]), MAG),
                           min_size=3, max_size=3), min_size=1, max_size=10)


@settings(max_examples=50, deadline=None)
@given(grads=SGRADS, beta=st.one_of(st.just(0.0), st.floats(1e-3, 0.999)))
def test_generalized_signsgd_beta2_zero_is_signum(grads, beta):
    """gsignsgd Sec. 4: beta2 = 0 recovers Signum.  m/sqrt(m^2) = sign(m) exactly in binary floating
    point (sqrt(fl(m*m)) = |m| while m*m is a normal number), so the two agree bit for bit;
    0/0 := 0 = sign(0).  Magnitudes are kept where m*m is normal (see the underflow test below)."""
    _, d_gs, _ = run(R.generalized_signsgd(lr=0.1, beta1=beta, beta2=0.0), grads, [0.0] * 3)
    _, d_sm, _ = run(R.signum(lr=0.1, beta=beta), grads, [0.0] * 3)
    assert np.array_equal(d_gs, d_sm)


def test_generalized_signsgd_underflow_of_m_squared():
    """|m_t| < ~1.5e-154: m_t^2 underflows (to 0 here), so sqrt(v_t) = 0 and the step is 0 by the
    0-denominator rule (reference.algorithm.ratio), where Signum still gives sign(m_t) = 1."""
    _, d_gs, _ = run(R.generalized_signsgd(lr=0.1, beta1=0.0, beta2=0.0), [[3.7e-173]], [0.0])
    _, d_sm, _ = run(R.signum(lr=0.1, beta=0.0), [[3.7e-173]], [0.0])
    assert d_gs[0, 0] == 0.0 and d_sm[0, 0] == 1.0


@settings(max_examples=50, deadline=None)
@given(grads=GRADS, beta=coefficient(0.999))
def test_sign_directions_in_minus_one_zero_one(grads, beta):
    for alg in (R.signsgd(lr=0.1), R.signgd(lr=0.1), R.signum(lr=0.1, beta=beta)):
        _, ds, _ = run(alg, grads, [0.0] * 3)
        assert set(np.unique(ds)) <= {-1.0, 0.0, 1.0}


@settings(max_examples=50, deadline=None)
@given(grads=SGRADS, b1=coefficient(0.99), b2=coefficient(0.999), c=st.floats(1e-3, 1e3),
       k=st.integers(-20, 20))
def test_generalized_signsgd_scale_invariance(grads, b1, b2, c, k):
    """eps = 0: m and sqrt(v) are 1-homogeneous in g (the scale-freeness noted in gsignsgd Sec. 7).

    c = 2^k: bit for bit.  General c: |d_t| <= 1/sqrt(1 - b2) (v_t >= (1 - b2) m_t^2) and the two
    runs differ by at most 2 (4T + 12) u of that bound.
    """
    alg = R.generalized_signsgd(lr=0.1, beta1=b1, beta2=b2)
    g = np.array(grads)
    _, d, _ = run(alg, g, [0.0] * 3)
    _, d2k, _ = run(alg, g * 2.0**k, [0.0] * 3)
    assert np.array_equal(d2k, d)
    _, dc, _ = run(alg, c * g, [0.0] * 3)
    bound = 1 / math.sqrt(1 - b2)
    assert np.all(np.abs(d) <= bound * (1 + 8 * U))
    np.testing.assert_allclose(dc, d, rtol=0, atol=2 * (4 * len(g) + 12) * U * bound)
