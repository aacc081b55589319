"""adamlinf Lemmas 3.12, 3.13, 3.14: worst cases over their assumptions.

* Lemma 3.12 (deterministic): for ``0 < beta < 1``, ``v_0 >= 0``, ``v_1 > 0`` and
  ``v_t - beta v_{t-1} >= (1-beta) g_t^2``: ``sum_t g_t^2/v_t <= T + beta/(1-beta) ln(v_T/v_0)``.
  Scale-invariant (multiply every g_t^2 and v_t by c), so ``v_0 = 1``; the adversary picks
  ``g_t^2`` and the slack ``s_t = v_t - beta v_{t-1} - (1-beta) g_t^2 >= 0``.  The proof's steps
  (``1 - x <= ln(1/x)``) are equalities iff ``v_{t-1} = v_t``: constant ``g_t^2 = v_0`` attains
  the bound exactly.  Searched: beta over (0, 1) (a search variable), ``g_t^2 in v_0 [e^-8, e^8]``, slack
  in ``[0, g_t^2]``, T in {2, 6} ({1, 2, 3, 6, 12} under --full).  For ``v_0 = 0`` the proof proves ``T + beta/(1-beta) ln(e v_T/v_1)``
  (first term ``<= 1/(1-beta)``), attained by ``v_1 = (1-beta) g_1^2``, then constant.
* Lemmas 3.13 and 3.14 (expectations over the noise of Assumption 3.10): one block with
  ``d_b = 1`` (the lemmas are per block and see the block only through ``||g||^2/d_b`` and
  ``g^T gbar``), T steps.  The noise of step t is two-point, ``xi in {a, -b}`` with
  probabilities ``b/(a+b), a/(a+b)`` (mean 0, variance ``ab = u sigma^2 <= sigma^2``), and the
  adversary chooses ``gbar_t``, a, u at every node of the binary tree of past outcomes (so gbar_t
  is predictable and the noise law may depend on the past): the expectations are exact sums over
  the 2^T paths.  Scale invariance (``gbar, sigma, sqrt(v0), sqrt(eps)`` times c scales both
  sides by c) fixes ``sigma = 1``.  ``vtilde_t = beta v_{t-1} + (1-beta)(gbar_t^2 + sigma^2)``
  (App. C.1).  The search is :func:`proofs_check.worst_case.adversarial_max` over the box: beta2 in
  [1e-3, 1 - 1e-3], v0 in [e^-6, e^6], eps in [0, e^6/10], |gbar| <= 4 sigma, the noise law per step
  (per node of the tree under --full); T = 3 for Lemma 3.13, T in {2, 4} for Lemma 3.14 ({2, 4, 6} under
  --full).  Blocks of size d_b > 1 are not searched.
"""

from __future__ import annotations

import numpy as np

from .. import tolerances as tol
from ..evidence import Bound, Case, Searched
from ..perturb import Params, ScaleBound, SetParam
from ..registry import Check, Claim, Context, Verdict, register
from ..worst_case import adversarial_max

__all__ = ["lemma312_gap", "lemma312_sides", "tree_paths", "tree_dim", "lemma313_sides", "lemma314_sides"]


# --------------------------------------------------------------------------- Lemma 3.12


