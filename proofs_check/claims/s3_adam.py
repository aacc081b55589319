"""s3 Theorem 1 (Adam's per-coordinate update bound), s3 Sec. 2 (Adam is sign-like) and
s3 Sec. 5.5 (clipping Adam's update).

With bias correction and ``m_0 = v_0 = 0`` (s3 Eq. 2, proof Eq. 11), one coordinate of Adam's
update is ``K_t |sum_k beta1^(t-k) g_k| / sqrt(sum_k beta2^(t-k) g_k^2)`` with
``K_t = (1-beta1) sqrt(1-beta2^t) / ((1-beta1^t) sqrt(1-beta2))``, a Holder ratio with p = 2
(:mod:`proofs_check.worst_case`), so its exact supremum over all sequences is::

    B_t = K_t sqrt(sum_{j<t} rho^j) = K_t sqrt((1 - rho^t)/(1 - rho)),   rho = beta1^2 / beta2,

which is the proof's Eq. (12).  The main text's Eq. (3) prints ``(beta1^t / beta2)^t`` instead
of ``(beta1^2 / beta2)^t``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import reference as R

from .. import tolerances as tol
from ..registry import Check, Claim, Context, Outcome, Verdict, register
from ..worst_case import adversarial_max
from ._common import batched, curve_plot, fmt, last_direction, series

__all__ = ["adam_bound", "adam_bound_printed", "adam_limit"]

B1, B2, T = sp.symbols("beta1 beta2 t", positive=True)
_K = (1 - B1) * sp.sqrt(1 - B2**T) / ((1 - B1**T) * sp.sqrt(1 - B2))
PROOF_EXPR = _K * sp.sqrt(1 - (B1**2 / B2) ** T) / sp.sqrt(1 - B1**2 / B2)  # proof Eq. (12), last line
PRINTED_EXPR = _K * sp.sqrt(1 - (B1**T / B2) ** T) / sp.sqrt(1 - B1**2 / B2)  # main text Eq. (3)
LIMIT_EXPR = (1 - B1) / (sp.sqrt(1 - B2) * sp.sqrt(1 - B1**2 / B2))


def log_adam_bound(b1: float, b2: float, t: int | np.ndarray) -> np.ndarray:
    """``log B_t`` (proof Eq. 12), for any rho = beta1^2/beta2 != 1 (finite even where B_t overflows)."""
    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore"):
        log_b1, log_rho = np.log(b1), 2 * np.log(b1) - np.log(b2)
    log_k = np.log1p(-b1) + 0.5 * np.log(-np.expm1(t * np.log(b2))) - np.log(-np.expm1(t * log_b1)) - 0.5 * np.log1p(-b2)
    if log_rho < 0:  # log sum_{j<t} rho^j = log((1 - rho^t)/(1 - rho))
        log_geo = np.log(-np.expm1(t * log_rho)) - np.log(-np.expm1(log_rho))
    else:  # = t log rho + log(1 - rho^-t) - log(rho - 1)
        log_geo = t * log_rho + np.log(-np.expm1(-t * log_rho)) - np.log(np.expm1(log_rho))
    return log_k + 0.5 * log_geo


def adam_bound(b1: float, b2: float, t: int | np.ndarray) -> np.ndarray:
    """``B_t`` (proof Eq. 12): the exact supremum of Adam's ``|m_t|/sqrt(v_t)``, any rho != 1."""
    return np.exp(log_adam_bound(b1, b2, t))


def adam_bound_printed(b1: float, b2: float, t: int | np.ndarray) -> np.ndarray:
    """The finite-t bound exactly as printed in s3 Eq. (3)."""
    f = sp.lambdify((B1, B2, T), PRINTED_EXPR, "numpy")
    return np.asarray(f(b1, b2, np.asarray(t, dtype=float)))


def adam_limit(b1: float, b2: float) -> float:
    """``(1-beta1) / (sqrt(1-beta2) sqrt(1-beta1^2/beta2))``, the t -> inf limit of Eq. (3)."""
    return float((1 - b1) / (np.sqrt(1 - b2) * np.sqrt(1 - b1 * b1 / b2)))


def extremal_sequence(b1: float, b2: float, t: int) -> np.ndarray:
    """The equality case of the proof: equal signs and ``|g_k| = (beta1/beta2)^(t-k)``, ``g_t = 1``.

    Entries are capped at e^300 so that ``g^2`` cannot overflow; a capped entry has weight
    ``rho^(t-k) < e^(-300 log(1/rho)/log(beta1/beta2))`` in the ratio, far below rounding.
    """
    if b1 == 0:
        return np.eye(1, t, t - 1)[0]
    log_g = np.arange(t - 1, -1, -1, dtype=float) * np.log(b1 / b2)
    return np.exp(np.minimum(log_g, 300.0))


