"""adamlinf Theorem 3.2 (SignGD under l_inf smoothness): statement, proof (App. B) and measurement.

Theorem 3.2 (as printed): L H-smooth w.r.t. l_inf (Def. 3.1), ``{x_t}_{t=1}^T`` the SignGD iterates
from ``x_0`` with learning rate eta::

    min_{1 <= t <= T} ||grad L(x_t)||_1 <= (L(x_0) - min L)/(T eta) + H eta / 2,           (a)
    eta = sqrt(2 (L(x_0) - min L)/(T H))  =>  min_{1 <= t <= T} ||grad L(x_t)||_1 <= sqrt(2 H (L(x_0) - min L)/T).  (b)

Proof (App. B, Eq. 7): ``L(x_{t+1}) - L(x_t) <= -eta ||grad L(x_t)||_1 + H eta^2/2`` (the printed
``eta^2 H/2 eta^2`` carries a stray ``eta^2``), summed over the T steps.  The T steps that produce
x_1..x_T are t = 0..T-1, so the sum bounds the gradients at x_0..x_{T-1}: the proof proves (a) and
(b) with ``min_{0 <= t <= T-1}``; the statement's range 1..T includes x_T (never bounded) and drops x_0.
This is not cosmetic: with ``L = x^2/2`` (H = 1), x_0 = e, T = 1, SignGD jumps to x_1 = e - eta and
``|L'(x_1)| = eta - e`` while (a)'s right side is ``e^2/(2 eta) + eta/2``: the ratio tends to 2 as
e -> 0.  For (b): ``A = diag(1, 9)`` (H = ||A||_inf->1 = 10), ``x_0 = (1, 1e-9)``, T = 1 gives
``||grad L(x_1)||_1 = 3.530 > 3.162``.

For a quadratic ``L = x^T A x / 2`` (A PSD, min L = 0) the constant of Def. 3.1 is exactly
``H = ||A||_{inf->1} = max_s ||A s||_1`` over sign vectors (reference.problems.linalg, by enumeration).
Eq. (7) holds with equality on diagonal quadratics, so the corrected bound is tight: on
``L = h x^2/2`` from ``x_0 = eta/2`` SignGD oscillates between +-eta/2 with ``|grad| = h eta/2``,
and the ratio to the bound is ``4T/(4T+1) -> 1``.

Eq. (7) holds with equality on diagonal quadratics, so the corrected bound is attained: on
``L = sum_i h_i x_i^2/2`` from ``x_0 = eta (1, ..., 1)`` SignGD reaches 0 in one step and T = 1 gives
``||grad L(x_0)||_1 = eta sum_i h_i = (L(x_0) - min L)/eta + H eta/2`` exactly (H = sum_i h_i).

Searched domain (both checks): PSD quadratics (the statement's L must be bounded below; a quadratic is
iff PSD) of dimension 1..5 (30 % diagonal), with the exact constant H; x_0 uniform in [-1, 1]^d; eta
log-uniform in [1e-3, 3] (10^-4..10 under --full) and eta* of (b); T in {1, 2, 3, 8, 32} ({1, 2, 3, 4, 8,
16, 32, 64} under --full); for every (A, T, kind) the worst of 256 starts is a case.  Non-quadratic L are
not searched.

SignGD is scale-equivariant on quadratics without linear term: the run with learning rate eta from
x_0 is eta times the run with learning rate 1 from x_0/eta, so many eta run in one batched call.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

import reference as R
from reference.problems import diagonal_quadratic, quadratic
from reference.problems.linalg import inf_to_one_norm, spectral_norm

from ..evidence import Bound, Case, Derivation, Searched
from ..perturb import Params, SetParam, UseCorrected
from ..registry import Check, Claim, Context, Verdict, register

__all__ = ["signgd_gradients", "ratios", "derive", "sweep"]


def signgd_gradients(A: np.ndarray, x0: np.ndarray, eta: np.ndarray, T: int) -> tuple[np.ndarray, np.ndarray]:
    """``(||grad L(x_t)||_1 for t = 0..T, L(x_0))`` of SignGD (reference.signgd) on ``x^T A x/2``,
    batched over rows of ``x0`` (N, d) with per-row learning rates ``eta`` (N,) (scale equivariance:
    lr 1 from x0/eta, then gradients times eta).  Shapes (T+1, N) and (N,)."""
    prob = quadratic(A) if np.any(A - np.diag(np.diag(A))) else diagonal_quadratic(np.diag(A))
    y0 = x0 / eta[:, None]
    rec = R.run(R.signgd(lr=1.0), prob, y0, T, np.random.default_rng(0), record_directions=False)
    return rec.grad_l1 * eta[None, :], rec.F[0] * eta**2


def ratios(g: np.ndarray, delta: np.ndarray, eta: np.ndarray, H: float, T: int) -> dict[str, np.ndarray]:
    """Measured / bound for (a) and (b), printed range 1..T and proof's range 0..T-1."""
    bound_a = delta / (T * eta) + H * eta / 2
    bound_b = np.sqrt(2 * H * delta / T)
    printed, proof = g[1:T + 1].min(axis=0), g[0:T].min(axis=0)
    return {"a_printed": printed / bound_a, "a_proof": proof / bound_a, "b_printed": printed / bound_b,
            "b_proof": proof / bound_b}


