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
