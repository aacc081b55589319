"""nag (s3 Theorem 3, Eqs. 5-7) and sgdm (EMA and torch.optim.SGD conventions), by hand.

NAG's oracle is x-dependent here: f(x) = x^2, grad f(x) = 2x, beta = 0.5, gamma = 0.1, so the
look-ahead point of form I matters and is recorded.
"""

from __future__ import annotations

import numpy as np
import pytest

import reference as R
from _cases import U, LinearOracle, run_oracle

RTOL = 64 * U


class Recorder:
    """grad f(x) = 2x, recording every point it is called at."""

    def __init__(self):
        self.points = []

    def __call__(self, x):
        self.points.append(np.array(x, copy=True))
        return 2.0 * x


# Hand derivation on f(x) = x^2 from x~_1 = x_1 = 1 (m_0 = 0):
# form I (Eq. 5):  y1 = 1, g1 = 2, m1 = 1, x~2 = 0.9;
#                  y2 = 0.9 - 0.05*1 = 0.85, g2 = 1.7, m2 = 0.5 + 0.85 = 1.35, x~3 = 0.765;
#                  y3 = 0.765 - 0.05*1.35 = 0.6975, g3 = 1.395, m3 = 0.675 + 0.6975 = 1.3725, x~4 = 0.62775
# form II (Eq. 6): d1 = 0.5*1 + 0.5*2 = 1.5, x2 = 0.85; d2 = 0.675 + 0.85 = 1.525, x3 = 0.6975;
#                  d3 = 0.68625 + 0.6975 = 1.38375, x4 = 0.559125
# form III (Eq. 7, g_0 = 0): r1 = 0.5*(2 - 0) = 1, d1 = m1 + 0.5 r1 = 1.5;
#                  r2 = 0.5 + 0.5*(1.7 - 2) = 0.35, d2 = 1.35 + 0.175 = 1.525;
#                  r3 = 0.175 + 0.5*(1.395 - 1.7) = 0.0225, d3 = 1.3725 + 0.01125 = 1.38375


def test_nag_form_I_calls_the_oracle_at_the_look_ahead_point():
    """s3 Eq. (5): g_t = grad f(x~_t - gamma beta m_{t-1}); x~_{t+1} = x~_t - gamma m_t."""
    rec = Recorder()
    xs, ds, _ = run_oracle(R.nag(lr=0.1, beta=0.5, form="I"), [1.0], rec, 3)
    np.testing.assert_allclose([p[0] for p in rec.points], [1.0, 0.85, 0.6975], rtol=RTOL)
    np.testing.assert_allclose(ds[:, 0], [1.0, 1.35, 1.3725], rtol=RTOL)
    np.testing.assert_allclose(xs[:, 0], [0.9, 0.765, 0.62775], rtol=RTOL)


def test_nag_form_II():
    """s3 Eq. (6): g_t = grad f(x_t), x_{t+1} = x_t - gamma (beta m_t + (1 - beta) g_t)."""
    rec = Recorder()
    xs, ds, _ = run_oracle(R.nag(lr=0.1, beta=0.5, form="II"), [1.0], rec, 3)
    np.testing.assert_allclose([p[0] for p in rec.points], [1.0, 0.85, 0.6975], rtol=RTOL)
    np.testing.assert_allclose(ds[:, 0], [1.5, 1.525, 1.38375], rtol=RTOL)
    np.testing.assert_allclose(xs[:, 0], [0.85, 0.6975, 0.559125], rtol=RTOL)


def test_nag_form_III_g0_zero_and_first():
    """s3 Eq. (7): r_t = beta r_{t-1} + (1 - beta)(g_t - g_{t-1}), d_t = m_t + beta r_t.

    g_0 = 0 reproduces form II exactly (Theorem 3); g_0 = g_1 (Adan's code) gives r_1 = 0,
    d_1 = m_1 = 1 instead of 1.5 (negative control: the forms then differ).
    """
    xs, ds, st_ = run_oracle(R.nag(lr=0.1, beta=0.5, form="III"), [1.0], Recorder(), 3)
    np.testing.assert_allclose(ds[:, 0], [1.5, 1.525, 1.38375], rtol=RTOL)
    np.testing.assert_allclose(xs[:, 0], [0.85, 0.6975, 0.559125], rtol=RTOL)
    np.testing.assert_allclose(st_.r, [0.0225], rtol=1e-12)  # r3 = 0.0225 (cancellation: abs error ~1e-17)
    rec = Recorder()
    xf, df, _ = run_oracle(R.nag(lr=0.1, beta=0.5, form="III", g0="first"), [1.0], rec, 2)
    # t1: r1 = 0, d1 = 1, x2 = 0.9; t2: g2 = 1.8, m2 = 0.5 + 0.9 = 1.4, r2 = 0.5*(1.8 - 2) = -0.1, d2 = 1.35
    np.testing.assert_allclose(df[:, 0], [1.0, 1.35], rtol=RTOL)
    np.testing.assert_allclose(xf[:, 0], [0.9, 0.765], rtol=RTOL)


