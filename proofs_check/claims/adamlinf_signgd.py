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

SignGD is scale-equivariant on quadratics without linear term: the run with learning rate eta from
x_0 is eta times the run with learning rate 1 from x_0/eta, so many eta run in one batched call.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

import reference as R
from reference.problems import diagonal_quadratic, quadratic
from reference.problems.linalg import inf_to_one_norm, spectral_norm

from ..registry import Check, Claim, Context, Outcome, Verdict, register
from ..tolerances import gamma
from ._common import fmt

__all__ = ["signgd_gradients", "ratios", "derive"]


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


def _random_problem(rng: np.random.Generator) -> np.ndarray:
    d = int(rng.integers(1, 6))
    M = rng.standard_normal((d, d))
    if rng.random() < 0.3:
        return np.diag(np.abs(M[0]) + 0.05)
    return M @ M.T / d + 0.05 * np.eye(d)


def _sweep(ctx: Context, which: str) -> dict:
    """Max ratio of (a) and (b) (``which`` = "printed" or "proof") over random PSD quadratics with exact H,
    random x_0, eta (log-uniform), T in {1, 2, 3, 8, 32}, plus eta = eta* of (b)."""
    rng = np.random.default_rng(ctx.seed)
    worst = {"a": (0.0, None), "b": (0.0, None)}
    for _ in range(ctx.pick(24, 160)):
        A = _random_problem(rng)
        d = A.shape[0]
        H, exact = inf_to_one_norm(A)
        assert exact
        N = 256
        x0 = rng.uniform(-1, 1, size=(N, d))
        for T in (1, 2, 3, 8, 32):
            eta = np.exp(rng.uniform(np.log(1e-3), np.log(3.0), size=N))
            delta = 0.5 * np.einsum("ni,ij,nj->n", x0, A, x0)
            eta_star = np.sqrt(2 * delta / (T * H))
            for key, lr in (("a", eta), ("b", eta_star)):
                g, _ = signgd_gradients(A, x0, lr, T)
                r = ratios(g, delta, lr, H, T)[f"{key}_{which}"]
                i = int(np.argmax(r))
                if r[i] > worst[key][0]:
                    worst[key] = (float(r[i]), {"A": A.tolist(), "x0": x0[i].tolist(), "eta": float(lr[i]), "T": T,
                                                "H": H})
    return worst


def _check_printed(ctx: Context, negative: bool) -> Outcome:
    which = "proof" if negative else "printed"  # negative control: the proof's index range 0..T-1
    # the families of the module docstring
    e = 1e-3
    g, dl = signgd_gradients(np.array([[1.0]]), np.array([[e]]), np.array([1.0]), 1)
    fam_a = float(ratios(g, dl, np.array([1.0]), 1.0, 1)[f"a_{which}"][0])
    A2, x2 = np.diag([1.0, 9.0]), np.array([[1.0, 1e-9]])
    H2 = inf_to_one_norm(A2)[0]
    d2 = 0.5 * x2[0] @ A2 @ x2[0]
    eta2 = np.array([math.sqrt(2 * d2 / H2)])
    g2, _ = signgd_gradients(A2, x2, eta2, 1)
    fam_b = float(ratios(g2, np.array([d2]), eta2, H2, 1)[f"b_{which}"][0])
    worst = _sweep(ctx, which)
    tol = gamma(64)
    top_a, top_b = max(fam_a, worst["a"][0]), max(fam_b, worst["b"][0])
    if max(top_a, top_b) > 1 + tol:
        verdict = Verdict.REFUTED
        measured = (f"(a): L = x^2/2, x0 = 1e-3, eta = 1, T = 1: |L'(x_1)| / bound = {fmt(fam_a, 6)} (-> 2); "
                    f"(b): A = diag(1,9), x0 = (1, 1e-9), T = 1: {fmt(fam_b, 5)}; random sweep max (a) {fmt(worst['a'][0], 4)}, "
                    f"(b) {fmt(worst['b'][0], 4)}")
    else:
        verdict = Verdict.TIGHT if top_a > 1 - 1e-3 else Verdict.VERIFIED
        measured = f"no violation with min over t = 0..T-1: max ratio (a) {fmt(top_a, 6)}, (b) {fmt(top_b, 6)}"
    return Outcome(verdict, "min_{1<=t<=T} ||grad L(x_t)||_1 <= (L(x0)-min L)/(T eta) + H eta/2 (and (b) at eta*)",
                   measured, {"index_range": "0..T-1" if negative else "1..T", "family_a": fam_a, "family_b": fam_b,
                              "worst_sweep_a": worst["a"], "worst_sweep_b": worst["b"],
                              "counterexample_a": {"A": [[1.0]], "x0": [e], "eta": 1.0, "T": 1},
                              "counterexample_b": {"A": A2.tolist(), "x0": x2[0].tolist(), "eta": float(eta2[0]), "T": 1}})


