"""gsignsgd Lemma 10: either the true gradient is small or the update is bounded below.

With probability at least ``1 - 3 t delta``, if ``|dF/dx_j(x_tau)| <= M_j`` for all ``tau <= t`` and ``D > 0``:
either ``|dF/dx_j(x_t)| < 5 B_j/D`` or ``|m_{t,j}|/sqrt(v_{t,j}) >= rho D/(5 sqrt(1-beta2))``, with
``B_j = eta L_{0,j}/(sqrt(1-beta2)(1-beta1)) + beta1 Mbar_j + (1-beta1) E_j`` and
``D = 1 - 2 eta sqrt(d) ||L1||_inf/(sqrt(1-beta2)(1-beta1))``.

``Mbar_j`` is not defined in our copy (its definition is in the missing appendix).  ``B_j`` increases with
``Mbar_j >= 0``, which only widens the first alternative, so we check the strongest form, ``Mbar_j = 0``: if
it holds, the lemma holds for every nonnegative ``Mbar_j``.  ``E_j`` is Lemma 7's (:func:`.gsignsgd_core.lemma7_E`).

Search over the assumptions of Theorem 1 (as :mod:`.gsignsgd_lemma12`): ``cosh_cosine(d, kappa, omega)`` started far
out (``M_j = sup{|dF/dx_j| : F <= F(x_1)}`` on the sub-level set, computed on a grid) and the exponential cliff of
:class:`.gsignsgd_lemma12.Cliff` (``M = G e^(B t1)``), ``alpha`` over ``[1e-3, 0.9]``, ``beta2`` over
``[0, beta1^2)``, ``||sigma||_1`` up to the largest value both T conditions allow, ``T = ||L0||_1 Delta/(||sigma||_1
alpha)^2``, the printed eta, and ``delta`` below ``1/(3 T_run)`` so that ``1 - 3 t delta > 0`` on every step checked.
Per draw, ``value`` is the smallest ``|m_{t,j}|/sqrt(v_{t,j})`` over the (path, t, j) where the premise holds and
``|dF/dx_j(x_t)| >= 5 B_j/D``; ``bound`` is ``rho D/(5 sqrt(1-beta2))``.  (Any violating path is counted: a
refutation would also need the violation frequency above ``3 t delta``.)
"""

from __future__ import annotations

import math

import numpy as np

import reference as R
from reference.problems import cosh_cosine, rademacher, with_noise

from ..evidence import Bound, Case, Searched
from ..perturb import Params, ScaleBound
from ..registry import Check, Claim, Context, Verdict, register
from .gsignsgd_core import lemma7_E
from .gsignsgd_lemma12 import LN2, Cliff, sigma_max
from .gsignsgd_rate import t_conditions

__all__ = ["sublevel_M"]


def sublevel_M(prob, x1: np.ndarray) -> float:
    """``M_j`` of Theorem 1 for the separable ``cosh_cosine``: ``max |phi'|`` over ``phi(z) <= F(x_1) - (d-1) min phi``."""
    z = np.linspace(-40, 40, 800_001)
    phi = prob.phi(z)
    budget = float(prob.value(x1)) - (prob.d - 1) * float(phi.min())
    return float(np.max(np.abs(prob.dphi(z[phi <= budget]))))


