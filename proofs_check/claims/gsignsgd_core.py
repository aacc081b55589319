"""gsignsgd (Crawshaw et al. 2022): Algorithm 1, its special cases (Sec. 4), Lemma 1, Lemma 5, Lemma 7.

* ``gsignsgd.alg1`` -- Algorithm 1 (lines 5-7): ``m_t = beta1 m_{t-1} + (1-beta1) g_t``,
  ``v_t = beta2 v_{t-1} + (1-beta2) m_t^2`` (m^2, not g^2), ``x_{t+1} = x_t - eta m_t/sqrt(v_t)``,
  ``m_0 = v_0 = 0``: ``reference.generalized_signsgd`` against a from-scratch transcription, over
  random ``(beta1, beta2)`` in ``[0, 1)^2``.
* ``gsignsgd.sec4`` -- Sec. 4's two exact statements: ``beta2 = 0`` recovers Signum (SignSGD with
  momentum, Bernstein et al. 2018), and ``g_t^2`` in place of ``m_t^2`` in ``v_t`` is Adam without its
  bias corrections.
* ``gsignsgd.lemma1`` -- the descent lemma under coordinate-wise (L0, L1)-smoothness (Assumption 2,
  Eq. 2), searched over two families of the class with their exact constants (quadratics with any
  symmetric ``A``, ``L0_j = sqrt(d) ||A_j||_2``, ``L1 = 0``; ``cosh_cosine(d, kappa, omega)`` with
  ``L0_vec = sqrt(d) a(ln 2)``, ``L1_vec = 1/ln 2``), every x and every ``||h||_2 <= 1/||L1||_inf``.
  The supremum over the class is 1: ``F = (c/2)||x||^2`` with ``h`` along an axis attains it.
* ``gsignsgd.lemma5`` -- ``||x_{t-tau} - x_t||_2 <= 1/||L1||_inf`` for ``tau <= tau_bar =
  sqrt(1-beta2)/(eta sqrt(d) ||L1||_inf)``.  Each step moves a coordinate by ``eta |m_t|/sqrt(v_t)``
  with ``|m_t|^2/v_t = (1 - beta2 v_{t-1}/v_t)/(1-beta2) <= 1/(1-beta2)``, so the supremum over
  gradient sequences of the tau-step displacement is ``tau eta sqrt(d)/sqrt(1-beta2)``: attained for
  beta2 = 0 (sign steps), approached for beta2 > 0 by gradients growing geometrically (``v_{t-1}/v_t
  -> 0``).  At ``tau = tau_bar`` (an integer) it equals the bound: the lemma is tight.  (The appendix
  proof is not in our copy; this is the one-line argument its tau_bar encodes.)
* ``gsignsgd.lemma7`` -- ``P(max_{t0 <= t} |sum_{tau<=t0} beta1^(t-tau) (g_tau - grad)| > E_j) <= 3 delta``,
  Monte Carlo over beta1, delta, t, sigma and three noise laws bounded by sigma (Rademacher, the largest
  variance Assumption 3 allows; skewed two-point laws; uniform).
"""

from __future__ import annotations

import math

import numpy as np

import reference as R
from reference.problems import cosh_cosine, quadratic

from .. import tolerances as tol
from ..evidence import Bound, Case, Identity, Rounding, Searched
from ..perturb import Params, SetParam
from ..registry import Check, Claim, Context, Verdict, register
from ._common import curve_plot, series

__all__ = ["alg1_loop", "lemma1_ratio", "lemma7_E", "lemma5_extremal_gradients"]


# --------------------------------------------------------------------------- Algorithm 1


def alg1_loop(G: np.ndarray, beta1: float, beta2: float, eta: float, use_g2: bool = False) -> np.ndarray:
    """Iterates ``x_1..x_{T+1}`` of gsignsgd Algorithm 1 from ``x_1 = 0`` on the gradients ``G`` (T, d).

    ``use_g2=True`` is the Adam-like variant ``v_t = beta2 v + (1-beta2) g_t^2`` (Sec. 4's remark).
    """
    T, d = G.shape
    x, m, v = np.zeros(d), np.zeros(d), np.zeros(d)
    xs = [x.copy()]
    for t in range(T):
        g = G[t]
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g * g if use_g2 else m * m)
        x = x - eta * m / np.sqrt(v)
        xs.append(x.copy())
    return np.array(xs)