def _check_corrected(ctx: Context, negative: bool) -> Outcome:
    """The proof's statement (min over t = 0..T-1) with the exact l_inf constant; negative control: H = ||A||_2."""
    rng = np.random.default_rng(ctx.seed + 1)
    worst, n = 0.0, 0
    for _ in range(ctx.pick(24, 160)):
        A = _random_problem(rng)
        d = A.shape[0]
        H = spectral_norm(A) if negative else inf_to_one_norm(A)[0]
        x0 = rng.uniform(-1, 1, size=(256, d))
        delta = 0.5 * np.einsum("ni,ij,nj->n", x0, A, x0)
        for T in (1, 4, 16, 64):
            eta = np.exp(rng.uniform(np.log(1e-3), np.log(3.0), size=256))
            g, _ = signgd_gradients(A, x0, eta, T)
            worst = max(worst, float(ratios(g, delta, eta, H, T)["a_proof"].max()))
            n += 256
    # the tight family: L = x^2/2 (H = 1), x0 = eta/2, T = 1000: ratio 4T/(4T+1)
    T = 1000
    g, dl = signgd_gradients(np.array([[1.0]]), np.array([[0.5]]), np.array([1.0]), T)
    fam = float(ratios(g, dl, np.array([1.0]), 1.0, T)["a_proof"][0])
    tol = gamma(16 * 64)
    if worst > 1 + tol:
        verdict, measured = Verdict.REFUTED, f"ratio {fmt(worst)} > 1 (H = ||A||_2)" if negative else f"ratio {fmt(worst)} > 1"
    else:
        verdict = Verdict.TIGHT if fam >= 4 * T / (4 * T + 1) * (1 - tol) else Verdict.LOOSE
        measured = (f"max measured/bound {fmt(worst, 9)} over {n} runs (random PSD quadratics, exact H = ||A||_inf->1); "
                    f"oscillating family: {fmt(fam, 6)} = 4T/(4T+1) at T = {T} (-> 1)")
    return Outcome(verdict, "min_{0<=t<=T-1} ||grad L(x_t)||_1 <= (L(x0)-min L)/(T eta) + H eta/2", measured,
                   {"max_ratio_random": worst, "runs": n, "family_ratio": fam, "family": "L = x^2/2, x0 = eta/2",
                    "H": "||A||_2 (negative control)" if negative else "||A||_{inf->1} (exact, enumeration)"})


register(Claim(
    id="adamlinf.thm3_2",
    source="adamlinf Theorem 3.2, App. B",
    statement="L H-smooth w.r.t. l_inf, SignGD iterates {x_t}_{t=1}^T: min_{1<=t<=T} ||grad L(x_t)||_1 <= "
              "(L(x_0) - min L)/(T eta) + H eta/2; with eta = sqrt(2(L(x_0)-min L)/(TH)): <= sqrt(2H(L(x_0)-min L)/T)",
    expected=Verdict.REFUTED,
    checks=(Check("printed index range 1..T: counterexamples at T = 1 and a random sweep", _check_printed,
                  Verdict.REFUTED, "the proof's index range 0..T-1"),
            Check("the proof's statement (t = 0..T-1) on quadratics with exact H = ||A||_inf->1", _check_corrected,
                  Verdict.TIGHT, "H = ||A||_2 (l2 smoothness) in place of the l_inf constant")),
    note="true with min over t = 0..T-1 (what the proof sums), and tight",
))


# --------------------------------------------------------------------------- sympy: statement vs proof

eta, H, Delta, T = sp.symbols("eta H Delta T", positive=True)