def _adam(**kw) -> R.Algorithm:
    return R.adam(lr=1.0, eps=0.0, **kw)


def adam_ops(b1: float, b2: float, t: int) -> float:
    """Operation count behind Adam's update after t steps, with the bias corrections' cancellation.

    ``1 - beta^t`` computed from a rounded ``beta^t`` has relative error ``u beta^t / (1 - beta^t)``,
    i.e. it counts as ``1/(1 - beta^t)`` operations (the square root halves the second).
    """
    return tol.ema_ops(t) + 1.0 / -np.expm1(t * np.log(b1) if b1 > 0 else -np.inf) + 0.5 / -np.expm1(t * np.log(b2))


GRID = [(0.9, 0.999), (0.9, 0.99), (0.5, 0.3), (0.99, 0.999), (0.0, 0.5)]
TS = [1, 2, 3, 10, 100, 1000]


# --------------------------------------------------------------------------- Theorem 1


def _check_statement(ctx: Context, negative: bool) -> Outcome:
    """Printed Eq. (3) vs the proof's last line (12): symbolic comparison and a counterexample."""
    printed = PROOF_EXPR if negative else PRINTED_EXPR  # negative control: the corrected statement
    diff = sp.simplify(printed - PROOF_EXPR)
    b1, b2 = 0.9, 0.999
    f = sp.lambdify((B1, B2, T), printed, "numpy")
    alg = _adam(beta1=b1, beta2=b2)
    counter = []
    for t in range(1, 6):
        worst = float(last_direction(alg, extremal_sequence(b1, b2, t)[:, None])[0])
        if worst > float(f(b1, b2, t)) * (1 + tol.gamma(adam_ops(b1, b2, t))):
            counter.append({"t": t, "gradients": extremal_sequence(b1, b2, t).tolist(), "beta1": b1, "beta2": b2,
                            "update": worst, "printed_bound": float(f(b1, b2, t))})
    if diff == 0 and not counter:
        return Outcome(Verdict.VERIFIED, "Eq. (3) = proof Eq. (12)", "identical", {"difference": "0"})
    return Outcome(
        Verdict.ERRATUM,
        "Eq. (3): sqrt(1 - (beta1^t/beta2)^t)",
        "proof (12) gives sqrt(1 - (beta1^2/beta2)^t); printed bound fails at t=1: "
        + (f"{counter[0]['printed_bound']:.4f} < {counter[0]['update']:.4f}" if counter else "-"),
        {"printed": str(PRINTED_EXPR), "proof": str(PROOF_EXPR), "difference": str(diff),
         "corrected_statement": "|m_t|/sqrt(v_t) <= (1-b1) sqrt(1-b2^t) sqrt(1-(b1^2/b2)^t) / "
                                "((1-b1^t) sqrt(1-b2) sqrt(1-b1^2/b2))",
         "counterexamples_to_printed": counter,
         "note": "for t >= 3 the printed bound is larger than the proof's (valid but loose); at t = 1 it is "
                 "smaller than Adam's first update |m_1|/sqrt(v_1) = 1. The main text's extremal condition "
                 "'beta2^2|g_{t-k}|/beta_t^k' is garbled too; the proof's |g_t| = beta2^k |g_{t-k}| / beta1^k is right."},
    )