P_DIAGONAL = 3 / 10  # share of diagonal problems in the search (Eq. (7) is exact on them)


def _random_problem(rng: np.random.Generator) -> np.ndarray:
    d = int(rng.integers(1, 6))
    M = rng.standard_normal((d, d))
    if rng.random() < P_DIAGONAL:
        return np.diag(np.abs(M[0]) + 0.05)
    return M @ M.T / d + 0.05 * np.eye(d)


@lru_cache(maxsize=4)
def sweep(seed: int, full: bool) -> tuple[dict, ...]:
    """The searched instances (module docstring): per (A, T, kind) the gradient norms of 256 SignGD runs.

    Each record: A, H (exact l_inf constant), ||A||_2, T, kind ("a": random eta, "b": eta*), x0 (N, d),
    eta (N,), delta = L(x_0) - min L (N,), g (T+1, N)."""
    rng = np.random.default_rng(seed)
    horizons = (1, 2, 3, 4, 8, 16, 32, 64) if full else (1, 2, 3, 8, 32)
    lo, hi = (1e-4, 10.0) if full else (1e-3, 3.0)
    out = []
    for _ in range(160 if full else 24):
        A = _random_problem(rng)
        d = A.shape[0]
        H, exact = inf_to_one_norm(A)
        if not exact:  # pragma: no cover - d <= 5 always enumerates
            raise RuntimeError("inexact l_inf constant")
        x0 = rng.uniform(-1, 1, size=(256, d))
        delta = 0.5 * np.einsum("ni,ij,nj->n", x0, A, x0)
        for T in horizons:
            eta = np.exp(rng.uniform(np.log(lo), np.log(hi), size=256))
            for kind, lr in (("a", eta), ("b", np.sqrt(2 * delta / (T * H)))):
                g, _ = signgd_gradients(A, x0, lr, T)
                out.append({"A": A, "H": H, "l2": spectral_norm(A), "T": T, "kind": kind, "x0": x0, "eta": lr,
                            "delta": delta, "g": g})
    return tuple(out)


def _families() -> tuple[dict, ...]:
    """The named instances: (a) L = x^2/2, x0 = 1e-3, eta = 1, T = 1; (b) A = diag(1, 9), x0 = (1, 1e-9), eta*;
    the attaining instance A = diag(1, 2, 3), x0 = eta (1, 1, 1), T = 1."""
    out = []
    for A, x0, kind, eta in ((np.array([[1.0]]), np.array([[1e-3]]), "a", np.array([1.0])),
                             (np.diag([1.0, 9.0]), np.array([[1.0, 1e-9]]), "b", None),
                             (np.diag([1.0, 2.0, 3.0]), np.full((1, 3), 0.5), "a", np.array([0.5]))):
        H = inf_to_one_norm(A)[0]
        delta = 0.5 * np.einsum("ni,ij,nj->n", x0, A, x0)
        lr = np.sqrt(2 * delta / H) if eta is None else eta
        g, _ = signgd_gradients(A, x0, lr, 1)
        out.append({"A": A, "H": H, "l2": spectral_norm(A), "T": 1, "kind": kind, "x0": x0, "eta": lr, "delta": delta,
                    "g": g, "named": True})
    return tuple(out)


