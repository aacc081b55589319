"""s3 Sec. 3: the cost of p = 1 and the memory of S3's Nesterov estimators.

* ``s3.sec3.p1_cost`` -- "Setting p = 1 for S3 involves only a computationally light element-wise absolute
  operation".  (1) The paper's Algorithm 1 (lines 5 and 7, transcribed in sympy) at p = 1: the operations
  beyond + - * / are exactly {Abs} (at p = 2, 3 a root appears, at non-integer p a general power).  (2) The
  reference step at p = 1 applies no power or root ufunc (traced through ``__array_ufunc__``).  The speed
  itself is measured, not judged: ``python -m benchmarks.s3_step_cost`` prints the step-time ratios.
* ``s3.sec3.memory`` -- "S3 follows the NAG (II) formulation ... avoids additional memory usage", while
  Adan's NAG (III)-like estimators store g_{t-1} and a new momentum.  (1) From the paper's equations
  (Algorithm 1, Adam Eq. (2), NAG (III) Eq. (7), transcribed as one-step maps in sympy) the state an update
  reads from the previous step: S3 keeps as many per-parameter buffers as Adam, NAG (III) more.  (2) The
  reference: the persistent buffers of each state, and S3's next step rebuilt from m_t and s_t alone.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import reference as R

from ..evidence import Exactly, Identity
from ..perturb import Params, SetParam
from ..registry import Check, Claim, Context, Verdict, register

__all__ = ["algorithm1_operations", "ufuncs_of_step", "persistent_buffers", "state_of", "ONE_STEP_MAPS"]

POWER_LIKE = {"power", "float_power", "sqrt", "cbrt", "exp", "log", "exp2", "log2"}

_g, _s, _m, _beta = sp.symbols("g_t s_prev m_prev beta")


def algorithm1_operations(p: sp.Expr) -> list[str]:
    """The operations beyond + - * / (integer powers count as products) in s3 Algorithm 1 lines 5 and 7:
    ``s_t = beta s_{t-1} + (1-beta)|g_t|^p``, ``b_t = (beta s_t + (1-beta)|g_t|^p)^(1/p)``."""
    s_t = _beta * _s + (1 - _beta) * sp.Abs(_g) ** p
    b_t = (_beta * s_t + (1 - _beta) * sp.Abs(_g) ** p) ** (1 / p)
    ops: set[str] = set()
    for node in sp.preorder_traversal(b_t):
        if isinstance(node, sp.Pow) and not (node.exp.is_Integer or node.exp == -1):
            ops.add("root" if (1 / node.exp).is_Integer else "power")
        elif isinstance(node, sp.Function):
            ops.add(type(node).__name__)
    return sorted(ops)


class _Tracing(np.ndarray):
    """An ndarray that records the name of every ufunc applied to it (and keeps tracing results)."""

    seen: set[str] = set()

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _Tracing.seen.add(ufunc.__name__)
        args = [np.asarray(i) if isinstance(i, _Tracing) else i for i in inputs]
        out = getattr(ufunc, method)(*args, **kwargs)
        return out.view(_Tracing) if isinstance(out, np.ndarray) else out


def ufuncs_of_step(p: float) -> set[str]:
    """The ufuncs one reference S3 step applies (p-dependent part included)."""
    _Tracing.seen = set()
    alg = R.s3(lr=1e-3, p=p)
    x = np.zeros(8).view(_Tracing)
    g = np.linspace(-1, 1, 8).view(_Tracing)
    state = alg.init(np.zeros(8))
    state = state._replace(m=state.m.view(_Tracing), s=(state.s + 0.5).view(_Tracing))
    alg.step(x, state, lambda _x: g)
    return set(_Tracing.seen)


def _p1_paper(ctx: Context, p: Params) -> Identity:
    ops = algorithm1_operations(sp.nsimplify(p.p))
    return Identity("p = 1: only an element-wise absolute operation", ops, ["Abs"], Exactly(),
                    f"operations of Algorithm 1 lines 5, 7 at p = {p.p:g}", "the statement's {Abs}",
                    note="at p = 2, 3 Algorithm 1 also takes a square/cube root, at non-integer p a general power",
                    details={"by_p": {str(q): algorithm1_operations(sp.nsimplify(q)) for q in (1, 2, 3, 2.5)}})


def _p1_reference(ctx: Context, p: Params) -> Identity:
    used = ufuncs_of_step(p.p)
    return Identity("the reference step at p = 1 applies no power or root", sorted(used & POWER_LIKE), [], Exactly(),
                    f"power/root ufuncs of reference.s3's step at p = {p.p:g}", "none",
                    note="python -m benchmarks.s3_step_cost measures the step times",
                    details={"ufuncs": sorted(used), "power_like_by_p": {str(q): sorted(ufuncs_of_step(q) & POWER_LIKE)
                                                                         for q in (2.0, 3.0, 2.5)}})


register(Claim(
    id="s3.sec3.p1_cost",
    source="s3 Sec. 3 (key characteristics) and Sec. 5.4",
    statement="Setting p = 1 for S3 involves only a computationally light element-wise absolute operation, "
              "reducing overall computational overhead",
    expected=Verdict.VERIFIED,
    checks=(Check("Algorithm 1 at p = 1 (sympy)", _p1_paper, Verdict.VERIFIED,
                  SetParam("p", 2.5, "hyperparameter", "a p that needs a general power"), {"p": 1.0}),
            Check("ufuncs of one reference step", _p1_reference, Verdict.VERIFIED,
                  SetParam("p", 2.5, "hyperparameter", "a p that needs a general power"), {"p": 1.0})),
    note="the statement's operation count is checked on Algorithm 1 and on the reference; the speed-up is measured "
         "by the benchmark, not judged",
))


# --------------------------------------------------------------------------- memory (Sec. 3)

_SYM = {n: sp.Symbol(n) for n in ("g", "g_prev", "m_prev", "s_prev", "v_prev", "r_prev", "rs_prev", "gp_prev", "beta",
                                  "beta1", "beta2", "p", "gamma", "t")}


def _s3_map(form: str) -> dict[str, sp.Expr]:
    """One step of s3 Algorithm 1 (lines 4-8): the update and the buffers it carries to the next step.
    ``form="III"``: the Nesterov estimators n_t, b_t^p written in NAG (III)'s form (Eq. 7), i.e. with a
    difference momentum r_t of g (and of |g|^p), Adan-style."""
    S = _SYM
    b, g, gp = S["beta"], S["g"], sp.Abs(S["g"]) ** S["p"]
    m = b * S["m_prev"] + (1 - b) * g
    s = b * S["s_prev"] + (1 - b) * gp
    if form == "II":
        n, bp = b * m + (1 - b) * g, b * s + (1 - b) * gp
        return {"update": -S["gamma"] * n / bp ** (1 / S["p"]), "m": m, "s": s}
    r = b * S["r_prev"] + (1 - b) * (g - S["g_prev"])
    rs = b * S["rs_prev"] + (1 - b) * (gp - S["gp_prev"])
    return {"update": -S["gamma"] * (m + b * r) / (s + b * rs) ** (1 / S["p"]), "m": m, "s": s, "r": r, "rs": rs,
            "g_prev": g, "gp_prev": gp}


def _adam_map() -> dict[str, sp.Expr]:
    """One step of Adam, s3 Eq. (2) (m~_t, v~_t; the bias corrections read only the step count t)."""
    S = _SYM
    m = S["beta1"] * S["m_prev"] + (1 - S["beta1"]) * S["g"]
    v = S["beta2"] * S["v_prev"] + (1 - S["beta2"]) * S["g"] ** 2
    return {"update": -S["gamma"] * (m / (1 - S["beta1"] ** S["t"])) / sp.sqrt(v / (1 - S["beta2"] ** S["t"])), "m": m, "v": v}


def _nag3_map() -> dict[str, sp.Expr]:
    """One step of NAG (III), s3 Eq. (7)."""
    S = _SYM
    m = S["beta"] * S["m_prev"] + (1 - S["beta"]) * S["g"]
    r = S["beta"] * S["r_prev"] + (1 - S["beta"]) * (S["g"] - S["g_prev"])
    return {"update": -S["gamma"] * (m + S["beta"] * r), "m": m, "r": r, "g_prev": S["g"]}


ONE_STEP_MAPS = {"s3": _s3_map, "adam": _adam_map, "nag (III)": _nag3_map}
_PREVIOUS = {"m_prev", "s_prev", "v_prev", "r_prev", "rs_prev", "gp_prev", "g_prev"}


def state_of(step: dict[str, sp.Expr]) -> list[str]:
    """The per-parameter quantities of the previous step that a one-step map reads (its memory)."""
    free = set().union(*(e.free_symbols for e in step.values()))
    return sorted(s.name for s in free if s.name in _PREVIOUS)


def _memory_paper(ctx: Context, p: Params) -> tuple[Identity, Identity]:
    states = {"s3": state_of(_s3_map(p.s3_form)), "adam": state_of(_adam_map()), "nag (III)": state_of(_nag3_map())}
    extra = sorted(set(states["nag (III)"]) - {"m_prev"})
    return (Identity("S3 (NAG (II) estimators) keeps as many buffers as Adam", len(states["s3"]), len(states["adam"]),
                     Exactly(), f"S3 Algorithm 1 ({p.s3_form}-form estimators): {states['s3']}",
                     f"Adam Eq. (2): {states['adam']}", details={"states": states}),
            Identity("NAG (III) (Adan's form) also stores g_{t-1} and the momentum r", extra, ["g_prev", "r_prev"],
                     Exactly(), "NAG (III) Eq. (7)'s buffers besides m", "the statement's g_{t-1} and r"))


_BOOKKEEPING = {"t", "direction"}


def persistent_buffers(alg: R.Algorithm, d: int = 5) -> list[str]:
    """The per-parameter arrays an algorithm's state carries between steps (bookkeeping excluded)."""
    state = alg.init(np.zeros(d))
    return [f for f in state._fields if f not in _BOOKKEEPING and np.shape(getattr(state, f)) == (d,)]


