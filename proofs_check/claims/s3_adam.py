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
from ..evidence import Bound, Case, Derivation, Exact, Exactly, Identity, Instances, Rounding, SearchAgreement
from ..perturb import Params, ScaleBound, SetParam, UseCorrected
from ..registry import Check, Claim, Context, Verdict, register
from ..worst_case import adversarial_max
from ._common import batched, curve_plot, last_direction, series

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

J = sp.Symbol("j", integer=True, nonnegative=True)
# proof Eq. (12), the Cauchy-Schwarz line: |m_t|/sqrt(v_t) <= K_t sqrt(sum_{j=0}^{t-1} (beta1^2/beta2)^j)
PROOF_LINE = _K * sp.sqrt(sp.Sum((B1**2 / B2) ** J, (J, 0, T - 1)))
DOMAIN = {B1: (sp.Rational(1, 10), sp.Rational(1, 2)), B2: (sp.Rational(6, 10), sp.Rational(99, 100)), T: (1, 40)}


def _geometric(expr: sp.Expr) -> sp.Expr:
    """Evaluate the geometric sums of ``expr`` on their ``rho != 1`` branch (beta1^2 < beta2)."""
    done = expr.doit()
    return done.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[-1][0])


def _statement(ctx: Context, p: Params) -> Derivation:
    """Printed Eq. (3) vs the sum of the proof's Cauchy-Schwarz line (12), evaluated by sympy."""
    derived = _geometric(PROOF_LINE)
    alg = _adam(beta1=0.9, beta2=0.999)
    printed_at = sp.lambdify((B1, B2, T), PRINTED_EXPR, "numpy")
    counter = [{"t": t, "beta1": 0.9, "beta2": 0.999, "gradients": extremal_sequence(0.9, 0.999, t).tolist(),
                "update": float(last_direction(alg, extremal_sequence(0.9, 0.999, t)[:, None])[0]),
                "printed_bound": float(printed_at(0.9, 0.999, t))} for t in (1, 2)]
    return Derivation(
        "Eq. (3): sqrt(1 - (beta1^t/beta2)^t)", PRINTED_EXPR, derived, corrected=PROOF_EXPR, domain=DOMAIN,
        note=(f"the proof's line (12) sums to sqrt(1 - (beta1^2/beta2)^t); as printed the bound fails at t = 1 "
              f"({counter[0]['printed_bound']:.4f} < Adam's first update {counter[0]['update']:.4f})"),
        details={"counterexamples_to_printed": counter,
                 "corrected_statement": "|m_t|/sqrt(v_t) <= (1-b1) sqrt(1-b2^t) sqrt(1-(b1^2/b2)^t) / "
                                        "((1-b1^t) sqrt(1-b2) sqrt(1-b1^2/b2))",
                 "note": "for t >= 3 the printed bound is larger than the proof's (valid but loose); at t = 1 it is "
                         "smaller than Adam's first update |m_1|/sqrt(v_1) = 1. The main text's extremal condition "
                         "'beta2^2|g_{t-k}|/beta_t^k' is garbled too; the proof's |g_t| = beta2^k |g_{t-k}| / beta1^k is right."})


def _attained(ctx: Context, p: Params) -> Bound:
    """The theorem's equality case drives reference.adam to B_t (proof Eq. 12) on every (beta1, beta2, t)."""
    cases = []
    for b1, b2 in GRID:
        for t in TS:
            alg = _adam(beta1=b1, beta2=b2, bias_correction=p.bias_correction)
            got = float(last_direction(alg, extremal_sequence(b1, b2, t)[:, None])[0])
            cases.append(Case(got, float(adam_bound(b1, b2, t)), {"beta1": b1, "beta2": b2, "t": t}, adam_ops(b1, b2, t)))
    b1, b2 = 0.9, 0.999
    ts = np.unique(np.geomspace(1, 20000, 30).astype(int))
    mine = [c for c in cases if (c.inputs["beta1"], c.inputs["beta2"]) == (b1, b2)]
    plot = curve_plot(
        "s3 Thm 1: Adam update bound, beta=(0.9, 0.999)", "t", "|m_t|/sqrt(v_t)",
        series("B_t (proof Eq. 12)", ts, adam_bound(b1, b2, ts)),
        series("Eq. (3) as printed", ts, adam_bound_printed(b1, b2, ts), "dashed"),
        series("limit 7.27", [ts[0], ts[-1]], [adam_limit(b1, b2)] * 2, "dashed"),
        series("reference.adam on the extremal sequence", [c.inputs["t"] for c in mine], [c.value for c in mine], "points"),
        logx=True)
    return Bound("|m_t|/sqrt(v_t) <= B_t, with equality for equal signs and |g_t| = beta2^k |g_(t-k)|/beta1^k",
                 tuple(cases), Exact("Holder duality with p = 2 (proofs_check.worst_case); B_t is proof Eq. (12)",
                                     domain={"beta1, beta2": "grid of 5 pairs with beta1^2 != beta2", "t": str(TS)}),
                 plots=(plot,))


