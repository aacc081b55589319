r"""``compare``: run an implementation and its reference twin on one seeded stream, step by step.

Metric (the one of ``reference.tolerances``): for a compared quantity q (the iterate x, or a
state buffer) at step t, the error is normwise relative to the quantity's magnitude in the
reference::

    err_t(q) = ||q^_t - q_t||_inf / Q_t

with ``Q_t = max_{k <= t} ||q_k||_inf`` for a state buffer, and for x additionally the path
length ``sum_{k <= t} ||x_k - x_{k-1}||_inf``: x is a sum of the increments ``-lr_k d_k``, whose
rounding errors are relative to the increments, not to x (``gpu.tolerances`` obtains the same by
keeping ``lr t Q(d) <= Q(x)`` in its tests; a user's learning rate need not).  NaN/inf entries must
sit exactly where the reference has them.  The tolerance of step t is
``reference.tolerances.parity_bound(algorithm, dtype, t, n)`` (float64: ``max(1e-12, 2 A K u64 t)``;
float32: ``A K u32 t``), with n the longest reduction (the vector for norm-based methods).

float32: the implementation computes in float32, the reference in float64 on the same float32
inputs.  Methods whose oracle depends on x restart the reference from the implementation's iterate
at every step (``resync``, as tests/gpu does), so rounding is not amplified through the objective's
curvature; their state buffers run free.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import tolerances as TOL
from ..registry import REGISTRY, get
from .adapters import ConfigError, Impl, as_impl, buffer_map, make_driver
from .streams import LONG_STEPS, STREAMS, ImplOracle, RefOracle, make_stream

__all__ = ["compare", "Conformance", "Divergence", "normwise_errors", "DTYPES", "reduction_length"]

DTYPES = ("float64", "float32")
"""Dtypes with a normwise tolerance in ``reference.tolerances.parity_bound``."""

def reduction_length(algorithm: str, hp: Mapping[str, Any], d: int) -> int:
    """n of ``reference.tolerances``: the longest reduced vector (the declaration's ``reduction``:
    d for a norm or mean over the run, the largest block for blockwise methods, else 1)."""
    decl = get(algorithm)
    if decl.reduction == "run":
        return d
    if decl.reduction == "block":
        ids = [hp[k] for k, p in decl.params.items() if p.per_coordinate]
        return max(int(np.unique(v, return_counts=True)[1].max()) for v in ids)
    return 1


def normwise_errors(a: np.ndarray, b: np.ndarray, scale: np.ndarray | None = None) -> np.ndarray:
    """``err_t = ||a_t - b_t||_inf / Q_t`` over entries finite in both (rows t of (T, d) arrays).

    ``Q_t`` is ``scale[t]`` or, by default, ``max_{k<=t} ||b_k||_inf``.  ``Q_t = 0`` demands
    equality (``err = inf`` otherwise).  NaN/inf masks are compared separately."""
    fin = np.isfinite(a) & np.isfinite(b)
    mag = np.maximum.accumulate(np.where(np.isfinite(b), np.abs(b), 0.0).max(axis=1)) if scale is None else scale
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        diff = np.where(fin, np.abs(a - b), 0.0).max(axis=1)
        err = np.where(mag > 0, diff / np.where(mag > 0, mag, 1.0), np.where(diff > 0, np.inf, 0.0))
    return err


@dataclass(frozen=True)
class Divergence:
    """Where the implementation first leaves the tolerance."""

    step: int
    quantity: str                  # "x" or the reference state field (their name in ``name``)
    name: str                      # the implementation's name for it
    index: tuple[int, ...]         # coordinate in ``shape``
    impl: float
    reference: float
    error: float
    tolerance: float
    reason: str

    def __str__(self) -> str:
        return (f"step {self.step}, {self.quantity}"
                f"{'' if self.name == self.quantity else f' ({self.name})'}[{', '.join(map(str, self.index))}]: "
                f"implementation {self.impl!r}, reference {self.reference!r}: {self.reason}")


@dataclass
class Conformance:
    """The result of :func:`compare`; ``str()`` is a short report, :meth:`table` the per-step table."""

    impl: str
    algorithm: str
    hyperparams: dict[str, Any]
    steps: int
    shape: tuple[int, ...]
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
    compared: dict[str, str] = field(default_factory=dict)
    uncompared: list[str] = field(default_factory=list)
    note: str = ""
    reproducer: str = ""

    @property
    def matches(self) -> bool:
        return self.verdict == "match"

    @property
    def max_ratio(self) -> float:
        """``max_t max_q err_t(q) / tol_t`` over the steps run (<= 1 for a match)."""
        if not self.errors or self.tolerance.size == 0:
            return math.nan
        r = [np.nanmax(e[: self.tolerance.size] / self.tolerance) for e in self.errors.values() if np.isfinite(e).any()
             or np.isinf(e).any()]
        return float(max(r)) if r else math.nan

    def table(self, rows: int | None = None) -> str:
        """Per-step errors and tolerance; all steps if ``rows`` is None and steps <= 100, else a
        selection of about ``rows`` (default 40) steps that always includes the divergent one."""
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
        rows = rows or 40
        keep = set(range(1, min(T, 10) + 1)) | set(range(max(1, T - 4), T + 1))
        keep |= set(range(1, T + 1, max(1, T // rows)))
        if self.divergence is not None:
            k = self.divergence.step
            keep |= set(range(max(1, k - 2), min(T, k + 2) + 1))
        return sorted(t for t in keep if 1 <= t <= T)

    def __str__(self) -> str:
        lines = [f"{self.impl} as reference.{self.algorithm}({_hp_text(self.hyperparams)})",
                 f"  {self.steps} steps, shape {self.shape}, {self.dtype}, seed {self.seed}, stream {self.stream!r}",
                 f"  verdict: {self.verdict}"]
        if self.divergence is not None:
            lines.append(f"  first divergence: {self.divergence}")
        if self.note:
            lines.append(f"  note: {self.note}")
        if self.tolerance_source:
            lines.append(f"  tolerance: {self.tolerance_source}")
        if self.passed_as:
            lines.append("  passed as: " + ", ".join(f"{k} -> {v}" for k, v in self.passed_as.items()))
        if self.not_passed:
            lines.append("  not passed (the implementation's own default applies): " + ", ".join(self.not_passed))
        if self.compared:
            lines.append("  buffers compared: " + ", ".join(f"{k} = {v}" for k, v in self.compared.items()))
        if self.uncompared:
            lines.append("  buffers not compared: " + ", ".join(self.uncompared))
        if self.reproducer:
            lines.append("  reproduce: " + self.reproducer.replace("\n", "\n    "))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable record (errors per step, NaN as null)."""
        def num(v: float) -> float | None:
            return None if not np.isfinite(v) else float(v)

        return {
            "impl": self.impl, "algorithm": self.algorithm,
            "hyperparams": {k: _jsonable(v) for k, v in self.hyperparams.items()},
            "steps": self.steps, "shape": list(self.shape), "dtype": self.dtype, "seed": self.seed,
            "stream": self.stream, "verdict": self.verdict, "matches": self.matches,
            "divergence": None if self.divergence is None else {
                "step": self.divergence.step, "quantity": self.divergence.quantity, "name": self.divergence.name,
                "index": list(self.divergence.index), "impl": num(self.divergence.impl),
                "reference": num(self.divergence.reference), "error": num(self.divergence.error),
                "tolerance": self.divergence.tolerance, "reason": self.divergence.reason},
            "errors": {k: [num(x) for x in v] for k, v in self.errors.items()},
            "tolerance": [float(x) for x in self.tolerance], "tolerance_source": self.tolerance_source,
            "impl_config": {k: _jsonable(v) for k, v in self.impl_config.items()},
            "passed_as": self.passed_as, "not_passed": self.not_passed, "compared": self.compared,
            "uncompared": self.uncompared, "note": self.note, "reproducer": self.reproducer,
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (tuple, list)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return repr(v)


def _hp_text(hp: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={_short(v)}" for k, v in hp.items())


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return "[" + ",".join(str(x) for x in v.tolist()) + "]"
    return repr(v)


def _cli_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "none"
    if isinstance(v, (np.ndarray, list, tuple)):
        return "[" + ",".join(_cli_value(x) for x in np.asarray(v).tolist()) + "]"
    if isinstance(v, type) or callable(v):
        return "@" + f"{v.__module__}.{v.__qualname__}"
    return str(v) if isinstance(v, str) else repr(v)


def _reproducer(impl: Impl, algorithm: str, given: Mapping[str, Any], impl_kwargs: Mapping[str, Any],
                state_map: Mapping[str, Any] | None, steps: int, shape: tuple[int, ...], dtype: str, seed: int,
                stream: str) -> str:
    cli_ok = impl.spec is not None and not state_map and not any(
        callable(v) and not isinstance(v, type) for v in given.values())
    if cli_ok:
        parts = ["python -m reference.oracle", impl.spec or "", "--as", algorithm]
        if given:
            parts += ["--hp", ",".join(f"{k}={_cli_value(v)}" for k, v in given.items())]
        if impl_kwargs:
            parts += ["--impl-kw", ",".join(f"{k}={_cli_value(v)}" for k, v in impl_kwargs.items())]
        parts += ["--steps", str(steps), "--shape", ",".join(map(str, shape)), "--dtype", dtype,
                  "--seed", str(seed), "--stream", stream]
        return " ".join(parts)
    args = [f"<{impl.label}>", repr(algorithm), repr({k: v for k, v in given.items()})]
    kw = [f"steps={steps}", f"shape={shape!r}", f"dtype={dtype!r}", f"seed={seed}", f"stream={stream!r}"]
    if impl_kwargs:
        kw.append(f"impl_kwargs={dict(impl_kwargs)!r}")
    if state_map:
        kw.append(f"state_map={dict(state_map)!r}")
    return ("from reference.oracle import compare; "
            f"print(compare({', '.join(args)}, {', '.join(kw)}).table())")


def compare(impl: Any, algorithm: str, hyperparams: Mapping[str, Any] | None = None, *, steps: int | None = None,
            shape: tuple[int, ...] | int = (7,), dtype: str = "float64", seed: int = 0, stream: str = "heavy-tailed",
            impl_kwargs: Mapping[str, Any] | None = None,
            state_map: Mapping[str, str | None] | None = None) -> Conformance:
    """Check ``impl`` against ``reference.<algorithm>(**hyperparams)`` step by step.

    Args:
        impl: a torch.optim.Optimizer subclass or factory ``params -> optimizer``; an optax
            GradientTransformation or factory (``optax.lion``); a NumPy ``step(x, g, state) -> (x, state)``;
            a spec string (``'torch:lion_pytorch:Lion'``, ``'optax:optax.lion'``); or an
            :class:`~reference.oracle.adapters.Impl` from ``torch_impl``/``optax_impl``/``numpy_impl``.
        algorithm: a reference factory name (``reference.ALGORITHMS``).
        hyperparams: the reference hyperparameters (paper names); a class or factory of the
            implementation receives them translated (``adapters.translate``).
        steps: number of steps (default 100; 1000 for ``stream='long'``, which needs >= 1000).
        shape: the parameter's shape (the reference runs on it flattened: one run).
        dtype: ``'float64'`` or ``'float32'`` (the implementation's; the reference is float64).
        seed, stream: the gradient stream (``reference.oracle.streams``).
        impl_kwargs: extra/overriding keyword arguments for the implementation's constructor.
        state_map: implementation buffer name -> reference state field (None: do not compare).

    Returns a :class:`Conformance`; ``verdict`` is ``'match'``, ``'diverges at step k'`` or
    ``'cannot configure: <reason>'``.  Raises ``ValueError``/``TypeError`` for bad input: an
    unknown algorithm, a hyperparameter the reference does not have or out of its range, an
    impl that is none of the three kinds, an unknown stream or dtype.
    """
    if algorithm not in REGISTRY:
        raise ValueError(f"unknown algorithm {algorithm!r}; known: {', '.join(sorted(REGISTRY))}")
    decl = get(algorithm)
    given = dict(hyperparams or {})
    alg = decl.factory(**given)  # TypeError (unknown/missing) or ValueError (range), naming it
    hp = dict(alg.hyperparams)
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}; known: {', '.join(STREAMS)}")
    if steps is None:
        steps = LONG_STEPS if stream == "long" else 100
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if stream == "long" and steps < LONG_STEPS:
        raise ValueError(f"stream 'long' checks drift over >= {LONG_STEPS} steps, got steps={steps}")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if not shape or any(s < 1 for s in shape):
        raise ValueError(f"shape must be a non-empty tuple of positive sizes, got {shape!r}")
    impl_obj = as_impl(impl)
    impl_kwargs = dict(impl_kwargs or {})
    steps = int(steps)
    d = int(np.prod(shape))
    base = Conformance(impl_obj.label, algorithm, hp, steps, shape, dtype, seed, stream, verdict="",
                       reproducer=_reproducer(impl_obj, algorithm, given, impl_kwargs, state_map, steps, shape,
                                              dtype, seed, stream))
    for k, p in decl.params.items():
        if p.per_coordinate and len(hp[k]) != d:
            raise ValueError(f"{algorithm}: {k} has {len(hp[k])} ids for {d} coordinates (shape {shape})")
    n = reduction_length(algorithm, hp, d)
    try:
        tol = np.array([TOL.parity_bound(algorithm, dtype, t, n) for t in range(1, steps + 1)])
    except KeyError as exc:
        base.verdict = f"cannot configure: {exc.args[0]}"
        return base
    base.tolerance, base.tolerance_source = tol, TOL.provenance(algorithm, dtype, n)

    depends = decl.depends_on_x(hp)
    data = make_stream(stream, steps=steps, d=d, samples=alg.oracle_calls, seed=seed, dtype=dtype)
    try:
        driver = make_driver(impl_obj, algorithm, hp, set(given), impl_kwargs, dtype, alg.oracle_calls, depends)
        driver.start(data.x0.reshape(shape))
    except ConfigError as exc:
        base.verdict = f"cannot configure: {exc}"
        return base
    except ImportError as exc:
        base.verdict = f"cannot configure: {impl_obj.kind} is not installed ({exc})"
        return base
    base.impl_config, base.passed_as, base.not_passed = driver.config, driver.how, driver.not_passed

    run = _run(alg, driver, data, shape, steps, depends, resync=depends and dtype != "float64",
               same=bool(hp.get("same_sample", True)))
    return _judge(base, run, algorithm, alg.hyperparams, data, state_map, dtype, n)


@dataclass
class _Run:
    x_impl: list[np.ndarray]
    x_ref: list[np.ndarray]
    start_ref: list[np.ndarray]
    buf_impl: list[dict[str, np.ndarray]]
    states: list[Any]
    ref_fields: tuple[str, ...]
    stop: tuple[int, str] | None  # (step, reason) where the implementation could not go on


def _run(alg: Any, driver: Any, data: Any, shape: tuple[int, ...], steps: int, depends: bool, resync: bool,
         same: bool) -> _Run:
    k = alg.oracle_calls
    ref_oracle = RefOracle(data, depends, k)
    impl_oracle = ImplOracle(data, depends, k, same)
    x = data.x0.copy()
    state = alg.init(x)
    ref_fields = tuple(f for f in state._fields if f not in ("t", "direction")
                       and np.ndim(getattr(state, f)) > 0 and np.size(getattr(state, f)) == x.size)
    out = _Run([], [], [], [], [state], ref_fields, None)
    x_impl_prev = data.x0.copy()
    for t in range(steps):
        x0 = x_impl_prev.copy() if resync else x
        ref_oracle.start(t)
        with np.errstate(all="ignore"):
            x, state = alg.step(x0, state, ref_oracle)
        impl_oracle.start(t)
        try:
            xi, bufs = driver.step(impl_oracle)
        except Exception as exc:  # noqa: BLE001 - an implementation's failure is a finding
            out.stop = (t + 1, f"the implementation raised {type(exc).__name__}: {exc}")
            break
        xi = np.asarray(xi)
        if xi.shape != shape:
            out.stop = (t + 1, f"the implementation returned x of shape {xi.shape}, expected {shape}")
            break
        out.x_impl.append(xi.reshape(-1).astype(np.float64))
        out.x_ref.append(np.asarray(x, dtype=np.float64).copy())
        out.start_ref.append(np.asarray(x0, dtype=np.float64).copy())
        out.buf_impl.append({kname: np.asarray(v).reshape(-1) for kname, v in bufs.items()
                             if np.size(v) == xi.size})
        out.states.append(state)
        x_impl_prev = out.x_impl[-1]
    return out


def _judge(res: Conformance, run: _Run, algorithm: str, hp: Mapping[str, Any], data: Any,
           state_map: Mapping[str, str | None] | None, dtype: str, n: int) -> Conformance:
    T = res.steps
    done = len(run.x_impl)
    names = sorted({k for b in run.buf_impl[:1] for k in b})
    mapped, left = buffer_map(algorithm, run.ref_fields, names, state_map)
    later = sorted({k for b in run.buf_impl[1:] for k in b} - set(names))
    res.compared, res.uncompared = mapped, left + later

    quantities: dict[str, tuple[str, np.ndarray, np.ndarray, np.ndarray | None]] = {}
    if done:
        xi, xr = np.stack(run.x_impl), np.stack(run.x_ref)
        path = np.cumsum(np.abs(xr - np.stack(run.start_ref)).max(axis=1))
        scale = np.maximum.accumulate(np.maximum(np.abs(xr).max(axis=1), np.abs(data.x0).max())) + path
        quantities["x"] = ("x", xi, xr, scale)
        for their, ours in mapped.items():
            a = np.stack([b.get(their, np.full(xi.shape[1], np.nan)) for b in run.buf_impl])
            b = np.stack([np.asarray(getattr(s, ours), dtype=np.float64).reshape(-1) for s in run.states[1:]])
            quantities[ours] = (their, a, b, None)

    first: Divergence | None = None
    for q, (their, a, b, scale) in quantities.items():
        err = np.full(T, np.nan)
        e = normwise_errors(a, b, scale)
        masks = (np.isnan(a) != np.isnan(b)) | (np.isposinf(a) != np.isposinf(b)) | (np.isneginf(a) != np.isneginf(b))
        e = np.where(masks.any(axis=1), np.inf, e)
        err[:done] = e
        res.errors[q] = err
        bad = np.flatnonzero(e > res.tolerance[:done])
        if bad.size:
            i = int(bad[0])
            if first is None or i + 1 < first.step or (i + 1 == first.step and
                                                       e[i] / res.tolerance[i] > first.error / first.tolerance):
                first = _divergence(q, their, a[i], b[i], masks[i], i + 1, float(e[i]), float(res.tolerance[i]),
                                    res.shape)
    if run.stop is not None and (first is None or run.stop[0] <= first.step):
        step, reason = run.stop
        first = Divergence(step, "x", "x", (), math.nan, math.nan, math.inf,
                           float(res.tolerance[step - 1]), reason)
    res.divergence = first
    res.verdict = "match" if first is None else f"diverges at step {first.step}"
    if first is not None and first.quantity == "x" and get(algorithm).sign_of is not None and first.index:
        res.note = _sign_tie(algorithm, hp, run, data, first, dtype, res.shape)
    return res


def _divergence(q: str, their: str, a: np.ndarray, b: np.ndarray, mask: np.ndarray, step: int, err: float,
                tol: float, shape: tuple[int, ...]) -> Divergence:
    if mask.any():
        i = int(np.flatnonzero(mask)[0])
        kind = "NaN" if np.isnan(a[i]) else ("inf" if np.isinf(a[i]) else "a finite value")
        reason = (f"{kind} in the implementation where the reference has "
                  f"{'NaN' if np.isnan(b[i]) else ('inf' if np.isinf(b[i]) else 'a finite value')}")
    else:
        fin = np.isfinite(a) & np.isfinite(b)
        i = int(np.argmax(np.where(fin, np.abs(a - b), -1.0)))
        reason = f"relative error {err:.3e} > tolerance {tol:.3e}"
    index = tuple(int(v) for v in np.unravel_index(i, shape))
    return Divergence(step, q, their, index, float(a[i]), float(b[i]), err, tol, reason)


def _sign_tie(algorithm: str, hp: Mapping[str, Any], run: _Run, data: Any, div: Divergence, dtype: str,
              shape: tuple[int, ...]) -> str:
    """Say so when the reference's sign argument at the divergent coordinate is within rounding of 0
    (``reference.tolerances`` R7; the declaration's ``sign_of``: Lion's ``c_t = beta1 m_{t-1} + (1 - beta1) g_t``,
    Signum's ``m_t``)."""
    i = int(np.ravel_multi_index(div.index, shape))
    sign_of = get(algorithm).sign_of
    assert sign_of is not None
    cs = [sign_of(data.gradient(t, 0, None), run.states[t], hp)[i] for t in range(min(div.step, len(run.states) - 1))]
    if not cs:
        return ""
    c = np.abs(np.array(cs))
    bound = (2 if dtype == "float64" else 1) * TOL.A * 3 * TOL.UNIT_ROUNDOFF[dtype] * div.step * c.max()
    if c[-1] <= bound:
        return (f"the sign's argument at this coordinate is {c[-1]:.3e}, within its rounding bound {bound:.3e} "
                "of 0: a tie, the two signs differ only through the rounding of an argument this close to 0 or "
                "the convention for sign(0) (the reference's sign(0) = 0)")
    return ""