def _next_from_buffers(alg: R.Algorithm, keep: list[str], grads: np.ndarray) -> float:
    """Run to step T-1, rebuild the state from ``keep`` only (others zeroed), take step T; return the
    largest difference from the untouched run (0 iff the update reads nothing but ``keep``)."""
    x, state = np.zeros(grads.shape[1]), alg.init(np.zeros(grads.shape[1]))
    for g in grads[:-1]:
        x, state = alg.step(x, state, lambda _x, g=g: g)
    stripped = state._replace(**{f: np.zeros_like(getattr(state, f)) for f in state._fields
                                 if f not in keep and f != "t" and isinstance(getattr(state, f), np.ndarray)})
    full_next, _ = alg.step(x, state, lambda _x: grads[-1])
    stripped_next, _ = alg.step(x, stripped, lambda _x: grads[-1])
    return float(np.max(np.abs(full_next - stripped_next)))


def _memory_reference(ctx: Context, p: Params) -> Identity:
    rng = np.random.default_rng(ctx.seed)
    grads = rng.normal(size=(20, 5))
    algs = {"s3": R.s3(lr=1e-2), "adam": R.adam(lr=1e-2), "adan": R.adan(lr=1e-2),
            "nag (II)": R.nag(lr=1e-2, form="II"), "nag (III)": R.nag(lr=1e-2, form="III")}
    counts = {k: persistent_buffers(a) for k, a in algs.items()}
    keep = {"s3": ["m", "s"], "nag (III)": ["m"]}[p.subject]
    gap = _next_from_buffers(algs[p.subject], keep, grads)
    return Identity("the next step needs only the kept buffers", gap, 0.0, Exactly(),
                    f"|step from {keep} alone - full step| ({p.subject})", "0",
                    note="buffers: " + "; ".join(f"{k} {v}" for k, v in counts.items()),
                    details={"buffers": counts, "rebuild_gap": gap})


register(Claim(
    id="s3.sec3.memory",
    source="s3 Sec. 3 (NAG (II) in S3 vs Adan's NAG (III))",
    statement="S3 applies NAG in the (II) formulation and so avoids additional memory: it keeps m_t and s_t like "
              "Adam's m_t and v_t, while Adan (NAG (III)) also stores g_{t-1} and an extra momentum",
    expected=Verdict.VERIFIED,
    checks=(Check("buffers of the paper's one-step maps (sympy)", _memory_paper, Verdict.VERIFIED,
                  SetParam("s3_form", "III", "algorithm", "S3's estimators in NAG (III)'s form"), {"s3_form": "II"}),
            Check("reference state buffers and rebuild-from-buffers", _memory_reference, Verdict.VERIFIED,
                  SetParam("subject", "nag (III)", "algorithm", "NAG (III) rebuilt from m alone"), {"subject": "s3"})),
    note=("S3's Nesterov estimators read only m_t and s_t, as many buffers as Adam; NAG (III) (Adan) reads g_{t-1} "
          "and r_{t-1} as well"),
))