def lemma312_sides(g2: np.ndarray, slack: np.ndarray, beta: np.ndarray | float, v0: float = 1.0,
                   v0_zero_variant: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(sum_t g_t^2/v_t, T + beta/(1-beta) ln(v_T/v_0))`` for columns of ``g2``, ``slack`` (shape (T, N));
    ``v_t = beta v_{t-1} + (1-beta) g_t^2 + slack_t``.  With ``v0_zero_variant`` the run starts from
    ``v_0 = 0`` and the bound is the proof's ``T + beta/(1-beta) ln(e v_T/v_1)``."""
    Tn = g2.shape[0]
    beta = np.broadcast_to(np.asarray(beta, dtype=float), g2.shape[1:])
    v = np.zeros(g2.shape[1]) if v0_zero_variant else np.full(g2.shape[1], v0)
    total, vs = np.zeros(g2.shape[1]), []
    for t in range(Tn):
        v = beta * v + (1 - beta) * g2[t] + slack[t]
        total += g2[t] / v
        vs.append(v)
    ln = np.log(np.e * vs[-1] / vs[0]) if v0_zero_variant else np.log(vs[-1] / v0)
    return total, Tn + beta / (1 - beta) * ln


def lemma312_gap(g2: np.ndarray, slack: np.ndarray, beta: float, v0: float = 1.0, log_term: bool = True,
                 v0_zero_variant: bool = False) -> np.ndarray:
    """``sum_t g_t^2/v_t - T - beta/(1-beta) ln(v_T/v_0)`` (<= 0 is Lemma 3.12); ``log_term=False`` drops the log."""
    lhs, rhs = lemma312_sides(g2, slack, beta, v0, v0_zero_variant)
    return lhs - (rhs if log_term else g2.shape[0])


def _decode312(Z: np.ndarray, Tn: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """[-1,1]^(2T+1) -> (g_t^2 = e^(8 z), slack_t = max(z', 0)^2 g_t^2, beta in [1e-4, 1 - 1e-4])."""
    g2 = np.exp(8.0 * Z[:Tn])
    slack = np.maximum(Z[Tn:2 * Tn], 0.0) ** 2 * g2
    beta = 1e-4 + (1 - 2e-4) * (Z[2 * Tn] + 1) / 2
    return g2, slack, beta


def _ops312(T: int, beta: float) -> float:
    """Rounding of the two sides: the EMA over T steps, and ln(v_T/v_0) amplified by beta/(1-beta)."""
    return tol.ema_ops(T) + (T + 2) * (1 + beta / (1 - beta))


def _lemma312(ctx: Context, p: Params) -> Bound:
    v0_zero = p.v0 == 0
    cases = []
    for k, Tn in enumerate(ctx.pick((2, 6), (1, 2, 3, 6, 12))):
        def obj(Z, Tn=Tn):
            g2, slack, beta = _decode312(Z, Tn)
            lhs, rhs = lemma312_sides(g2, slack, beta, v0_zero_variant=v0_zero)
            return lhs - rhs
        res = adversarial_max(obj, 2 * Tn + 1, seed=ctx.seed + k, maxiter=ctx.pick(30, 200), popsize=ctx.pick(6, 20))
        g2, slack, beta = _decode312(res.argmax[:, None], Tn)
        lhs, rhs = lemma312_sides(g2, slack, beta, v0_zero_variant=v0_zero)
        b = float(beta[0])
        cases.append(Case(float(lhs[0]), float(rhs[0]), {"T": Tn, "beta": b, "g2": g2[:, 0].tolist(),
                                                         "slack": slack[:, 0].tolist(), "v0": p.v0, "searched": True},
                          ops=_ops312(Tn, b)))
        for b in (0.1, 0.5, 0.9, 0.999):  # the equality case: constant g^2 (after v_1 = (1-beta) g_1^2 when v_0 = 0)
            g2 = (np.concatenate([[1.0], np.full(Tn - 1, 1.0 - b)]) if v0_zero else np.ones(Tn))[:, None]
            lhs, rhs = lemma312_sides(g2, np.zeros_like(g2), b, v0_zero_variant=v0_zero)
            cases.append(Case(float(lhs[0]), float(rhs[0]), {"T": Tn, "beta": b, "g2": g2[:, 0].tolist(), "v0": p.v0,
                                                             "searched": False}, ops=_ops312(Tn, b)))
    bound = "T + beta/(1-beta) ln(e v_T/v_1) (the proof's v_0 = 0 variant)" if v0_zero else "T + beta/(1-beta) ln(v_T/v_0)"
    return Bound(f"sum g_t^2/v_t <= {bound}", tuple(cases),
                 Searched({"beta": "(0, 1)", "g_t^2": "v_0 [e^-8, e^8] (v_0 = 1: scale-free)" if not v0_zero else
                           "[e^-8, e^8], v_0 = 0", "slack": "[0, g_t^2]", "T": ctx.pick("2, 6", "1, 2, 3, 6, 12")},
                          f"differential evolution + L-BFGS-B per T, maxiter {ctx.pick(30, 200)}"),
                 note="equality for constant g_t^2 = v_0 (v constant)" if not v0_zero else
                 "equality for v_1 = (1-beta) g_1^2, then g_t^2 = v_1")


register(Claim(
    id="adamlinf.lemma3_12",
    source="adamlinf Lemma 3.12, App. C.2 Eq. (16)",
    statement="0 < beta2 < 1, v_0 >= 0, v_1 > 0, v_t - beta2 v_{t-1} >= (1-beta2) g_t^2: "
              "sum_{t=1}^T g_t^2/v_t <= T + beta2/(1-beta2) ln(v_T/v_0)",
    expected=Verdict.TIGHT,
    checks=(Check("adversarial search over beta, g_t^2 and slack, v_0 = 1 (scale-free)", _lemma312, Verdict.TIGHT,
                  ScaleBound(1 - 1e-3), {"v0": 1.0}),
            Check("the proof's v_0 = 0 variant T + beta/(1-beta) ln(e v_T/v_1)", _lemma312, Verdict.TIGHT,
                  ScaleBound(1 - 1e-3), {"v0": 0.0})),
    note="Holds over the whole searched domain and is attained by a constant sequence; for v_0 = 0 the printed "
         "right side is infinite, and the proof's finite variant is attained too.",
))


# --------------------------------------------------------------------------- Lemmas 3.13, 3.14: exact expectations

G_MAX = 4.0  # |gbar| <= G_MAX sigma in the search box (sigma = 1)
LHS_FLOOR = 1e-9  # the ratio search of Lemma 3.13 ignores left sides below this (sigma = 1)


def tree_paths(Tn: int) -> np.ndarray:
    """(2^Tn, Tn) node index at step t of every path of the binary outcome tree (heap numbering:
    the node of step t for path p is ``2^t - 1 + (p >> (Tn - t))``), and the branch bits."""
    p = np.arange(2 ** Tn)[:, None]
    t = np.arange(Tn)[None, :]
    prefix = p >> (Tn - t)                 # outcomes before step t
    bits = (p >> (Tn - 1 - t)) & 1         # outcome of step t (0: +a, 1: -b)
    return (2 ** t - 1 + prefix), bits


def tree_dim(Tn: int, per_node: bool) -> int:
    """Search dimension: beta, v0, eps and (gbar, a, u) per tree node (or per step)."""
    return 3 + 3 * ((2 ** Tn - 1) if per_node else Tn)


def _decode_tree(Z: np.ndarray, Tn: int, per_node: bool = True) -> dict[str, np.ndarray]:
    """Box [-1,1]^dim -> (beta in [1e-3, 1 - 1e-3], v0 = e^(6z) > 0, eps = (e^(6z) - e^-6)/10, per node
    (or per step, the same at every node of a step): gbar in [-G_MAX, G_MAX], a = e^(3z) (up-move),
    u in [0, 1] (variance fraction))."""
    k = (2 ** Tn - 1) if per_node else Tn
    beta = 1e-3 + (1 - 2e-3) * (Z[0] + 1) / 2
    v0 = np.exp(6 * Z[1])  # >= e^-6 > 0 (v0 + eps = 0 makes (4) trivially true)
    eps = (np.exp(6 * Z[2]) - np.exp(-6.0)) / 10
    gbar = G_MAX * Z[3:3 + k]
    a = np.exp(3 * Z[3 + k:3 + 2 * k])
    u = (Z[3 + 2 * k:3 + 3 * k] + 1) / 2
    if not per_node:  # node of step t: 2^t - 1 .. 2^(t+1) - 2
        step = np.repeat(np.arange(Tn), 2 ** np.arange(Tn))
        gbar, a, u = gbar[step], a[step], u[step]
    return {"beta": beta, "v0": v0, "eps": eps, "gbar": gbar, "a": a, "u": u}


def _paths(par: dict[str, np.ndarray], Tn: int, sigma: float = 1.0):
    """Exact path quantities: probabilities (P, N), gbar, g, v_{t-1}, v_t, vtilde_t (Tn, P, N)."""
    node, bits = tree_paths(Tn)
    N = par["beta"].shape[-1]
    beta = par["beta"][None, :]
    a = par["a"][node.T]                                # (Tn, P, N)
    b = par["u"][node.T] * sigma**2 / a
    gbar = par["gbar"][node.T]
    up = bits.T[:, :, None] == 0
    xi = np.where(up, a, -b)
    prob_step = np.where(up, b / (a + b), a / (a + b))
    prob = np.prod(prob_step, axis=0)                   # (P, N)
    g = gbar + xi
    v_prev = np.empty_like(g)
    v = np.empty_like(g)
    vt = np.empty_like(g)
    cur = np.broadcast_to(par["v0"][None, :], (node.shape[0], N))
    for t in range(Tn):
        v_prev[t] = cur
        vt[t] = beta * cur + (1 - beta) * (gbar[t] ** 2 + sigma**2)
        cur = beta * cur + (1 - beta) * g[t] ** 2
        v[t] = cur
    return prob, gbar, g, v_prev, v, vt


def lemma313_sides(par: dict[str, np.ndarray], Tn: int, variance_term: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Exact (LHS, RHS) of Lemma 3.13 (d_b = 1, sigma = 1) for each column of the decoded parameters.
    ``variance_term=False`` drops ``- sqrt(1-beta) T sigma`` (negative control)."""
    prob, gbar, g, _, v, vt = _paths(par, Tn)
    eps, beta = par["eps"], par["beta"]
    lhs = np.sum(prob * np.sum(g * gbar / np.sqrt(v + eps), axis=0), axis=0)
    main = 0.5 * np.sum(prob * np.sum(gbar**2 / np.sqrt(vt + eps), axis=0), axis=0)
    log_term = np.sum(prob * np.log((v[-1] + eps) / (par["v0"] + eps)), axis=0)
    rhs = main - (np.sqrt(1 - beta) * Tn if variance_term else 0.0) - beta / np.sqrt(1 - beta) * log_term
    return lhs, rhs


def lemma314_sides(par: dict[str, np.ndarray], Tn: int, eps_coeff: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Exact (LHS, RHS) of Lemma 3.14 (d_b = 1, sigma = 1, T even); ``eps_coeff`` multiplies T sqrt(eps)
    (1/2 as printed; 1/4 is the negative control)."""
    prob, gbar, _, _, _, vt = _paths(par, Tn)
    eps, beta = par["eps"], par["beta"]
    half = Tn // 2
    lhs = np.sum(prob * np.sum(np.sqrt(vt[half:] + eps), axis=0), axis=0)
    rhs = (2 * beta ** (Tn / 4) / (1 - beta) * np.sqrt(par["v0"]) + Tn / 2 + eps_coeff * Tn * np.sqrt(eps)
           + 2 * np.sum(prob * np.sum(gbar**2 / np.sqrt(vt + eps), axis=0), axis=0))
    return lhs, rhs


def _fixed(Tn: int, **kw) -> dict[str, np.ndarray]:
    """One parameter column with constant values at every node (for the named equality cases)."""
    n = 2 ** Tn - 1
    par = {"beta": np.array([kw.get("beta", 0.5)]), "v0": np.array([kw.get("v0", 0.0)]),
           "eps": np.array([kw.get("eps", 0.0)]), "gbar": np.full((n, 1), kw.get("gbar", 0.0)),
           "a": np.full((n, 1), kw.get("a", 1.0)), "u": np.full((n, 1), kw.get("u", 1.0))}
    return par


def _tree_ops(Tn: int) -> float:
    """An exact expectation over the 2^T paths: per path an EMA over T steps, then a sum of 2^T terms."""
    return tol.ema_ops(Tn) + 2.0**Tn + 16


def _lemma313(ctx: Context, p: Params) -> Bound:
    """Lemma 3.13 (a lower bound on its left side): the search maximises RHS - LHS and RHS/LHS."""
    Tn = 3
    per_node = ctx.full
    dim = tree_dim(Tn, per_node)

    def sides(Z):
        return lemma313_sides(_decode_tree(Z, Tn, per_node), Tn, variance_term=p.variance_term)

    def violation(Z):
        lhs, rhs = sides(Z)
        return rhs - lhs

    def rel(Z):  # RHS/LHS where both are positive (the multiplicative slack)
        lhs, rhs = sides(Z)
        positive = (lhs > LHS_FLOOR) & (rhs > 0)  # a ratio only where the left side is not rounding noise
        return np.where(positive, rhs / np.maximum(lhs, LHS_FLOOR), 0.0)

    cases = []
    for k, (name, obj) in enumerate((("max RHS - LHS", violation), ("max RHS/LHS", rel))):
        res = adversarial_max(obj, dim, seed=ctx.seed + 7 * k, maxiter=ctx.pick(20, 300), popsize=ctx.pick(5, 20))
        par = _decode_tree(res.argmax[:, None], Tn, per_node)
        lhs, rhs = lemma313_sides(par, Tn, variance_term=p.variance_term)
        cases.append(Case(float(lhs[0]), float(rhs[0]), {"search": name, "T": Tn, "beta": float(par["beta"][0]),
                                                         "v0": float(par["v0"][0]), "eps": float(par["eps"][0]),
                                                         "per_node": per_node,
                                                         **{k2: np.asarray(v)[..., 0].tolist() for k2, v in par.items()
                                                            if k2 in ("gbar", "a", "u")}},
                          ops=_tree_ops(Tn)))
    det = _fixed(Tn, beta=0.9, v0=1.0, gbar=1.0, u=0.0)  # no noise (sigma = 1 still in vtilde)
    dl, dr = lemma313_sides(det, Tn, variance_term=p.variance_term)
    cases.append(Case(float(dl[0]), float(dr[0]), {"search": "deterministic example", "T": Tn, "beta": 0.9, "v0": 1.0,
                                                   "gbar": 1.0, "u": 0.0}, ops=_tree_ops(Tn)))
    return Bound("E sum g^T gbar/sqrt(v+eps) >= 1/2 E sum ||gbar||^2/sqrt(vtilde+eps) - sqrt(1-beta2) T d_b sigma_b "
                 "- d_b sigma_b beta2/sqrt(1-beta2) E ln((v_T+eps)/(v_0+eps))", tuple(cases),
                 Searched({"beta2": "[1e-3, 1 - 1e-3]", "v0": "[e^-6, e^6] sigma^2", "eps": "[0, e^6/10] sigma^2",
                           "gbar": "[-4, 4] sigma, predictable", "noise": "two-point, mean 0, variance <= sigma^2, law "
                           + ("per node of the outcome tree" if per_node else "per step"), "T": "3", "d_b": "1"},
                          f"differential evolution + L-BFGS-B, maxiter {ctx.pick(20, 300)}, exact expectations over "
                          f"the 2^{Tn} paths"),
                 sense="lower",
                 note="the right side stays below about half the left side where it is positive; the sides meet only in "
                      "the trivial case gbar = 0, sigma = 0 (both 0)" if p.variance_term else
                      "without the - sqrt(1-beta2) T d_b sigma_b term")


register(Claim(
    id="adamlinf.lemma3_13",
    source="adamlinf Lemma 3.13, App. C.1",
    statement="Under Assumption 3.10, for any block b: E sum_t g_{t,(b)}^T gbar_{t,(b)}/sqrt(v_{t,b}+eps) >= "
              "1/2 E sum_t ||gbar_{t,(b)}||^2/sqrt(vtilde_{t,b}+eps) - sqrt(1-beta2) T d_b sigma_b - "
              "d_b sigma_b beta2/sqrt(1-beta2) E ln((v_{T,b}+eps)/(v_{0,b}+eps))",
    expected=Verdict.LOOSE,
    checks=(Check("exact expectations over adversarial two-point noise (T = 3, d_b = 1)", _lemma313, Verdict.LOOSE,
                  SetParam("variance_term", False, "constant", "without the - sqrt(1-beta2) T d_b sigma_b term"),
                  {"variance_term": True}),),
    note="Holds on every noise law searched, with room: the factor 1/2 of (4) is never needed in full. Its proof's "
         "Eq. (9) prints sqrt(v_t + eps) where sqrt(vtilde_t + eps) is needed for the conditional expectation step.",
))


def _lemma314(ctx: Context, p: Params) -> Bound:
    """Lemma 3.14 (an upper bound): the search maximises LHS/RHS; the named equality case is sigma = 0, gbar = 0,
    v0 = 0, eps > 0 (both sides T/2 sqrt(eps))."""
    cases = []
    for k, Tn in enumerate(ctx.pick((2, 4), (2, 4, 6))):
        per_node = ctx.full and Tn <= 4

        def ratio(Z, Tn=Tn, per_node=per_node):
            lhs, rhs = lemma314_sides(_decode_tree(Z, Tn, per_node), Tn, p.eps_coefficient)
            return lhs / rhs

        res = adversarial_max(ratio, tree_dim(Tn, per_node), seed=ctx.seed + 1 + k, maxiter=ctx.pick(20, 120),
                              popsize=ctx.pick(5, 10))
        par = _decode_tree(res.argmax[:, None], Tn, per_node)
        lhs, rhs = lemma314_sides(par, Tn, p.eps_coefficient)
        cases.append(Case(float(lhs[0]), float(rhs[0]), {"T": Tn, "beta": float(par["beta"][0]), "v0": float(par["v0"][0]),
                                                         "eps": float(par["eps"][0]), "sigma": 1.0, "per_node": per_node},
                          ops=_tree_ops(Tn)))
        eq = _fixed(Tn, beta=0.5, v0=0.0, eps=1.0, gbar=0.0, u=0.0)
        prob, _, _, _, _, vt = _paths(eq, Tn, sigma=0.0)
        eq_lhs = float(np.sum(prob * np.sum(np.sqrt(vt[Tn // 2:] + 1.0), axis=0), axis=0)[0])
        cases.append(Case(eq_lhs, p.eps_coefficient * Tn * 1.0, {"T": Tn, "beta": 0.5, "v0": 0.0, "eps": 1.0, "sigma": 0.0,
                                                                 "gbar": 0.0}, ops=_tree_ops(Tn)))
    return Bound("sum_{t>T/2} E sqrt(vtilde+eps) <= 2 beta2^(T/4)/(1-beta2) sqrt(v0) + T/2 sigma + T/2 sqrt(eps) "
                 "+ 2 sum_t E[||gbar||^2/d_b / sqrt(vtilde+eps)]", tuple(cases),
                 Searched({"beta2": "[1e-3, 1 - 1e-3]", "v0": "[e^-6, e^6] sigma^2", "eps": "[0, e^6/10] sigma^2",
                           "gbar": "[-4, 4] sigma", "noise": "two-point, law per step (per node for T <= 4 under --full)",
                           "T": ctx.pick("2, 4", "2, 4, 6"), "d_b": "1"},
                          f"differential evolution + L-BFGS-B, maxiter {ctx.pick(20, 120)}; + the equality case"),
                 note=f"coefficient of T sqrt(eps): {p.eps_coefficient}; attained by sigma = 0, gbar = 0, v0 = 0 (both "
                      "sides T/2 sqrt(eps)); the sup over the noise box tends to 1 only as T -> oo and beta2 -> 1",
                 details={"analytic": "gbar = 0, sigma = 0, eps = 0: ratio sqrt(beta)(1+sqrt(beta))(1-beta^(T/4))/2"})


register(Claim(
    id="adamlinf.lemma3_14",
    source="adamlinf Lemma 3.14, Eq. (6), App. C.1",
    statement="Under Assumption 3.10, for any block b: sum_{t=T/2+1}^T E sqrt(vtilde_{t,b}+eps) <= 2 beta2^(T/4)/(1-beta2) "
              "sqrt(v_{0,b}) + T/2 sigma_b + T/2 sqrt(eps) + 2 sum_{t=1}^T E[||gbar_{t,(b)}||^2/d_b / sqrt(vtilde_{t,b}+eps)]",
    expected=Verdict.TIGHT,
    checks=(Check("exact expectations over adversarial two-point noise (T = 2, 4; d_b = 1) + the equality case",
                  _lemma314, Verdict.TIGHT, SetParam("eps_coefficient", 0.25, "constant",
                                                     "T/4 sqrt(eps) in place of T/2 sqrt(eps)"),
                  {"eps_coefficient": 0.5}),),
    note="Holds on every noise law searched and is attained (sigma = 0, gbar = 0, v0 = 0). The proof's recursion "
         "prints the coefficient sqrt(beta2^s (1-beta2)) where sqrt(beta2^s) (1-beta2) is what it uses; the lemma is "
         "unaffected.",
))
