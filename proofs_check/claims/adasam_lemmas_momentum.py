"""adasam Appendix B, Lemma 9: the momentum factor ``||m_(t-1) (.) eta_(t-1)||^2 <= d G^2/eps^2`` of (87)-(88).

Lemma 9's proof is Young's inequality with lambda_1..3 (Lemma 1), L-smoothness (``||grad f_i(x + rho u) -
grad f_i(x)|| <= L rho``, ``||u - u'|| <= 2``) and ``z_t - x_t = -gamma beta1/(1-beta1) m_(t-1) (.) eta_(t-1)``;
the one quantity it bounds by a worst case is the factor of (88): ``|m| <= G`` and ``eta <= 1/eps`` give
``||m (.) eta||^2 <= d G^2/eps^2``.  Its exact supremum over sequences with ``|g| <= G``, per coordinate:

* at ``eps = G``: ``eta_t = 1/G`` on every sequence (``v^_t = max(G^2, v_t) = G^2``), so the supremum is
  ``1 - beta1^(t+1)`` in units of G/eps: attained at beta1 = 0 (``g_0 = G``), approached as t -> inf otherwise --
  the factor's bound is tight over the lemma's domain;
* for small eps: ``eta_t <= 1/sqrt(v_t)`` and the supremum is Adam's eps-free constant
  ``S = (1-beta1)/sqrt(1-beta2) sqrt(sum_{j<=t} (beta1^2/beta2)^j)`` (a Holder ratio, :mod:`proofs_check.worst_case`;
  7.27 at (0.9, 0.999) as t -> inf, cf. s3.thm1.limit), far below G/eps: in the regime of practice the factor
  could be d S^2.
"""

from __future__ import annotations

import math

import numpy as np

import reference as R

from .. import tolerances as tol
from ..evidence import Bound, Case, Exact, SearchAgreement
from ..perturb import Params, ScaleBound
from ..registry import Check, Claim, Context, Verdict, register
from ..worst_case import adversarial_max, holder_argmax, holder_sup
from .adasam_lemmas_learning_rate import eta_trace

__all__ = ["momentum_sup", "momentum_extremal"]


