"""s3 Theorem 2: bounds on S3's per-coordinate update ``|n_t| / b_t(p)`` (proof Appendix C.2).

From Algorithm 1 with ``m_0 = s_0 = 0`` (proof Eq. 13), one coordinate is a Holder ratio::

    |n_t|/b_t = (1-beta1)/(1-beta2)^(1/p) * |sum_k a_k g_k| / (sum_k c_k |g_k|^p)^(1/p)
    a_k = beta1^(t-k+1), c_k = beta2^(t-k+1)  (k < t);    a_t = 1 + beta1, c_t = 1 + beta2

so the exact supremum over all sequences is ``S_t = (1-beta1)/(1-beta2)^(1/p) ||a c^(-1/p)||_q``
(:mod:`proofs_check.worst_case`).  The proof instead applies Holder's inequality with ``g_t``
counted twice (once with weight beta1, once with weight 1) and sums the geometric series to
infinity, which gives Eq. (4)'s ``U = (1-beta1) / ((1-beta2)^(1/p) (1 - beta1^q/beta2^(q/p))^(1/q))``.
Counting ``g_t`` twice is exact only when ``beta1 = beta2`` (then ``S_t = (1 - beta^(t+1))^(1/q)``
and ``U = 1``); otherwise ``S_inf < U`` strictly.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import reference as R
from reference.s3 import abs_pow, root

from .. import tolerances as tol
from ..registry import Check, Claim, Context, Outcome, Verdict, register
from ..worst_case import adversarial_max, conjugate, holder_argmax, log_holder_sup
from ._common import batched, curve_plot, fmt, last_direction, series

__all__ = ["s3_bound", "s3_sup", "s3_extremal"]


def _logs(b1: float, b2: float, t: int) -> tuple[np.ndarray, np.ndarray]:
    j = np.arange(t, 0, -1, dtype=float)  # k = 1..t  ->  j = t-k+1 = t..1
    with np.errstate(divide="ignore"):
        log_a = j * np.log(b1)
        log_c = j * np.log(b2)
    log_a[-1], log_c[-1] = np.log1p(b1), np.log1p(b2)
    return log_a, log_c


def s3_bound(b1: float, b2: float, p: float) -> float:
    """Eq. (4): ``U = (1-beta1)/((1-beta2)^(1/p) (1 - beta1^q / beta2^(q/p))^(1/q))`` (p = 1: q = inf)."""
    q = conjugate(p)
    if np.isinf(q):
        return (1 - b1) / (1 - b2)
    with np.errstate(divide="ignore"):
        gap = -np.expm1(q * np.log(b1) - (q / p) * np.log(b2))  # 1 - beta1^q / beta2^(q/p), no cancellation
    return float((1 - b1) / ((1 - b2) ** (1 / p) * gap ** (1 / q)))


def s3_sup(b1: float, b2: float, p: float, t: int) -> float:
    """The exact supremum of ``|n_t|/b_t(p)`` over all gradient sequences of length t."""
    return float(np.exp(log_s3_sup(b1, b2, p, t)))


def log_s3_sup(b1: float, b2: float, p: float, t: int) -> float:
    """``log S_t`` (finite even where S_t overflows, beta1 > beta2^(1/p))."""
    log_a, log_c = _logs(b1, b2, t)
    return float(np.log1p(-b1) - np.log1p(-b2) / p + log_holder_sup(log_a - log_c / p, p))


def s3_sup_limit(b1: float, b2: float, p: float) -> float:
    """``lim_t S_t`` in closed form: ``K (r^(2q)/(1 - r^q) + ((1+beta1)/(1+beta2)^(1/p))^q)^(1/q)``."""
    q = conjugate(p)
    K = (1 - b1) / (1 - b2) ** (1 / p)
    last = (1 + b1) / (1 + b2) ** (1 / p)
    if np.isinf(q):
        return K * max(last, b1 / b2)
    r = b1 / b2 ** (1 / p)
    return float(K * (r ** (2 * q) / (1 - r**q) + last**q) ** (1 / q))


def s3_extremal(b1: float, b2: float, p: float, t: int) -> np.ndarray:
    """A gradient sequence attaining ``S_t`` (Holder's equality case)."""
    log_a, log_c = _logs(b1, b2, t)
    return holder_argmax(log_a, log_c, p)


def _s3(b1: float, b2: float, p: float) -> R.Algorithm:
    return R.s3(lr=1.0, beta=b1, beta2=b2, p=p)


GRID = [(0.9, 0.999, 2.0), (0.9, 0.99, 3.0), (0.95, 0.99, 3.0), (0.5, 0.9, 1.0), (0.9, 0.95, 1.0),
        (0.8, 0.9, 1.5), (0.6, 0.95, 4.0), (0.0, 0.9, 2.0), (0.9, 0.999, 1.0)]
EQUAL = [(0.95, 3.0), (0.95, 1.0), (0.9, 2.0), (0.5, 1.5), (0.99, 4.0)]
TS = [1, 2, 5, 50, 500]


def _attained_rows(cases, ts) -> tuple[list[dict], float]:
    rows, worst = [], 0.0
    for b1, b2, p in cases:
        for t in ts:
            g = s3_extremal(b1, b2, p, t)
            got = float(last_direction(_s3(b1, b2, p), g[:, None])[0])
            exact = s3_sup(b1, b2, p, t)
            worst = max(worst, abs(got - exact) / (exact * tol.gamma(tol.ema_ops(t))))
            rows.append({"beta1": b1, "beta2": b2, "p": p, "t": t, "update": got, "exact_sup": exact})
    return rows, worst


# --------------------------------------------------------------------------- Theorem 2 (1)


def _check_bound(ctx: Context, negative: bool) -> Outcome:
    """Exact supremum (closed form, attained by reference.s3) vs Eq. (4); classify tight/loose."""
    rows, worst_attain = _attained_rows(GRID, TS)
    gaps, verdict = [], Verdict.LOOSE
    for b1, b2, p in GRID:
        U = s3_bound(b1, b2, p) * (0.99 if negative else 1.0)  # negative control: bound * 0.99
        S_inf = s3_sup_limit(b1, b2, p)
        sup_seen = max(r["update"] for r in rows if (r["beta1"], r["beta2"], r["p"]) == (b1, b2, p))
        gaps.append({"beta1": b1, "beta2": b2, "p": p, "U": U, "S_inf": S_inf, "S_inf/U": S_inf / U})
        if not tol.not_above(max(S_inf, sup_seen), U, tol.ema_ops(TS[-1])):
            verdict = Verdict.REFUTED
    if worst_attain > 1.0:
        verdict = Verdict.INCONCLUSIVE  # the algorithm does not reach its own closed-form supremum
    elif verdict is Verdict.LOOSE and max(g["S_inf/U"] for g in gaps) >= 1 - 1e-9:
        verdict = Verdict.TIGHT
    b1, b2, p = 0.9, 0.999, 2.0
    ts = np.unique(np.geomspace(1, 3000, 25).astype(int))
    plot = curve_plot(
        "s3 Thm 2(1): S3 update, beta1=0.9, beta2=0.999, p=2", "t", "|n_t|/b_t",
        series("Eq. (4) bound U", [1, 3000], [s3_bound(b1, b2, p)] * 2, "dashed"),
        series("exact sup S_t", ts, [s3_sup(b1, b2, p, int(t)) for t in ts]),
        series("reference.s3 on the extremal sequence", [r["t"] for r in rows if (r["beta1"], r["beta2"], r["p"]) == (b1, b2, p)],
               [r["update"] for r in rows if (r["beta1"], r["beta2"], r["p"]) == (b1, b2, p)], "points"),
        logx=True)
    w = min(gaps, key=lambda g: g["S_inf/U"])
    return Outcome(verdict, "|n_t|/b_t <= U (Eq. 4)",
                   f"sup = S_inf < U on every grid point; e.g. (0.9,0.999,2): {gaps[0]['S_inf']:.6f} vs "
                   f"{gaps[0]['U']:.6f}; largest gap at ({w['beta1']},{w['beta2']},{w['p']}): S_inf/U = {w['S_inf/U']:.4f}",
                   {"grid": gaps, "attained": rows, "max_attain_error_in_gamma_units": worst_attain,
                    "why_loose": "the proof's Holder step counts g_t twice (weights beta1 and 1); equality needs "
                                 "beta1 = beta2. p = 1: exact sup (1-beta1^2)/(1-beta2^2) vs U = (1-beta1)/(1-beta2)."},
                   (plot,))


def _check_search(ctx: Context, negative: bool) -> Outcome:
    """Black-box adversarial search on reference.s3 agrees with the closed form S_t."""
    base = [(0.9, 0.99, 3.0, 6), (0.5, 0.9, 1.0, 5), (0.95, 0.95, 3.0, 5), (0.8, 0.9, 1.5, 8), (0.9, 0.999, 2.0, 8)]
    cases = ctx.pick(base, base + [(0.6, 0.95, 4.0, 10), (0.95, 0.99, 3.0, 12), (0.0, 0.9, 2.0, 6)])
    rows, verdict = [], Verdict.VERIFIED
    for i, (b1, b2, p, t) in enumerate(cases):
        res = adversarial_max(batched(lambda: _s3(b1, b2, p)), t, seed=ctx.seed + i, maxiter=ctx.pick(150, 400))
        exact = s3_sup(b1, b2, p, t) * ((1 - 1e-3) if negative else 1.0)  # negative control: perturbed bound
        rows.append({"beta1": b1, "beta2": b2, "p": p, "t": t, "search_max": res.value, "exact_sup": exact,
                     "argmax": res.argmax.tolist()})
        if not tol.not_above(res.value, exact, tol.ema_ops(t)):
            verdict = Verdict.REFUTED
        elif res.value < exact * (1 - 1e-6) and verdict is Verdict.VERIFIED:
            verdict = Verdict.INCONCLUSIVE
    worst = max(rows, key=lambda r: r["search_max"] / r["exact_sup"])
    return Outcome(verdict, "closed-form supremum", f"search/closed form = {worst['search_max'] / worst['exact_sup']:.9f}",
                   {"cases": rows})


def _check_condition(ctx: Context, negative: bool) -> Outcome:
    """beta1 < beta2^(1/p) is necessary and sufficient for a t-uniform bound (r = beta1/beta2^(1/p))."""
    cond = (lambda b1, b2, p: b1 < b2) if negative else (lambda b1, b2, p: b1 < b2 ** (1 / p))
    rows, verdict = [], Verdict.VERIFIED
    for b1 in (0.5, 0.9, 0.97):
        for b2 in (0.6, 0.9, 0.95):
            for p in (1.0, 2.0, 3.0):
                if abs(b1 - b2 ** (1 / p)) < 1e-9:
                    continue
                growth = float(np.exp(min(log_s3_sup(b1, b2, p, 2 * 10**5) - log_s3_sup(b1, b2, p, 10**5), 700.0)))
                bounded = growth <= 1 + 1e-9
                rows.append({"beta1": b1, "beta2": b2, "p": p, "condition": cond(b1, b2, p), "S_2e5/S_1e5": growth})
                if bounded != cond(b1, b2, p):
                    verdict = Verdict.REFUTED
    return Outcome(verdict, "needs beta1 < beta2^(1/p)", "sup_t S_t < inf  <=>  beta1 < beta2^(1/p) on the grid",
                   {"cases": rows})


def _check_derivation(ctx: Context, negative: bool) -> Outcome:
    """Eq. (4) from the Holder line of (14): (1-b1)/(1-b2)^(1/p) (sum_{j=1}^t r^(jq) + 1)^(1/q), t -> inf."""
    b1, b2, p, j = sp.symbols("beta1 beta2 p j", positive=True)
    q = p / (p - 1)
    r = b1 / b2 ** (1 / p)
    rq = sp.Symbol("rq", positive=True)  # r^q < 1 under beta1 < beta2^(1/p)
    series_sum = sp.summation(rq**j, (j, 1, sp.oo)).args[0][0] + 1  # the |rq| < 1 branch
    derived = (1 - b1) / (1 - b2) ** (1 / p) * series_sum ** (1 / q)
    printed_proof_last = (1 - b1) / ((1 - b2) ** (1 / p) * (1 - b1 / b2 ** (q / p)) ** (1 / q))  # (14), last line
    statement = (1 - b1) / ((1 - b2) ** (1 / p) * (1 - b1**q / b2 ** (q / p)) ** (1 / q))  # Eq. (4)
    target = printed_proof_last if negative else statement  # negative control: the garbled last line of (14)
    diffs = []
    for pv in (sp.Rational(3, 2), 2, 3, sp.Rational(7, 2)):
        for b1v, b2v in ((sp.Rational(9, 10), sp.Rational(99, 100)), (sp.Rational(1, 2), sp.Rational(9, 10))):
            subs = {b1: b1v, b2: b2v, p: pv}
            val = derived.subs(rq, (r ** q).subs(subs)).subs(subs)
            diffs.append(float(sp.N(val - target.subs(subs), 30)))
    ok = max(abs(x) for x in diffs) < 1e-25
    return Outcome(Verdict.VERIFIED if ok else Verdict.ERRATUM, "Eq. (4) = limit of the Holder line of (14)",
                   f"max |derived - stated| = {max(abs(x) for x in diffs):.1e} over 8 exact (beta1, beta2, p)",
                   {"derived": str(derived), "differences": diffs,
                    "proof_typo": "the last line of (14) prints (1 - beta1/beta2^(q/p))^(1/q); Eq. (4)'s beta1^q is what "
                                  "the sum gives. Step (iii) also states beta1 <= beta2^(1/p) where < is needed."})


register(Claim(
    id="s3.thm2.1",
    source="s3 Theorem 2(1), Eq. (4); proof Appendix C.2, Eqs. (13)-(14)",
    statement=r"If $\beta_1<\beta_2^{1/p}$, $p\ge1$: $\frac{|n_t^{(j)}|}{b_t^{(j)}(p)}\le\frac{1-\beta_1}"
              r"{(1-\beta_2)^{1/p}(1-\beta_1^q/\beta_2^{q/p})^{1/q}}$, $\frac1p+\frac1q=1$ (p = 1: q = inf)",
    expected=Verdict.LOOSE,
    checks=(
        Check("exact supremum vs Eq. (4)", _check_bound, Verdict.LOOSE, "bound U * 0.99"),
        Check("adversarial search = closed form", _check_search, Verdict.VERIFIED, "closed form * (1 - 1e-3)"),
        Check("condition beta1 < beta2^(1/p)", _check_condition, Verdict.VERIFIED, "the condition beta1 < beta2"),
        Check("sympy: Eq. (4) from the proof", _check_derivation, Verdict.VERIFIED, "the last line of (14) as printed"),
    ),
))


# --------------------------------------------------------------------------- Theorem 2 (2)


def _check_equal_betas(ctx: Context, negative: bool) -> Outcome:
    """beta1 = beta2: U = 1 symbolically; S_t = (1-beta^(t+1))^(1/q) -> 1, reached by reference.s3."""
    p_, b_ = sp.symbols("p beta", positive=True)
    q_ = p_ / (p_ - 1)
    exponent = sp.simplify(q_ - q_ / p_)  # beta^q / beta^(q/p) = beta^exponent
    conj = sp.simplify(1 / p_ + 1 / q_)
    bound = 1.0 - 1e-6 if negative else 1.0  # negative control: the bound 1 - 1e-6
    rows, verdict, worst = [], Verdict.TIGHT, 0.0
    for b, p in EQUAL:
        q = conjugate(p)
        for t in (1, 3, 30, 3000):
            exact = s3_sup(b, b, p, t)
            closed = 1.0 if np.isinf(q) else (-np.expm1((t + 1) * np.log(b))) ** (1 / q)
            got = float(last_direction(_s3(b, b, p), s3_extremal(b, b, p, t)[:, None])[0])
            worst = max(worst, abs(got - closed) / (closed * tol.gamma(tol.ema_ops(t))),
                        abs(exact - closed) / (closed * tol.gamma(tol.ema_ops(t))))
            rows.append({"beta": b, "p": p, "t": t, "update": got, "closed_form": closed, "U": s3_bound(b, b, p)})
            if not tol.not_above(got, bound, tol.ema_ops(t)):
                verdict = Verdict.REFUTED
    approached = all(abs(r["update"] - 1) <= tol.gamma(tol.ema_ops(r["t"])) for r in rows if r["t"] == 3000)
    if verdict is Verdict.TIGHT and not (exponent == 1 and conj == 1 and worst <= 1 and approached):
        verdict = Verdict.VERIFIED
    ts = np.unique(np.geomspace(1, 3000, 25).astype(int))
    plot = curve_plot("s3 Thm 2(2): beta1 = beta2 = 0.95, p = 3", "t", "|n_t|/b_t",
                      series("bound 1", [1, 3000], [1, 1], "dashed"),
                      series("exact sup (1 - beta^(t+1))^(1/q)", ts, [(1 - 0.95 ** (t + 1)) ** (2 / 3) for t in ts]),
                      series("reference.s3 on the extremal sequence", [r["t"] for r in rows if r["beta"] == 0.95 and r["p"] == 3.0],
                             [r["update"] for r in rows if r["beta"] == 0.95 and r["p"] == 3.0], "points"), logx=True)
    return Outcome(verdict, "|n_t|/b_t <= 1 when beta1 = beta2",
                   "sup_t = 1: approached as t -> inf (p > 1), attained at every t (p = 1)",
                   {"symbolic": {"q - q/p": str(exponent), "1/p + 1/q": str(conj)}, "cases": rows,
                    "max_error_in_gamma_units": worst}, (plot,))


def _check_minimized(ctx: Context, negative: bool) -> Outcome:
    """U(beta1, beta2, p) >= 1 with equality iff beta1 = beta2 (Young's inequality, proof Eqs. 15-16)."""
    rows, verdict = [], Verdict.VERIFIED
    target = (lambda b2, p: b2 ** (1 / p)) if negative else (lambda b2, p: b2)  # negative: minimiser beta2^(1/p)
    for p in (1.0, 1.5, 2.0, 3.0, 5.0):
        for b2 in (0.5, 0.9, 0.95, 0.999):
            hi = b2 ** (1 / p)
            b1s = np.concatenate([np.linspace(0, hi, 400, endpoint=False), [b2]])
            U = np.array([s3_bound(b1, b2, p) for b1 in b1s])
            arg = float(b1s[np.argmin(U)])
            rows.append({"p": p, "beta2": b2, "min_U": float(U.min()), "argmin_beta1": arg})
            if U.min() < 1 - tol.gamma(32) or abs(arg - target(b2, p)) > 1e-12 or abs(U.min() - 1) > tol.gamma(32):
                verdict = Verdict.REFUTED
    return Outcome(verdict, "U minimised (= 1) at beta1 = beta2", f"min U = 1 at beta1 = beta2 on {len(rows)} (p, beta2) pairs",
                   {"cases": rows, "proof_note": "Eq. (15) writes '=' for the two Young's-inequality steps, which are "
                                                 "'>=' (for U); the conclusion U >= 1 with equality iff beta1 = beta2 holds."})


register(Claim(
    id="s3.thm2.2",
    source="s3 Theorem 2(2); proof Appendix C.2, Eqs. (15)-(16)",
    statement=r"When $\beta_1=\beta_2$ the upper bound reaches its smallest value 1: "
              r"$|n_t^{(j)}|/b_t^{(j)}(p)\le 1$",
    expected=Verdict.TIGHT,
    checks=(
        Check("bound 1 is the supremum", _check_equal_betas, Verdict.TIGHT, "bound 1 - 1e-6"),
        Check("Eq. (4) minimised at beta1 = beta2", _check_minimized, Verdict.VERIFIED, "minimiser beta1 = beta2^(1/p)"),
    ),
))


# --------------------------------------------------------------------------- Theorem 2 (3)


def _b_of(G: np.ndarray, beta: float, p: float) -> np.ndarray:
    """``b_t(p)`` of Algorithm 1 line 7 from reference.s3's state s_t (G: (t, N))."""
    trace = R.replay(_s3(beta, beta, p), G[:, :, None])
    return root(beta * trace.state.s[-1, :, 0] + (1 - beta) * abs_pow(G[-1], p), p)


def _check_monotone(ctx: Context, negative: bool) -> Outcome:
    """b_t(p1) <= b_t(p2): exact sup of b(p1)/b(p2) is W^(1/p1-1/p2) < 1, W = 1 - beta^(t+1)."""
    rng = np.random.default_rng(ctx.seed)
    k_ = sp.symbols("k", integer=True)
    b_, t_ = sp.symbols("beta t", positive=True)
    # total weight of the power mean behind b_t (proof Eq. 18): W = (1-beta)(sum_k beta^(t-k+1) + 1)
    W = sp.piecewise_fold((1 - b_) * (sp.Sum(b_ ** (t_ - k_ + 1), (k_, 1, t_)).doit() + 1))
    W = sp.simplify(W.args[-1][0] if isinstance(W, sp.Piecewise) else W)  # the beta != 1 branch
    rows, verdict, worst_ratio = [], Verdict.TIGHT, 0.0
    for beta in (0.5, 0.9, 0.95, 0.999):
        for p1, p2 in ((1.0, 2.0), (1.0, 3.0), (2.0, 3.0), (1.5, 4.0)):
            lo, hi = (p2, p1) if negative else (p1, p2)  # negative control: the reversed inequality
            for t in (1, 10, 200):
                G = np.concatenate([rng.standard_cauchy((t, 128)), rng.normal(size=(t, 64)) * 10.0 ** rng.uniform(-8, 8, (t, 64)),
                                    np.ones((t, 1))], axis=1)
                ratio = _b_of(G, beta, lo) / _b_of(G, beta, hi)
                Wt = -np.expm1((t + 1) * np.log(beta))
                sup = Wt ** (1 / lo - 1 / hi)
                worst_ratio = max(worst_ratio, float(ratio.max()))
                rows.append({"beta": beta, "p1": lo, "p2": hi, "t": t, "max_ratio": float(ratio.max()),
                             "constant_sequence": float(ratio[-1]), "exact_sup": sup})
                if not tol.not_above(ratio.max(), min(1.0, sup), tol.ema_ops(t)):
                    verdict = Verdict.REFUTED
    if verdict is Verdict.TIGHT:
        attained = all(tol.within(r["constant_sequence"], r["exact_sup"], tol.ema_ops(r["t"])) for r in rows)
        limit_one = all(abs(r["exact_sup"] - 1) < 1e-6 for r in rows if r["t"] == 200 and r["beta"] <= 0.9)
        if not (attained and limit_one and sp.simplify(W - (1 - b_ ** (t_ + 1))) == 0):
            verdict = Verdict.VERIFIED
    # the corollary of Sec. 3: the update |n_t|/b_t(p) shrinks as p grows
    G = rng.standard_cauchy((50, 256))
    d = {p: last_direction(_s3(0.95, 0.95, p), G) for p in (1.0, 2.0, 3.0, 6.0)}
    shrinks = all(bool(np.all(d[a] >= d[b] * (1 - tol.gamma(tol.ema_ops(50))))) for a, b in ((1.0, 2.0), (2.0, 3.0), (3.0, 6.0)))
    if not shrinks and verdict is not Verdict.REFUTED:
        verdict = Verdict.REFUTED
    ts = np.arange(1, 200)
    plot = curve_plot("s3 Thm 2(3): sup over sequences of b_t(p1)/b_t(p2), beta = 0.9", "t", "ratio",
                      series("bound 1", [1, 199], [1, 1], "dashed"),
                      *(series(f"(1 - beta^(t+1))^(1/{a:g} - 1/{b:g})", ts, (1 - 0.9 ** (ts + 1)) ** (1 / a - 1 / b))
                        for a, b in ((1.0, 2.0), (1.0, 3.0), (2.0, 3.0))),
                      series("reference.s3, constant |g| (p1=1, p2=3)", [r["t"] for r in rows if (r["beta"], r["p1"], r["p2"]) == (0.9, 1.0, 3.0)],
                             [r["constant_sequence"] for r in rows if (r["beta"], r["p1"], r["p2"]) == (0.9, 1.0, 3.0)], "points"),
                      logx=True)
    return Outcome(verdict, "b_t(p1) <= b_t(p2)", f"max b(p1)/b(p2) = {worst_ratio:.9f}; exact sup W^(1/p1-1/p2) "
                   "attained by constant |g|, -> 1 as t -> inf",
                   {"W": str(W), "cases": rows, "update_shrinks_with_p": shrinks}, (plot,))


register(Claim(
    id="s3.thm2.3",
    source="s3 Theorem 2(3); proof Appendix C.2, Eqs. (17)-(18); Sec. 3",
    statement=r"Let $1\le p_1\le p_2$; then $b_t(p_1)\le b_t(p_2)$ (so the update $|n_t|/b_t(p)$ shrinks as p grows)",
    expected=Verdict.TIGHT,
    checks=(Check("power-mean monotonicity", _check_monotone, Verdict.TIGHT, "the reversed inequality b(p2) <= b(p1)"),),
))
