"""gsignsgd Lemma 12: the momentum error ``eps_t = m_t - grad F(x_t)`` under Theorem 1's hyperparameters.

``|eps_{t+1,j}| <= (1-alpha)^t (alpha sigma_j + (1-alpha)|dF/dx_j(x_1)|) + eta L0_j/alpha + alpha E_j
+ (1-alpha) eta sqrt(d) L1_j sum_{tau=0}^{t-1} (1-alpha)^tau |dF/dx_j(x_{t-tau})|`` for all t, j w.p. >= 1 - 3 delta.

Checked on runs of ``reference.generalized_signsgd`` with Theorem 1's ``alpha, beta1, eta`` and our
``beta2 = (beta1/2)^2`` (as in :mod:`.gsignsgd_rate`), on ``cosh_cosine(d=2)`` with Rademacher noise;
E_j from Lemma 7 (:func:`.gsignsgd_core.lemma7_E`), delta = 0.05.  A path violates the lemma if any
(t, j) exceeds its right-hand side; the violation frequency is compared with 3 delta (Monte Carlo,
``Z_MC`` standard errors).  The proof is not in our copy of the paper; note that the ``eta L0_j/alpha``
and ``eta sqrt(d) L1_j`` terms match a per-coordinate step ``<= eta`` (beta2 = 0), whereas Algorithm 1's
step can reach ``eta/sqrt(1-beta2)``; our beta2 = (beta1/2)^2 <= 1/4 keeps that factor <= 1.16.
"""

from __future__ import annotations

import functools
import math

import numpy as np

import reference as R
from reference.problems import rademacher, with_noise

from .. import tolerances as tol
from ..registry import Check, Claim, Context, Outcome, Verdict, register
from ._common import fmt
from .gsignsgd_core import lemma7_E
from .gsignsgd_rate import D, SIGMA, X0, _base, _constants, theorem1_hyperparameters

DELTA = 0.05


@functools.lru_cache(maxsize=4)
def _worst(full: bool, seed: int, T: int) -> tuple[np.ndarray, dict]:
    """Per path: ``max_{t, j} |eps_{t,j}| / RHS_{t,j}``."""
    base = _base()
    c = base.constants
    L0_l1, Delta, s_l1 = _constants()
    hp = theorem1_hyperparameters(T, L0_l1, Delta, s_l1)
    a, eta = hp["alpha"], hp["eta"]
    alg = R.generalized_signsgd(lr=eta, beta1=hp["beta1"], beta2=hp["beta2"])
    seeds = 2048 if full else 256
    x0 = np.broadcast_to(X0, (seeds, D)).copy()
    E = lemma7_E(SIGMA, hp["beta1"], DELTA)
    L0, L1 = c.L0_vec, c.L1_vec
    g1 = np.abs(base.grad(x0))
    st = {"prev": x0, "S": np.zeros_like(x0), "worst": np.zeros(seeds)}

    def on_step(t: int, x: np.ndarray, state) -> None:
        # step t used x_t = prev and produced m_t; RHS for eps_t is the lemma at index t-1
        xt = st["prev"]
        gt = base.grad(xt)
        eps = np.abs(state.m - gt)
        k = t - 1
        rhs = ((1 - a) ** k * (a * SIGMA + (1 - a) * g1) + eta * L0 / a + a * E
               + (1 - a) * eta * math.sqrt(D) * L1 * st["S"])
        st["worst"] = np.maximum(st["worst"], np.max(eps / rhs, axis=-1))
        st["S"] = np.abs(gt) + (1 - a) * st["S"]  # sum_{tau=0}^{t-1} (1-a)^tau |dF(x_{t-tau})|
        st["prev"] = x

    R.run(alg, with_noise(base, rademacher(SIGMA)), x0, T, np.random.default_rng([seed, T]),
          record_directions=False, on_step=on_step)
    return st["worst"], {"alpha": a, "eta": eta, "E_j": E, "T": T, "seeds": seeds}


def _check(ctx: Context, negative: bool) -> Outcome:
    rows, verdict = [], Verdict.LOOSE
    for T in ctx.pick([256, 4096], [256, 4096, 65536]):
        worst, info = _worst(ctx.full, ctx.seed + 7, T)
        scale = 10.0 if negative else 1.0  # negative control: |eps| compared with RHS / 10
        w = worst * scale
        p = float(np.mean(w > 1 + tol.gamma(tol.ema_ops(T))))
        se = math.sqrt(max(p * (1 - p), 1.0 / len(w)) / len(w))
        rows.append({**info, "max_ratio": float(w.max()), "violation_freq": p})
        if p - tol.Z_MC * se > 3 * DELTA:
            verdict = Verdict.REFUTED
    return Outcome(verdict, "|eps_{t+1,j}| <= RHS for all t, j w.p. >= 1 - 3 delta",
                   "; ".join(f"T={r['T']}: max |eps|/RHS = {fmt(r['max_ratio'], 4)}, violation freq "
                             f"{fmt(r['violation_freq'], 3)}" for r in rows),
                   {"rows": rows, "delta": DELTA, "negative": negative})


register(Claim(
    id="gsignsgd.lemma12", source="gsignsgd Lemma 12",
    statement="|eps_{t+1,j}| <= (1-alpha)^t (alpha sigma_j + (1-alpha)|dF/dx_j(x_1)|) + eta L0_j/alpha + alpha E_j "
              "+ (1-alpha) eta sqrt(d) L1_j sum_{tau=0}^{t-1} (1-alpha)^tau |dF/dx_j(x_{t-tau})|, w.p. >= 1 - 3 delta",
    expected=Verdict.LOOSE,
    checks=(Check("runs with Theorem 1's hyperparameters on cosh+cos, Rademacher noise", _check, Verdict.LOOSE,
                  "the right-hand side divided by 10: violated on most paths"),),
))