def _jlog(j: np.ndarray, base: float) -> np.ndarray:
    """``j log(base)`` with ``0 log 0 = 0`` (base^0 = 1 even for base = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(j == 0, 0.0, j * np.log(base))


def momentum_sup(b1: float, b2: float, t: int) -> float:
    """Exact ``sup |m_t|/sqrt(v_t)`` (m_{-1} = v_{-1} = 0, t + 1 gradients): a Holder ratio with p = 2
    (:mod:`proofs_check.worst_case`), ``(1-beta1)/sqrt(1-beta2) sqrt(sum_{j<=t} (beta1^2/beta2)^j)``."""
    j = np.arange(t, -1, -1, dtype=float)  # t - k for k = 0..t
    return (1 - b1) / math.sqrt(1 - b2) * holder_sup(_jlog(j, b1) - 0.5 * _jlog(j, b2), 2.0)


def momentum_extremal(b1: float, b2: float, t: int) -> np.ndarray:
    """A sequence g_0..g_t attaining :func:`momentum_sup` (largest entry 1): g_k proportional to (beta1/beta2)^(t-k)."""
    j = np.arange(t, -1, -1, dtype=float)
    return holder_argmax(_jlog(j, b1), _jlog(j, b2), 2.0)


def _alg(b1: float, b2: float, eps: float) -> R.Algorithm:
    return R.adasam(lr=1.0, rho=0.0, beta1=b1, beta2=b2, eps=eps)


def _factor(ctx: Context, p: Params) -> tuple[Bound, SearchAgreement]:
    G, d = 1.0, 2
    T = ctx.pick(200, 2000)
    cases, rows = [], []
    for k, (b1, b2) in enumerate([(0.9, 0.999), (0.0, 0.999), (0.5, 0.0), (0.99, 0.5)]):
        eta, m = eta_trace(_alg(b1, b2, G), np.full((T, 1, d), G))  # eps = G: eta = 1/G on every sequence
        factor = np.sum((m[:, 0] * eta[:, 0]) ** 2, -1)
        key = "t" if k == 0 else "step"  # the approach is along t at beta1 = 0.9
        for t in (np.arange(T) if k == 0 else [0, T - 1]):
            cases.append(Case(float(factor[t]), d * G**2 / G**2, {"beta1": b1, "beta2": b2, "eps/G": 1.0, "d": d,
                                                                  "sequence": "g = G", key: int(t)}, ops=tol.ema_ops(T)))
    for b1, b2 in [(0.9, 0.999), (0.9, 0.99), (0.5, 0.9), (0.0, 0.999)]:
        eps = 1e-8 * G
        g = G * momentum_extremal(b1, b2, T - 1)
        eta, m = eta_trace(_alg(b1, b2, eps), np.repeat(g[:, None, None], d, axis=2))
        got = float(np.sum((m[-1, 0] * eta[-1, 0]) ** 2))
        cases.append(Case(got, d * G**2 / eps**2, {"beta1": b1, "beta2": b2, "eps/G": 1e-8, "d": d, "step": T - 1,
                                                   "sequence": "Holder extremal"}, ops=tol.ema_ops(T)))
        rows.append({"beta1": b1, "beta2": b2, "t": T - 1, "S": momentum_sup(b1, b2, T - 1),
                     "reference |m eta| on the extremal sequence": math.sqrt(got / d), "G/eps": G / eps})
    searched, closed, inputs = [], [], []
    rng = np.random.default_rng(ctx.seed + 9)
    drawn = [float(v) for v in rng.uniform(0, 0.99, ctx.pick(1, 4))]
    for i, (b1, b2, t) in enumerate([(0.9, 0.999, 5)] + [(a, float(rng.uniform(a, 0.999)), 4) for a in drawn]):
        res = adversarial_max(lambda Z, b1=b1, b2=b2: np.abs(np.prod([a[-1, :, 0] for a in eta_trace(_alg(b1, b2, 1e-8 * G),
                                                                                                  Z[:, :, None])], axis=0)),
                              t + 1, seed=ctx.seed + 9 + i, maxiter=ctx.pick(40, 150), popsize=10)
        searched.append(res.value)
        closed.append(momentum_sup(b1, b2, t))
        inputs.append({"beta1": b1, "beta2": b2, "t": t, "eps/G": 1e-8, "argmax": res.argmax.tolist()})
    r0 = rows[0]
    return (Bound("||m_t (.) eta_t||^2 <= d G^2/eps^2 (Eq. 88)", tuple(cases),
                  Exact("eps = G: eta = 1/G and |m_t| <= G(1 - beta1^(t+1)), attained by g = G; eps << G: |m_t| eta_t <= "
                        "|m_t|/sqrt(v_t) <= S (Holder), attained by the extremal sequence",
                        domain={"eps/G": "1 and 1e-8", "(beta1, beta2)": "(0.9, 0.999), (0, 0.999), (0.5, 0), (0.99, 0.5), "
                                                                         "(0.9, 0.99), (0.5, 0.9)", "t": f"0..{T - 1}"}),
                  approach="t",
                  note=(f"at eps = 1e-8 G the exact sup of |m_t eta_t| is S = {r0['S']:.7g} at (0.9, 0.999) (reached by "
                        f"the reference) against G/eps = {r0['G/eps']:.3g}"),
                  details={"small_eps": rows}),
            SearchAgreement("eps << G: max over sequences of |m_t eta_t| = S(beta1, beta2, t)", tuple(searched),
                            tuple(closed), tuple(inputs), tuple(float(tol.ema_ops(i["t"] + 1)) for i in inputs),
                            {"g_0..g_t": "[-G, G]^(t+1)", "beta1": "[0, 0.99)", "beta2": "[beta1, 0.999) (for beta2 < "
                             "beta1 the extremal sequence decreases, v_t is not the max of line 8 and S is not attained)"},
                            f"differential evolution + L-BFGS-B, maxiter {ctx.pick(40, 150)}"))


register(Claim(
    id="adasam.lemma9", source="adasam Lemma 9 (Appendix B, Eqs. 80-88)",
    statement=r"$E\langle\nabla f(z_t)-\nabla f(x_t),-\frac{\gamma}{b}\sum_B\nabla f_i(x_t+\rho\frac{s_t}{\|s_t\|})\odot"
              r"\eta_{t-1}\rangle\le\frac{\gamma^3L^2\beta_1^2}{2\epsilon(1-\beta_1)^2}(\sum_k\lambda_k^{-2})\frac{dG_\infty^2}"
              r"{\epsilon^2}+\frac{\gamma\lambda_1^2}{2}\|\nabla f\odot\sqrt{\eta_{t-1}}\|^2+\frac{\gamma L^2\rho^2}{2\epsilon}"
              r"(\lambda_2^2+4\lambda_3^2)$",
    expected=Verdict.TIGHT,
    checks=(Check("the momentum factor ||m eta||^2 <= d G^2/eps^2 of (88): exact sup over the domain, reference, search",
                  _factor, Verdict.TIGHT, ScaleBound(1 - 1e-3)),),
    note="The verdict is that of the lemma's one worst-case step, the momentum factor (88) (the others are Young's "
         "inequality and L-smoothness): over the lemma's domain it is attained (eps = G, beta1 = 0) and approached "
         "along t otherwise, so it cannot be lowered; for the small eps of practice its exact value is Adam's eps-free "
         "constant d S^2, far below d G^2/eps^2. Eq. (87) prints ||m_{t-1} (.) eta_t - 1||^2 (OCR) for "
         "||m_{t-1} (.) eta_{t-1}||^2.",
))