def _instance(prob, x1: np.ndarray, M: float, alpha: float, beta2: float, s_l1: float, delta: float, steps: int,
              seeds: int, rng: np.random.Generator, Mbar: float) -> dict:
    c = prob.constants
    d = prob.d
    L0_l1, L1_inf = float(np.sum(c.L0_vec)), float(np.max(c.L1_vec))
    Delta = float(prob.value(x1) - c.F_star)
    beta1 = 1 - alpha
    rho = 1 - math.sqrt(beta2) / beta1
    T = L0_l1 * Delta / (s_l1 * alpha) ** 2
    eta = math.sqrt(Delta) * alpha / math.sqrt(L0_l1 * T)
    Dc = 1 - 2 * eta * math.sqrt(d) * L1_inf / (math.sqrt(1 - beta2) * (1 - beta1))
    E = lemma7_E(s_l1 / d, beta1, delta)
    B = eta * c.L0_vec / (math.sqrt(1 - beta2) * (1 - beta1)) + beta1 * Mbar + (1 - beta1) * E
    grad_thr, upd_thr = 5 * B / Dc, rho * Dc / (5 * math.sqrt(1 - beta2))
    c1, c2, _ = t_conditions(d, L0_l1, L1_inf, Delta, s_l1, beta1, beta2)
    x0 = np.broadcast_to(x1, (seeds, d)).copy()
    st = {"prev": x0, "premise": np.ones((seeds, d), bool), "worst": np.inf, "events": 0}

    def on_step(t: int, x: np.ndarray, state) -> None:
        g = np.abs(prob.grad(st["prev"]))  # |dF/dx_j(x_t)|, x_t the iterate that produced m_t
        st["premise"] &= g <= M
        ev = st["premise"] & (g >= grad_thr)
        st["events"] += int(ev.sum())
        if ev.any():
            st["worst"] = min(st["worst"], float(np.min((np.abs(state.m) / np.sqrt(state.v))[ev])))
        st["prev"] = x

    R.run(R.generalized_signsgd(lr=eta, beta1=beta1, beta2=beta2), with_noise(prob, rademacher(s_l1 / d)), x0, steps, rng,
          record_directions=False, on_step=on_step)
    return {"problem": prob.name, "alpha": alpha, "beta1": beta1, "beta2": beta2, "rho": rho, "D": Dc, "T": T, "eta": eta,
            "sigma_l1": s_l1, "delta": delta, "E_j": E, "B_j": B.tolist(), "grad_threshold": grad_thr.tolist(),
            "update_threshold": upd_thr, "M_j": M, "Mbar_j": Mbar, "events": st["events"], "min_update": st["worst"],
            "T_condition_1": c1, "T_condition_2": c2,
            "hypotheses": {"D>0": Dc > 0, "T>=conditions": T >= max(c1, c2), "alpha<1": alpha < 1,
                           "sqrt(beta2)<beta1": math.sqrt(beta2) < beta1, "1-3t delta>0": 3 * steps * delta < 1}}