def _admissible(rng: np.random.Generator, n: int) -> list[tuple[float, float]]:
    """Random (beta1, beta2) over Theorem 1's whole domain: 0 <= beta1 < 1, beta1^2 < beta2 < 1."""
    b1 = rng.uniform(0.0, 0.999, n)
    b2 = b1**2 + (1 - b1**2) * rng.uniform(0.01, 0.999, n)
    return [(float(a), float(b)) for a, b in zip(b1, b2)]


def _search(ctx: Context, p: Params) -> SearchAgreement:
    """A black-box search over gradient sequences reaches, and never exceeds, the closed form B_t."""
    rng = np.random.default_rng(ctx.seed)
    paper = [(0.9, 0.999, 6), (0.5, 0.3, 5), (0.9, 0.99, 10), (0.99, 0.999, 8)]
    drawn = [(b1, b2, int(t)) for (b1, b2), t in zip(_admissible(rng, ctx.pick(4, 10)), rng.integers(2, 12, 10))]
    cases = ctx.pick(paper[:2], paper) + drawn + ctx.pick([], [(0.0, 0.5, 4), (0.9, 0.999, 14), (0.8, 0.7, 12)])
    searched, closed, inputs, ops = [], [], [], []
    for i, (b1, b2, t) in enumerate(cases):
        res = adversarial_max(batched(lambda: _adam(beta1=b1, beta2=b2)), t, seed=ctx.seed + i,
                              maxiter=ctx.pick(150, 400))
        searched.append(res.value)
        closed.append(float(adam_bound(b1, b2, t)))
        inputs.append({"beta1": b1, "beta2": b2, "t": t, "argmax": res.argmax.tolist(), "evaluations": res.evaluations})
        ops.append(adam_ops(b1, b2, t))
    return SearchAgreement("no sequence exceeds B_t, and B_t is reached", tuple(searched), tuple(closed), tuple(inputs),
                           tuple(ops), {"g": "[-1, 1]^t (the ratio is scale-invariant)",
                                        "(beta1, beta2)": "the paper's 4 examples + random draws over 0 <= beta1 < 1, "
                                                          "beta1^2 < beta2 < 1", "t": "2..14"},
                           f"differential evolution + L-BFGS-B, maxiter {ctx.pick(150, 400)} per case")


register(Claim(
    id="s3.thm1",
    source="s3 Theorem 1, Eq. (3); proof Appendix C.1, Eq. (12)",
    statement=r"If $\beta_1^2<\beta_2$: $\frac{|m_t^{(j)}|}{\sqrt{v_t^{(j)}}}\le\frac{(1-\beta_1)\sqrt{1-\beta_2^t}"
              r"\sqrt{1-(\frac{\beta_1^t}{\beta_2})^t}}{(1-\beta_1^t)\sqrt{1-\beta_2}\sqrt{1-\frac{\beta_1^2}{\beta_2}}}"
              r"\simeq\frac{1-\beta_1}{\sqrt{1-\beta_2}\sqrt{1-\beta_1^2/\beta_2}}$, with equality for equal signs and "
              r"$|g_t|=\beta_2^k|g_{t-k}|/\beta_1^k$",
    expected=Verdict.ERRATUM,
    checks=(
        Check("printed vs proof", _statement, Verdict.ERRATUM, UseCorrected()),
        Check("extremal sequence attains B_t", _attained, Verdict.TIGHT,
              SetParam("bias_correction", False, "algorithm", "Adam without bias correction"),
              {"bias_correction": True}),
        Check("adversarial search", _search, Verdict.VERIFIED, ScaleBound(1 - 1e-3)),
    ),
    note=("the main text's Eq. (3) prints (beta1^t/beta2)^t where the proof's Eq. (12) gives (beta1^2/beta2)^t; as "
          "printed the bound fails at t = 1, while the proof's bound is the exact supremum, attained by the stated "
          "extremal sequence"),
))


def _limit_value(ctx: Context, p: Params) -> Derivation:
    """Sec. 2's "~7.27": the limit at (0.9, 0.999), rounded to the two decimals printed."""
    exact = LIMIT_EXPR.subs({B1: sp.nsimplify(p.beta1), B2: sp.nsimplify(p.beta2)})
    return Derivation("limit ~ 7.27 at (0.9, 0.999)", sp.Rational(727, 100),
                      sp.Rational(round(float(sp.N(exact, 30)) * 100), 100),
                      note=f"limit at ({p.beta1}, {p.beta2}) = {sp.N(exact, 12)}", details={"exact": str(exact)})


