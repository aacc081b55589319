"""The record of a comparison: verdict, first divergence, per-step errors, what was configured.

``str(result)`` is the summary (verdict, first divergence, reproducer first, then what was
passed, left at a default, compared); :meth:`Conformance.table` the per-step table;
:meth:`Conformance.to_dict` a JSON-serialisable record.  With ``stream='all'`` the record holds one
:class:`Conformance` per stream (``streams``) and its verdict is the first divergent stream's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Divergence", "Conformance"]


@dataclass(frozen=True)
class Divergence:
    """Where the implementation first leaves the tolerance."""

    step: int
    quantity: str                  # "update" or the reference state field
    name: str                      # the implementation's name for it
    index: tuple[int, ...]         # coordinate in the tensor's shape
    impl: float
    reference: float
    error: float
    tolerance: float
    reason: str
    tensor: str = "p0"             # which parameter tensor
    stream: str = ""

    def __str__(self) -> str:
        where = f"{self.tensor}[{', '.join(map(str, self.index))}]"
        name = "" if self.name == self.quantity else f" ({self.name})"
        stream = f"stream {self.stream!r}, " if self.stream else ""
        return (f"{stream}step {self.step}, {self.quantity}{name} of {where}: "
                f"implementation {self.impl!r}, reference {self.reference!r}: {self.reason}")


@dataclass
class Conformance:
    """The result of :func:`reference.oracle.compare` (see the module docstring)."""

    impl: str
    algorithm: str
    hyperparams: dict[str, Any]
    steps: int
    shape: Any                         # the tensor's shape (one tensor) or the list of shapes
    dtype: str
    seed: int
    stream: str
    verdict: str
    divergence: Divergence | None = None
    errors: dict[str, np.ndarray] = field(default_factory=dict)
    tolerance: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tolerance_source: str = ""
    impl_config: dict[str, Any] = field(default_factory=dict)
    passed_as: dict[str, str] = field(default_factory=dict)
    not_passed: list[str] = field(default_factory=list)
    impl_defaults: dict[str, Any] = field(default_factory=dict)
    compared: dict[str, str] = field(default_factory=dict)
    uncompared: list[str] = field(default_factory=list)
    note: str = ""
    reproducer: str = ""
    state_dtype: str = ""
    layout: str = ""
    norm_scope: str = ""
    synced: list[str] = field(default_factory=list)
    ties: int = 0
    streams: dict[str, Conformance] = field(default_factory=dict)

    @property
    def matches(self) -> bool:
        return self.verdict == "match"

    @property
    def max_ratio(self) -> float:
        """``max_t max_q err_t(q) / tol_t`` over the steps run (<= 1 for a match); over every stream."""
        if self.streams:
            r = [s.max_ratio for s in self.streams.values()]
            r = [v for v in r if not math.isnan(v)]
            return max(r) if r else math.nan
        if not self.errors or self.tolerance.size == 0:
            return math.nan
        r = []
        for e in self.errors.values():
            e = e[: self.tolerance.size]
            ok = ~np.isnan(e)
            if ok.any():
                r.append(float(np.max(e[ok] / self.tolerance[ok])))
        return max(r) if r else math.nan

    def table(self, rows: int | None = None) -> str:
        """Per-step errors (each quantity's, the largest over the tensors) and the tolerance: all steps if
        ``rows`` is None and there are at most 100, else about ``rows`` (default 40) that always include
        the divergent one.  With several streams, one table per stream."""
        if self.streams:
            return "\n\n".join(f"stream {name!r}: {res.verdict}\n{res.table(rows)}"
                                 for name, res in self.streams.items())
        names = list(self.errors)
        if not names:
            return "(no steps run)"
        T = len(self.tolerance)
        picked = self._rows(T, rows)
        head = f"{'step':>6} " + " ".join(f"{n:>10}" for n in names) + f" {'tolerance':>10}  status"
        lines = [head]
        last = 0
        for t in picked:
            if t > last + 1:
                lines.append(f"{'...':>6}")
            errs = [self.errors[n][t - 1] for n in names]
            bad = self.divergence is not None and t >= self.divergence.step
            lines.append(f"{t:>6} " + " ".join(f"{e:>10.3e}" for e in errs) + f" {self.tolerance[t - 1]:>10.3e}  "
                         + ("DIVERGES" if self.divergence is not None and t == self.divergence.step else
                            ("-" if bad else "ok")))
            last = t
        return "\n".join(lines)

    def _rows(self, T: int, rows: int | None) -> list[int]:
        if rows is None and T <= 100:
            return list(range(1, T + 1))
        if rows is not None and rows >= T:
            return list(range(1, T + 1))
        n = 40 if rows is None else max(int(rows), 0)
        keep: set[int] = set()
        if self.divergence is not None and n:
            keep.add(self.divergence.step)
        others = [t for t in range(1, T + 1) if t not in keep]
        room = n - len(keep)
        if room > 0 and others:
            idx = np.unique(np.linspace(0, len(others) - 1, room).round().astype(int))
            keep |= {others[i] for i in idx}
        return sorted(keep)

    def summary(self) -> str:
        """Verdict, first divergence and reproducer (the first lines of ``str()``)."""
        lines = [f"verdict: {self.verdict}"]
        if self.divergence is not None:
            lines.append(f"first divergence: {self.divergence}")
        if self.note:
            lines.append(f"note: {self.note}")
        if self.reproducer:
            lines.append("reproduce: " + self.reproducer.replace("\n", "\n    "))
        return "\n".join(lines)

    def __str__(self) -> str:
        lines = [self.summary(),
                 f"{self.impl} as reference.{self.algorithm}({_hp_text(self.hyperparams)})",
                 f"  {self.steps} steps, {self.layout or f'shape {self.shape}'}, {self.dtype}"
                 + (f" (state {self.state_dtype})" if self.state_dtype and self.state_dtype != self.dtype else "")
                 + f", seed {self.seed}, stream {self.stream!r}"]
        if self.streams:
            for name, res in self.streams.items():
                div = f": {res.divergence}" if res.divergence is not None else ""
                lines.append(f"  stream {name!r}: {res.verdict}{div}")
            first = next(iter(self.streams.values()))
            lines += first._details()
        else:
            lines += self._details()
        return "\n".join(lines)

    def _details(self) -> list[str]:
        lines = []
        if self.tolerance_source:
            lines.append(f"  tolerance: {self.tolerance_source}")
        if self.norm_scope:
            lines.append(f"  norms over: {self.norm_scope}")
        if self.passed_as:
            lines.append("  passed as: " + ", ".join(f"{k} -> {v}" for k, v in self.passed_as.items()))
        if self.not_passed:
            values = [f"{k}={_short(self.hyperparams[k])}" if k in self.hyperparams else k for k in self.not_passed]
            lines.append("  not passed (the implementation has no parameter; its built-in behaviour is checked "
                         "against the reference value): " + ", ".join(values))
        if self.impl_defaults:
            lines.append("  left at the implementation's default: " + ", ".join(
                f"{k}={_short(v)}" for k, v in self.impl_defaults.items()))
        if self.compared:
            lines.append("  buffers compared: " + ", ".join(f"{k} = {v}" for k, v in self.compared.items()))
        if self.uncompared:
            lines.append("  buffers not compared: " + ", ".join(self.uncompared))
        if self.ties:
            lines.append(f"  sign ties excluded from the update: {self.ties} coordinate-steps whose sign argument is "
                         "within its rounding bound of 0")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable record (errors per step, NaN as null)."""
        def num(v: float) -> float | None:
            return None if not np.isfinite(v) else float(v)

        d = self.divergence
        out = {
            "impl": self.impl, "algorithm": self.algorithm,
            "hyperparams": {k: _jsonable(v) for k, v in self.hyperparams.items()},
            "steps": self.steps, "shape": _jsonable(self.shape), "layout": self.layout, "dtype": self.dtype,
            "state_dtype": self.state_dtype, "seed": self.seed, "stream": self.stream, "verdict": self.verdict,
            "matches": self.matches,
            "divergence": None if d is None else {
                "step": d.step, "quantity": d.quantity, "name": d.name, "tensor": d.tensor, "index": list(d.index),
                "impl": num(d.impl), "reference": num(d.reference), "error": num(d.error),
                "tolerance": d.tolerance, "reason": d.reason, "stream": d.stream},
            "errors": {k: [num(x) for x in v] for k, v in self.errors.items()},
            "tolerance": [float(x) for x in self.tolerance], "tolerance_source": self.tolerance_source,
            "impl_config": {k: _jsonable(v) for k, v in self.impl_config.items()},
            "passed_as": self.passed_as, "not_passed": self.not_passed,
            "impl_defaults": {k: _jsonable(v) for k, v in self.impl_defaults.items()},
            "compared": self.compared, "uncompared": self.uncompared, "norm_scope": self.norm_scope,
            "synced": self.synced, "sign_ties": self.ties, "note": self.note, "reproducer": self.reproducer,
        }
        if self.streams:
            out["streams"] = {k: v.to_dict() for k, v in self.streams.items()}
        return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (tuple, list)):
        return [_jsonable(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return repr(v)


def _hp_text(hp: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={_short(v)}" for k, v in hp.items())


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return "[" + ",".join(str(x) for x in v.tolist()) + "]"
    if callable(v) and not isinstance(v, type):
        return getattr(v, "__name__", "schedule")
    return repr(v)
