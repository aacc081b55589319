"""The accurate domain of every algorithm, measured (the README's "Numerical policy" table).

The policy (:mod:`reference.algorithm`) holds for every input: a step from finite input returns
finite values or raises ``FloatingPointError``; non-finite input propagates.  *Accuracy* has a
domain, because an algorithm that stores ``g^2`` (Adam's v, Adan's n, AdaSAM's v, ...) cannot
represent it once ``|g|`` passes ``sqrt(max)``, and loses it below ``sqrt(tiny)``.  This module
measures that domain, for every registered algorithm, in float32 and float64:

* the input: 3 independent runs of d = 6 coordinates (a declaration with per-coordinate
  hyperparameters: their length), ``x_0 ~ N(0, 1)``, T = 4 steps of gradients
  ``g_t = 2^j u_t`` with random signs and magnitudes uniform in ``[1/2, 2)`` (one per oracle call,
  wherever the oracle is evaluated), the declaration's examples as hyperparameters;
* the reference it is checked against: each step evaluated again, from the same ``x_t`` and
  state, in a wider dtype (float64 for float32; ``np.longdouble`` for float64 where it is wider,
  80-bit extended on x86: exponents to +-16382), which represents every intermediate;
* accurate at ``2^j``: no exception, every value finite, and the direction ``d_t`` within the
  parity bound of :mod:`reference.tolerances` (``parity_bound(alg, dtype, 1, d)``; ``1e-10`` and
  ``2^-24 * 1000`` for the algorithms whose K is not derived) of the wider one, normwise per run
  (a run whose wider direction is 0 must be 0);
* the domain: the interval of exponents ``j`` around 0, within the normal range of the dtype
  (subnormal gradients are outside every domain), in which every exponent checked is accurate
  for two gradient draws (every 4th exponent from 0 outwards, each end located to the exponent);
  an algorithm's domain is the intersection over its examples.

Inside the domain a step is accurate; outside it, it is finite or raises ``FloatingPointError``
(never NaN, never a silent inf): the table says which happens first beyond each end ("raises",
"inaccurate": finite but beyond the bound, "a 0 step": a denominator that underflowed to 0 gives a
0 step by ``ratio``'s rule).

``python -m reference.numerics`` prints the table (``--markdown`` as in the README).
"""

from __future__ import annotations

import argparse
import functools
import math
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from .registry import declarations
from .tolerances import ROUNDINGS, parity_bound

__all__ = ["Domain", "wide_dtype", "accurate", "domain", "algorithm_domain", "table", "markdown", "main"]

D = 6
RUNS = 3
T = 4


class Domain(NamedTuple):
    """Accurate gradient magnitudes ``[2^lo, 2^hi]`` (integer exponents), and the first failure
    beyond each end (``None`` where the scan reached the end of the dtype's range)."""

    lo: int
    hi: int
    below: str | None
    above: str | None


def wide_dtype(dtype: np.dtype) -> np.dtype | None:
    """The dtype the accuracy of ``dtype`` is checked against (None if the platform has none)."""
    dtype = np.dtype(dtype)
    if dtype == np.float32:
        return np.dtype(np.float64)
    ld = np.finfo(np.longdouble)
    if dtype == np.float64 and ld.nmant > 52 and ld.maxexp > 1024:
        return np.dtype(np.longdouble)
    return None


SEEDS = (0, 1)
"""Gradient draws each exponent is checked with (an exponent is accurate if it is for every one)."""


def _exponents(dtype: np.dtype) -> tuple[int, int]:
    """The smallest and largest j with ``2^j * [1/2, 2)`` normal and finite: subnormal gradients
    (which no algorithm stores to full precision) are outside every domain."""
    fi = np.finfo(dtype)
    return int(math.log2(float(fi.tiny))) + 1, int(fi.maxexp) - 2


def _bound(name: str, dtype: np.dtype, n: int) -> float:
    if name in ROUNDINGS:
        return parity_bound(name, np.dtype(dtype).name, 1, n)
    return 1e-10 if np.dtype(dtype) == np.float64 else 2.0**-24 * 1000


def _cast(state: Any, dtype: np.dtype) -> Any:
    return type(state)(*[v.astype(dtype) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
                         for v in state])


def _setup(decl: Any, example: Any) -> tuple[Any, int]:
    hp = dict(example.hyperparams)
    d = next((len(v) for k, v in hp.items() if decl.params[k].per_coordinate), D)
    return decl.factory(**hp), d