def _beta_draws(rng: np.random.Generator, n: int) -> list[tuple[float, float]]:
    """The paper's pairs and corners of [0, 1)^2, then uniform draws over the whole square."""
    fixed = [(0.9, 0.99), (0.0, 0.0), (0.99, 0.999), (0.0, 0.9), (0.9, 0.0)]
    return fixed + [(float(a), float(b)) for a, b in rng.uniform(0.0, 0.999, (n, 2))]


def _alg1(ctx: Context, p: Params) -> Identity:
    """reference.generalized_signsgd against :func:`alg1_loop` on heavy-tailed gradient sequences."""
    rng = np.random.default_rng(ctx.seed)
    T, d, eta = ctx.pick(200, 2000), 5, 0.1
    pairs = _beta_draws(rng, ctx.pick(5, 20))
    ref, mine, scale = [], [], []
    for b1, b2 in pairs:
        G = rng.standard_normal((T, d)) * np.exp(2 * rng.standard_normal((T, 1)))
        ref.append(R.replay(R.generalized_signsgd(lr=eta, beta1=b1, beta2=b2), G[:, None, :]).x[:, 0, :])
        mine.append(alg1_loop(G, b1, b2, eta, use_g2=p.second_moment == "g^2"))
        # x_t sums t updates of size <= eta/sqrt(1-beta2), each with relative error gamma(ema_ops(T))
        scale.append(np.full((T + 1, d), eta / math.sqrt(1 - b2) * T))
    return Identity("m_t EMA of g_t; v_t EMA of m_t^2; x_{t+1} = x_t - eta m_t/sqrt(v_t)", np.stack(ref), np.stack(mine),
                    Rounding(tol.ema_ops(T), np.stack(scale)), "reference.generalized_signsgd",
                    f"Algorithm 1 transcribed (v from {p.second_moment})",
                    note=f"{len(pairs)} (beta1, beta2) in [0, 1)^2 (5 corners/paper values + uniform draws), T = {T}, d = {d}",
                    details={"pairs": pairs, "T": T})


register(Claim(
    id="gsignsgd.alg1", source="gsignsgd Algorithm 1",
    statement="m_t = beta1 m_{t-1} + (1-beta1) g_t; v_t = beta2 v_{t-1} + (1-beta2) m_t^2; "
              "x_{t+1} = x_t - eta m_t / sqrt(v_t); m_0 = v_0 = 0",
    expected=Verdict.VERIFIED,
    checks=(Check("reference vs from-scratch loop, (beta1, beta2) over [0, 1)^2", _alg1, Verdict.VERIFIED,
                  SetParam("second_moment", "g^2", "algorithm", "v_t from g_t^2 (Adam without bias correction)"),
                  {"second_moment": "m^2"}),),
))


# --------------------------------------------------------------------------- Sec. 4: special cases


def _signum(ctx: Context, p: Params) -> Identity:
    """Algorithm 1 with ``beta2 = p.beta2`` (0 as stated) against reference.signum, beta1 over [0, 1)."""
    rng = np.random.default_rng(ctx.seed + 5)
    T, d, eta = ctx.pick(200, 1000), 4, 0.05
    b1s = [0.0, 0.9, 0.99] + [float(b) for b in rng.uniform(0, 0.999, ctx.pick(5, 20))]
    a, b = [], []
    for b1 in b1s:
        G = rng.standard_normal((T, 1, d)) * np.exp(2 * rng.standard_normal((T, 1, 1)))
        a.append(R.replay(R.generalized_signsgd(lr=eta, beta1=b1, beta2=p.beta2), G).x[:, 0])
        b.append(R.replay(R.signum(lr=eta, beta=b1), G).x[:, 0])
    return Identity("beta2 = 0 recovers SignSGD with momentum (Signum)", np.stack(a), np.stack(b),
                    Rounding(tol.ema_ops(T), eta * T), f"generalized_signsgd(beta2={p.beta2:g})",
                    "reference.signum", note=f"{len(b1s)} beta1 in [0, 1), T = {T}, heavy-tailed gradients",
                    details={"beta1": b1s, "T": T})


