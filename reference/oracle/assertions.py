"""For users' CI: :func:`assert_matches` and :func:`compare_impls`.

::

    from reference.oracle import assert_matches
    def test_my_adamw():
        assert_matches(MyAdamW, "adamw", {"lr": 1e-3, "weight_decay": 0.1},
                       groups=[{"params": [(64, 32), (32,)]}, {"params": [(32,)], "weight_decay": 0.0}])

``assert_matches`` runs every stream by default (``stream='all'``) and raises ``AssertionError``
with the first divergence and a command or snippet that reproduces it.  ``compare_impls(a, b, ...)``
runs two implementations on the same streams, each against the reference, and checks them against
each other: two libraries may agree with each other and not with the paper, or an optimized
(fused, foreach) path may match its plain one bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .compare import plan, run_plan
from .result import Conformance

__all__ = ["assert_matches", "compare_impls", "ImplComparison", "Disagreement"]


def assert_matches(impl: Any, algorithm: str, hyperparams: Mapping[str, Any] | None = None, *,
                   stream: str = "all", **kwargs: Any) -> Conformance:
    """Assert that ``impl`` computes ``reference.<algorithm>(**hyperparams)`` (every stream by
    default); return the :class:`~reference.oracle.result.Conformance` when it does.

    Keyword arguments are :func:`reference.oracle.compare`'s.  Raises ``AssertionError`` whose
    message gives the verdict, the first divergence (stream, step, quantity, tensor and coordinate,
    both values, the error and its tolerance) and the reproducer; ``ValueError``/``TypeError`` for
    bad input."""
    p = plan(impl, algorithm, hyperparams, stream=stream, **kwargs)
    res = run_plan(p, stop_at_divergence=True)
    if not res.matches:
        raise AssertionError(f"{res.impl} does not match reference.{algorithm}: {res.summary()}")
    return res


@dataclass(frozen=True)
class Disagreement:
    """Where two implementations first differ beyond both their roundings."""

    stream: str
    step: int
    quantity: str
    index: int
    a: float
    b: float
    error: float
    tolerance: float

    def __str__(self) -> str:
        return (f"stream {self.stream!r}, step {self.step}, {self.quantity}[{self.index}] (flat): a {self.a!r}, "
                f"b {self.b!r}: relative difference {self.error:.3e} > {self.tolerance:.3e}")


@dataclass
class ImplComparison:
    """:func:`compare_impls`' result: each implementation against the reference, and against each other."""

    a: Conformance
    b: Conformance
    verdict: str                       # 'agree' | 'identical' | 'differ at step k (stream s)' | 'cannot compare: ...'
    disagreement: Disagreement | None = None
    max_difference: dict[str, float] = field(default_factory=dict)   # per quantity, relative, over all steps

    @property
    def agree(self) -> bool:
        return self.verdict in ("agree", "identical")

    @property
    def matches(self) -> bool:
        """Both match the reference and each other."""
        return self.agree and self.a.matches and self.b.matches

    def __str__(self) -> str:
        lines = [f"a = {self.a.impl}: {self.a.verdict}", f"b = {self.b.impl}: {self.b.verdict}",
                 f"a vs b: {self.verdict}"]
        if self.disagreement is not None:
            lines.append(f"  first difference: {self.disagreement}")
        if self.max_difference:
            lines.append("  largest relative difference: " + ", ".join(
                f"{k} {v:.3e}" for k, v in self.max_difference.items()))
        for r in (self.a, self.b):
            if r.divergence is not None:
                lines.append(f"  {r.impl}: {r.divergence}")
                lines.append(f"    reproduce: {r.reproducer}")
        return "\n".join(lines)


def compare_impls(a: Any, b: Any, algorithm: str, hyperparams: Mapping[str, Any] | None = None, *,
                  stream: str = "all", **kwargs: Any) -> ImplComparison:
    """Run implementations ``a`` and ``b`` on the same streams, each against the reference, and
    compare them with each other.

    Both are restarted from their own iterates (the reference from each); for methods whose update
    does not read x, and while the two iterates agree to rounding, their updates and buffers are
    comparable step by step.  The tolerance of ``a`` vs ``b`` is the sum of their tolerances against
    the reference (triangle inequality), the update's rounding allowances added, relative to the
    running magnitude of the quantity in ``a``.  ``verdict``: ``'identical'`` (bit for bit),
    ``'agree'``, ``'differ at step k (stream s)'``, or ``'cannot compare: ...'``."""
    pa = plan(a, algorithm, hyperparams, stream=stream, **kwargs)
    pb = plan(b, algorithm, hyperparams, stream=stream, **kwargs)
    ca: dict[str, list[dict[str, Any]]] = {}
    cb: dict[str, list[dict[str, Any]]] = {}
    ra, rb = run_plan(pa, capture=ca), run_plan(pb, capture=cb)
    per_a = ra.streams or {ra.stream: ra}
    per_b = rb.streams or {rb.stream: rb}
    first: Disagreement | None = None
    largest: dict[str, float] = {}
    identical = True
    compared_any = False
    for s in per_a:
        sa, sb = per_a[s], per_b.get(s)
        if sb is None or not ca.get(s) or not cb.get(s):
            continue
        tol = sa.tolerance + sb.tolerance
        for t, (xa, xb) in enumerate(zip(ca[s], cb[s]), start=1):
            for q in xa:
                if q in ("allowance", "x") or q not in xb:
                    continue
                va, vb = np.asarray(xa[q]), np.asarray(xb[q])
                if va.shape != vb.shape:
                    continue
                compared_any = True
                same = np.array_equal(va, vb, equal_nan=True)
                identical &= bool(same)
                if same:
                    largest.setdefault(q, 0.0)
                    continue
                with np.errstate(all="ignore"):
                    diff = np.abs(va - vb)
                    if q == "update":
                        diff = diff - xa["allowance"] - xb["allowance"]
                    mask = (np.isnan(va) != np.isnan(vb)) | (np.isinf(va) != np.isinf(vb))
                    fin = np.isfinite(va) & np.isfinite(vb)
                    scale = float(np.max(np.abs(va), where=np.isfinite(va), initial=0.0))
                    worst = float(np.max(np.where(fin, diff, -np.inf), initial=-np.inf))
                err = math.inf if mask.any() else (0.0 if worst <= 0 else (worst / scale if scale > 0 else math.inf))
                largest[q] = max(largest.get(q, 0.0), err)
                if first is None and err > tol[t - 1]:
                    i = int(np.flatnonzero(mask)[0]) if mask.any() else int(np.argmax(np.where(fin, diff, -np.inf)))
                    first = Disagreement(s, t, q, i, float(va[i]), float(vb[i]), err, float(tol[t - 1]))
    if not compared_any:
        why = ra.verdict if ra.verdict.startswith("cannot") else rb.verdict
        verdict = f"cannot compare: {why}" if why.startswith("cannot") else "cannot compare: no common quantity"
    elif first is not None:
        verdict = f"differ at step {first.step} (stream {first.stream!r})"
    else:
        verdict = "identical" if identical else "agree"
    return ImplComparison(ra, rb, verdict, first, largest)