def test_theorem3_three_forms_are_equivalent():
    """s3 Theorem 3: with x_t = x~_t - gamma beta m_{t-1} the three forms give the same iterates.

    Deterministic x-dependent linear oracle in d = 4, 25 steps, constant gamma; forms II and III
    agree to rounding, form I's x~ maps onto them through m_{t-1}.
    """
    gamma, beta, d, T = 0.05, 0.8, 4, 25
    x0 = np.linspace(-1.0, 1.0, d)
    algs = {f: R.nag(lr=gamma, beta=beta, form=f) for f in ("I", "II", "III")}
    traj = {}
    for f, alg in algs.items():
        oracle = LinearOracle(d, seed=7)  # same noise sequence for every form
        x, state = x0.copy(), alg.init(x0)
        xs, ms = [x], [state.m]
        for _ in range(T):
            x, state = alg.step(x, state, oracle)
            xs.append(x)
            ms.append(state.m)
        traj[f] = (np.array(xs), np.array(ms))
    x_tilde, m_I = traj["I"]
    mapped = x_tilde - gamma * beta * m_I  # x_t = x~_t - gamma beta m_{t-1}
    np.testing.assert_allclose(traj["II"][0], mapped, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(traj["III"][0], traj["II"][0], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(traj["III"][1], traj["II"][1], rtol=1e-12, atol=1e-13)
    assert np.abs(traj["II"][0] - x_tilde).max() > 1e-3  # x and x~ are different sequences


def test_sgdm_ema_convention():
    """s3 Sec. 5 SGDM / Theorem 3's m: m_t = beta m_{t-1} + (1 - beta) g_t, d_t = m_t (m_0 = 0).

    beta = 0.5, g = 2, 4: m1 = 1, m2 = 2.5; x0 = 0, lr = 0.1 -> x2 = -0.35.
    """
    g = iter([2.0, 4.0])
    xs, ds, _ = run_oracle(R.sgdm(lr=0.1, beta=0.5), [0.0], lambda x: np.array([next(g)]), 2)
    np.testing.assert_allclose(ds[:, 0], [1.0, 2.5], rtol=RTOL)
    np.testing.assert_allclose(xs[:, 0], [-0.1, -0.35], rtol=RTOL)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # torch: m_1 = g_1 = 2; m_2 = 0.5*2 + 4 = 5
        ({}, [2.0, 5.0]),
        # dampening 0.25: m_2 = 1 + 0.75*4 = 4 (m_1 = g_1 is not dampened, as torch)
        ({"dampening": 0.25}, [2.0, 4.0]),
        # nesterov: d_t = g_t + beta m_t: d1 = 2 + 1 = 3, d2 = 4 + 0.5*5 = 6.5
        ({"nesterov": True}, [3.0, 6.5]),
        # beta = 0: plain SGD, d_t = g_t
        ({"beta": 0.0}, [2.0, 4.0]),
    ],
)
def test_sgdm_torch_convention(kwargs, expected):
    """torch.optim.SGD's momentum buffer conventions (beta = 0.5, g = 2, 4)."""
    kw = {"lr": 0.1, "beta": 0.5, "convention": "torch", **kwargs}
    g = iter([2.0, 4.0])
    _, ds, _ = run_oracle(R.sgdm(**kw), [0.0], lambda x: np.array([next(g)]), 2)
    np.testing.assert_allclose(ds[:, 0], expected, rtol=RTOL)


def test_sgdm_coupled_weight_decay():
    """weight_decay is coupled: g <- g + lambda x.  x0 = 2, lambda = 0.5, g = 1 -> g' = 2, m1 = 1 (EMA)."""
    xs, ds, _ = run_oracle(R.sgdm(lr=0.1, beta=0.5, weight_decay=0.5), [2.0], lambda x: np.ones_like(x), 1)
    assert ds[0, 0] == pytest.approx(1.0, rel=RTOL) and xs[0, 0] == pytest.approx(1.9, rel=RTOL)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"nesterov": True},  # EMA convention has no nesterov/dampening
        {"dampening": 0.1},
        {"convention": "torch", "nesterov": True, "beta": 0.0},  # torch: nesterov needs momentum
        {"convention": "torch", "nesterov": True, "dampening": 0.1},  # and zero dampening
    ],
)
def test_sgdm_rejects_inconsistent_options(kwargs):
    with pytest.raises(ValueError, match="sgdm: nesterov"):
        R.sgdm(lr=0.1, **kwargs)


def test_nag_schedule_uses_gamma_t_at_the_look_ahead():
    """Form I with a schedule: the look-ahead uses gamma_t (module docstring).  gamma_t = 0.1 t:
    y2 = x~2 - gamma_2 beta m1 = 0.9 - 0.2*0.5*1 = 0.8."""
    rec = Recorder()
    run_oracle(R.nag(lr=lambda t: 0.1 * t, beta=0.5, form="I"), [1.0], rec, 2)
    np.testing.assert_allclose([p[0] for p in rec.points], [1.0, 0.8], rtol=RTOL)
