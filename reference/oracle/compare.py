r"""``compare``: run an implementation and its reference twin on seeded streams, step by step.

At every step t the reference restarts from the implementation's iterate ``x_t`` (and, for every
state buffer the implementation exposes, from its value, read back through the declared buffer
transform), takes the reference step in float64 on the same gradients, and compares what was
computed:

* the **update** ``u_t = (x_t - x_{t+1}) / lr_t`` (or the update a functional API returned,
  divided by ``lr_t``), elementwise up to the rounding of the stored iterates (R8 of
  ``reference.tolerances``: ``(A u(state) + u(dtype)) max(|x_t|, |x_{t+1}|) / lr_t``), the excess
  normwise relative to the running magnitude ``Q_t(u) = max_{k <= t} ||u_k||_inf`` of the tensor;
* every exposed **state buffer** that maps to a reference field (``exp_avg`` -> ``m``; a declared
  transform for buffers stored bias-corrected or scaled by the learning rate), normwise relative to
  its running magnitude;

each per tensor, against ``reference.tolerances.oracle_bound`` at ``t_eff = 1`` when every state
field was restarted from the implementation's state (one step's rounding: what float64 detects,
float32 detects wherever the defect exceeds float32 rounding) and ``t_eff = t`` otherwise.  NaN/inf
must sit exactly where the reference has them.  For sign-based methods, coordinates whose sign
argument is within its rounding bound of 0 (a tie) are left out of the update (their count is in
the record); an exact 0 is not a tie (``sign(0) = 0``).

Parameters as in training (:mod:`.layout`): several tensors, several param groups with their own
hyperparameters; norm-based methods reduce per tensor, per group or over everything
(``norm_scope``, default the declaration's).  ``stream='all'`` runs every stream of
:mod:`.streams`, one verdict each.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import tolerances as TOL
from ..algorithm import lr_at
from ..declaration import NORM_SCOPES, Buffer, Declaration
from ..registry import REGISTRY, get
from .adapters import Impl, as_impl
from .drivers import Setup, StepOut, _ShapeError, make_driver
from .layout import Layout, Run, make_layout
from .result import Conformance, Divergence
from .streams import ALL, LONG_STEPS, STREAMS, ImplOracle, RefOracle, make_stream
from .translate import ConfigError, buffer_map, check_state_map, reference_fields

__all__ = ["compare", "Conformance", "Divergence", "normwise_errors", "DTYPES", "reduction_length", "MAX_STEPS",
           "Plan", "plan"]

DTYPES = TOL.DTYPES
"""Parameter dtypes: float64, float32, bfloat16 and float16 (state float32 by default: mixed precision)."""

MAX_STEPS = 100_000
"""The most steps one comparison takes (a defect shows in the first hundreds; ``long`` needs 1000)."""


def reduction_length(algorithm: str, hp: Mapping[str, Any], d: int) -> int:
    """n of ``reference.tolerances``: the longest reduced vector (the declaration's ``reduction``:
    d for a norm or mean over a run of d coordinates, the largest block for blockwise methods, else 1)."""
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


# --------------------------------------------------------------------------- the plan (validated input)


@dataclass
class Plan:
    """Everything :func:`compare` validated before running."""

    impl: Impl
    algorithm: str
    decl: Declaration[Any, Any]
    given: dict[str, Any]
    hp: dict[str, Any]
    layout: Layout
    group_hps: list[dict[str, Any]]
    runs: list[Run]
    scope: str
    norm_scope: str
    steps: int | None
    dtype: str
    state_dtype: str
    seed: int
    stream: str
    impl_kwargs: dict[str, Any]
    state_map: dict[str, Buffer | None]
    hp_form: str | None
    depends: bool
    calls: int
    same: bool
    shape_arg: Any
    groups_arg: Any


def _resolve(decl: Declaration[Any, Any], given: Mapping[str, Any], where: str) -> dict[str, Any]:
    try:
        alg = decl.factory(**dict(given))
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{where}: {exc}" if where else str(exc)) from None
    return dict(alg.hyperparams)


def plan(impl: Any, algorithm: str, hyperparams: Mapping[str, Any] | None = None, *, steps: int | None = None,
         shape: Any = None, groups: Sequence[Mapping[str, Any]] | None = None, dtype: str = "float64",
         state_dtype: str | None = None, seed: int = 0, stream: str = "heavy-tailed",
         impl_kwargs: Mapping[str, Any] | None = None, state_map: Mapping[str, Any] | None = None,
         norm_scope: str | None = None, hp_form: str | None = None) -> Plan:
    """Validate :func:`compare`'s arguments (``ValueError``/``TypeError`` naming what is wrong)."""
    if not isinstance(algorithm, str) or algorithm not in REGISTRY:
        raise ValueError(f"unknown algorithm {algorithm!r}; known: {', '.join(sorted(REGISTRY))}")
    decl = get(algorithm)
    if hyperparams is not None and not isinstance(hyperparams, Mapping):
        raise TypeError(f"hyperparams must be a mapping, got {type(hyperparams).__name__}")
    given = dict(hyperparams or {})
    if groups is None:
        hp = _resolve(decl, given, "")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    if state_dtype is None:
        state_dtype = dtype if dtype in ("float64", "float32") else "float32"
    elif state_dtype not in DTYPES:
        raise ValueError(f"state_dtype must be one of {DTYPES}, got {state_dtype!r}")
    elif dtype in ("float64", "float32") and state_dtype != dtype:
        raise ValueError(f"state_dtype applies to bfloat16/float16 parameters (float32: mixed precision, or the "
                         f"parameters' dtype: pure low precision); got state_dtype={state_dtype!r} for {dtype}")
    elif state_dtype not in ("float32", dtype):
        raise ValueError(f"state_dtype for {dtype} parameters must be 'float32' (mixed precision) or {dtype!r} "
                         f"(pure low precision), got {state_dtype!r}")
    if stream != ALL and stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}; known: {', '.join(STREAMS)}, {ALL}")
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
            raise ValueError(f"steps must be an integer in [1, {MAX_STEPS}], got {steps!r}")
        steps = int(steps)
        if stream == "long" and steps < LONG_STEPS:
            raise ValueError(f"stream 'long' checks drift over >= {LONG_STEPS} steps, got steps={steps}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    layout = make_layout((7,) if shape is None and groups is None else shape, groups, given)
    if groups is not None:  # each group's own (the common ones may lack what every group gives, e.g. blocks)
        group_hps = [_resolve(decl, g.given, f"groups[{g.index}]") for g in layout.groups]
        hp = group_hps[0]
    else:
        group_hps = [hp]
    for g, ghp in zip(layout.groups, group_hps):
        size = layout.tensors[g.tensors[-1]].hi - layout.tensors[g.tensors[0]].lo
        for k, p in decl.params.items():
            if p.per_coordinate and len(ghp[k]) != size:
                where = f"groups[{g.index}]: " if groups is not None else ""
                raise ValueError(f"{where}{algorithm}: {k} has {len(ghp[k])} ids for {size} coordinates "
                                 f"({layout.describe()})")
    conv = decl.conventions
    if norm_scope is None:
        norm_scope = conv.norm_scope
    elif norm_scope not in NORM_SCOPES:
        raise ValueError(f"norm_scope must be one of {NORM_SCOPES}, got {norm_scope!r}")
    scope = norm_scope if decl.reduction == "run" else "group"
    runs = layout.runs(scope)
    for run in runs:
        gids = sorted({layout.tensors[i].group for i in run.tensors})
        if len(gids) > 1:
            base = {k: v for k, v in group_hps[gids[0]].items() if not decl.params[k].per_coordinate}
            for gi in gids[1:]:
                other = {k: v for k, v in group_hps[gi].items() if not decl.params[k].per_coordinate}
                differ = sorted(k for k in base if not _same(base[k], other[k]))
                if differ:
                    raise ValueError(f"norm_scope='{norm_scope}' takes one norm over groups {gids}, which then "
                                     f"need equal hyperparameters; they differ in {', '.join(differ)} "
                                     "(use norm_scope='group' or 'tensor')")
    check = check_state_map(algorithm, state_map)
    try:
        conv.form(hp_form, hp)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    if impl_kwargs is not None and not isinstance(impl_kwargs, Mapping):
        raise TypeError(f"impl_kwargs must be a mapping, got {type(impl_kwargs).__name__}")
    impl_obj = as_impl(impl)
    depends = any(decl.depends_on_x(h) for h in group_hps)
    calls = decl.oracle_calls
    return Plan(impl_obj, algorithm, decl, given, hp, layout, group_hps, runs, scope,
                norm_scope if decl.reduction == "run" else "", steps, dtype, state_dtype, int(seed), stream,
                dict(impl_kwargs or {}), check, hp_form, depends, calls, bool(hp.get("same_sample", True)),
                shape, groups)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(np.all(np.asarray(a) == np.asarray(b))) if not callable(a) else a is b
    except Exception:  # noqa: BLE001
        return a is b


# --------------------------------------------------------------------------- compare


def compare(impl: Any, algorithm: str, hyperparams: Mapping[str, Any] | None = None, *, steps: int | None = None,
            shape: Any = None, groups: Sequence[Mapping[str, Any]] | None = None, dtype: str = "float64",
            state_dtype: str | None = None, seed: int = 0, stream: str = "heavy-tailed",
            impl_kwargs: Mapping[str, Any] | None = None, state_map: Mapping[str, Any] | None = None,
            norm_scope: str | None = None, hp_form: str | None = None, stop_at_divergence: bool = False,
            ) -> Conformance:
    """Check ``impl`` against ``reference.<algorithm>(**hyperparams)`` step by step.

    Args:
        impl: a torch.optim.Optimizer subclass or factory ``params -> optimizer``; an optax
            GradientTransformation or factory (``optax.lion``); a torchopt transformation or factory;
            a Keras 3 optimizer class or instance; a NumPy ``step(x, g, state) -> (x, state)``; a spec
            string (``'torch:lion_pytorch:Lion'``); or an :class:`~reference.oracle.adapters.Impl`
            (``torch_impl(..., scheduler=...)``, ``optax_impl``, ``keras_impl``, ``functional_impl``,
            ``numpy_impl``).
        algorithm: a reference factory name (``reference.ALGORITHMS``).
        hyperparams: the reference hyperparameters (paper names), common to every group; a class or
            factory receives them translated (:func:`reference.oracle.translate.translate`).  ``lr``
            may be a schedule ``t -> lr_t`` (set on a class before each step).
        steps: steps per stream (default 100; 1000 for ``long``), at most :data:`MAX_STEPS`.
        shape: a tensor shape (default ``(7,)``) or a list of shapes (``[(3, 4), (5,)]``).
        groups: param groups instead of ``shape``: ``[{"params": [(3, 4)], "lr": 1e-2}, ...]``.
        dtype: the parameters' dtype: ``'float64'``, ``'float32'``, ``'bfloat16'``, ``'float16'``.
        state_dtype: for bfloat16/float16 parameters, ``'float32'`` (mixed precision, the default) or
            the parameters' dtype (pure low precision).
        seed, stream: the gradient stream (:mod:`reference.oracle.streams`); ``'all'``: every stream.
        impl_kwargs: extra/overriding keyword arguments for the implementation's constructor.
        state_map: their buffer name -> reference field (``'m'``, ``'v_max|bias_corrected(beta2)'``,
            ``'m|-lr_scaled'``; None or ``'none'``: do not compare).
        norm_scope: ``'tensor'``, ``'group'`` or ``'global'``: the scope of a norm-based method's
            norms (default: the declaration's ``Conventions.norm_scope``).
        hp_form: one of the declaration's hyperparameter forms (Adan: ``'official'``, ``'paper'``,
            ``'as-given'``).
        stop_at_divergence: stop each stream at its first divergence (faster; the table ends there).

    Returns a :class:`~reference.oracle.result.Conformance`; ``verdict`` is ``'match'``,
    ``'diverges at step k'`` (``'diverges at step k (stream s)'`` for ``'all'``) or
    ``'cannot configure: <reason>'``.  Raises ``ValueError``/``TypeError`` for bad input, naming it.
    """
    p = plan(impl, algorithm, hyperparams, steps=steps, shape=shape, groups=groups, dtype=dtype,
             state_dtype=state_dtype, seed=seed, stream=stream, impl_kwargs=impl_kwargs, state_map=state_map,
             norm_scope=norm_scope, hp_form=hp_form)
    return run_plan(p, stop_at_divergence)


def run_plan(p: Plan, stop_at_divergence: bool = False,
             capture: dict[str, list[dict[str, Any]]] | None = None) -> Conformance:
    """Run a validated :class:`Plan` (every stream for ``stream='all'``).  ``capture``: per stream, the
    implementation's update (with its rounding allowance) and mapped buffers at every step
    (:func:`reference.oracle.compare_impls`)."""
    if p.stream != ALL:
        return _run_stream(p, p.stream, p.steps, stop_at_divergence,
                           None if capture is None else capture.setdefault(p.stream, []))
    results = {}
    for s in STREAMS:
        steps = max(p.steps or 0, LONG_STEPS) if s == "long" else p.steps
        results[s] = _run_stream(p, s, steps, stop_at_divergence,
                                 None if capture is None else capture.setdefault(s, []))
        if stop_at_divergence and not results[s].matches:
            break  # the first divergent stream is the verdict
    first = next((r for r in results.values() if not r.matches), None)
    top = next(iter(results.values()))
    out = Conformance(top.impl, p.algorithm, p.hp, top.steps, top.shape, p.dtype, p.seed, ALL, verdict="",
                      reproducer=_reproducer(p, ALL, p.steps), state_dtype=p.state_dtype, layout=top.layout,
                      norm_scope=top.norm_scope, streams=results)
    for k in ("impl_config", "passed_as", "not_passed", "impl_defaults", "compared", "uncompared", "tolerance_source",
              "synced"):
        setattr(out, k, getattr(top, k))
    if first is None:
        out.verdict = "match"
    elif first.verdict.startswith("cannot configure"):
        out.verdict = first.verdict
    else:
        out.verdict = f"{first.verdict} (stream {first.stream!r})"
        out.divergence = first.divergence
        out.note = first.note
        out.reproducer = first.reproducer
    return out


def _reproducer(p: Plan, stream: str, steps: int | None) -> str:
    impl, given = p.impl, p.given
    cli_ok = impl.spec is not None and not any(callable(v) and not isinstance(v, type) for v in given.values()) \
        and p.groups_arg is None and not any(k == "scheduler" and v is not None for k, v in impl.options.items()) \
        and all(_cli_ok(v) for v in p.impl_kwargs.values())
    shape_arg = p.shape_arg if p.shape_arg is not None else (7,)
    if cli_ok:
        parts = ["python -m reference.oracle", impl.spec or "", "--as", p.algorithm]
        if given:
            parts += ["--hp", _quote(",".join(f"{k}={_cli_value(v)}" for k, v in given.items()))]
        if p.impl_kwargs:
            parts += ["--impl-kw", _quote(",".join(f"{k}={_cli_value(v)}" for k, v in p.impl_kwargs.items()))]
        if p.state_map:
            parts += ["--state-map", _quote(",".join(f"{k}={'none' if v is None else v}"
                                                     for k, v in p.state_map.items()))]
        if steps is not None:
            parts += ["--steps", str(steps)]
        parts += ["--shape", _quote(_shape_text(shape_arg)), "--dtype", p.dtype]
        if p.state_dtype != (p.dtype if p.dtype in ("float64", "float32") else "float32"):
            parts += ["--state-dtype", p.state_dtype]
        if p.norm_scope and p.norm_scope != p.decl.conventions.norm_scope:
            parts += ["--norm-scope", p.norm_scope]
        if p.hp_form:
            parts += ["--hp-form", p.hp_form]
        parts += ["--seed", str(p.seed), "--stream", stream]
        return " ".join(parts)
    args = [f"<{impl.label}>", repr(p.algorithm), "{" + ", ".join(f"{k!r}: {_py(v)}" for k, v in given.items()) + "}"]
    kw = [] if steps is None else [f"steps={steps}"]
    kw.append(f"groups={_py(p.groups_arg)}" if p.groups_arg is not None else f"shape={shape_arg!r}")
    kw += [f"dtype={p.dtype!r}", f"seed={p.seed}", f"stream={stream!r}"]
    if p.state_dtype not in (p.dtype, "float32"):
        kw.append(f"state_dtype={p.state_dtype!r}")
    if p.impl_kwargs:
        kw.append(f"impl_kwargs={_py(p.impl_kwargs)}")
    if p.state_map:
        kw.append("state_map={" + ", ".join(f"{k!r}: {None if v is None else str(v)!r}"
                                             for k, v in p.state_map.items()) + "}")
    if p.norm_scope and p.norm_scope != p.decl.conventions.norm_scope:
        kw.append(f"norm_scope={p.norm_scope!r}")
    if p.hp_form:
        kw.append(f"hp_form={p.hp_form!r}")
    return f"from reference.oracle import compare; print(compare({', '.join(args)}, {', '.join(kw)}))"


def _cli_ok(v: Any) -> bool:
    return isinstance(v, (bool, int, float, str, type(None), tuple, list)) or isinstance(v, type) or (
        callable(v) and getattr(v, "__qualname__", "<").find("<") < 0)


def _quote(s: str) -> str:
    return s if all(c.isalnum() or c in "=,._-+[]@:" for c in s) else f"'{s}'"


def _shape_text(shape: Any) -> str:
    if isinstance(shape, int):
        return str(shape)
    if isinstance(shape, list):
        return ";".join(_shape_text(s) for s in shape)
    return ",".join(str(s) for s in shape)


def _py(v: Any) -> str:
    if callable(v) and not isinstance(v, type):
        name = getattr(v, "__qualname__", "")
        return f"<{name or 'callable'}>" if "<" in name or not name else f"{v.__module__}.{name}"
    if isinstance(v, type):
        return f"{v.__module__}.{v.__qualname__}"
    if isinstance(v, np.ndarray):
        return repr(v.tolist())
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k!r}: {_py(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_py(x) for x in v) + "]"
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


# --------------------------------------------------------------------------- one stream


class _Quantity:
    """Running magnitudes and per-step errors of one compared quantity."""

    def __init__(self, name: str, their: str, n_tensors: int, steps: int) -> None:
        self.name, self.their = name, their
        self.q = np.zeros(n_tensors)
        self.err = np.full(steps, np.nan)


def _run_stream(p: Plan, stream: str, steps: int | None, stop: bool,
                capture: list[dict[str, Any]] | None = None) -> Conformance:
    layout, decl, algorithm = p.layout, p.decl, p.algorithm
    if steps is None:
        steps = LONG_STEPS if stream == "long" else 100
    single = layout.single
    res = Conformance(p.impl.label, algorithm, p.hp, steps, layout.tensors[0].shape if single else layout.shapes,
                      p.dtype, p.seed, stream, verdict="", reproducer=_reproducer(p, stream, p.steps),
                      state_dtype=p.state_dtype, layout=layout.describe(), norm_scope=p.norm_scope)
    # reduction length of the tolerance
    n = 1
    for run in p.runs:
        hp_run = _run_hp(p, run, p.group_hps[run.group])
        n = max(n, reduction_length(algorithm, hp_run, run.hi - run.lo))
    try:
        TOL.oracle_bound(algorithm, p.dtype, 1, n, state_dtype=p.state_dtype)
    except KeyError as exc:
        res.verdict = f"cannot configure: {exc.args[0]}"
        return res

    data = make_stream(stream, steps=steps, d=layout.d, samples=p.calls, seed=p.seed, dtype=p.dtype)
    setup = Setup(algorithm, layout, p.group_hps, [set(g.given) for g in layout.groups] if p.groups_arg is not None
                  else [set(p.given)] * len(layout.groups), p.impl_kwargs, p.dtype, p.calls, p.depends, steps,
                  p.hp_form, [callable(h.get("lr")) for h in p.group_hps])
    try:
        driver = make_driver(p.impl, setup)
    except ConfigError as exc:
        res.verdict = f"cannot configure: {exc}"
        return res
    except ImportError as exc:
        res.verdict = f"cannot configure: {p.impl.kind} is not installed ({exc})"
        return res
    try:
        driver.start([data.x0[t.lo:t.hi].reshape(t.shape) for t in layout.tensors])
        return _steps(p, res, driver, data, stream, steps, stop, capture, n)
    except ConfigError as exc:
        res.verdict = f"cannot configure: {exc}"
        return res
    finally:
        driver.close()


def _steps(p: Plan, res: Conformance, driver: Any, data: Any, stream: str, steps: int, stop: bool,
           capture: list[dict[str, Any]] | None, n: int) -> Conformance:
    """The step loop of :func:`_run_stream` (the driver started)."""
    layout, decl, algorithm = p.layout, p.decl, p.algorithm
    single = layout.single
    res.impl_config, res.passed_as, res.not_passed = driver.config, driver.how, driver.not_passed
    res.impl_defaults = driver.impl_defaults

    # the reference: one algorithm and state per run
    lr_table = driver.reference_lrs
    algs, states, oracles, hps = [], [], [], []
    for run in p.runs:
        g = run.group
        given = dict(layout.groups[g].given)
        for k, prm in decl.params.items():
            if prm.per_coordinate:
                given[k] = _run_hp(p, run, p.group_hps[g])[k]
        if lr_table is not None:
            col = [row[g] for row in lr_table]
            given["lr"] = lambda t, col=col: col[t - 1]
        alg = decl.factory(**given)
        algs.append(alg)
        hps.append(alg.hyperparams)
        states.append(alg.init(data.x0[run.lo:run.hi].copy()))
        oracles.append(RefOracle(data, p.depends, p.calls, run.lo, run.hi))
    impl_oracle = ImplOracle(data, p.depends, p.calls, p.same, layout.shapes)
    fields = reference_fields(algorithm)
    state0 = states[0]
    array_fields = [f for f in fields if np.ndim(getattr(state0, f)) > 0 and np.size(getattr(state0, f)) ==
                    p.runs[0].hi - p.runs[0].lo]
    scalar_fields = [f for f in fields if f not in array_fields and np.size(getattr(state0, f)) == 1]
    comparable = tuple(array_fields + scalar_fields)

    T = steps
    ntens = len(layout.tensors)
    tol = np.full(T, np.nan)
    upd = _Quantity("update", "update", ntens, T)
    quantities: dict[str, _Quantity] = {}
    mapping: dict[str, Buffer] | None = None
    first: Divergence | None = None
    allow = TOL.update_allowance(p.dtype, p.state_dtype)
    floor = TOL.update_floor(p.dtype)
    u_param = TOL.UNIT_ROUNDOFF[p.dtype]
    sign_of = decl.sign_of
    qc = np.zeros(ntens)
    ties = 0
    run_of = {i: r for r, run in enumerate(p.runs) for i in run.tensors}
    x = data.x0.copy()
    x_next = np.empty_like(x)
    u_ref = np.empty_like(x)
    synced_fields: list[str] = []
    lr_fns: list[Any] = []
    for g, h in enumerate(p.group_hps):
        if lr_table is not None:
            lr_fns.append(lambda s, col=[row[g] for row in lr_table]: col[s - 1])
        else:
            lr_fns.append(h.get("lr", 1.0))
    for t in range(1, T + 1):
        lrs = [float(lr_at(algorithm, f, t)) for f in lr_fns]
        # the reference step from the implementation's x_t (and state)
        prev_states = list(states)
        c_arg = np.zeros_like(x) if sign_of is not None else None
        for r, (run, alg) in enumerate(zip(p.runs, algs)):
            oracles[r].start(t - 1)
            xr = x[run.lo:run.hi]
            with np.errstate(all="ignore"):
                xn, states[r] = alg.step(xr, states[r], oracles[r])
                u_ref[run.lo:run.hi] = (xr - xn) / lrs[run.group]
            x_next[run.lo:run.hi] = xn
            if c_arg is not None:
                with np.errstate(all="ignore"):
                    c_arg[run.lo:run.hi] = sign_of(data.gradient(t - 1, 0, None, run.lo, run.hi),  # type: ignore[misc]
                                                   prev_states[r], alg.hyperparams)
        # the implementation's step
        impl_oracle.start(t - 1)
        try:
            out: StepOut = driver.step(impl_oracle, t, lrs)
            xs = out.xs
            bad = next((j for j, (a, s) in enumerate(zip(xs, layout.shapes)) if tuple(np.shape(a)) != tuple(s)), None)
            if len(xs) != ntens or bad is not None:
                got = [tuple(np.shape(a)) for a in xs]
                raise _ShapeError(f"the implementation returned x of shape {got[0] if single else got}, expected "
                                  f"{layout.shapes[0] if single else layout.shapes}")
        except _ShapeError as exc:
            first = first or Divergence(t, "update", "x", (), math.nan, math.nan, math.inf, math.nan, str(exc))
            break
        except Exception as exc:  # noqa: BLE001 - an implementation's failure is a finding
            first = first or Divergence(t, "update", "x", (), math.nan, math.nan, math.inf, math.nan,
                                        f"the implementation raised {type(exc).__name__}: {exc}")
            break
        if mapping is None:
            names = sorted(out.buffers)
            mapping, left = buffer_map(algorithm, comparable, names, p.state_map, _library(p.impl))
            missing = [k for k, v in p.state_map.items() if v is not None and k not in names
                       and not any(nm.rsplit(".", 1)[-1] == k for nm in names)]
            if missing:
                res.verdict = (f"cannot configure: state_map names {', '.join(map(repr, missing))}, which the "
                               f"implementation does not expose (it exposes: {', '.join(names) or 'no buffers'})")
                return res
            res.compared = {k: str(b) for k, b in mapping.items()}
            res.uncompared = left
            for k, b in mapping.items():
                quantities[b.field] = _Quantity(b.field, k, ntens, T)
            covered = {b.field for b in mapping.values()}
            synced_fields = [f for f in comparable if f in covered]
            res.synced = synced_fields
        full_sync = set(synced_fields) >= set(fields)
        t_eff = 1 if full_sync else t
        tol_t = TOL.oracle_bound(algorithm, p.dtype, t_eff, n, state_dtype=p.state_dtype,
                                 gradient_evaluations=p.calls if p.depends else 0)
        tol[t - 1] = tol_t
        later = sorted(set(out.buffers) - set(mapping) - set(res.uncompared))
        res.uncompared += later

        # the update
        worst: Divergence | None = None
        err_u = 0.0
        record: dict[str, Any] | None = None if capture is None else {"update": [], "allowance": [], "x": list(xs)}
        for j, ts in enumerate(layout.tensors):
            lo, hi = ts.lo, ts.hi
            lr = lrs[ts.group]
            xi_next = np.asarray(xs[j], dtype=np.float64).reshape(-1)
            with np.errstate(all="ignore"):
                if out.deltas is not None:
                    ui = np.asarray(out.deltas[j], dtype=np.float64).reshape(-1) / lr
                    a = u_param * np.abs(ui) + \
                        TOL.A * TOL.U64 * np.maximum(np.abs(x[lo:hi]), np.abs(x_next[lo:hi])) / lr
                else:
                    ui = (x[lo:hi] - xi_next) / lr
                    a = (allow * np.maximum(np.abs(x[lo:hi]), np.abs(xi_next)) + floor) / lr
            ur = u_ref[lo:hi]
            if record is not None:
                record["update"].append(ui)
                record["allowance"].append(a)
            fin_r = np.isfinite(ur)
            upd.q[j] = max(upd.q[j], float(np.max(np.abs(ur), where=fin_r, initial=0.0)))
            with np.errstate(all="ignore"):
                excess = np.abs(ui - ur) - a
            if c_arg is not None:
                cj = np.abs(c_arg[lo:hi])
                fin_c = np.isfinite(cj)
                qc[j] = max(qc[j], float(np.max(cj, where=fin_c, initial=0.0)))
                tie = (cj > 0) & (cj <= tol_t * qc[j])
                n_tie = int(np.count_nonzero(tie & (excess > 0)))
                if n_tie:
                    ties += n_tie
                    excess = np.where(tie, 0.0, excess)
            e, d = _judge(ui, ur, excess, upd.q[j], tol_t, t, "update", "x" if out.deltas is None else "update",
                          ts, stream, _low_state_note(None, None, p))
            err_u = max(err_u, e)
            if d is not None and (worst is None or d.error / d.tolerance > worst.error / worst.tolerance):
                worst = d
        upd.err[t - 1] = err_u
        if record is not None:
            record["update"] = np.concatenate(record["update"])
            record["allowance"] = np.concatenate(record["allowance"])
            for f, qty in quantities.items():
                rows = out.buffers.get(qty.their, [])
                tr = mapping[qty.their].transform  # type: ignore[index]
                if rows and all(r is not None for r in rows):
                    with np.errstate(all="ignore"):
                        record[f] = np.concatenate([
                            np.asarray(tr.back(np.asarray(r, dtype=np.float64).reshape(-1), hps[run_of[j]], t,
                                               lrs[layout.tensors[j].group]), dtype=np.float64).reshape(-1)
                            for j, r in enumerate(rows)])
            capture.append(record)  # type: ignore[union-attr]

        # the state buffers (in the reference's field order)
        state_div: Divergence | None = None
        for f in comparable:
            maybe = quantities.get(f)
            if maybe is None:
                continue
            qty = maybe
            their = qty.their
            buf = mapping[their]
            rows = out.buffers.get(their, [None] * ntens)
            e_max = 0.0
            for j, ts in enumerate(layout.tensors):
                a_j = rows[j] if j < len(rows) else None
                if a_j is None:
                    continue
                r = run_of[j]
                run = p.runs[r]
                ref_full = np.asarray(getattr(states[r], f), dtype=np.float64)
                ref = ref_full[ts.lo - run.lo:ts.hi - run.lo] if f in array_fields else ref_full.reshape(-1)[:1]
                with np.errstate(all="ignore"):
                    ref = np.asarray(buf.transform.to(ref, hps[r], t, lrs[ts.group]), dtype=np.float64)
                a_j = np.asarray(a_j, dtype=np.float64).reshape(-1)
                if a_j.size != ref.size:
                    if a_j.size == 1 and ref.size == 1:
                        pass
                    else:
                        continue
                fin = np.isfinite(ref)
                qty.q[j] = max(qty.q[j], float(np.max(np.abs(ref), where=fin, initial=0.0)))
                with np.errstate(all="ignore"):
                    excess = np.abs(a_j - ref)
                e, d = _judge(a_j, ref, excess, qty.q[j], tol_t, t, f, their, ts, stream,
                              _low_state_note(out.dtypes.get(their), their, p))
                e_max = max(e_max, e)
                if d is not None and state_div is None:
                    state_div = d
            qty.err[t - 1] = e_max
        if first is None and (state_div is not None or worst is not None):
            first = state_div if state_div is not None else worst
            if stop:
                break

        # restart the reference from the implementation's iterate and exposed state
        x = np.concatenate([np.asarray(a, dtype=np.float64).reshape(-1) for a in xs]) if ntens > 1 else \
            np.asarray(xs[0], dtype=np.float64).reshape(-1).copy()
        if synced_fields:
            for r, run in enumerate(p.runs):
                new: dict[str, Any] = {}
                for f in synced_fields:
                    their = quantities[f].their
                    buf = mapping[their]
                    found: list[Any] | None = out.buffers.get(their)
                    if found is None or any(found[j] is None for j in run.tensors):
                        continue
                    with np.errstate(all="ignore"):
                        vals = [np.asarray(buf.transform.back(np.asarray(found[j], dtype=np.float64).reshape(-1),
                                                              hps[r], t, lrs[layout.tensors[j].group]))
                                for j in run.tensors]
                    old = getattr(states[r], f)
                    if f in array_fields:
                        new[f] = np.concatenate(vals).astype(np.asarray(old).dtype, copy=False) \
                            if len(vals) > 1 else vals[0]
                    else:
                        v = float(vals[0].reshape(-1)[0])
                        new[f] = np.full(np.shape(old), v) if np.ndim(old) else v
                states[r] = states[r]._replace(**new)

    res.tolerance = tol
    res.errors = {"update": upd.err, **{f: q.err for f, q in quantities.items()}}
    res.ties = ties
    res.tolerance_source = TOL.oracle_provenance(algorithm, p.dtype, n, state_dtype=p.state_dtype,
                                                 synced=set(synced_fields) >= set(fields))
    if first is not None and not math.isfinite(first.tolerance):
        first = Divergence(first.step, first.quantity, first.name, first.index, first.impl, first.reference,
                           first.error, float(tol[first.step - 1]) if first.step <= T else math.nan, first.reason,
                           first.tensor, stream)
    elif first is not None:
        first = Divergence(first.step, first.quantity, first.name, first.index, first.impl, first.reference,
                           first.error, first.tolerance, first.reason, first.tensor, stream)
    res.divergence = first
    res.verdict = "match" if first is None else f"diverges at step {first.step}"
    return res


def _library(impl: Impl) -> str:
    """The top-level module of the implementation (``torchopt``, ``keras``, ...): library-specific buffer names."""
    target = impl.target
    mod = getattr(target, "__module__", None) or type(target).__module__ or ""
    if mod.startswith("_reference_oracle_timm"):
        return "timm"
    return mod.split(".", 1)[0]


def _run_hp(p: Plan, run: Run, ghp: Mapping[str, Any]) -> dict[str, Any]:
    """The hyperparameters of a run: per-coordinate ones sliced (or joined) to its coordinates."""
    out = dict(ghp)
    layout = p.layout
    for k, prm in p.decl.params.items():
        if not prm.per_coordinate:
            continue
        parts = []
        for i in run.tensors:
            ts = layout.tensors[i]
            g = layout.groups[ts.group]
            g_lo = layout.tensors[g.tensors[0]].lo
            parts.append(np.asarray(p.group_hps[ts.group][k])[ts.lo - g_lo:ts.hi - g_lo])
        out[k] = np.concatenate(parts)
    return out


def _low_state_note(dtype: str | None, their: str | None, p: Plan) -> str:
    if dtype is None or p.state_dtype == p.dtype:
        return ""
    short = dtype.replace("torch.", "")
    if short in ("bfloat16", "float16") and p.state_dtype == "float32":
        return (f" (the implementation keeps {their} in {short}; state_dtype='float32' (mixed precision) was "
                f"expected: pass state_dtype='{short}' to check it as pure low precision)")
    return ""


def _judge(a: np.ndarray, b: np.ndarray, excess: np.ndarray, q: float, tol: float, t: int, quantity: str,
           name: str, ts: Any, stream: str, note: str) -> tuple[float, Divergence | None]:
    """The normwise error ``max(excess) / q`` of one tensor (masks of NaN/inf exactly) and its
    divergence, if any."""
    fin_a, fin_b = np.isfinite(a), np.isfinite(b)
    if fin_a.all() and fin_b.all():  # the common case
        mask = fin_a[:0]
        ex = excess
    else:
        mask = (np.isnan(a) != np.isnan(b)) | (np.isposinf(a) != np.isposinf(b)) | (np.isneginf(a) != np.isneginf(b))
        ex = np.where(fin_a & fin_b, excess, -np.inf)
    worst = float(np.max(ex, initial=-np.inf))
    if worst <= 0:
        err = 0.0
    elif q > 0:
        err = worst / q
    else:
        err = math.inf
    if mask.any():
        i = int(np.flatnonzero(mask)[0])
        kind = "NaN" if np.isnan(a[i]) else ("inf" if np.isinf(a[i]) else "a finite value")
        other = "NaN" if np.isnan(b[i]) else ("inf" if np.isinf(b[i]) else "a finite value")
        return math.inf, Divergence(t, quantity, name, _index(i, ts.shape), float(a[i]), float(b[i]), math.inf, tol,
                                    f"{kind} in the implementation where the reference has {other}", ts.name, stream)
    if err > tol:
        i = int(np.argmax(ex))
        return err, Divergence(t, quantity, name, _index(i, ts.shape), float(a[i]), float(b[i]), err, tol,
                               f"relative error {err:.3e} > tolerance {tol:.3e}{note}", ts.name, stream)
    return err, None


def _index(i: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    if len(shape) == 0:
        return ()
    return tuple(int(v) for v in np.unravel_index(i, shape))