def _check_attained(ctx: Context, negative: bool) -> Outcome:
    """The extremal sequence of the theorem drives reference.adam exactly to B_t."""
    rows, worst_rel = [], 0.0
    kw = {"bias_correction": False} if negative else {}  # negative control: a perturbed algorithm
    for b1, b2 in GRID:
        for t in TS:
            got = float(last_direction(_adam(beta1=b1, beta2=b2, **kw), extremal_sequence(b1, b2, t)[:, None])[0])
            bound = float(adam_bound(b1, b2, t))
            rel = abs(got - bound) / bound
            worst_rel = max(worst_rel, rel / tol.gamma(adam_ops(b1, b2, t)))
            rows.append({"beta1": b1, "beta2": b2, "t": t, "update": got, "B_t": bound, "rel_err": rel})
    ok = worst_rel <= 1.0
    b1, b2 = 0.9, 0.999
    ts = np.unique(np.geomspace(1, 20000, 30).astype(int))
    plot = curve_plot(
        "s3 Thm 1: Adam update bound, beta=(0.9, 0.999)", "t", "|m_t|/sqrt(v_t)",
        series("B_t (proof Eq. 12)", ts, adam_bound(b1, b2, ts)),
        series("Eq. (3) as printed", ts, adam_bound_printed(b1, b2, ts), "dashed"),
        series("limit 7.27", [ts[0], ts[-1]], [adam_limit(b1, b2)] * 2, "dashed"),
        series("reference.adam on extremal sequence", [r["t"] for r in rows if r["beta1"] == b1 and r["beta2"] == b2],
               [r["update"] for r in rows if r["beta1"] == b1 and r["beta2"] == b2], "points"),
        logx=True)
    return Outcome(Verdict.TIGHT if ok else Verdict.LOOSE, "attained by the extremal sequence",
                   f"max |update - B_t| / (B_t gamma_n) = {worst_rel:.3g}", {"cases": rows}, (plot,))


def _check_adversarial(ctx: Context, negative: bool) -> Outcome:
    """Adversarial search over sequences never exceeds B_t and agrees with the closed form."""
    base = [(0.9, 0.999, 6), (0.5, 0.3, 5), (0.9, 0.99, 10), (0.99, 0.999, 8)]
    cases = ctx.pick(base, base + [(0.0, 0.5, 4), (0.9, 0.999, 14), (0.8, 0.7, 12)])
    rows, verdict = [], Verdict.VERIFIED
    for i, (b1, b2, t) in enumerate(cases):
        res = adversarial_max(batched(lambda: _adam(beta1=b1, beta2=b2)), t, seed=ctx.seed + i,
                              maxiter=ctx.pick(150, 400))
        bound = float(adam_bound(b1, b2, t)) * ((1 - 1e-3) if negative else 1.0)  # negative: perturbed bound
        rows.append({"beta1": b1, "beta2": b2, "t": t, "search_max": res.value, "bound": bound,
                     "argmax": res.argmax.tolist(), "evaluations": res.evaluations})
        if not tol.not_above(res.value, bound, adam_ops(b1, b2, t)):
            verdict = Verdict.REFUTED
        elif res.value < bound * (1 - 1e-6) and verdict is Verdict.VERIFIED:
            verdict = Verdict.INCONCLUSIVE  # search and closed form disagree
    worst = max(rows, key=lambda r: r["search_max"] / r["bound"])
    return Outcome(verdict, "no sequence exceeds B_t",
                   f"search/bound = {worst['search_max'] / worst['bound']:.9f} (max over {len(rows)} cases)",
                   {"cases": rows})


def _check_limit(ctx: Context, negative: bool) -> Outcome:
    """The limit is about 7.27 at (0.9, 0.999), is sup_t B_t (AM-GM), and is approached."""
    b1, b2 = (0.9, 0.99) if negative else (0.9, 0.999)  # negative control: perturbed constants
    limit = adam_limit(b1, b2)
    exact = sp.nsimplify(LIMIT_EXPR.subs({B1: sp.Rational(9, 10), B2: sp.Rational(999, 1000)}))
    # sup_t B_t = limit: B_t^2/limit^2 = (1-b2^t)(1-rho^t)/(1-b1^t)^2 <= 1 since with a = b2^t, c = rho^t,
    # b1^t = sqrt(a c): (1 - sqrt(ac))^2 - (1-a)(1-c) = (sqrt(a) - sqrt(c))^2 >= 0.
    a, c = sp.symbols("a c", positive=True)
    amgm = sp.simplify(sp.expand((1 - sp.sqrt(a * c)) ** 2 - (1 - a) * (1 - c) - (sp.sqrt(a) - sp.sqrt(c)) ** 2))
    t_far = 20000
    reached = float(last_direction(_adam(beta1=b1, beta2=b2), extremal_sequence(b1, b2, t_far)[:, None])[0])
    b_far = float(adam_bound(b1, b2, t_far))
    approached = tol.within(reached, b_far, adam_ops(b1, b2, t_far)) and (limit - b_far) / limit < 1e-8
    ts = np.geomspace(1, 1e6, 200)
    below = bool(np.all(adam_bound(b1, b2, ts) <= limit * (1 + tol.gamma(16))))
    stated_ok = abs(limit - 7.27) <= 0.005  # "~ 7.27": two decimals
    ok = stated_ok and amgm == 0 and below and approached
    gap = limit - adam_bound(b1, b2, ts)
    plot = curve_plot(f"s3 Thm 1: limit - B_t at ({b1}, {b2})", "t", "limit - B_t", series("limit - B_t", ts, gap),
                      logx=True, logy=True)
    return Outcome(Verdict.TIGHT if ok else Verdict.REFUTED, "limit ~ 7.27 at (0.9, 0.999)",
                   f"{limit:.6f} (exact {sp.N(exact, 12)}); Adam reaches {reached:.6f} at t={t_far}",
                   {"beta1": b1, "beta2": b2, "limit": limit, "amgm_identity_residual": str(amgm),
                    "sup_t_B_t_equals_limit": below, "reached_at_t": t_far, "reached": reached,
                    "note": "the limit is the supremum over t and all sequences; it is approached, never attained."},
                   (plot,))