def _adam_remark(ctx: Context, p: Params) -> Identity:
    """Algorithm 1 with ``g_t^2`` in ``v_t`` (:func:`alg1_loop`, ``use_g2``) against reference.adam without
    bias correction and eps = 0, over (beta1, beta2) in [0, 1)^2."""
    rng = np.random.default_rng(ctx.seed + 6)
    T, d, eta = ctx.pick(200, 1000), 4, 0.05
    pairs = _beta_draws(rng, ctx.pick(5, 20))
    a, b, scale = [], [], []
    for b1, b2 in pairs:
        G = rng.standard_normal((T, d)) * np.exp(2 * rng.standard_normal((T, 1)))
        a.append(alg1_loop(G, b1, b2, eta, use_g2=True))
        b.append(R.replay(R.adam(lr=eta, beta1=b1, beta2=b2, eps=0.0, bias_correction=p.bias_correction),
                          G[:, None, :]).x[:, 0, :])
        # Adam's |m|/sqrt(v) <= (1-b1)/sqrt(1-b2) sum_k b1^k / sqrt(b2^k) is unbounded for b1^2 > b2: scale by the path
        scale.append(np.cumsum(np.concatenate([np.zeros((1, d)), np.abs(np.diff(b[-1], axis=0))]), axis=0) + eta)
    return Identity("v_t from g_t^2 instead of m_t^2 is exactly Adam except for the bias corrections", np.stack(a),
                    np.stack(b), Rounding(tol.ema_ops(T), np.stack(scale)), "Algorithm 1 with g_t^2 in v_t",
                    f"reference.adam(bias_correction={p.bias_correction}, eps=0)",
                    note=f"{len(pairs)} (beta1, beta2) in [0, 1)^2, T = {T}", details={"pairs": pairs, "T": T})


register(Claim(
    id="gsignsgd.sec4", source="gsignsgd Sec. 4 (Algorithm 1's special cases)",
    statement="Algorithm 1 recovers SignSGD with momentum (Signum) when beta2 = 0; if g_t^2 is used in v_t instead "
              "of m_t^2, it is exactly Adam, except for the bias correction terms",
    expected=Verdict.VERIFIED,
    checks=(Check("beta2 = 0 vs reference.signum", _signum, Verdict.VERIFIED,
                  SetParam("beta2", 0.5, "hyperparameter", "beta2 > 0 is not Signum"), {"beta2": 0.0}),
            Check("g^2 variant vs reference.adam without bias correction", _adam_remark, Verdict.VERIFIED,
                  SetParam("bias_correction", True, "algorithm", "Adam with its bias corrections"),
                  {"bias_correction": False})),
))


# --------------------------------------------------------------------------- Lemma 1


def lemma1_ratio(z: np.ndarray, h: np.ndarray, kappa: float, omega: float, L0: np.ndarray,
                 L1: np.ndarray) -> np.ndarray:
    """``(F(z+h) - F(z) - <F'(z), h>) / sum_j (1/2)(L0_j/sqrt(d) + L1_j |F'_j(z)|) ||h||_2 |h_j|``
    for ``F = sum_j cosh z_j + kappa cos(omega z_j)`` (gsignsgd Lemma 1), batched over rows."""
    d = z.shape[-1]
    phi = lambda t: np.cosh(t) + kappa * np.cos(omega * t)  # noqa: E731
    g = np.sinh(z) - kappa * omega * np.sin(omega * z)
    lhs = np.sum(phi(z + h) - phi(z) - g * h, axis=-1)
    nh = np.linalg.norm(h, axis=-1)
    rhs = np.sum(0.5 * (L0 / math.sqrt(d) + L1 * np.abs(g)) * nh[:, None] * np.abs(h), axis=-1)
    return lhs / rhs


