"""s3 Sec. 3 / Sec. 5.4: "Setting p = 1 for S3 involves only a computationally light element-wise
absolute operation" — checked structurally on the reference step: the ufuncs one S3 step applies
to the gradient-shaped arrays are recorded through ``__array_ufunc__``; p = 1 must use no power
and no root.  Timings of one step for p = 1, 2, 3 are reported alongside (a measurement, not a
verdict; ``python -m benchmarks.s3_step_cost`` prints the ratios).
"""

from __future__ import annotations

import timeit

import numpy as np

import reference as R

from ..registry import Check, Claim, Context, Outcome, Verdict, register

POWER_LIKE = {"power", "float_power", "sqrt", "cbrt", "exp", "log", "exp2", "log2"}


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


def step_seconds(p: float, d: int = 1_000_000, repeat: int = 5) -> float:
    rng = np.random.default_rng(0)
    g = rng.normal(size=d)
    alg = R.s3(lr=1e-3, p=p)
    x, state = np.zeros(d), alg.init(np.zeros(d))
    return min(timeit.repeat(lambda: alg.step(x, state, lambda _x: g), number=1, repeat=repeat))


def _check_p1(ctx: Context, negative: bool) -> Outcome:
    p = 2.5 if negative else 1.0  # negative control: a p that needs a general power
    used = ufuncs_of_step(p)
    power = sorted(used & POWER_LIKE)
    others = {q: sorted(ufuncs_of_step(q) & POWER_LIKE) for q in (2.0, 3.0, 2.5)}
    times = {q: step_seconds(q, d=ctx.pick(200_000, 2_000_000)) for q in (1.0, 2.0, 3.0)}
    verdict = Verdict.VERIFIED if not power else Verdict.REFUTED
    return Outcome(verdict, "p = 1 needs no power operation",
                   f"p={p:g} step uses {power or 'no power/root ufunc'}; p=2: {others[2.0]}, p=3: {others[3.0]}; "
                   f"time p=1:2:3 = 1 : {times[2.0] / times[1.0]:.2f} : {times[3.0] / times[1.0]:.2f}",
                   {"ufuncs": sorted(used), "power_like_by_p": others, "seconds_per_step": times})


register(Claim(
    id="s3.sec3.p1_cost",
    source="s3 Sec. 3 (key characteristics) and Sec. 5.4",
    statement="Setting p = 1 for S3 involves only a computationally light element-wise absolute operation, "
              "reducing overall computational overhead",
    expected=Verdict.VERIFIED,
    checks=(Check("ufuncs of one reference step", _check_p1, Verdict.VERIFIED, "p = 2.5"),),
))


# --------------------------------------------------------------------------- memory (Sec. 3)

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


def _check_memory(ctx: Context, negative: bool) -> Outcome:
    rng = np.random.default_rng(ctx.seed)
    grads = rng.normal(size=(20, 5))
    algs = {"s3": R.s3(lr=1e-2), "adam": R.adam(lr=1e-2), "adan": R.adan(lr=1e-2),
            "nag (II)": R.nag(lr=1e-2, form="II"), "nag (III)": R.nag(lr=1e-2, form="III")}
    counts = {k: persistent_buffers(a) for k, a in algs.items()}
    # S3's Nesterov estimators (NAG (II)) are computed from m and s alone; negative control: claim the
    # same for NAG (III) with m alone (it also needs r_{t-1} and g_{t-1})
    subject, keep = ("nag (III)", ["m"]) if negative else ("s3", ["m", "s"])
    gap = _next_from_buffers(algs[subject], keep, grads)
    ok = gap == 0.0 and len(counts["s3"]) == len(counts["adam"]) < len(counts["adan"])
    return Outcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "S3's NAG needs no memory beyond Adam's",
                   "buffers: " + "; ".join(f"{k} {v}" for k, v in counts.items())
                   + f"; {subject} step from {keep} alone differs by {gap:.1e}",
                   {"buffers": counts, "rebuild_gap": gap})


register(Claim(
    id="s3.sec3.memory",
    source="s3 Sec. 3 (NAG (II) in S3 vs Adan's NAG (III))",
    statement="S3 applies NAG in the (II) formulation and so avoids additional memory: it keeps m_t and s_t like "
              "Adam's m_t and v_t, while Adan (NAG (III)) also stores g_{t-1} and an extra momentum",
    expected=Verdict.VERIFIED,
    checks=(Check("state buffers and rebuild-from-buffers", _check_memory, Verdict.VERIFIED,
                  "NAG (III) rebuilt from m alone"),),
))