def _limit_sup(ctx: Context, p: Params) -> Bound:
    """The limit is sup_t B_t (AM-GM) and reference.adam approaches it along t."""
    b1, b2 = 0.9, 0.999
    limit = adam_limit(b1, b2)
    # B_t^2 / limit^2 = (1-b2^t)(1-rho^t)/(1-b1^t)^2 <= 1: with a = b2^t, c = rho^t, b1^t = sqrt(a c),
    # (1 - sqrt(ac))^2 - (1-a)(1-c) = (sqrt(a) - sqrt(c))^2 >= 0.
    a, c = sp.symbols("a c", positive=True)
    amgm = sp.expand((1 - sp.sqrt(a * c)) ** 2 - (1 - a) * (1 - c) - (sp.sqrt(a) - sp.sqrt(c)) ** 2)
    cases = []
    for t in (1, 10, 100, 1000, 5000, 20000):
        got = float(last_direction(_adam(beta1=b1, beta2=b2), extremal_sequence(b1, b2, t)[:, None])[0])
        cases.append(Case(got, limit, {"beta1": b1, "beta2": b2, "t": t}, adam_ops(b1, b2, t)))
    ts = np.geomspace(1, 1e6, 200)
    plot = curve_plot(f"s3 Thm 1: limit - B_t at ({b1}, {b2})", "t", "limit - B_t (exact supremum)",
                      series("limit - B_t", ts, limit - adam_bound(b1, b2, ts)), logx=True, logy=True)
    return Bound("sup over t and all sequences = the limit, approached", tuple(cases),
                 Exact("AM-GM: B_t <= limit for every t (sympy identity)", proof=(amgm,),
                       domain={"t": "1 .. 20000", "g": "the extremal sequence (attains B_t)"}),
                 approach="t", note="approached as t -> inf, never attained", plots=(plot,))


register(Claim(
    id="s3.thm1.limit",
    source="s3 Theorem 1, Eq. (3) and Sec. 2 (~7.27 at (0.9, 0.999))",
    statement=r"$\frac{1-\beta_1}{\sqrt{1-\beta_2}\sqrt{1-\beta_1^2/\beta_2}}\simeq 7.27$ at "
              r"$(\beta_1,\beta_2)=(0.9,0.999)$, the theoretical maximum of Adam's update",
    expected=Verdict.TIGHT,
    checks=(Check("value 7.27", _limit_value, Verdict.VERIFIED,
                  SetParam("beta2", 0.99, "hyperparameter"), {"beta1": 0.9, "beta2": 0.999}),
            Check("supremum over t, approached", _limit_sup, Verdict.TIGHT, ScaleBound(1 - 1e-4))),
    note='the limit is the supremum over t of the exact bound: approached as t grows, never attained',
))


def _condition(ctx: Context, p: Params) -> Identity:
    """beta1^2 < beta2 is necessary and sufficient for a bound uniform in t (B_t bounded iff rho < 1)."""
    grid = [(b1, b2) for b1 in (0.5, 0.8, 0.9, 0.95) for b2 in (0.3, 0.6, 0.7, 0.9, 0.99, 0.999) if b1 * b1 != b2]
    condition = {"beta1^2 < beta2": lambda b1, b2: b1 * b1 < b2,
                 "beta1 < beta2^(1/4)": lambda b1, b2: b1**4 < b2}[p.condition]
    # B_t is non-decreasing; bounded iff B_(2e6) equals B_(1e6) up to the rounding of its logs
    growth = [float(log_adam_bound(b1, b2, 2 * 10**6) - log_adam_bound(b1, b2, 10**6)) for b1, b2 in grid]
    bounded = [g <= tol.POLICY.gamma(16) for g in growth]
    ts = np.unique(np.geomspace(1, 5000, 40).astype(int))
    plot = curve_plot("s3 Thm 1: B_t with and without beta1^2 < beta2", "t", "B_t (exact sup)",
                      *(series(f"beta=({b1}, {b2}), rho={b1 * b1 / b2:.3f}", ts, adam_bound(b1, b2, ts))
                        for b1, b2 in ((0.9, 0.999), (0.9, 0.9), (0.9, 0.8), (0.95, 0.9))), logx=True, logy=True)
    return Identity("needs beta1^2 < beta2", [condition(b1, b2) for b1, b2 in grid], bounded, Exactly(),
                    f"{p.condition} on the grid", "sup_t B_t < inf",
                    note="the finite-t bound holds for every rho != 1 (step (iii) needs no condition); the condition is "
                         "needed for the limit",
                    details={"cases": [{"beta1": b1, "beta2": b2, "log B_2e6 - log B_1e6": g}
                                       for (b1, b2), g in zip(grid, growth)]}, plots=(plot,))