def _cases(ctx: Context, first: int, H_norm: str) -> tuple[Case, ...]:
    """Per record the worst start: value = min over t = first..first+T-1 of ||grad L(x_t)||_1, bound = (a) or (b)."""
    cases = []
    for r in _families() + sweep(ctx.seed, ctx.full):
        T, A = r["T"], r["A"]
        H = r["H"] if H_norm == "l_inf" else r["l2"]
        value = r["g"][first:first + T].min(axis=0)
        bound = (r["delta"] / (T * r["eta"]) + H * r["eta"] / 2) if r["kind"] == "a" else np.sqrt(2 * H * r["delta"] / T)
        i = int(np.argmax(value / bound))
        d = A.shape[0]
        cases.append(Case(float(value[i]), float(bound[i]),
                          {"statement": r["kind"], "T": T, "eta": float(r["eta"][i]), "d": d, "H": H,
                           "A": A.tolist(), "x0": r["x0"][i].tolist(), "named": r.get("named", False)},
                          ops=4 * (d + T) + 16))
    return tuple(cases)


def _domain(ctx: Context) -> dict[str, str]:
    return {"L": "PSD quadratics d = 1..5 (30 % diagonal), exact H = ||A||_inf->1; + 3 named instances",
            "x_0": "uniform [-1, 1]^d, 256 per (A, T)", "eta": ctx.pick("log-uniform [1e-3, 3]", "log-uniform [1e-4, 10]")
            + " and eta* of (b)", "T": ctx.pick("1, 2, 3, 8, 32", "1, 2, 3, 4, 8, 16, 32, 64")}


def _printed(ctx: Context, p: Params) -> Bound:
    """The statement as printed: min over t = first_index..first_index+T-1 (printed: 1..T)."""
    cases = _cases(ctx, p.first_index, "l_inf")
    worst = max(cases, key=lambda c: c.value / c.bound)
    return Bound("min_{1<=t<=T} ||grad L(x_t)||_1 <= (L(x0)-min L)/(T eta) + H eta/2 (and (b) at eta*)", cases,
                 Searched(_domain(ctx), f"{len(cases)} worst-of-256 cases"),
                 note=f"min over t = {p.first_index}..T{'-1' if p.first_index == 0 else ''}; worst case "
                      f"{worst.inputs['statement']} at T = {worst.inputs['T']}, d = {worst.inputs['d']}: "
                      f"{worst.value:.6g} vs {worst.bound:.6g}")


def _corrected(ctx: Context, p: Params) -> Bound:
    """The proof's statement (min over t = 0..T-1) with the l_inf constant H (declared: H_norm)."""
    cases = _cases(ctx, 0, p.H_norm)
    return Bound("min_{0<=t<=T-1} ||grad L(x_t)||_1 <= (L(x0)-min L)/(T eta) + H eta/2 (and (b) at eta*)", cases,
                 Searched(_domain(ctx), f"{len(cases)} worst-of-256 cases"),
                 note=f"H = {'||A||_inf->1 (exact, enumeration)' if p.H_norm == 'l_inf' else '||A||_2'}; equality at "
                      "A = diag(1, 2, 3), x0 = eta (1, 1, 1), T = 1 (Eq. (7) is exact on diagonal quadratics)")