def _lemma1_cases(problem, X: np.ndarray, H: np.ndarray, L0: np.ndarray, L1: np.ndarray, keep: int,
                  inputs: dict) -> list[Case]:
    """The ``keep`` largest remainder/bound ratios of Lemma 1 on ``problem`` at rows of (X, H).

    The remainder is a cancelling sum: its rounding error is ``~ u (|F(x+h)| + |F(x)| + |<g, h>|)``, so
    ``ops`` is that magnitude over the bound (plus the bound's own 8 d operations)."""
    d = X.shape[-1]
    f0, f1, g = problem.value(X), problem.value(X + H), problem.grad(X)
    gh = np.sum(g * H, axis=-1)
    lhs = f1 - f0 - gh
    nh = np.linalg.norm(H, axis=-1)
    rhs = np.sum(0.5 * (L0 / math.sqrt(d) + L1 * np.abs(g)) * nh[:, None] * np.abs(H), axis=-1)
    ops = 8.0 * (np.abs(f1) + np.abs(f0) + np.abs(gh)) / rhs + 8 * d
    order = np.argsort(lhs / rhs)[::-1][:keep]
    return [Case(float(lhs[i]), float(rhs[i]), {**inputs, "d": d, "x": X[i].tolist(), "h": H[i].tolist()},
                 float(ops[i])) for i in order]


def _ball(rng: np.random.Generator, n: int, d: int, radius: float) -> np.ndarray:
    """Random directions with norms log-uniform in [radius/100, radius] (never 0: no total cancellation)."""
    u = rng.standard_normal((n, d))
    return u / np.linalg.norm(u, axis=1, keepdims=True) * radius * 10.0 ** rng.uniform(-2, 0, (n, 1))