register(Claim(
    id="s3.thm1.condition",
    source="s3 Theorem 1 (hypothesis beta1^2 < beta2)",
    statement=r"The bound holds if $\beta_1^2<\beta_2$",
    expected=Verdict.VERIFIED,
    checks=(Check("necessary and sufficient for a t-uniform bound", _condition, Verdict.VERIFIED,
                  SetParam("condition", "beta1 < beta2^(1/4)", "constant", "a weaker condition"),
                  {"condition": "beta1^2 < beta2"}),),
))


# --------------------------------------------------------------------------- Sec. 2 and Sec. 5.5


def _sign_like(ctx: Context, p: Params) -> Identity:
    """A constant gradient makes Adam's update exactly sign(g) (bias correction is what makes it so)."""
    rng = np.random.default_rng(ctx.seed)
    g = rng.normal(size=(1, 64)) * 10.0 ** rng.uniform(-6, 6, size=(1, 64))
    d = R.replay(R.adam(lr=1.0, eps=0.0, bias_correction=p.bias_correction), np.repeat(g, 50, axis=0)).direction
    return Identity("m_t/sqrt(v_t) = Sign(g) for stable g", d, np.broadcast_to(np.sign(g), d.shape),
                    Rounding(tol.ema_ops(50), 1.0), "Adam's update over 50 steps x 64 coordinates", "sign(g)")


def _clip(ctx: Context, p: Params) -> Bound:
    """Clipping Adam's update to [-1, 1] bounds every coordinate by 1, even on Theorem 1's extremal input."""
    b1, b2, t = 0.9, 0.999, 3000
    G = np.stack([extremal_sequence(b1, b2, t), -extremal_sequence(b1, b2, t)], axis=1)
    rng = np.random.default_rng(ctx.seed)
    G = np.concatenate([G, rng.standard_cauchy((t, 62))], axis=1)
    trace = R.replay(R.adam_clipped(lr=1.0, eps=0.0, beta1=b1, beta2=b2, clip=p.clip), G[:, :, None])
    plain = R.replay(R.adam(lr=1.0, eps=0.0, beta1=b1, beta2=b2), G[:, :2, None]).direction
    worst = np.max(np.abs(trace.direction[:, :, 0]), axis=0)
    names = ["extremal (+)", "extremal (-)"] + [f"cauchy {k}" for k in range(62)]
    steps = np.arange(1, t + 1)
    plot = curve_plot("s3 Sec. 5.5: Adam vs clipped Adam on Thm 1's extremal input", "t", "max_j |update|",
                      series("Adam", steps, np.max(np.abs(plain[:, :, 0]), axis=1)),
                      series(f"Adam clipped to [-{p.clip:g}, {p.clip:g}]", steps,
                             np.max(np.abs(trace.direction[:, :, 0]), axis=1)), logx=True)
    return Bound("clipped update in [-1, 1]",
                 tuple(Case(float(w), 1.0, {"sequence": n, "beta1": b1, "beta2": b2, "t": t}) for w, n in zip(worst, names)),
                 Instances({"g": "Theorem 1's extremal sequence (both signs) + 62 Cauchy sequences", "t": "1..3000"}),
                 note=f"unclipped Adam reaches {float(np.max(np.abs(plain))):.4f}", plots=(plot,))


register(Claim(
    id="s3.sec2.sign_like",
    source="s3 Sec. 2 (Adam reduces to SignSGD when g_t is stable)",
    statement=r"If $g_t$ stays stable, $x_{t+1}=x_t-\gamma_t m_t/\sqrt{v_t}=x_t-\gamma_t\,\mathrm{Sign}(g_t)$",
    expected=Verdict.VERIFIED,
    checks=(Check("constant gradients", _sign_like, Verdict.VERIFIED,
                  SetParam("bias_correction", False, "algorithm", "Adam without bias correction"),
                  {"bias_correction": True}),),
))

register(Claim(
    id="s3.sec5_5",
    source="s3 Sec. 5.5 (clipping Adam's update to [-1, 1])",
    statement=r"Clipping the Adam update to $[-1,1]$ bounds every coordinate of the update by 1",
    expected=Verdict.TIGHT,
    checks=(Check("extremal and heavy-tailed inputs", _clip, Verdict.TIGHT,
                  SetParam("clip", 1.5, "algorithm", "clip to [-1.5, 1.5]"), {"clip": 1.0}),),
))
