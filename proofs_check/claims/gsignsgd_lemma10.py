"""gsignsgd Lemma 10: either the true gradient is small or the update is bounded below.

With probability at least ``1 - 3 t delta``, if ``|dF/dx_j(x_tau)| <= M_j`` for all ``tau <= t`` and ``D > 0``:
either ``|dF/dx_j(x_t)| < 5 B_j/D`` or ``|m_{t,j}|/sqrt(v_{t,j}) >= rho D/(5 sqrt(1-beta2))``, with
``B_j = eta L_{0,j}/(sqrt(1-beta2)(1-beta1)) + beta1 Mbar_j + (1-beta1) E_j`` and
``D = 1 - 2 eta sqrt(d) ||L1||_inf/(sqrt(1-beta2)(1-beta1))``.

``Mbar_j`` is not defined in our copy (its definition is in the missing appendix).  ``B_j`` increases with
``Mbar_j >= 0``, which only widens the first alternative, so we check the strongest form, ``Mbar_j = 0``: if
it holds, the lemma holds for every nonnegative ``Mbar_j``.  ``E_j`` is Lemma 7's
(:func:`.gsignsgd_core.lemma7_E`).

Setting (Theorem 1's assumptions): ``cosh_cosine(2)`` unrotated (exact ``L0_vec``, tight ``L1_vec``), started
far out at ``x_1 = (7, 7)`` so that gradients exceed ``5 B_j/D`` early on, Rademacher noise ``+-sigma``
(Assumption 3 with ``sigma_j = sigma = 10``), Theorem 1's ``alpha, beta1 = 1 - alpha, eta`` at horizon
``T = 16384`` with our ``beta2 = (beta1/2)^2`` (as :mod:`.gsignsgd_rate`), ``delta = 0.1/T`` so that
``1 - 3 t delta >= 0.7`` for every ``t <= T`` (for ``delta = 0.05`` the probability ``1 - 3 t delta`` is
negative from t = 7 on and the lemma says nothing).  ``M_j = sup{|phi'(z)| : phi(z) <= F(x_1) - min phi}`` (the
sub-level set, computed on a grid).  The first ``T_run`` steps are checked (after them the gradients are
far below ``5 B_j/D``).  A path violates the lemma at (t, j) when the premise holds, the gradient is
``>= 5 B_j/D`` and the update is below ``rho D/(5 sqrt(1-beta2))``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

import reference as R
from reference.problems import cosh_cosine, rademacher, with_noise

from .. import tolerances as tol
from ..registry import Check, Claim, Context, Outcome, Verdict, register
from ._common import fmt
from .gsignsgd_core import lemma7_E
from .gsignsgd_rate import theorem1_hyperparameters

D_, SIGMA, T_HOR = 2, 10.0, 16384
X1 = np.array([7.0, 7.0])
DELTA = 0.1 / T_HOR


def sublevel_M(prob, x1: np.ndarray) -> float:
    """``M_j`` of Theorem 1 for the separable ``cosh_cosine``: ``max |phi'|`` over ``phi(z) <= F(x_1) - (d-1) min phi``."""
    z = np.linspace(-40, 40, 800_001)
    phi = prob.phi(z)
    budget = float(prob.value(x1)) - (prob.d - 1) * float(phi.min())
    return float(np.max(np.abs(prob.dphi(z[phi <= budget]))))