def _lemma1(ctx: Context, p: Params) -> Bound:
    """Search of the remainder/bound over two families of coordinate-wise (L0, L1)-smooth functions."""
    rng = np.random.default_rng(ctx.seed + 1)
    n = ctx.pick(4000, 40000)
    cases: list[Case] = []
    # quadratics 1/2 x^T A x, A symmetric (indefinite allowed), L0_j = sqrt(d) ||A_j||_2, L1 = 0 (infinite radius)
    for k in range(ctx.pick(12, 48)):
        d = int(rng.integers(1, 9))
        A = rng.standard_normal((d, d)) * 10.0 ** rng.uniform(-2, 2)
        A = A + A.T if k % 3 else np.eye(d) * 10.0 ** rng.uniform(-2, 2)  # every third: c I (the attaining family)
        q = quadratic(A)
        X = rng.standard_normal((n // 8, d)) * 10.0 ** rng.uniform(-2, 2)
        H = _ball(rng, n // 8, d, 10.0 ** rng.uniform(-2, 2))
        H[: n // 64] = np.eye(d)[rng.integers(0, d, n // 64)] * rng.uniform(0.1, 3, (n // 64, 1))  # along an axis
        cases += _lemma1_cases(q, X, H, p.L0_factor * q.constants.L0_vec, q.constants.L1_vec, 2,
                               {"family": "quadratic", "A": A.tolist()})
    # cosh_cosine(d, kappa, omega): exact L0_vec = sqrt(d) a(ln 2), tight L1_vec = 1/ln 2, radius ln 2
    for _ in range(ctx.pick(12, 48)):
        d, kappa, omega = int(rng.integers(1, 7)), float(rng.uniform(0, 2)), float(rng.uniform(0, 4))
        cc = cosh_cosine(d, kappa, omega)
        r = 1.0 / float(np.max(cc.constants.L1_vec))
        X = rng.uniform(-30, 30, (n // 8, d)) * rng.uniform(0, 1, (n // 8, 1)) ** 2
        H = _ball(rng, n // 8, d, r)
        H[: n // 64] = np.eye(d)[rng.integers(0, d, n // 64)] * r  # full radius along an axis (the tight direction)
        cases += _lemma1_cases(cc, X, H, p.L0_factor * cc.constants.L0_vec, cc.constants.L1_vec, 2,
                               {"family": "cosh_cosine", "kappa": kappa, "omega": omega})
    far = lemma1_ratio(np.stack([np.linspace(0, 30, 301), np.zeros(301)], 1), np.tile([math.log(2), 0.0], (301, 1)), 1.0,
                       2.0, cosh_cosine(2).constants.L0_vec, cosh_cosine(2).constants.L1_vec)
    plot = curve_plot("gsignsgd Lemma 1 on cosh + cos 2z (d = 2), h = ln2 e_1", "z_1",
                      "remainder / Lemma 1 bound", series("remainder / bound", np.linspace(0, 30, 301), far),
                      series("Lemma 1 (= 1)", [0, 30], [1, 1], "dashed"))
    cc_best = max(c.value / c.bound for c in cases if c.inputs["family"] == "cosh_cosine")
    return Bound("F(y) - F(x) - <grad F(x), y-x> <= sum_j 1/2 (L0_j/sqrt(d) + L1_j |d_j F(x)|) ||y-x||_2 |y_j-x_j|",
                 tuple(cases),
                 Searched({"F": "quadratics 1/2 x^T A x (any symmetric A, d = 1..8) and cosh_cosine(d = 1..6, kappa in "
                                "[0, 2], omega in [0, 4]), each with its exact L0_vec and smallest L1_vec",
                           "x, h": "x anywhere (|z| <= 30), ||h||_2 in [r/100, r], r = 1/||L1||_inf, plus h along an axis"},
                          f"{n // 8} random (x, h) per function, {len(cases) // 2} functions; the 2 largest ratios each"),
                 note=f"the largest ratio on cosh_cosine is {cc_best:.4g} (its z -> inf limit along h = ln2 e_1 is "
                      f"2(1 - ln 2)/ln 2 = {2 * (1 - math.log(2)) / math.log(2):.4g})", plots=(plot,))


register(Claim(
    id="gsignsgd.lemma1", source="gsignsgd Lemma 1 (Assumption 2, Eq. 2)",
    statement="F(y) <= F(x) + <grad F(x), y-x> + sum_j 1/2 (L0_j/sqrt(d) + L1_j |dF/dx_j(x)|) ||y-x||_2 |y_j-x_j| "
              "for ||x-y||_2 <= 1/||L1||_inf",
    expected=Verdict.TIGHT,
    checks=(Check("search over quadratics and cosh_cosine with exact constants", _lemma1, Verdict.TIGHT,
                  SetParam("L0_factor", 0.9, "constant", "the lemma with 0.9 L0_vec"), {"L0_factor": 1.0}),),
    note="tight over the class: F = (c/2)||x||^2 (L0_j = sqrt(d) c, L1 = 0) attains the bound with h along an axis; "
         "on cosh + cos with its exact constants the bound is never reached",
))


# --------------------------------------------------------------------------- Lemma 5


def lemma5_extremal_gradients(tau: int, d: int, growth: float) -> np.ndarray:
    """Gradients ``g_s = growth^s`` (s = 1..tau) in every coordinate, shape (tau, 1, d): ``v_{s-1}/v_s -> 0``
    as growth -> inf, so every step approaches ``eta/sqrt(1-beta2)`` per coordinate (module docstring)."""
    return np.broadcast_to((growth ** np.arange(1, tau + 1, dtype=float))[:, None, None], (tau, 1, d)).copy()


def _lemma5(ctx: Context, p: Params) -> Bound:
    """Displacement over tau <= tau_bar steps on the extremal sequences, over (beta1, beta2, d, ||L1||_inf, tau_bar)."""
    rng = np.random.default_rng(ctx.seed + 2)
    cases = []
    n = ctx.pick(24, 96)
    for k in range(n):
        b1 = 0.0 if k % 5 == 0 else float(rng.uniform(0, 0.999))
        b2 = 0.0 if k % 2 == 0 else float(rng.uniform(0, 0.999))
        d = int(rng.integers(1, 9))
        L1 = float(10.0 ** rng.uniform(-2, 2))
        tau_bar = float(rng.integers(1, 31)) if k % 4 < 2 else float(rng.uniform(1, 30))  # integer and not
        eta = math.sqrt(1 - b2) / (tau_bar * math.sqrt(d) * L1)
        tau = int(math.floor(tau_bar)) + p.tau_extra
        for growth in ((10.0, 1e2, 10.0 ** min(4.0, 150.0 / tau)) if b2 > 0 else (2.0,)):
            tr = R.replay(R.generalized_signsgd(lr=eta, beta1=b1, beta2=b2), lemma5_extremal_gradients(tau, d, growth))
            disp = float(np.linalg.norm(tr.x[-1, 0] - tr.x[0, 0]))
            cases.append(Case(disp, 1.0 / L1, {"beta1": b1, "beta2": b2, "d": d, "L1_inf": L1, "tau_bar": tau_bar,
                                               "tau": tau, "eta": eta, "growth": growth},
                              ops=tol.ema_ops(tau) * tau + 2 * d))
    b2s = (0.0, 0.5, 0.9, 0.99)
    plot = curve_plot("gsignsgd Lemma 5: tau-step displacement on g_s = K^s, tau = tau_bar = 20", "growth K",
                      "||x_{t-tau} - x_t||_2 * ||L1||_inf",
                      *(series(f"beta2 = {b2}", [1.5, 3, 10, 100, 1e4],
                               [float(np.linalg.norm(R.replay(R.generalized_signsgd(lr=math.sqrt(1 - b2) / 20, beta1=0.9,
                                                                                     beta2=b2),
                                                              lemma5_extremal_gradients(20, 1, K)).x[-1, 0]))
                                for K in (1.5, 3, 10, 100, 1e4)], "points") for b2 in b2s),
                      series("Lemma 5 bound (= 1)", [1.5, 1e4], [1, 1], "dashed"), logx=True)
    return Bound("||x_{t-tau} - x_t||_2 <= 1/||L1||_inf for tau <= tau_bar = sqrt(1-beta2)/(eta sqrt(d) ||L1||_inf)",
                 tuple(cases),
                 Searched({"(beta1, beta2)": "[0, 1)^2 (half the draws beta2 = 0)", "d": "1..8",
                           "||L1||_inf": "[1e-2, 1e2] log-uniform", "tau_bar": "integers 1..30 and reals in [1, 30]",
                           "g": "g_s = K^s in every coordinate (K -> inf approaches the supremum), fresh state"},
                          f"{n} draws, tau = floor(tau_bar) + {p.tau_extra}"),
                 note="every step moves a coordinate by at most eta/sqrt(1-beta2) (v_t >= (1-beta2) m_t^2), "
                      "reached exactly by sign steps (beta2 = 0) and approached by geometric growth", plots=(plot,))


register(Claim(
    id="gsignsgd.lemma5", source="gsignsgd Lemma 5",
    statement="for tau <= tau_bar = sqrt(1-beta2)/(eta sqrt(d) ||L1||_inf): ||x_{t-tau} - x_t||_2 <= 1/||L1||_inf",
    expected=Verdict.TIGHT,
    checks=(Check("extremal gradient sequences over the hyperparameter domain", _lemma5, Verdict.TIGHT,
                  SetParam("tau_extra", 1, "input", "one step beyond tau_bar"), {"tau_extra": 0}),),
    note="tight: at tau = tau_bar the displacement equals 1/||L1||_inf for sign steps (beta2 = 0, constant signs) and "
         "approaches it for beta2 > 0 when the gradients grow geometrically",
))


# --------------------------------------------------------------------------- Lemma 7


def lemma7_E(sigma: float, beta1: float, delta: float) -> float:
    """``E_j = 3 sigma max(1, log(1/delta)) + 3/sqrt(1-beta1^2) sqrt(sigma^2 max(1, log(1/delta)))`` (Lemma 7)."""
    lg = max(1.0, math.log(1 / delta))
    return 3 * sigma * lg + 3 / math.sqrt(1 - beta1**2) * math.sqrt(sigma**2 * lg)


def _noise(rng: np.random.Generator, law: str, q: float, sigma: float, shape: tuple[int, ...]) -> np.ndarray:
    """Zero-mean noise with ``|e| <= sigma`` a.s. (Assumption 3): Rademacher, the two-point law
    ``{sigma w.p. q, -sigma q/(1-q)}`` (q <= 1/2), or uniform on [-sigma, sigma]."""
    if law == "rademacher":
        return sigma * (2.0 * rng.integers(0, 2, shape) - 1.0)
    if law == "two-point":
        return np.where(rng.random(shape) < q, sigma, -sigma * q / (1 - q))
    return rng.uniform(-sigma, sigma, shape)


def _lemma7(ctx: Context, p: Params) -> Bound:
    rng = np.random.default_rng(ctx.seed + 3)
    N = ctx.pick(2000, 8000)
    anchors = [(0.0, 0.05, "rademacher"), (0.9, 0.05, "rademacher"), (0.99, 0.05, "rademacher"),
               (0.999, 0.01, "rademacher"), (0.999, 0.3, "rademacher")]
    laws = ("rademacher", "two-point", "uniform")
    draws = anchors + [(float(1 - 10.0 ** rng.uniform(-3, 0)), float(10.0 ** rng.uniform(-3, math.log10(0.33))),
                        laws[k % 3]) for k in range(ctx.pick(7, 25))]
    cases = []
    for b1, delta, law in draws:
        sigma, q = float(10.0 ** rng.uniform(-2, 2)), float(rng.uniform(0.02, 0.5))
        t = int(min(1500 if not ctx.full else 4000, max(1, math.ceil(4 / (1 - b1)))))
        E = p.E_factor * lemma7_E(sigma, b1, delta)
        w = b1 ** np.arange(t - 1, -1, -1, dtype=float) if b1 > 0 else (np.arange(t) == t - 1).astype(float)
        S = np.zeros(N)
        worst = np.zeros(N)
        for lo in range(0, t, 500):  # chunks of tau: bounded memory
            eps = _noise(rng, law, q, sigma, (N, min(500, t - lo)))
            part = S[:, None] + np.cumsum(w[lo:lo + eps.shape[1]] * eps, axis=1)
            worst = np.maximum(worst, np.max(np.abs(part), axis=1))
            S = part[:, -1]
        freq = float(np.mean(worst > E))
        cases.append(Case(freq, 3 * delta, {"beta1": b1, "delta": delta, "noise": law, "sigma": sigma, "q": q, "t": t,
                                            "E_j": E, "paths": N,
                                            "(1-3delta)-quantile": float(np.quantile(worst, max(0.0, 1 - 3 * delta)))},
                          se=math.sqrt(freq * (1 - freq) / N)))
    return Bound("P(max_{t0 <= t} |sum_{tau <= t0} beta1^(t-tau) (g_tau,j - dF/dx_j)| > E_j) <= 3 delta", tuple(cases),
                 Searched({"beta1": "[0, 1) (anchors 0, 0.9, 0.99, 0.999; draws 1 - 10^U(-3, 0))",
                           "delta": "(0, 1/3) (anchors; draws log-uniform in [1e-3, 0.33])", "sigma": "[1e-2, 1e2]",
                           "noise": "Rademacher +-sigma, two-point {sigma, -sigma q/(1-q)}, uniform [-sigma, sigma]",
                           "t": "ceil(4/(1-beta1)) (the weights' memory)"},
                          f"{N} paths per draw, {len(draws)} draws"),
                 note=(f"value = violation frequency, bound = 3 delta; the (1 - 3 delta)-quantile of the sup stays below "
                       f"{max(c.inputs['(1-3delta)-quantile'] / c.inputs['E_j'] for c in cases):.3g} E_j"))


register(Claim(
    id="gsignsgd.lemma7", source="gsignsgd Lemma 7",
    statement="|sum_{tau=1}^{t0} beta1^(t-tau)(g_tau,j - dF/dx_j(x_tau))| <= 3 sigma_j max(1, log(1/delta)) "
              "+ 3/sqrt(1-beta1^2) sqrt(sigma_j^2 max(1, log(1/delta))) =: E_j, all t0 in [t], w.p. >= 1-3 delta",
    expected=Verdict.LOOSE,
    checks=(Check("Monte Carlo over beta1, delta, t, sigma and three bounded noise laws", _lemma7, Verdict.LOOSE,
                  SetParam("E_factor", 0.2, "constant", "E_j x 0.2"), {"E_factor": 1.0}),),
    note="no violation at any beta1, delta or noise law searched: E_j is several standard deviations of the weighted sum",
))