register(Claim(
    id="adamlinf.thm3_2",
    source="adamlinf Theorem 3.2, App. B",
    statement="L H-smooth w.r.t. l_inf, SignGD iterates {x_t}_{t=1}^T: min_{1<=t<=T} ||grad L(x_t)||_1 <= "
              "(L(x_0) - min L)/(T eta) + H eta/2; with eta = sqrt(2(L(x_0)-min L)/(TH)): <= sqrt(2H(L(x_0)-min L)/T)",
    expected=Verdict.REFUTED,
    checks=(Check("printed index range 1..T: named counterexamples at T = 1 and a search", _printed, Verdict.REFUTED,
                  SetParam("first_index", 0, "input", "the proof's index range 0..T-1"), {"first_index": 1}),
            Check("the proof's statement (t = 0..T-1) on quadratics with exact H = ||A||_inf->1", _corrected,
                  Verdict.TIGHT, SetParam("H_norm", "l2", "constant", "||A||_2 (l2 smoothness) in place of the l_inf "
                                          "constant"), {"H_norm": "l_inf"})),
    note="As printed (min over x_1..x_T) the bound fails already at T = 1: the step from x_0 can overshoot, and "
         "the gradient at x_T is never bounded by the proof. With the minimum over x_0..x_(T-1), what the proof "
         "sums, it holds and is attained.",
))


# --------------------------------------------------------------------------- sympy: statement vs proof

eta, H, Delta, T = sp.symbols("eta H Delta T", positive=True)
t = sp.Symbol("t", integer=True)
g = sp.Symbol("g", positive=True)  # ||grad L(x_t)||_1 inside the index set's Sum


Lx = sp.Function("L")            # L(x_t) as a function of the iterate's index t
PROOF_DECREASE = Lx(0) - Lx(T)  # App. B's last display: (L(x_0) - L(x_T))/(T eta) + H eta/2


def _telescoped_range(step_lhs: sp.Expr, decrease: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """The steps ``t = lo..hi`` over which ``sum_t step_lhs`` telescopes to ``-decrease``: sympy sums the left side
    over symbolic limits (``L(x_(hi+1)) - L(x_lo)``) and the limits are solved from matching its L-terms with
    those of ``-decrease``, sign by sign."""
    lo_, hi_ = sp.symbols("lo hi", integer=True)
    telescoped = sp.Sum(step_lhs, (t, lo_, hi_)).doit()

    def l_terms(e: sp.Expr) -> dict:
        return {sp.sign(c): f.args[0] for f, c in sp.expand(e).as_coefficients_dict().items() if f.func == Lx}
    got, want = l_terms(telescoped), l_terms(-decrease)
    if set(got) != set(want) or len(got) != 2:
        raise ValueError(f"the sum {telescoped} does not telescope to {-decrease}")
    sol = sp.solve([got[k] - want[k] for k in got], [lo_, hi_], dict=True)[0]
    return sol[lo_], sol[hi_]


def derive() -> dict[str, sp.Expr]:
    """App. B redone from Eq. (7) and SignGD's step (x_{t+1} = x_t - eta sign(grad L(x_t))): Eq. (7) holds for each
    step t, with the gradient at x_t; summed over the steps whose left sides telescope to the proof's
    ``L(x_T) - L(x_0)``, it bounds the gradients at those steps' x_t."""
    gf = sp.Function("g")
    inner, step_inf = sp.Symbol("inner"), sp.Symbol("step_inf")
    # Eq. (7), first line: L(x_{t+1}) - L(x_t) <= -grad L(x_t)^T (x_t - x_{t+1}) + H/2 ||x_t - x_{t+1}||_inf^2
    step_lhs = Lx(t + 1) - Lx(t)
    first_line = -inner + H / 2 * step_inf**2
    # SignGD: x_t - x_{t+1} = eta sign(grad L(x_t)): grad^T(...) = eta ||grad L(x_t)||_1, ||...||_inf = eta
    per_step = first_line.subs({inner: eta * gf(t), step_inf: eta})
    # the steps that the proof sums: those whose left sides telescope to L(x_T) - L(x_0)
    lo, hi = _telescoped_range(step_lhs, PROOF_DECREASE)
    # the sum of Eq. (7) over those steps: the gradient terms give coeff * sum_g, the others are summed by sympy
    sum_g = sp.Symbol("sum_g")  # sum_{t=lo}^{hi} ||grad L(x_t)||_1
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(per_step)):
        coeff = sp.simplify(term / gf(t))
        total += coeff * sum_g if t not in coeff.free_symbols else sp.Sum(term, (t, lo, hi)).doit()
    bound_sum = sp.solve(sp.Eq(-Delta, total), sum_g)[0]  # -Delta: L(x_T) - L(x_0) >= -(L(x_0) - min L)
    bound = sp.expand(bound_sum / (hi - lo + 1))  # min <= average over the hi - lo + 1 steps
    eta_star = sp.solve(sp.diff(bound, eta), eta)[0]
    printed_eta = sp.sqrt(2 * Delta / (T * H))
    return {"per_step": per_step, "index": sp.Sum(g, (t, lo, hi)), "steps": (lo, hi), "bound": bound, "eta_star": eta_star,
            "at_printed_eta": sp.simplify(bound.subs(eta, printed_eta)), "at_eta_star": sp.simplify(bound.subs(eta, eta_star)),
            "printed_7": -eta * gf(t) + eta**2 * H / 2 * eta**2}