def derive() -> dict[str, sp.Expr]:
    """App. B redone: sum Eq. (7) over the steps t = 0..T-1 that exist, then choose eta."""
    per_step = -eta * sp.Symbol("g_t") + H * eta**2 / 2           # Eq. (7), stray eta^2 removed
    printed_7 = -eta * sp.Symbol("g_t") + H * eta**2 / 2 * eta**2  # Eq. (7) as printed
    # sum_{t=0}^{T-1}: L(x_T) - L(x_0) <= -eta sum g_t + T H eta^2/2 and L(x_T) >= min L
    bound = sp.simplify((Delta + T * H * eta**2 / 2) / (eta * T))
    bound_printed7 = sp.simplify((Delta + T * H * eta**4 / 2) / (eta * T))
    eta_star = sp.solve(sp.diff(bound, eta), eta)[0]
    at_star = sp.simplify(bound.subs(eta, eta_star))
    # gradients at x_1..x_T: steps t = 1..T, L(x_1) <= L(x_0) + H eta^2/2, L(x_{T+1}) >= min L
    bound_1_to_T = sp.simplify((Delta + H * eta**2 / 2 + T * H * eta**2 / 2) / (eta * T))
    return {"per_step": per_step, "printed_7": printed_7, "bound": bound, "bound_with_printed_7": bound_printed7,
            "eta_star": eta_star, "at_eta_star": at_star, "bound_1_to_T": bound_1_to_T,
            "index_proof": sp.Range(0, T), "index_printed": sp.Range(1, T + 1)}


def _check_derivation(ctx: Context, negative: bool) -> Outcome:
    der = derive()
    printed_bound = Delta / (T * eta) + H * eta / 2
    printed_eta = sp.sqrt(2 * Delta / (T * H))
    printed_star = sp.sqrt(2 * H * Delta / T)
    same_bound = sp.simplify(der["bound"] - printed_bound) == 0
    same_eta = sp.simplify(der["eta_star"] - printed_eta) == 0
    same_star = sp.simplify(der["at_eta_star"] - printed_star) == 0
    # the index range: the steps that exist are t = 0..T-1 (x_0 -> x_1, ..., x_{T-1} -> x_T)
    statement_range = (0, T - 1) if negative else (1, T)  # negative control: the corrected statement
    same_range = statement_range == (0, T - 1)
    ok = same_bound and same_eta and same_star and same_range
    verdict = Verdict.VERIFIED if ok else Verdict.ERRATUM
    measured = ("bound, eta*, and value at eta* agree with the derivation" if ok else
                f"constants agree (bound {der['bound']}, eta* = {der['eta_star']}, value {der['at_eta_star']}), but the "
                f"proof bounds min over t = 0..T-1, the statement min over t = 1..T; for 1..T the derivation gives "
                f"{der['bound_1_to_T']}")
    return Outcome(verdict, "min_{1<=t<=T}: (L(x0)-min L)/(T eta) + H eta/2; eta* = sqrt(2 Delta/(TH)) -> sqrt(2 H Delta/T)",
                   measured,
                   {"derived_bound": str(der["bound"]), "eta_star": str(der["eta_star"]),
                    "value_at_eta_star": str(der["at_eta_star"]), "statement_index_range": statement_range,
                    "proof_index_range": "0..T-1",
                    "corrected_statement": "min_{0<=t<=T-1} ||grad L(x_t)||_1 <= (L(x0)-min L)/(T eta) + H eta/2 "
                                           "(<= sqrt(2H(L(x0)-min L)/T) at eta*); equivalently min_{1<=t<=T} <= "
                                           f"{der['bound_1_to_T']}",
                    "eq7_typo": f"Eq. (7) prints eta^2 H/2 eta^2; with it the sum gives {der['bound_with_printed_7']}, "
                                "not the statement",
                    "consequence": "the printed statement is false at T = 1 (adamlinf.thm3_2)"})


register(Claim(
    id="adamlinf.thm3_2.derivation",
    source="adamlinf Theorem 3.2, App. B Eq. (7)",
    statement="min_{1<=t<=T} ||grad L(x_t)||_1 <= (L(x_0)-min L)/(T eta) + H eta/2; eta = sqrt(2(L(x_0)-min L)/(TH)) "
              "gives sqrt(2H(L(x_0)-min L)/T)",
    expected=Verdict.ERRATUM,
    checks=(Check("sympy: sum of Eq. (7) over the existing steps, optimal eta", _check_derivation, Verdict.ERRATUM,
                  "the corrected statement (min over t = 0..T-1)"),),
))