def _check_condition(ctx: Context, negative: bool) -> Outcome:
    """beta1^2 < beta2 is necessary and sufficient for a bound uniform in t."""
    grid = [(b1, b2) for b1 in (0.5, 0.8, 0.9, 0.95) for b2 in (0.3, 0.6, 0.7, 0.9, 0.99, 0.999)]
    condition = (lambda b1, b2: b1 < b2 ** 0.25) if negative else (lambda b1, b2: b1 * b1 < b2)
    rows, verdict = [], Verdict.VERIFIED
    for b1, b2 in grid:
        if abs(b1 * b1 - b2) < 1e-12:
            continue
        growth = float(np.exp(min(log_adam_bound(b1, b2, 2 * 10**6) - log_adam_bound(b1, b2, 10**6), 700.0)))
        bounded = growth <= 1.0 + 1e-9
        rows.append({"beta1": b1, "beta2": b2, "condition": condition(b1, b2), "B_2e6/B_1e6": growth})
        if condition(b1, b2) != bounded:
            verdict = Verdict.REFUTED
    ts = np.unique(np.geomspace(1, 5000, 40).astype(int))
    plot = curve_plot("s3 Thm 1: B_t with and without beta1^2 < beta2", "t", "B_t (exact sup)",
                      *(series(f"beta=({b1}, {b2}), rho={b1 * b1 / b2:.3f}", ts, adam_bound(b1, b2, ts))
                        for b1, b2 in ((0.9, 0.999), (0.9, 0.9), (0.9, 0.8), (0.95, 0.9))), logx=True, logy=True)
    return Outcome(verdict, "needs beta1^2 < beta2", "sup_t B_t < inf  <=>  beta1^2 < beta2 on the grid",
                   {"cases": rows, "note": "the finite-t bound itself holds for every rho != 1 (the geometric sum in "
                                           "step (iii) needs no condition); the condition is needed for the limit."},
                   (plot,))


register(Claim(
    id="s3.thm1",
    source="s3 Theorem 1, Eq. (3); proof Appendix C.1, Eq. (12)",
    statement=r"If $\beta_1^2<\beta_2$: $\frac{|m_t^{(j)}|}{\sqrt{v_t^{(j)}}}\le\frac{(1-\beta_1)\sqrt{1-\beta_2^t}"
              r"\sqrt{1-(\frac{\beta_1^t}{\beta_2})^t}}{(1-\beta_1^t)\sqrt{1-\beta_2}\sqrt{1-\frac{\beta_1^2}{\beta_2}}}"
              r"\simeq\frac{1-\beta_1}{\sqrt{1-\beta_2}\sqrt{1-\beta_1^2/\beta_2}}$, with equality for equal signs and "
              r"$|g_t|=\beta_2^k|g_{t-k}|/\beta_1^k$",
    expected=Verdict.ERRATUM,
    checks=(
        Check("printed vs proof", _check_statement, Verdict.ERRATUM, "the corrected statement (proof Eq. 12)"),
        Check("extremal sequence attains B_t", _check_attained, Verdict.TIGHT, "Adam without bias correction"),
        Check("adversarial search", _check_adversarial, Verdict.VERIFIED, "bound B_t * (1 - 1e-3)"),
    ),
))

register(Claim(
    id="s3.thm1.limit",
    source="s3 Theorem 1, Eq. (3) and Sec. 2 (~7.27 at (0.9, 0.999))",
    statement=r"$\frac{1-\beta_1}{\sqrt{1-\beta_2}\sqrt{1-\beta_1^2/\beta_2}}\simeq 7.27$ at "
              r"$(\beta_1,\beta_2)=(0.9,0.999)$, the theoretical maximum of Adam's update",
    expected=Verdict.TIGHT,
    checks=(Check("value, supremum over t, approached", _check_limit, Verdict.TIGHT, "(beta1, beta2) = (0.9, 0.99)"),),
))

