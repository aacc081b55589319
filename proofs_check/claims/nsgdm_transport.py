"""nsgdm Sec. 1-3: implicit gradient transport with noise, the Taylor bound behind Theorem 3, and Sec. 2's
bias of normalized SGD without momentum (why large batches were needed).

* ``nsgdm.sec1.igt`` -- Sec. 1 (Arnold et al.'s IGT as the paper presents it): with a constant Hessian,
  ``m_t = t/(t+1) m_{t-1} + 1/(t+1) grad f(w_t + t (w_t - w_{t-1}), xi_t)`` satisfies
  ``m_t = grad F(w_t) + (t X + Y)/(t+1)``, so by induction ``m_t`` is unbiased with variance ``sigma^2/(t+1)``
  (t counted from 0).  Checked by Monte Carlo on ``reference.igt`` (whose step tau = t + 1) on a diagonal
  quadratic with isotropic Gaussian noise (``E||e||^2 = sigma^2`` exactly): ``E[m_t - grad F(w_t)] = 0`` and
  ``E||m_t - grad F(w_t)||^2 = sigma^2/tau`` within ``Z_MC`` standard errors at four checkpoints (equality:
  tight).  Negative control: the same on ``quadratic_cosine`` (non-constant Hessian, rho = 8): the
  extrapolation ``t (w_t - w_{t-1})`` grows with t and the identity fails.
* ``nsgdm.thm3.taylor`` -- Sec. 3: ``||Z(a, b)|| <= rho ||a - b||^2`` for ``Z(a, b) = grad F(a) - grad F(b) -
  hess F(b)(a - b)`` under (A4), used in Theorem 3's proof as ``alpha ||Z(x_t, w_t)|| <= rho (1-alpha)^2 eta^2/
  alpha`` and ``(1-alpha) ||Z(w_t, w_{t+1})|| <= (1-alpha) rho eta^2`` (``||x_t - w_t|| = (1-alpha) eta/alpha``,
  ``||w_{t+1} - w_t|| = eta``).  Taylor's theorem gives the constant ``rho/2``, which is the best one (a cubic
  attains it as ``a -> b``); measured on NIGT's own points and on pairs along ``e_1`` at ``phi''' = rho`` of
  ``quadratic_cosine`` (rho = kappa omega^3 exact).  Loose by 2 (the printed "Z(a, b) <= rho ||a - b||" in the
  proof also drops the square: a typo).
* ``nsgdm.sec2.large_batch`` -- Sec. 2: for ``grad f = p`` w.p. ``1-p`` and ``p - 1`` w.p. ``p`` (``grad F = 0``),
  ``E[grad f/|grad f|] = 1 - 2p > 0``: normalized SGD drifts away from the critical point; "one must decrease
  the variance ... by a very large batch size, usually on the order of T".  (1) the drift per step of
  ``reference.normalized_sgdm(beta=0)`` replayed on that oracle is ``eta (1 - 2p)`` (sympy value, Monte Carlo
  within ``Z_MC`` SE), and with momentum (NSGD-M, beta = 1 - alpha) it shrinks (reported); (2) the bias of a
  normalized batch-b mean, computed exactly from the binomial law, is ``Theta(b^(-1/2))``:
  ``sqrt(b) |bias(b)|`` stays bounded and does not decay (its maximum over the last decade of b is at
  least half the overall one; lattice effects make it oscillate), so the batch needed for a bias ``<= eps``
  is ``~ eps^(-2)`` -- of order T for ``eps ~ T^(-1/2)``.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy import stats as sps

import reference as R
from reference.problems import diagonal_quadratic, gaussian, quadratic_cosine, with_noise

from .. import tolerances as tol
from ..registry import Check, Claim, Context, Outcome, Verdict, register
from ._common import curve_plot, fmt, series

__all__ = ["igt_errors", "taylor_ratios", "batch_bias"]

CHECKPOINTS = (1, 5, 20, 80)


def igt_errors(problem, w1: np.ndarray, lr: float, T: int, seeds: int, seed: int) -> np.ndarray:
    """``m_tau - grad F(w_tau)`` of ``reference.igt`` for tau = 1..T, shape (T, seeds, d)."""
    out = []

    def on_step(t: int, x: np.ndarray, state) -> None:
        out.append(state.m - problem.grad(state.w_prev))

    R.run(R.igt(lr=lr), problem, np.broadcast_to(w1, (seeds,) + w1.shape).copy(), T, np.random.default_rng(seed),
          record_directions=False, on_step=on_step)
    return np.stack(out)


def _check_igt(ctx: Context, negative: bool) -> Outcome:
    d, sigma, lr = 4, 1.0, 0.05
    base = quadratic_cosine(d) if negative else diagonal_quadratic([1.0, 2.0, 3.0, 4.0], b=[1.0, -1.0, 0.5, 2.0])
    prob = with_noise(base, gaussian(sigma))
    S = ctx.pick(4000, 40000)
    w1 = np.full(d, 3.0)
    err = igt_errors(prob, w1, lr, max(CHECKPOINTS), S, ctx.seed + 61)
    rows, ok = [], True
    for tau in CHECKPOINTS:
        e = err[tau - 1]
        sq = np.sum(e * e, axis=-1)
        want = sigma**2 / tau
        se_sq = sq.std(ddof=1) / math.sqrt(S)
        bias = e.mean(axis=0)
        se_b = e.std(axis=0, ddof=1) / math.sqrt(S)
        var_ok = abs(sq.mean() - want) <= tol.Z_MC * se_sq
        bias_ok = bool(np.all(np.abs(bias) <= tol.Z_MC * se_b))
        ok &= var_ok and bias_ok
        rows.append({"tau": tau, "E||err||^2": float(sq.mean()), "sigma^2/tau": want, "se": float(se_sq),
                     "max |bias|/se": float(np.max(np.abs(bias) / se_b))})
    verdict = Verdict.TIGHT if ok else Verdict.REFUTED
    taus = np.arange(1, err.shape[0] + 1)
    msq = np.sum(err * err, axis=-1).mean(axis=1)
    plot = curve_plot("nsgdm Sec. 1: IGT error variance", "tau = t + 1", "E||m - grad F(w)||^2",
                      series("measured", taus, msq, "points"), series("sigma^2/(t+1)", taus, sigma**2 / taus, "dashed"),
                      logx=True, logy=True)
    measured = "; ".join(f"tau={r['tau']}: {fmt(r['E||err||^2'], 4)} vs {fmt(r['sigma^2/tau'], 4)} (SE {fmt(r['se'], 2)}), "
                         f"bias/SE {fmt(r['max |bias|/se'], 3)}" for r in rows)
    return Outcome(verdict, "m_t unbiased for grad F(w_t) with variance sigma^2/(t+1) (constant Hessian)", measured,
                   {"problem": prob.name, "rows": rows, "seeds": S, "lr": lr, "negative": negative}, (plot,))


register(Claim(
    id="nsgdm.sec1.igt", source="nsgdm Sec. 1 (implicit gradient transport, Arnold et al. 2019)",
    statement=r"with a constant Hessian, $m_t=\frac{t}{t+1}m_{t-1}+\frac1{t+1}\nabla f(w_t+t(w_t-w_{t-1}),\xi_t)$ is an "
              r"unbiased estimate of $\nabla F(w_t)$ with variance $\sigma^2/(t+1)$",
    expected=Verdict.TIGHT,
    checks=(Check("Monte Carlo on reference.igt, diagonal quadratic, Gaussian noise", _check_igt, Verdict.TIGHT,
                  "the same on quadratic_cosine (non-constant Hessian): biased, variance above sigma^2/(t+1)"),),
))


# --------------------------------------------------------------------------- Theorem 3's Taylor bound


def taylor_ratios(problem, A: np.ndarray, B: np.ndarray, rho: float) -> np.ndarray:
    """``||Z(a, b)|| / (rho ||a - b||^2)`` with ``Z(a, b) = grad F(a) - grad F(b) - hess F(b)(a - b)``, batched."""
    h = A - B
    Z = problem.grad(A) - problem.grad(B) - problem.hvp(B, h)
    return np.linalg.norm(Z, axis=-1) / (rho * np.sum(h * h, axis=-1))


def _check_taylor(ctx: Context, negative: bool) -> Outcome:
    d = 4
    prob = quadratic_cosine(d)
    rho = prob.constants.rho * (0.25 if negative else 1.0)  # negative control: rho/4
    # NIGT's own points (Theorem 3's hyperparameters at T = 2000 from the nsgdm rate setting, noise-free here)
    T, eta, alpha = 2000, 0.02, 0.05
    k = (1 - alpha) / alpha
    pts = {"x_t vs w_t": [], "w_t vs w_t+1": []}
    prev = {"w": None}

    def on_step(t: int, w_next: np.ndarray, state) -> None:
        w_t = state.w_prev
        if prev["w"] is not None:
            pts["x_t vs w_t"].append((w_t + k * (w_t - prev["w"]), w_t))
        pts["w_t vs w_t+1"].append((w_t, w_next))
        prev["w"] = w_t

    rng = np.random.default_rng(ctx.seed + 71)
    R.run(R.nigt(lr=eta, beta=1 - alpha), prob, rng.uniform(-3, 3, (16, d)), T, rng, record_directions=False,
          on_step=on_step)
    worst = {}
    for name, pairs in pts.items():
        A = np.stack([a for a, _ in pairs])
        B = np.stack([b for _, b in pairs])
        worst[name] = float(np.max(taylor_ratios(prob, A, B, rho)))
    # the attaining family: b at omega z_1 = pi/2 (phi''' = rho), a = b + s e_1, s -> 0
    s = np.logspace(-4, -1, 40)[:, None]
    b = np.zeros((s.size, d))
    b[:, 0] = math.pi / 2 / prob.omega
    a = b.copy()
    a[:, 0] += s[:, 0]
    fam = taylor_ratios(prob, a, b, rho)
    worst_all = max(max(worst.values()), float(fam.max()))
    if worst_all > 1 + 1e-6:  # rounding: Z ~ rho s^2 from differences of O(1) gradients, s >= 1e-4
        verdict = Verdict.REFUTED
    else:
        verdict = Verdict.LOOSE if worst_all < 0.5 + 1e-3 else Verdict.VERIFIED
    measured = (f"max ||Z||/(rho ||a-b||^2): {', '.join(f'{k_} {fmt(v, 4)}' for k_, v in worst.items())} on NIGT's points; "
                f"{fmt(float(fam.max()), 6)} -> 1/2 along e_1 at phi''' = rho: the exact constant is rho/2")
    return Outcome(verdict, "||Z(a, b)|| <= rho ||a - b||^2", measured,
                   {"rho": prob.constants.rho, "rho_tested": rho, "worst": worst, "family_max": float(fam.max()),
                    "exact_constant": "rho/2 (Taylor, attained as a -> b where phi''' = rho)", "negative": negative})


register(Claim(
    id="nsgdm.thm3.taylor", source="nsgdm Sec. 3 (Z and Taylor's theorem) and the proof of Theorem 3",
    statement=r"$\|Z(a,b)\|\le\rho\|a-b\|^2$; hence $\alpha\|Z(x_t,w_t)\|\le\rho(1-\alpha)^2\eta^2/\alpha$ and "
              r"$(1-\alpha)\|Z(w_t,w_{t+1})\|\le(1-\alpha)\rho\eta^2$",
    expected=Verdict.LOOSE,
    checks=(Check("worst case on NIGT's points and the attaining family (quadratic_cosine, rho exact)", _check_taylor,
                  Verdict.LOOSE, "rho/4 in place of rho: exceeded"),),
    note="the best constant is rho/2 (Taylor with the integral remainder), approached as a -> b where phi''' = rho",
))


# --------------------------------------------------------------------------- Sec. 2: the bias of normalization


def batch_bias(p: float, b: np.ndarray) -> np.ndarray:
    """``E[sign(mean of b draws)]`` for draws ``p`` (prob 1-p) and ``p-1`` (prob p): exact, from the binomial law
    of the number k of ``p-1`` draws (the mean is ``p - k/b``): ``P(k < b p) - P(k > b p)``."""
    b = np.atleast_1d(b).astype(float)
    bp = b * p
    return sps.binom.cdf(np.ceil(bp) - 1, b, p) - sps.binom.sf(np.floor(bp), b, p)


def _check_drift(ctx: Context, negative: bool) -> Outcome:
    p_, P = 0.2, sp.symbols("p", positive=True)
    exact = sp.simplify((1 - P) * 1 + P * (-1))  # E[sign(grad f)] with grad f = p (1-p) or p-1 (p)
    stated = sp.Integer(0) if negative else 1 - 2 * P  # negative control: "normalized SGD is unbiased"
    value_ok = sp.simplify(exact - stated) == 0
    rng = np.random.default_rng(ctx.seed + 81)
    T, S, eta = 500, ctx.pick(1000, 10000), 0.01
    G = np.where(rng.uniform(size=(T, S, 1)) < p_, p_ - 1.0, p_)
    drift = {}
    for name, beta in (("NSGD (beta = 0)", 0.0), ("NSGD-M beta = 0.9", 0.9)):
        tr = R.replay(R.normalized_sgdm(lr=eta, beta=beta, m1="gradient"), G)
        per_step = -(tr.x[-1, :, 0] - tr.x[0, :, 0]) / (T * eta)  # mean of sign(m_t) over the run
        drift[name] = (float(per_step.mean()), float(per_step.std(ddof=1) / math.sqrt(S)))
    m, se = drift["NSGD (beta = 0)"]
    mc_ok = abs(m - float(stated.subs(P, p_))) <= tol.Z_MC * se
    verdict = Verdict.VERIFIED if value_ok and mc_ok else Verdict.REFUTED
    return Outcome(verdict, "E[grad f/|grad f|] = 1 - 2p > 0 at a critical point",
                   f"exact {exact}; replayed NSGD drift per step {fmt(m, 4)} +- {fmt(se, 2)} (1 - 2p = {1 - 2 * p_:g}); with "
                   f"momentum: " + ", ".join(f"{k}: {fmt(v[0], 3)}" for k, v in drift.items() if k.startswith("NSGD-M")),
                   {"p": p_, "exact": str(exact), "stated": str(stated), "drift": drift, "T": T, "seeds": S,
                    "negative": negative})


def _check_batch(ctx: Context, negative: bool) -> Outcome:
    p_ = 0.2
    b = np.unique(np.round(np.logspace(0, ctx.pick(6, 7), ctx.pick(2000, 8000))).astype(int))
    bias = np.abs(batch_bias(p_, b))
    power = 1.0 if negative else 0.5  # negative control: "the bias decays like 1/b" (batch ~ sqrt(T) would do)
    scaled = bias * b.astype(float) ** power
    last = b >= b.max() / 10
    bounded = bool(scaled.max() <= 1.0)
    not_decaying = bool(scaled[last].max() >= 0.5 * scaled.max())
    verdict = Verdict.VERIFIED if bounded and not_decaying else Verdict.REFUTED
    plot = curve_plot("nsgdm Sec. 2: bias of the normalized batch-b mean (p = 0.2)", "b", "|E sign(mean)|",
                      series("exact (binomial)", b, np.maximum(bias, 1e-12), "points"),
                      series("0.8 b^-1/2", b, 0.8 / np.sqrt(b), "dashed"), logx=True, logy=True)
    return Outcome(verdict, "bias of normalized batch-b mean = Theta(b^-1/2): batch ~ eps^-2 (order T for eps ~ T^-1/2)",
                   f"b^{power:g} |bias(b)| over b in [1, {b.max()}]: max {fmt(scaled.max(), 4)}, max over the last decade "
                   f"{fmt(scaled[last].max(), 4)}", {"p": p_, "power": power, "max_scaled": float(scaled.max()),
                                                      "max_scaled_last_decade": float(scaled[last].max()),
                                                      "b_max": int(b.max()), "negative": negative}, (plot,))


register(Claim(
    id="nsgdm.sec2.large_batch", source="nsgdm Sec. 2 (the example before Theorem 1)",
    statement="grad f = p w.p. 1-p and p-1 w.p. p: grad F = 0 but E[grad f/|grad f|] = 1 - 2p > 0, so normalized SGD "
              "drifts away from the critical point; without momentum one must shrink the variance with a very large batch, "
              "usually of order T",
    expected=Verdict.VERIFIED,
    checks=(Check("sympy value and replayed drift of reference.normalized_sgdm", _check_drift, Verdict.VERIFIED,
                  "stated bias 0 (normalization unbiased): the drift refutes it"),
            Check("exact bias of the normalized batch mean vs b", _check_batch, Verdict.VERIFIED,
                  "a 1/b decay (batch ~ sqrt(T)): b |bias(b)| grows")),
))