PRINTED = (sp.Sum(g, (t, 1, T)), Delta / (T * eta) + H * eta / 2, sp.sqrt(2 * H * Delta / T))
CORRECTED = (sp.Sum(g, (t, 0, T - 1)), Delta / (T * eta) + H * eta / 2, sp.sqrt(2 * H * Delta / T))


def _derivation(ctx: Context, p: Params) -> Derivation:
    der = derive()
    derived = (der["index"], der["bound"], der["at_printed_eta"])
    return Derivation(
        "min_{1<=t<=T}: (L(x0)-min L)/(T eta) + H eta/2; eta = sqrt(2 Delta/(TH)) gives sqrt(2 H Delta/T)", PRINTED,
        derived, corrected=CORRECTED,
        note=f"Eq. (7) summed over the steps t = {der['steps'][0]}..{der['steps'][1]} (those whose left sides telescope to "
             f"the proof's L(x_T) - L(x_0)) bounds the gradients at x_{der['steps'][0]}..x_({der['steps'][1]}); "
             f"the bound {der['bound']} and its value at the printed eta agree (eta* = {der['eta_star']})",
        details={"eta_star": str(der["eta_star"]), "value_at_eta_star": str(der["at_eta_star"]),
                 "corrected_statement": "min_{0<=t<=T-1} ||grad L(x_t)||_1 <= (L(x0)-min L)/(T eta) + H eta/2 "
                                        "(<= sqrt(2H(L(x0)-min L)/T) at eta*)",
                 "eq7_typo": "Eq. (7) prints eta^2 H/2 eta^2 on its second line; its first line with ||x_t - x_(t+1)||"
                             "_inf = eta gives H eta^2/2, which the derivation uses",
                 "consequence": "the printed statement is false at T = 1 (adamlinf.thm3_2)"})


register(Claim(
    id="adamlinf.thm3_2.derivation",
    source="adamlinf Theorem 3.2, App. B Eq. (7)",
    statement="min_{1<=t<=T} ||grad L(x_t)||_1 <= (L(x_0)-min L)/(T eta) + H eta/2; eta = sqrt(2(L(x_0)-min L)/(TH)) "
              "gives sqrt(2H(L(x_0)-min L)/T)",
    expected=Verdict.ERRATUM,
    checks=(Check("sympy: Eq. (7) with SignGD's step, summed over the steps that exist", _derivation, Verdict.ERRATUM,
                  UseCorrected()),),
    note="The constants (the bound, eta*, the value at eta*) are what the proof derives; its index set is not: "
         "summing Eq. (7) over the T steps bounds the gradients at x_0..x_(T-1).",
))