register(Claim(
    id="s3.thm1.condition",
    source="s3 Theorem 1 (hypothesis beta1^2 < beta2)",
    statement=r"The bound holds if $\beta_1^2<\beta_2$",
    expected=Verdict.VERIFIED,
    checks=(Check("necessary and sufficient for a t-uniform bound", _check_condition, Verdict.VERIFIED,
                  "the weaker condition beta1 < beta2^(1/4)"),),
))


# --------------------------------------------------------------------------- Sec. 2 and Sec. 5.5


def _check_sign_like(ctx: Context, negative: bool) -> Outcome:
    """A constant gradient makes Adam's update exactly sign(g) (bias correction is what makes it so)."""
    rng = np.random.default_rng(ctx.seed)
    g = rng.normal(size=(1, 64)) * 10.0 ** rng.uniform(-6, 6, size=(1, 64))
    grads = np.repeat(g, 50, axis=0)
    alg = R.adam(lr=1.0, eps=0.0, bias_correction=not negative)  # negative: drop the bias correction
    d = R.replay(alg, grads).direction
    err = float(np.max(np.abs(d - np.sign(g))))
    ok = err <= tol.gamma(tol.ema_ops(50))
    return Outcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "m_t/sqrt(v_t) = Sign(g) for stable g",
                   f"max |d_t - sign(g)| = {err:.2e} over 50 steps x 64 coordinates", {"max_error": err})


def _check_clip(ctx: Context, negative: bool) -> Outcome:
    """Clipping Adam's update to [-1, 1] bounds every coordinate by 1, even on Theorem 1's extremal input."""
    b1, b2, t = 0.9, 0.999, 3000
    clip = 1.5 if negative else 1.0  # negative control: a perturbed clip constant
    G = np.stack([extremal_sequence(b1, b2, t), -extremal_sequence(b1, b2, t)], axis=1)
    rng = np.random.default_rng(ctx.seed)
    G = np.concatenate([G, rng.standard_cauchy((t, 62))], axis=1)
    trace = R.replay(R.adam_clipped(lr=1.0, eps=0.0, beta1=b1, beta2=b2, clip=clip), G[:, :, None])
    plain = R.replay(R.adam(lr=1.0, eps=0.0, beta1=b1, beta2=b2), G[:, :2, None]).direction
    worst = float(np.max(np.abs(trace.direction)))
    ok = worst <= 1.0
    steps = np.arange(1, t + 1)
    plot = curve_plot("s3 Sec. 5.5: Adam vs clipped Adam on Thm 1's extremal input", "t", "max_j |update|",
                      series("Adam", steps, np.max(np.abs(plain[:, :, 0]), axis=1)),
                      series(f"Adam clipped to [-{clip:g}, {clip:g}]", steps, np.max(np.abs(trace.direction[:, :, 0]), axis=1)),
                      logx=True)
    return Outcome(Verdict.TIGHT if ok and worst == 1.0 else (Verdict.VERIFIED if ok else Verdict.REFUTED),
                   "clipped update in [-1, 1]", f"max |d| = {worst:.6g} (unclipped Adam reaches "
                   f"{float(np.max(np.abs(plain))):.4f})", {"max_abs_update": worst, "clip": clip, "t": t}, (plot,))


register(Claim(
    id="s3.sec2.sign_like",
    source="s3 Sec. 2 (Adam reduces to SignSGD when g_t is stable)",
    statement=r"If $g_t$ stays stable, $x_{t+1}=x_t-\gamma_t m_t/\sqrt{v_t}=x_t-\gamma_t\,\mathrm{Sign}(g_t)$",
    expected=Verdict.VERIFIED,
    checks=(Check("constant gradients", _check_sign_like, Verdict.VERIFIED, "Adam without bias correction"),),
))

register(Claim(
    id="s3.sec5_5",
    source="s3 Sec. 5.5 (clipping Adam's update to [-1, 1])",
    statement=r"Clipping the Adam update to $[-1,1]$ bounds every coordinate of the update by 1",
    expected=Verdict.TIGHT,
    checks=(Check("extremal and heavy-tailed inputs", _check_clip, Verdict.TIGHT, "clip = 1.5"),),
))