def _search(ctx: Context, p: Params) -> Bound:
    rng = np.random.default_rng(ctx.seed + 41)
    steps, seeds = ctx.pick(60, 300), ctx.pick(16, 64)
    draws = [{"family": "cosh_cosine", "d": 2, "kappa": 1.0, "omega": 2.0, "x1": 7.0, "alpha": 0.05, "u": 0.0, "s": 0.5},
             {"family": "cliff", "G": 1e4, "L0": 1.0, "L1": 1.0, "t1": 1.0, "alpha": 0.2, "u": 0.9, "s": 0.9}]
    for k in range(ctx.pick(12, 48)):
        common = {"alpha": float(10.0 ** rng.uniform(-3, math.log10(0.9))),
                  "u": 0.0 if k % 4 == 0 else float(rng.uniform(0.01, 0.999)), "s": float(10.0 ** rng.uniform(-2, 0))}
        if k % 2:
            draws.append({"family": "cosh_cosine", "d": int(rng.integers(1, 5)), "kappa": float(rng.uniform(0, 2)),
                          "omega": float(rng.uniform(0, 4)), "x1": float(rng.uniform(3, 8)), **common})
        else:
            L0_, L1_ = float(10.0 ** rng.uniform(-1, 1)), float(10.0 ** rng.uniform(-1, 1))
            draws.append({"family": "cliff", "G": float(10.0 ** rng.uniform(1, 5)) * L0_ / L1_, "L0": L0_, "L1": L1_,
                          "t1": float(rng.uniform(0.2, 3)), **common})
    cases = []
    for k, dr in enumerate(draws):
        if dr["family"] == "cliff":
            prob = Cliff(dr["G"], dr["L0"], dr["L1"], dr["t1"] / (dr["L1"] * LN2))
            x1, M = np.zeros(1), prob.sublevel_sup()
        else:
            prob = cosh_cosine(dr["d"], dr["kappa"], dr["omega"])
            x1 = np.full(dr["d"], dr["x1"])
            M = sublevel_M(prob, x1)
        c = prob.constants
        alpha = dr["alpha"]
        beta2 = dr["u"] * (1 - alpha) ** 2
        rho = 1 - math.sqrt(beta2) / (1 - alpha)
        s_l1 = dr["s"] * sigma_max(prob.d, float(np.sum(c.L0_vec)), float(np.max(c.L1_vec)), alpha, beta2, rho)
        delta = float(10.0 ** rng.uniform(-4, 0)) / (3 * steps)
        r = _instance(prob, x1, M, alpha, beta2, s_l1, delta, steps, seeds, np.random.default_rng([ctx.seed + 41, k]), 0.0)
        if not all(r["hypotheses"].values()):
            raise AssertionError(f"draw {k} violates a hypothesis: {r['hypotheses']}")
        if r["events"]:
            cases.append(Case(r["min_update"], r["update_threshold"], {**dr, **r, "paths": seeds, "steps": steps}, ops=64.0))
    worst = min(cases, key=lambda c_: c_.value / c_.bound)
    return Bound("either |dF/dx_j(x_t)| < 5 B_j/D or |m_t,j|/sqrt(v_t,j) >= rho D/(5 sqrt(1-beta2)), w.p. >= 1 - 3 t delta "
                 "(Mbar_j = 0, the strongest form)", tuple(cases),
                 Searched({"F": "cosh_cosine(d = 1..4, kappa, omega) from x_1 = (3..8) 1, cliff(G, L0, L1, t1) from 0",
                           "alpha": "[1e-3, 0.9] log-uniform", "beta2": "0 or beta1^2 U(0.01, 0.999)",
                           "||sigma||_1": "up to the largest value both T conditions allow",
                           "delta": "< 1/(3 T_run) (1 - 3 t delta > 0 on every step)", "noise": "Rademacher +-sigma_j"},
                          f"{len(draws)} draws x {seeds} paths x {steps} steps; {len(cases)} draws with a step where "
                          "|dF/dx_j| >= 5 B_j/D"),
                 sense="lower",
                 note=(f"{sum(c_.inputs['events'] for c_ in cases)} (path, t, j) with |dF/dx_j| >= 5 B_j/D; the smallest "
                       f"update over them is {worst.value / worst.bound:.4g} x the bound ({worst.inputs['problem']}, "
                       f"beta2 = {worst.inputs['beta2']:.3g})"),
                 details={"events": sum(c_.inputs["events"] for c_ in cases), "min_ratio": worst.value / worst.bound})


register(Claim(
    id="gsignsgd.lemma10", source="gsignsgd Lemma 10",
    statement="if |dF/dx_j(x_tau)| <= M_j for tau <= t and D > 0, then w.p. >= 1 - 3 t delta either |dF/dx_j(x_t)| < 5 B_j/D "
              "or |m_t,j|/sqrt(v_t,j) >= rho D/(5 sqrt(1-beta2)); B_j = eta L0_j/(sqrt(1-beta2)(1-beta1)) + beta1 Mbar_j + "
              "(1-beta1) E_j, D = 1 - 2 eta sqrt(d) ||L1||_inf/(sqrt(1-beta2)(1-beta1))",
    expected=Verdict.LOOSE,
    checks=(Check("search over Theorem 1's assumptions, strongest form Mbar_j = 0", _search, Verdict.LOOSE,
                  ScaleBound(6.0)),),
    note="Mbar_j is undefined in our copy (appendix); B_j grows with Mbar_j, so Mbar_j = 0 is the strongest form. Whenever "
         "the gradient is above 5 B_j/D the update stays well above rho D/(5 sqrt(1-beta2)) on every draw searched.",
))