def accurate(decl: Any, example: Any, dtype: Any, j: int, seed: int = 0) -> str | None:
    """``None`` if every step at gradient magnitude ``2^j`` is accurate (module docstring), else why not."""
    dtype, wide = np.dtype(dtype), wide_dtype(dtype)
    alg, d = _setup(decl, example)
    rng = np.random.default_rng(seed)
    shape = (RUNS, d)
    calls = decl.oracle_calls * T
    u = rng.choice([-1.0, 1.0], size=(calls, *shape)) * rng.uniform(0.5, 2.0, size=(calls, *shape))
    scale = 2.0**j if j > -1000 else 2.0 ** (j + 600) * 2.0**-600
    x = rng.normal(size=shape).astype(dtype)
    state = alg.init(x)
    bound = _bound(decl.name, dtype, d)
    for t in range(T):
        def oracle_of(dt: np.dtype, k: list[int] = [0], t: int = t) -> Any:  # noqa: B006 - a fresh list per call
            k = [0]

            def oracle(z: np.ndarray) -> np.ndarray:
                i = t * decl.oracle_calls + min(k[0], decl.oracle_calls - 1)
                k[0] += 1
                with np.errstate(over="ignore", under="ignore"):
                    return (u[i] * scale).astype(dt)
            return oracle
        try:
            with np.errstate(all="ignore"):
                xw, sw = alg.step(x.astype(wide), _cast(state, wide), oracle_of(wide))
            x_next, new = alg.step(x, state, oracle_of(dtype))
        except FloatingPointError:
            return "raises FloatingPointError"
        if not (np.isfinite(x_next).all() and all(np.isfinite(v).all() for v in new
                                                   if isinstance(v, np.ndarray) and v.dtype.kind == "f")):
            return "NOT FINITE"  # a breach of the policy: tests/reference/test_fuzz.py fails on it
        dn, dw = new.direction.astype(wide), sw.direction
        ref = np.max(np.abs(dw), axis=-1)
        err = np.max(np.abs(dn - dw), axis=-1)
        if np.any(np.where(ref > 0, err > bound * ref, err > 0)):
            zero = np.any((np.max(np.abs(dn), axis=-1) == 0) & (ref > 0))
            return "a 0 step" if zero else "inaccurate"
        x, state = x_next, new
    return None


STRIDE = 4
"""Exponents checked between the ends (every 4th; each end is then located to the exponent)."""


def _scan(check: Any, start: int, stop: int, step: int) -> tuple[int, str | None]:
    """The last accurate exponent from ``start`` towards ``stop`` (inclusive) and the reason the next
    one is not (None if ``stop`` is accurate): every ``STRIDE``-th exponent, then the last stride
    exponent by exponent."""
    last = start
    j = start
    while j != stop:
        nxt = j + step * STRIDE
        nxt = min(nxt, stop) if step > 0 else max(nxt, stop)
        why = check(nxt)
        if why is None:
            last = j = nxt
            continue
        for k in range(j + step, nxt + step, step):  # the first failure within the stride
            why_k = check(k)
            if why_k is not None:
                return k - step, why_k
        return nxt, None  # not reached: nxt failed
    return last, None


@functools.lru_cache(maxsize=None)
def domain(name: str, example_id: str, dtype: str) -> Domain:
    """The accurate domain of one example (module docstring)."""
    decl = next(dc for dc in declarations() if dc.name == name)
    example = next(e for e in decl.examples if e.id == example_id)
    lo_end, hi_end = _exponents(np.dtype(dtype))

    def check(j: int) -> str | None:
        return next((why for seed in SEEDS if (why := accurate(decl, example, dtype, j, seed)) is not None), None)

    why = check(0)
    if why is not None:
        return Domain(1, 0, why, why)  # empty
    hi, above = _scan(check, 0, hi_end, 1)
    lo, below = _scan(check, 0, lo_end, -1)
    return Domain(lo, hi, below, above)


def algorithm_domain(name: str, dtype: str) -> Domain:
    """The intersection of the domains of the algorithm's examples (the first failure's reason)."""
    decl = next(dc for dc in declarations() if dc.name == name)
    doms = [domain(name, e.id, dtype) for e in decl.examples]
    lo = max(doms, key=lambda x: x.lo)
    hi = min(doms, key=lambda x: x.hi)
    return Domain(lo.lo, hi.hi, lo.below, hi.above)


def _magnitude(j: int) -> str:
    return f"{2.0 ** j if j > -1000 else 2.0 ** (j + 600) * 2.0 ** -600:.2g}"


def table(names: list[str] | None = None) -> Iterator[tuple[str, dict[str, Domain]]]:
    """``(name, {dtype: Domain})`` for every registered algorithm with examples (or ``names``)."""
    for decl in declarations():
        if not decl.examples or (names is not None and decl.name not in names):
            continue
        yield decl.name, {dt: algorithm_domain(decl.name, dt) for dt in ("float32", "float64")
                          if wide_dtype(np.dtype(dt)) is not None}


def _cell(dom: Domain, dtype: str) -> str:
    lo_end, hi_end = _exponents(np.dtype(dtype))
    if dom.lo > dom.hi:
        return f"none ({dom.below})"
    text = f"{_magnitude(dom.lo - 1)} .. {_magnitude(dom.hi + 1)}"  # |g| = 2^j u, u in [1/2, 2)
    ends = []
    if dom.lo > lo_end:
        ends.append(f"below: {dom.below}")
    if dom.hi < hi_end:
        ends.append(f"above: {dom.above}")
    return text + (f" ({'; '.join(ends)})" if ends else " (the whole range tested)")


def markdown(names: list[str] | None = None) -> str:
    """The README table: one row per algorithm, the accurate |g| range per dtype."""
    rows = ["| algorithm | float32: accurate for \\|g\\| in [a, b) | float64: accurate for \\|g\\| in [a, b) |",
            "|---|---|---|"]
    for name, doms in table(names):
        cells = [(_cell(doms[dt], dt) if dt in doms else "not measured (no wider dtype here)")
                 for dt in ("float32", "float64")]
        rows.append(f"| `{name}` | {cells[0]} | {cells[1]} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", help="algorithm name (repeatable)")
    ap.parse_args(argv)
    args = ap.parse_args(argv)
    print(markdown(args.only))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