@functools.lru_cache(maxsize=2)
def _run(full: bool, seed: int) -> dict:
    prob = cosh_cosine(D_)
    c = prob.constants
    L0_l1, L1_inf = float(np.sum(c.L0_vec)), float(np.max(c.L1_vec))
    Delta = float(prob.value(X1) - c.F_star)
    hp = theorem1_hyperparameters(T_HOR, L0_l1, Delta, D_ * SIGMA)
    a, b1, b2, eta = hp["alpha"], hp["beta1"], hp["beta2"], hp["eta"]
    rho = 1 - math.sqrt(b2) / b1
    Dc = 1 - 2 * eta * math.sqrt(D_) * L1_inf / (math.sqrt(1 - b2) * (1 - b1))
    E = lemma7_E(SIGMA, b1, DELTA)
    B = eta * c.L0_vec / (math.sqrt(1 - b2) * (1 - b1)) + (1 - b1) * E  # Mbar_j = 0: the strongest form
    grad_thr = 5 * B / Dc
    upd_thr = rho * Dc / (5 * math.sqrt(1 - b2))
    Mj = sublevel_M(prob, X1)
    seeds, T_run = (256 if full else 64), (2000 if full else 400)
    x0 = np.broadcast_to(X1, (seeds, D_)).copy()
    st = {"prev": x0, "premise": np.ones((seeds, D_), bool), "worst": np.full(seeds, np.inf), "events": 0,
          "violated": np.zeros(seeds, bool)}

    def on_step(t: int, x: np.ndarray, state) -> None:
        g = np.abs(prob.grad(st["prev"]))  # |dF/dx_j(x_t)|, x_t the iterate that produced m_t
        st["premise"] &= g <= Mj
        upd = np.abs(state.m) / np.sqrt(state.v)
        ev = st["premise"] & (g >= grad_thr)
        st["events"] += int(ev.sum())
        ratio = np.where(ev, upd / upd_thr, np.inf).min(axis=-1)
        st["worst"] = np.minimum(st["worst"], ratio)
        st["prev"] = x

    R.run(R.generalized_signsgd(lr=eta, beta1=b1, beta2=b2), with_noise(prob, rademacher(SIGMA)), x0, T_run,
          np.random.default_rng([seed, 10]), record_directions=False, on_step=on_step)
    return {"worst": st["worst"], "events": st["events"], "alpha": a, "beta1": b1, "beta2": b2, "eta": eta, "rho": rho,
            "D": Dc, "E_j": E, "B_j": B.tolist(), "grad_threshold": grad_thr.tolist(), "update_threshold": upd_thr,
            "M_j": Mj, "T_run": T_run, "seeds": seeds, "max_update": 1 / math.sqrt(1 - b2)}


def _check(ctx: Context, negative: bool) -> Outcome:
    r = _run(ctx.full, ctx.seed + 41)
    # negative control: the update threshold raised above the largest possible update 1/sqrt(1-beta2)
    scale = 1.05 * r["max_update"] / r["update_threshold"] if negative else 1.0
    worst = r["worst"] / scale
    n = worst.size
    p = float(np.mean(worst < 1 - tol.gamma(tol.ema_ops(r["T_run"]))))
    se = math.sqrt(max(p * (1 - p), 1.0 / n) / n)
    allowed = 3 * r["T_run"] * DELTA
    if r["events"] == 0:
        verdict, measured = Verdict.INCONCLUSIVE, "no step with |dF/dx_j| >= 5 B_j/D: the lemma was not exercised"
    elif p - tol.Z_MC * se > allowed:
        verdict = Verdict.REFUTED
        measured = f"violated on {fmt(p, 3)} of paths (allowed 3 t delta = {fmt(allowed, 3)}); min update/threshold {fmt(worst.min(), 4)}"
    else:
        verdict = Verdict.LOOSE
        measured = (f"{r['events']} (t, j, path) with |dF/dx_j| >= 5 B_j/D = {fmt(min(r['grad_threshold']), 4)}: min "
                    f"|m|/sqrt(v) over them = {fmt(worst.min() * r['update_threshold'], 4)} vs the bound rho D/(5 sqrt(1-beta2)) "
                    f"= {fmt(r['update_threshold'], 4)} ({fmt(worst.min(), 4)} x); no violating path of {n}")
    return Outcome(verdict, "either |dF/dx_j(x_t)| < 5 B_j/D or |m_t,j|/sqrt(v_t,j) >= rho D/(5 sqrt(1-beta2)), w.p. >= 1 - 3 t delta",
                   measured, {k: v for k, v in r.items() if k != "worst"} | {
                       "min_ratio": float(worst.min()), "violation_freq": p, "delta": DELTA, "x1": X1.tolist(),
                       "sigma": SIGMA, "T_horizon": T_HOR, "Mbar_j": 0.0, "negative": negative})


register(Claim(
    id="gsignsgd.lemma10", source="gsignsgd Lemma 10",
    statement="if |dF/dx_j(x_tau)| <= M_j for tau <= t and D > 0, then w.p. >= 1 - 3 t delta either |dF/dx_j(x_t)| < 5 B_j/D "
              "or |m_t,j|/sqrt(v_t,j) >= rho D/(5 sqrt(1-beta2)); B_j = eta L0_j/(sqrt(1-beta2)(1-beta1)) + beta1 Mbar_j + "
              "(1-beta1) E_j, D = 1 - 2 eta sqrt(d) ||L1||_inf/(sqrt(1-beta2)(1-beta1))",
    expected=Verdict.LOOSE,
    checks=(Check("runs with Theorem 1's hyperparameters from x_1 = (7, 7), strongest form Mbar_j = 0", _check,
                  Verdict.LOOSE, "update threshold raised above 1/sqrt(1-beta2), the largest possible update: violated"),),
    note="Mbar_j is undefined in our copy (appendix); B_j grows with Mbar_j, so Mbar_j = 0 is the strongest form",
))
