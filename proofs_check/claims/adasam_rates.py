"""adasam Theorem 1 and Corollary 1 measured: the stationarity measure ``(1/T) sum_{t<T} E||grad f(x_t)||^2`` of
``reference.adasam`` on a problem whose L, G and sigma are exact.

Problem: ``f = c log cosh`` per coordinate (``reference.problems.log_cosh(d, curvature=c)``: L = c, ``|grad f| < c``,
f* = 0) with Rademacher noise ``+-c s0`` per coordinate, averaged over a mini-batch of b draws
(``minibatch(rademacher(c s0), b)``): every stochastic gradient obeys ``||g||_inf <= G = c (1 + s0)``
(Assumption 3, the supremum), each sample function ``f + e^T x`` is L-smooth (Assumption 1: additive noise), and
``E||g - grad f||^2 = d c^2 s0^2 / b`` exactly (Assumption 2 with ``sigma^2 = d c^2 s0^2``); the noise takes 2^d
values, so f is a finite sum (2).  Every run also logs its oracle (:class:`OracleLog`) and the hypotheses are checked on
what it returned (:func:`theorem1_hypotheses`): ``max ||g||_inf <= G`` over every oracle point, ``max ||g - grad
f||^2 <= sigma^2/b`` over every sample, and the secant of each sample between its two SAM points ``<= L``.

* Theorem 1 at its largest step ``gamma = eps/(16 L)``, ``eps <= G`` (what the proof needs, Lemma 3): scaling
  ``f -> c f`` with ``eps -> c eps`` leaves the iterates unchanged, so the measure is ``c^2`` times that at c = 1;
  every term of the bound the proof supports scales as ``c^2`` too, but the printed noise term
  ``8 G gamma L sigma^2/eps`` scales as ``c^3`` (``adasam.thm1.derivation``).  As c -> 0 the printed bound divided
  by c^2 tends to its noise-free terms, which decay as 1/T while the measure keeps its noise floor: a counterexample
  for small c and large T, strongest at ``eps = G`` and ``beta1 = 0`` (the terms in ``1/eps - 1/G``, ``eps^-2 - G^-2``
  and ``beta1`` vanish).
* Corollary 1: ``gamma = gamma0 sqrt(b/T)``, ``rho = rho0/sqrt(bT)`` with ``gamma0`` chosen so that
  ``gamma <= eps/(16 L)`` on the whole grid; the exponent in T (fixed b) and in b (fixed T, ``T >= b^3``: the
  corollary's "T sufficiently large", where its growing terms ``b^(1/2)/T^(3/2)`` and ``b/T`` are below the leading
  one) fitted by :func:`proofs_check.rates.fit_rate` with the bound's other orders as declared terms.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp

import reference as R
from reference.problems import log_cosh, minibatch, rademacher, with_noise

from .. import rates
from .. import tolerances as tol
from ..evidence import Bound, Case, Instances, Rate
from ..perturb import Params, SetParam, ShiftClaim
from ..registry import Check, Claim, Context, Verdict, register
from . import adasam_theorem as thm
from ._common import curve_plot, series
from .adasam_symbolic import exponent_in, generic_point

__all__ = ["problem", "mean_sq_grad", "bound_value", "OracleLog", "theorem1_run", "theorem1_hypotheses", "measure_over_b",
           "measure_over_T", "corollary1_setup", "order_shares"]

D, S0, X0 = 4, 1.0, 1.0


def problem(c: float, b: int = 1):
    """``c log cosh`` in d = 4 with +-c s0 Rademacher noise averaged over b draws (module docstring)."""
    return with_noise(log_cosh(D, curvature=c, width=1.0), minibatch(rademacher(c * S0), b))


def mean_sq_grad(record: R.RunRecord, T: int) -> np.ndarray:
    """``(1/T) sum_{t=0}^{T-1} ||grad f(x_t)||_2^2`` per seed (adasam Theorem 1's left side; x_0 is the start)."""
    return np.mean(record.grad_l2[:T] ** 2, axis=0)


@functools.lru_cache(maxsize=32)
def _compiled(expr: sp.Expr):
    names = sorted(thm.SYMBOLS)
    return names, sp.lambdify([thm.SYMBOLS[n] for n in names], expr, "math")


def bound_value(expr: sp.Expr, **values: float) -> float:
    """Evaluate a bound of :mod:`adasam_theorem` (symbols by name: G, L, epsilon, sigma, rho, gamma, beta1, b, d, T,
    Delta; every one of them must be given)."""
    names, fn = _compiled(expr)
    return float(fn(*(values[n] for n in names)))


class OracleLog:
    """A problem's stochastic oracle for one run, logging over every call what Assumptions 1-3 constrain.

    * Assumption 3: ``max ||g||_inf`` over every oracle point (both calls of each SAM step);
    * Assumption 2: per sample (first call), the noise ``e = g - grad f(y)``: ``max ||e||^2`` (an a.s. bound, so a
      bound on ``E||e||^2``), the mean of ``||e||^2`` and the mean of ``e`` per coordinate in standard errors
      (unbiasedness);
    * Assumption 1: per sample, the secant ``||g(y') - g(y)||/||y' - y||`` between its two SAM points (the same sample
      xi, ``y' = y + delta``): a lower bound on the sample function's smoothness constant.

    Each maximum carries the largest operation count of its rounding model (:func:`proofs_check.tolerances.not_above`): a
    gradient is a few chained operations (``|g| <= (|grad f| + |e|)(1 + gamma_8)``); ``e`` and ``g(y') - g(y)`` are
    differences, whose rounding errors accumulate on the magnitudes of the terms (``6 u (|g| + |g'|)`` per coordinate
    for the gradient difference, ``u (|y| + |y'|)`` for the step, ``2 u (|g| + |e|)`` for the noise), expressed
    relative to the computed value."""

    CHUNK = 256  # oracle calls buffered between two vectorised updates of the log

    def __init__(self, problem, oracle) -> None:
        self.problem, self.oracle = problem, oracle
        self.max_g_inf = 0.0
        self.noise = self.secant = (0.0, 0.0)  # (largest value, largest operation count)
        self.samples, self.e_sum, self.e_sq, self.e2_sum = 0, 0.0, 0.0, 0.0
        self._firsts: list[tuple[np.ndarray, np.ndarray]] = []
        self._pairs: list[tuple[np.ndarray, ...]] = []

    def __call__(self, y: np.ndarray) -> np.ndarray:
        g = self.oracle(y)
        self._add(self._firsts, (y, g))
        return g

    def sample(self):
        f = self.oracle.sample()
        first: list[np.ndarray] = []

        def grad(y: np.ndarray) -> np.ndarray:
            g = f(y)
            if first:
                self._add(self._pairs, (first[0], first[1], y, g))
            else:
                first.extend((y, g))
                self._add(self._firsts, (y, g))
            return g
        return grad

    def _add(self, buffer: list, item: tuple) -> None:
        buffer.append(item)
        if len(buffer) >= self.CHUNK:
            self.flush()

    @staticmethod
    def _worst(current: tuple[float, float], value: np.ndarray, ops: np.ndarray) -> tuple[float, float]:
        """(the largest value, the largest operation count): the rounding allowance of the largest count covers
        every value's."""
        return max(current[0], float(np.max(value))), max(current[1], float(np.max(ops)))

    def flush(self) -> None:
        """Fold the buffered calls into the log."""
        if self._firsts:
            y, g = (np.stack(a) for a in zip(*self._firsts))
            self._firsts = []
            self.max_g_inf = max(self.max_g_inf, float(np.max(np.abs(g))))
            e = g - self.problem.grad(y)
            e2 = np.sum(e * e, axis=-1)
            tiny = np.finfo(e2.dtype).tiny
            ops = 4 * np.sum(np.abs(e) * (np.abs(g) + np.abs(e)), axis=-1) / np.maximum(e2, tiny) + e.shape[-1] + 2
            self.noise = self._worst(self.noise, e2, ops)
            flat = e.reshape(-1, e.shape[-1])
            self.samples += len(flat)
            self.e_sum = self.e_sum + flat.sum(axis=0)
            self.e_sq = self.e_sq + (flat * flat).sum(axis=0)
            self.e2_sum += float(e2.sum())
        if self._pairs:
            y, g, y2, g2 = (np.stack(a) for a in zip(*self._pairs))
            self._pairs = []
            self.max_g_inf = max(self.max_g_inf, float(np.max(np.abs(g2))))
            dg, dy = np.linalg.norm(g2 - g, axis=-1), np.linalg.norm(y2 - y, axis=-1)
            moved = dy > 0
            if moved.any():
                tiny = np.finfo(dg.dtype).tiny
                ops = (6 * np.linalg.norm(np.abs(g) + np.abs(g2), axis=-1)[moved] / np.maximum(dg[moved], tiny)
                       + np.linalg.norm(np.abs(y) + np.abs(y2), axis=-1)[moved] / dy[moved] + y.shape[-1] + 4)
                self.secant = self._worst(self.secant, dg[moved] / dy[moved], ops)

    def summary(self) -> dict:
        """The logged maxima (with their operation counts) and the noise's sample moments."""
        self.flush()
        n = self.samples
        mean = self.e_sum / n
        se = np.sqrt(np.maximum(self.e_sq / n - mean**2, 0.0) / n)
        z = np.abs(mean) / np.where(se > 0, se, np.inf)
        return {"max ||g||_inf": self.max_g_inf, "g_ops": 8, "max ||e||^2": self.noise[0], "noise_ops": self.noise[1],
                "mean ||e||^2": self.e2_sum / n, "max_j |mean e_j|/SE": float(np.max(z)), "samples": n,
                "max secant": self.secant[0], "secant_ops": self.secant[1]}


class _Observed:
    """``problem`` whose oracle is logged by an :class:`OracleLog` (``self.log`` after ``oracle(rng)``)."""

    def __init__(self, problem) -> None:
        self.problem = problem
        self.log: OracleLog | None = None

    def oracle(self, rng):
        self.log = OracleLog(self.problem, self.problem.oracle(rng))
        return self.log

    def __getattr__(self, name: str):
        return getattr(self.problem, name)


def theorem1_hypotheses(values: dict, beta2: float, oracle: dict) -> dict[str, bool]:
    """Every hypothesis of Theorem 1 at an instance, and the one its proof adds (eps <= G): the step size and the
    hyperparameter ranges from ``values``; Assumptions 1-3 on the run's oracle (``oracle``: an
    :meth:`OracleLog.summary`), each against the constant the bound uses, within the rounding of its computation."""
    return {"Assumption 1: max secant ||g(y') - g(y)||/||y' - y|| over the run's SAM pairs <= L":
                tol.not_above(oracle["max secant"], values["L"], oracle["secant_ops"]),
            "Assumption 2: max ||g - grad f||^2 over the run's samples <= sigma^2/b":
                tol.not_above(oracle["max ||e||^2"], values["sigma"] ** 2 / values["b"], oracle["noise_ops"]),
            "Assumption 3: max ||g||_inf over the run's oracle points <= G":
                tol.not_above(oracle["max ||g||_inf"], values["G"], oracle["g_ops"]),
            "gamma <= eps/(16 L)": values["gamma"] <= values["epsilon"] / (16 * values["L"]),
            "eps <= G (the proof's Lemma 3)": values["epsilon"] <= values["G"],
            "0 <= beta1 < 1": 0 <= values["beta1"] < 1, "0 <= beta2 <= 1": 0 <= beta2 <= 1,
            "rho >= 0, constant": values["rho"] >= 0}


@functools.lru_cache(maxsize=16)  # shared by the two checks of adasam.thm1 (same runs)
def theorem1_run(c: float, beta1: float, T: int, seeds: int, seed: int, eps_rel: float = 0.5, rho: float = 1e-3,
                 beta2: float = 0.999) -> dict:
    """AdaSAM with Theorem 1's hyperparameters (``eps = eps_rel G``, ``gamma = eps/(16 L)``) on :func:`problem`; the
    measure (mean, SE over seeds), the inputs of the bounds, what the run's oracle showed (:class:`OracleLog`) and the
    hypotheses it meets."""
    P = problem(c)
    k = P.constants
    G, L = k.G_inf, k.L_sample
    eps = eps_rel * G
    gamma = eps / (16 * L)
    alg = R.adasam(lr=gamma, rho=rho, beta1=beta1, beta2=beta2, eps=eps)
    x0 = np.full((seeds, D), X0)
    observed = _Observed(P)
    rec = R.run(alg, observed, x0, T, np.random.default_rng([seed, T]), record_directions=False)
    vals = mean_sq_grad(rec, T)
    values = dict(G=G, L=L, epsilon=eps, sigma=math.sqrt(k.sigma2), rho=rho, gamma=gamma, beta1=beta1, b=1, d=D,
                  T=T, Delta=float(P.value(np.full(D, X0)) - k.F_star))
    if observed.log is None:
        raise RuntimeError("reference.run did not ask the problem for its oracle")
    oracle = observed.log.summary()
    return {"mean": float(vals.mean()), "se": float(vals.std(ddof=1) / math.sqrt(seeds)), "values": values,
            "oracle": oracle, "hypotheses": theorem1_hypotheses(values, beta2, oracle)}


THM1_SETTINGS = [(0.0, 1.0), (0.9, 0.5)]  # (beta1, eps/G): the strongest instance; the paper's beta1 at eps = G/2
THM1_PLOT_C = np.geomspace(1e-4, 1.0, 41)


def _thm1_cases(ctx: Context, c: float, which: str) -> tuple[list[Case], list[dict]]:
    T, S = ctx.pick(2000, 20000), ctx.pick(64, 256)
    bound = {"printed": thm.statement_rhs(), "corrected": thm.corrected_rhs(),
             "corrected without noise term": thm.corrected_rhs().subs(thm.SYMBOLS["sigma"], 0)}[which]
    cases, runs = [], []
    for b1, eps_rel in THM1_SETTINGS:
        r = theorem1_run(c, b1, T, S, ctx.seed, eps_rel)
        if not all(r["hypotheses"].values()):
            raise ValueError(f"instance c={c}, beta1={b1}, eps/G={eps_rel} violates a hypothesis: {r['hypotheses']}")
        v = r["values"]
        cases.append(Case(r["mean"], bound_value(bound, **v),
                          {"c": c, "beta1": b1, "eps/G": eps_rel, "T": T, "seeds": S, "seed": ctx.seed, "beta2": 0.999,
                           "rho": v["rho"], "gamma": v["gamma"], "G": v["G"], "L": v["L"], "sigma^2": v["sigma"] ** 2,
                           "f(x_0) - f*": v["Delta"], "x_0": X0, "d": D, **r["hypotheses"],
                           **{f"{k} (run)": x for k, x in r["oracle"].items() if not k.endswith("_ops")}}, se=r["se"]))
        runs.append(r)
    return cases, runs


def _thm1_plot(c: float, runs: list[dict]) -> object:
    """Measured value/c^2 (scale-invariant) at the simulated c against the printed and corrected bounds/c^2 over c."""
    curves = []
    for (b1, eps_rel), r in zip(THM1_SETTINGS, runs):
        curves.append(series(f"measured, beta1 = {b1:g}, eps = {eps_rel:g} G", [c], [r["mean"] / c**2], "points",
                             yerr=[r["se"] / c**2]))
    for (b1, eps_rel), r in zip(THM1_SETTINGS, runs):
        v = r["values"]
        per = [bound_value(thm.statement_rhs(), **{**_scaled(v, c, cc)}) / cc**2 for cc in THM1_PLOT_C]
        curves.append(series(f"printed (5)-(6), beta1 = {b1:g}, eps = {eps_rel:g} G", THM1_PLOT_C, per, "dashed"))
    v = runs[0]["values"]
    curves.append(series(f"corrected bound, beta1 = {THM1_SETTINGS[0][0]:g}, eps = {THM1_SETTINGS[0][1]:g} G", THM1_PLOT_C,
                         [bound_value(thm.corrected_rhs(), **_scaled(v, c, cc)) / cc**2 for cc in THM1_PLOT_C], "dashed"))
    T = runs[0]["values"]["T"]
    return curve_plot(f"adasam Theorem 1 (T = {T}) on f = c log cosh + noise: value / c^2", "scale c",
                      "(1/T) sum E||grad f||^2 / c^2", *curves, logx=True, logy=True)


def _scaled(values: dict, c_from: float, c_to: float) -> dict:
    """The bound's inputs at scale ``c_to`` from those at ``c_from`` (G, L, eps, sigma and Delta scale with c)."""
    k = c_to / c_from
    return {**values, **{n: values[n] * k for n in ("G", "L", "epsilon", "sigma", "Delta")}}


def _stated(ctx: Context, p: Params) -> Bound:
    """(5)-(6) as printed vs the measured value, at scale c (1e-3: the printed noise term is 1000 x too small)."""
    cases, runs = _thm1_cases(ctx, p.c, "printed")
    return Bound("(1/T) sum E||grad f(x_t)||^2 <= (5)-(6)", tuple(cases),
                 Instances({"c": str(p.c), "(beta1, eps/G)": str(THM1_SETTINGS), "gamma": "eps/(16 L) (the largest allowed)",
                            "rho": "1e-3", "beta2": "0.999"}, "AdaSAM runs, mean over seeds with its SE"),
                 note="f = c log cosh + Rademacher noise satisfies Assumptions 1-3 with exact L, G, sigma (checked on "
                      "each run's oracle points: max ||g||_inf <= G, max ||e||^2 <= sigma^2, secants <= L; in the "
                      "inputs); gamma = eps/(16 L), eps <= G",
                 plots=(_thm1_plot(p.c, runs),))


def _corrected(ctx: Context, p: Params) -> Bound:
    """The corrected bound (proof (47) with Lemma 10's L^2) vs the measured value, on the same runs."""
    cases, _ = _thm1_cases(ctx, 1e-3, p.bound)
    return Bound(f"(1/T) sum E||grad f(x_t)||^2 <= the {p.bound} bound (adasam.thm1.derivation)", tuple(cases),
                 Instances({"c": "1e-3", "(beta1, eps/G)": str(THM1_SETTINGS)}, "the same AdaSAM runs"))


register(Claim(
    id="adasam.thm1", source="adasam Theorem 1, (5)-(6) (measured)",
    statement=r"$\gamma\le\frac{\epsilon}{16L}$: $\frac1T\sum_tE\|\nabla f(x_t)\|^2\le\frac{2G(f(x_0)-f^*)}{\gamma T}+"
              r"\frac{8G\gamma L\sigma^2}{\epsilon}+\Phi$",
    expected=Verdict.REFUTED,
    checks=(Check("printed bound vs measured, f = c log cosh + noise at c = 1e-3", _stated, Verdict.REFUTED,
                  SetParam("c", 1.0, "input", "scale c = 1, where the printed noise term is not below the measure"),
                  {"c": 1e-3}),
            Check("corrected bound vs measured", _corrected, Verdict.VERIFIED,
                  SetParam("bound", "corrected without noise term", "constant", "the corrected bound with sigma = 0"),
                  {"bound": "corrected"})),
    note="False as printed: its noise term 8 G gamma L sigma^2/eps scales as c^3 under f -> c f while the left side "
         "scales as c^2, so on a small-scale problem that satisfies every hypothesis (and eps <= G, which the proof "
         "adds) the measure exceeds the bound; the bound the proof supports holds on the same runs.",
))


# --------------------------------------------------------------------------- Corollary 1

C1_EPS_REL, C1_BETA1, C1_BETA2, C1_RHO0 = 0.5, 0.0, 0.99, 0.05  # beta1 = 0: Table II's setting (see _c1_T)


def _c1_grid(ctx: Context) -> tuple[list[int], list[int], int, int]:
    """(b values at fixed T, T values at fixed b, that T, that b); the b grid keeps T >= b^3."""
    return (ctx.pick([1, 2, 4, 8], [1, 2, 4, 8, 16]), ctx.pick([250, 500, 1000, 2000], [250, 500, 1000, 2000, 4000, 8000,
                                                                                       16000]),
            ctx.pick(1024, 4096), 2)


def _c1_alg(b: int, T: int, gamma0: float, eps: float, scale_b: bool = True) -> R.Algorithm:
    gamma = gamma0 * math.sqrt((b if scale_b else 1) / T)
    return R.adasam(lr=gamma, rho=C1_RHO0 / math.sqrt(b * T), beta1=C1_BETA1, beta2=C1_BETA2, eps=eps)


def _c1_constants() -> tuple[float, float]:
    k = problem(1.0).constants
    return C1_EPS_REL * k.G_inf, k.L_sample


def _c1_gamma0(eps: float, L: float, bs: list[int], Ts: list[int], T_fixed: int, b_fixed: int) -> float:
    """gamma0 with gamma0 sqrt(b/T) <= eps/(16 L) on the whole grid (Theorem 1's condition)."""
    return eps / (16 * L) * math.sqrt(min(min(Ts), T_fixed) / max(max(bs), b_fixed))


def measure_over_b(bs: list[int], T: int, gamma0: float, seeds: int, seed: int, scale_b: bool = True) -> rates.RateStats:
    """The measure for each b at horizon T (``RateStats`` with the b values as abscissae); ``scale_b=False`` uses
    gamma = gamma0/sqrt(T) for every b (a negative control)."""
    eps, _ = _c1_constants()
    x0 = np.full((seeds, D), X0)
    vals = []
    for b in bs:
        rec = R.run(_c1_alg(b, T, gamma0, eps, scale_b), problem(1.0, b), x0.copy(), T,
                    np.random.default_rng([seed, b, T]), record_directions=False)
        vals.append(mean_sq_grad(rec, T))
    return rates.RateStats(np.asarray(bs, dtype=float), np.stack(vals), ())


def measure_over_T(Ts: list[int], b: int, gamma0: float, seeds: int, seed: int) -> rates.RateStats:
    """The measure at each horizon T for batch b (gamma = gamma0 sqrt(b/T), rho = rho0/sqrt(bT))."""
    eps, _ = _c1_constants()
    return rates.measure(lambda T: _c1_alg(b, T, gamma0, eps), problem(1.0, b), np.full(D, X0), Ts, seeds, seed + 1,
                         statistic=mean_sq_grad)


def corollary1_setup(ctx: Context) -> dict:
    """The grids, constants and seed counts of the Corollary 1 checks.  The measured exponent equals the claimed
    -1/2 (the claim is tight here), so the verdict sits at the judge's boundary: the seed counts keep the fit with
    the declared T^-1 term stable across base seeds (256 runs per horizon in T; 128 in b; 64 refuted 3 of 10 base
    seeds in T, the bound's T^-1 term being fitted as noise)."""
    bs, Ts, T_fixed, b_fixed = _c1_grid(ctx)
    eps, L = _c1_constants()
    return {"bs": bs, "Ts": Ts, "T_fixed": T_fixed, "b_fixed": b_fixed, "eps": eps, "L": L,
            "gamma0": _c1_gamma0(eps, L, bs, Ts, T_fixed, b_fixed), "seeds_T": ctx.pick(256, 128), "seeds_b": 128}


@functools.lru_cache(maxsize=2)
def _bound_terms(variable: str) -> tuple[tuple[sp.Expr, str], ...]:
    """The corrected bound's terms at gamma = gamma0 sqrt(b/T), rho = rho0/sqrt(bT), each with its order in
    ``variable``."""
    e = sp.expand(thm.corrected_rhs().subs({thm.gamma: thm.g0 * sp.sqrt(thm.b / thm.T), thm.rho: thm.r0 / sp.sqrt(thm.b * thm.T)}))
    base = generic_point(e)
    return tuple((term, str(exponent_in(term, {variable: 1}, base))) for term in sp.Add.make_args(e))


def order_shares(variable: str, at: dict[str, float], gamma0: float) -> dict[str, float]:
    """Share of the corrected bound carried by each order in ``variable`` (b or T) at the point ``at`` (the other
    symbols: this problem's constants), with gamma = gamma0 sqrt(b/T), rho = rho0/sqrt(bT)."""
    P = problem(1.0)
    k = P.constants
    subs = {thm.G: k.G_inf, thm.L: k.L_sample, thm.eps: C1_EPS_REL * k.G_inf, thm.sigma: math.sqrt(k.sigma2),
            thm.beta1: C1_BETA1, thm.d: D, thm.Delta: float(P.value(np.full(D, X0)) - k.F_star), thm.g0: gamma0,
            thm.r0: C1_RHO0, thm.b: at["b"], thm.T: at["T"]}
    parts: dict[str, float] = {}
    for term, order in _bound_terms(variable):
        parts[order] = parts.get(order, 0.0) + float(term.subs(subs))
    total = sum(parts.values())
    return {o: v / total for o, v in sorted(parts.items(), key=lambda kv: float(sp.Rational(kv[0])))}


def _c1_T(ctx: Context, p: Params) -> Rate:
    """The exponent in T at fixed b.  The fit declares the bound's next order T^-1 (and T^-3/2 under --full, whose
    longer window can carry it); at beta1 = 0 the bound's leading term carries most of the bound on the window (the
    shares are in the note), which is the corollary's regime.  (At the paper's beta1 = 0.9 the constant
    beta1^2/(1-beta1)^2 = 81 of the O(b/T) term makes the bound a sum of lower-order terms at any affordable T.)"""
    su = corollary1_setup(ctx)
    st = measure_over_T(su["Ts"], su["b_fixed"], su["gamma0"], su["seeds_T"], ctx.seed)
    others = ctx.pick((-1.0,), (-1.0, -1.5))
    shares = order_shares("T", {"b": su["b_fixed"], "T": min(su["Ts"])}, su["gamma0"])
    T = st.horizons
    plot = curve_plot(f"adasam Corollary 1: measure vs T (b = {su['b_fixed']}, beta1 = {C1_BETA1:g})", "T",
                      "(1/T) sum E||grad f||^2", series("measured", T, st.mean, "points", yerr=st.se),
                      series("C (bT)^-1/2", T, st.mean[0] * (T / T[0]) ** -0.5, "dashed"), logx=True, logy=True)
    return Rate("(1/T) sum E||grad f||^2 = O(1/sqrt(bT)): exponent in T <= -1/2", "T", T, st.values, claimed=-0.5,
                other_terms=others, seed=ctx.seed,
                note=(f"b = {su['b_fixed']}, beta1 = {C1_BETA1:g}, gamma = {su['gamma0']:.4g} sqrt(b/T), rho = {C1_RHO0} "
                      f"/sqrt(bT), {su['seeds_T']} seeds; the bound's orders at T = {min(su['Ts'])}: "
                      + ", ".join(f"T^{o}: {v:.0%}" for o, v in shares.items())),
                details={"gamma0": su["gamma0"], "eps": su["eps"], "L": su["L"], "b": su["b_fixed"],
                         "bound_order_shares": shares}, plots=(plot,))


def _c1_b(ctx: Context, p: Params) -> Rate:
    """The exponent in b at fixed T >= b^3 (the corollary's "T sufficiently large": its orders growing in b stay below
    the leading one; the shares are in the note).  The fit declares the bound's O(1/T) floor (b^0); b^-1 (its rho
    term) is a transient of negligible weight."""
    su = corollary1_setup(ctx)
    st = measure_over_b(su["bs"], su["T_fixed"], su["gamma0"], su["seeds_b"], ctx.seed)
    shares = order_shares("b", {"b": max(su["bs"]), "T": su["T_fixed"]}, su["gamma0"])
    bs = st.horizons
    plot = curve_plot(f"adasam Corollary 1: measure vs batch size b (T = {su['T_fixed']}, beta1 = {C1_BETA1:g})", "b",
                      "(1/T) sum E||grad f||^2", series("measured", bs, st.mean, "points", yerr=st.se),
                      series("C b^-1/2 (linear speedup)", bs, st.mean[0] * bs**-0.5, "dashed"), logx=True, logy=True)
    return Rate("(1/T) sum E||grad f||^2 = O(1/sqrt(bT)): exponent in b <= -1/2 (linear speedup)", "b", bs, st.values,
                claimed=-0.5, other_terms=(0.0,), seed=ctx.seed,
                note=(f"T = {su['T_fixed']} >= b^3, beta1 = {C1_BETA1:g}, gamma = {su['gamma0']:.4g} sqrt(b/T), "
                      f"{su['seeds_b']} seeds; the bound's orders at b = {max(su['bs'])}: "
                      + ", ".join(f"b^{o}: {v:.0%}" for o, v in shares.items())),
                details={"gamma0": su["gamma0"], "T": su["T_fixed"], "bound_order_shares": shares}, plots=(plot,))


register(Claim(
    id="adasam.cor1", source="adasam Corollary 1, Eq. (7) (measured)",
    statement=r"$\gamma=O(\sqrt{b/T})$, $\rho=O(1/\sqrt{bT})$: $\frac1T\sum_tE\|\nabla f(x_t)\|^2=O(\frac1{\sqrt{bT}})$ "
              "for T large (linear speedup in b)",
    expected=Verdict.VERIFIED,
    checks=(Check("exponent in T at b = 2", _c1_T, Verdict.VERIFIED, ShiftClaim(-0.5)),
            Check("exponent in b at fixed T", _c1_b, Verdict.VERIFIED, ShiftClaim(-0.5))),
    note="Holds on a problem with exact constants at the corollary's gamma and rho (beta1 = 0, Table II's setting): the "
         "measure decays like 1/sqrt(T) in T and like 1/sqrt(b) in b, with the bound's next orders declared in the fit "
         "(T^-1, and T^-3/2 with --full; the O(1/T) floor in b) on a window where the bound's leading term dominates "
         "the bound and T >= b^3.",
))
