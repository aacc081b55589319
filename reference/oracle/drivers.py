"""Drivers: one step of an implementation at a time, whatever its framework.

A :class:`Driver` is built from an :class:`~reference.oracle.adapters.Impl` and a :class:`Setup`
(the algorithm, the parameter layout, the hyperparameters of each group, the dtype); then
``start(xs)`` creates the parameters from float64 arrays (representable in the dtype) and
``step(oracle, t, lrs) -> StepOut`` takes step ``t`` with the learning rates ``lrs`` (one per group,
set on the implementation when the reference's learning rate is a schedule) and returns the new
parameters and every buffer the implementation exposes, per tensor.  ``oracle(xs) -> gs`` gives the
gradients at any parameters (a torch closure, SAM's second optax call, a NumPy gradient function).

Buffers are found the same way in every framework: a torch optimizer's ``state[p]``; in a
functional state (optax, torchopt, NumPy) every node that mirrors the parameters (an array of the
parameter's shape, or a sequence of arrays of the tensors' shapes), named by its path (``0.mu``);
Keras' ``<variable>_<buffer>`` variables.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .adapters import Impl, is_transformation
from .layout import Layout
from .translate import ConfigError, impl_defaults, translate

__all__ = ["Setup", "StepOut", "Driver", "make_driver", "mirrored"]


@dataclass
class Setup:
    """What a driver needs to know about the comparison."""

    algorithm: str
    layout: Layout
    hps: list[dict[str, Any]]          # the resolved reference hyperparameters of each group
    explicit: list[set[str]]           # the names given for each group
    impl_kwargs: dict[str, Any]
    dtype: str
    calls: int                          # oracle calls per reference step
    gradient_function: bool             # the method evaluates the oracle away from x_t
    steps: int
    hp_form: str | None = None
    schedules: list[bool] = field(default_factory=list)  # group's lr is a schedule (set per step)


class StepOut(NamedTuple):
    """One step of the implementation: parameters (float64, their shapes), buffers (their name ->
    one array or None per tensor), the buffers' dtypes, and the update it returned
    (``x_t - x_{t+1}`` per tensor) when its API returns one (optax, torchopt), else None."""

    xs: list[np.ndarray]
    buffers: dict[str, list[np.ndarray | None]]
    dtypes: dict[str, str]
    deltas: list[np.ndarray] | None = None


class Driver:
    """``start(xs)``; ``step(oracle, t, lrs) -> StepOut``; what was passed (``config``, ``how``,
    ``not_passed``) and what the implementation kept at its own defaults (``impl_defaults``)."""

    config: dict[str, Any]
    how: dict[str, str]
    not_passed: list[str]
    impl_defaults: dict[str, Any]
    reference_lrs: list[list[float]] | None = None  # per step, per group: the learning rates to follow

    def start(self, xs: list[np.ndarray]) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def step(self, oracle: Callable[[Sequence[np.ndarray]], list[np.ndarray]], t: int,
             lrs: list[float]) -> StepOut:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        """Undo what ``start`` changed in the framework's global settings."""


class _TorchThreads:
    """Torch's process-wide settings for a run, restored after it: intra-op threads (``threads``
    option) and the default dtype while parameters are built (``default_dtype`` option)."""

    torch: Any
    impl: Impl
    dtype: Any

    @contextlib.contextmanager
    def _default_dtype(self) -> Iterator[None]:
        torch = self.torch
        previous = torch.get_default_dtype()
        if self.impl.options.get("default_dtype", True):
            torch.set_default_dtype(self.dtype if self.dtype in (torch.float32, torch.float64) else torch.float32)
        try:
            yield
        finally:
            torch.set_default_dtype(previous)

    def close(self) -> None:
        self._restore_threads(self.torch)

    def _set_threads(self, torch: Any, threads: int | None) -> None:
        self._threads_before = None
        if threads is not None and torch.get_num_threads() != threads:
            self._threads_before = torch.get_num_threads()
            torch.set_num_threads(threads)

    def _restore_threads(self, torch: Any) -> None:
        if getattr(self, "_threads_before", None) is not None:
            torch.set_num_threads(self._threads_before)
            self._threads_before = None


def make_driver(impl: Impl, setup: Setup) -> Driver:
    """The driver of ``impl`` for ``setup`` (``ConfigError`` if it cannot be configured)."""
    maker = {"torch": _TorchDriver, "optax": _OptaxDriver, "functional": _FunctionalDriver,
             "keras": _KerasDriver, "numpy": _NumpyDriver}.get(impl.kind)
    if maker is None:
        raise TypeError(f"unknown implementation kind {impl.kind!r}")
    return maker(impl, setup)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- configuration


def _signature_params(fn: Any) -> dict[str, inspect.Parameter]:
    try:
        params = dict(inspect.signature(fn).parameters)  # a class: its __signature__ or __init__ less self
    except (TypeError, ValueError):
        return {}
    params.pop("self", None)
    params.pop("params", None)
    return params


def _kw(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


class _Configured:
    """Per group: the translated kwargs; merged records."""

    def __init__(self, target: Any, setup: Setup, lr_value: Callable[[int, Any], Any] | None = None) -> None:
        params = _signature_params(target)
        self.kwargs: list[dict[str, Any]] = []
        how: dict[str, str] = {}
        not_passed: list[str] = []
        for g, hp in enumerate(setup.hps):
            kwargs, h, np_ = translate(setup.algorithm, hp, setup.explicit[g], params, setup.hp_form)
            for k in setup.impl_kwargs:
                for ref, tgt in list(h.items()):
                    if tgt == k:
                        del h[ref]
                        if ref in hp:
                            np_.append(ref)
            kwargs.update(setup.impl_kwargs)
            lr_name = h.get("lr")
            if lr_name is not None and callable(hp["lr"]):
                if lr_value is None:
                    kwargs[lr_name] = hp["lr"](1)
                    h["lr"] = f"{lr_name} (set to lr_t before each step)"
                else:
                    kwargs[lr_name] = lr_value(g, hp["lr"])
                    h["lr"] = f"{lr_name} (a schedule of the update count)"
            self.kwargs.append(kwargs)
            how.update(h)
            not_passed += [k for k in np_ if k not in not_passed]
        self.how, self.not_passed = how, not_passed
        self.defaults = impl_defaults(params, self.kwargs[0]) if params else {}
        self.config: dict[str, Any] = dict(self.kwargs[0]) if len(self.kwargs) == 1 else \
            {f"group {g}": dict(k) for g, k in enumerate(self.kwargs)}


# --------------------------------------------------------------------------- mirrored buffers


def _children(node: Any) -> list[tuple[str, Any]] | None:
    if hasattr(node, "_fields"):
        return [(f, getattr(node, f)) for f in node._fields]
    if isinstance(node, Mapping):
        return [(str(k), v) for k, v in node.items()]
    if isinstance(node, (tuple, list)):
        return [(str(i), v) for i, v in enumerate(node)]
    return None


def mirrored(state: Any, shapes: Sequence[tuple[int, ...]], bare: bool,
             shape_of: Callable[[Any], tuple[int, ...] | None]) -> Iterator[tuple[str, list[Any]]]:
    """``(path, [leaf per tensor])`` of every node of ``state`` that mirrors the parameters: with
    ``bare`` (one tensor passed as a bare array) a leaf of its shape, else a sequence (or mapping)
    of leaves of the tensors' shapes, in order."""
    def walk(node: Any, path: str) -> Iterator[tuple[str, list[Any]]]:
        kids = _children(node)
        if bare:
            if kids is None:
                if shape_of(node) == tuple(shapes[0]):
                    yield path, [node]
                return
        elif kids is not None and len(kids) == len(shapes) and all(
                _children(v) is None and shape_of(v) == tuple(s) for (_, v), s in zip(kids, shapes)):
            yield path, [v for _, v in kids]
            return
        for k, v in kids or []:
            yield from walk(v, f"{path}.{k}" if path else k)

    yield from walk(state, "")


def _np_shape(a: Any) -> tuple[int, ...] | None:
    s = getattr(a, "shape", None)
    return None if s is None or not hasattr(a, "dtype") else tuple(int(v) for v in s)


# --------------------------------------------------------------------------- torch


class _TorchDriver(_TorchThreads, Driver):
    def __init__(self, impl: Impl, setup: Setup) -> None:
        import torch

        self.torch, self.impl, self.setup = torch, impl, setup
        self.dtype = getattr(torch, setup.dtype)
        self.is_class = isinstance(impl.target, type)
        self.set_lr = any(setup.schedules)
        if self.is_class:
            conf = _Configured(impl.target, setup)
            self.kwargs, self.how, self.not_passed = conf.kwargs, conf.how, conf.not_passed
            self.impl_defaults, self.config = conf.defaults, conf.config
        else:
            if setup.impl_kwargs:
                raise ConfigError("a torch factory takes no impl_kwargs (configure it inside the factory)")
            self.kwargs = [{} for _ in setup.hps]
            self.how, self.not_passed, self.impl_defaults, self.config = {}, [], {}, {}
            if self.set_lr:
                self.how["lr"] = "param_groups[i]['lr'] (set to lr_t before each step)"
        scheduler = impl.options.get("scheduler")
        if scheduler is not None:
            if self.set_lr:
                raise ConfigError("give the learning-rate schedule either as the reference's lr (a function of t) "
                                  "or as a torch scheduler, not both")
            self.reference_lrs = self._twin_lrs(scheduler)
            self.how["lr"] = f"{self.how.get('lr', 'lr')} (driven by the scheduler)"

    def _twin_lrs(self, scheduler: Callable[[Any], Any]) -> list[list[float]]:
        """The learning rates a twin of the scheduler gives, per step and group (the reference's)."""
        torch = self.torch
        groups = []
        for hp in self.setup.hps:
            groups.append({"params": [torch.zeros(1, requires_grad=True)], "lr": float(hp["lr"])})
        twin = torch.optim.SGD(groups, lr=groups[0]["lr"])
        try:
            sched = scheduler(twin)
        except Exception as exc:  # noqa: BLE001
            raise ConfigError(f"the scheduler factory raised {type(exc).__name__}: {exc}") from exc
        out = []
        for _ in range(self.setup.steps):
            out.append([float(g["lr"]) for g in twin.param_groups])
            twin.step()
            sched.step()
        return out

    def start(self, xs: list[np.ndarray]) -> None:
        torch, layout = self.torch, self.setup.layout
        self._set_threads(torch, self.impl.options.get("threads", 1))
        with self._default_dtype():
            self.ps = [torch.nn.Parameter(torch.tensor(x, dtype=self.dtype)) for x in xs]
            if layout.single or len(layout.groups) == 1:
                params: Any = self.ps
            else:
                params = [{"params": [self.ps[i] for i in g.tensors], **self.kwargs[g.index]} for g in layout.groups]
            if not self.is_class and len(layout.groups) > 1:
                params = [{"params": [self.ps[i] for i in g.tensors]} for g in layout.groups]
            try:
                self.opt = self.impl.target(params, **self.kwargs[0]) if self.is_class else self.impl.target(params)
            except Exception as exc:  # noqa: BLE001 - any constructor error means "cannot configure"
                raise ConfigError(f"{self.impl.label}({_kw(self.kwargs[0])}) raised {type(exc).__name__}: {exc}"
                                  ) from exc
            scheduler = self.impl.options.get("scheduler")
            self.sched = None
            if scheduler is not None:
                try:
                    self.sched = scheduler(self.opt)
                except Exception as exc:  # noqa: BLE001
                    raise ConfigError(f"the scheduler factory raised {type(exc).__name__}: {exc}") from exc
        if not callable(getattr(self.opt, "step", None)):
            raise ConfigError(f"{self.impl.label} returned {type(self.opt).__name__}, which has no step()")
        if not isinstance(self.opt, torch.optim.Optimizer) and not hasattr(self.opt, "state_groups"):
            raise ConfigError(f"{self.impl.label} returned {type(self.opt).__name__}, not a torch.optim.Optimizer")
        try:
            self.takes_closure = self.impl.options.get("closure", True) and \
                len(inspect.signature(self.opt.step).parameters) >= 1
        except (TypeError, ValueError):
            self.takes_closure = True

    def step(self, oracle: Callable[[Sequence[np.ndarray]], list[np.ndarray]], t: int, lrs: list[float]) -> StepOut:
        torch, ps = self.torch, self.ps

        def set_grads() -> None:
            gs = oracle([p.detach().cpu().double().numpy() for p in ps])
            for p, g in zip(ps, gs):
                p.grad = torch.from_numpy(np.ascontiguousarray(g)).to(dtype=p.dtype, device=p.device)

        def closure() -> Any:
            set_grads()
            return torch.zeros((), dtype=torch.float32)

        with self._default_dtype():
            if self.set_lr:
                groups = self.opt.param_groups
                for g, lr in zip(groups, lrs):
                    g["lr"] = lr
            set_grads()
            if self.takes_closure:
                self.opt.step(closure)
            else:
                self.opt.step()
            if self.sched is not None:
                self.sched.step()
        xs = [p.detach().cpu().double().numpy().copy() for p in ps]
        return StepOut(xs, *self._buffers())

    def _buffers(self) -> tuple[dict[str, list[np.ndarray | None]], dict[str, str]]:
        torch, ps = self.torch, self.ps
        buffers: dict[str, list[np.ndarray | None]] = {}
        dtypes: dict[str, str] = {}
        state = getattr(self.opt, "state", None)
        if isinstance(state, Mapping):
            for j, p in enumerate(ps):
                for k, v in _flat_items(state.get(p, {})):
                    if isinstance(v, torch.Tensor) and v.is_floating_point() and (
                            tuple(v.shape) == tuple(p.shape) or (v.dim() <= 1 and v.numel() == 1)):
                        buffers.setdefault(k, [None] * len(ps))[j] = v.detach().cpu().double().numpy().copy()
                        dtypes[k] = str(v.dtype).replace("torch.", "")
        elif hasattr(self.opt, "state_groups"):  # torchopt's torch.optim-like classes: functional states
            params = [list(g) for g in self.opt.param_groups]
            k0 = 0
            for group, st in zip(params, self.opt.state_groups):
                shapes = [tuple(p.shape) for p in group]
                for name, leaves in mirrored(st, shapes, False, _torch_shape):
                    row = buffers.setdefault(name, [None] * len(ps))
                    for i, leaf in enumerate(leaves):
                        row[k0 + i] = leaf.detach().cpu().double().numpy().copy()
                        dtypes[name] = str(leaf.dtype).replace("torch.", "")
                k0 += len(group)
        return buffers, dtypes


def _flat_items(d: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted key, value)`` of a possibly nested per-parameter state dict (heavyball: ``state[p][0][...]``)."""
    if not isinstance(d, Mapping):
        return
    for k, v in d.items():
        if isinstance(v, Mapping):
            yield from _flat_items(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def _torch_shape(a: Any) -> tuple[int, ...] | None:
    s = getattr(a, "shape", None)
    if s is None or not hasattr(a, "is_floating_point") or not a.is_floating_point():
        return None
    return tuple(int(v) for v in s)


# --------------------------------------------------------------------------- functional (optax, torchopt)


def _table_schedule(lr: Callable[[int], float], steps: int, calls: int) -> list[float]:
    if calls != 1:
        raise ConfigError("a learning-rate schedule needs one update call per step (its count is the step)")
    return [float(lr(t)) for t in range(1, steps + 1)]


class _Functional(Driver):
    """Shared by optax and torchopt: one transformation per group (or one given, for all)."""

    framework = ""

    def _setup(self, impl: Impl, setup: Setup, lr_value: Callable[[int, Any], Any]) -> None:
        self.impl, self.setup = impl, setup
        self.calls = impl.options.get("calls_per_step") or setup.calls
        target = impl.target
        self.given = is_transformation(target)
        if self.given:
            if setup.impl_kwargs:
                raise ConfigError(f"an {self.framework} transformation is used as given: impl_kwargs apply to a "
                                  "factory")
            if any(setup.schedules):
                raise ConfigError("a transformation is used as given: give the schedule to its factory, or the "
                                  "factory to the oracle")
            self.txs = [target]
            self.how, self.not_passed, self.impl_defaults, self.config = {}, [], {}, {}
            self.parts = [tuple(range(len(setup.layout.tensors)))]
            return
        conf = _Configured(target, setup, lr_value)
        self.how, self.not_passed, self.impl_defaults, self.config = conf.how, conf.not_passed, conf.defaults, \
            conf.config
        self.txs = []
        for kwargs in conf.kwargs:
            try:
                with self._x64():
                    tx = target(**kwargs)
            except Exception as exc:  # noqa: BLE001
                raise ConfigError(f"{impl.label}({_kw(kwargs)}) raised {type(exc).__name__}: {exc}") from exc
            if not is_transformation(tx):
                raise ConfigError(f"{impl.label} returned {type(tx).__name__}, not a GradientTransformation")
            self.txs.append(tx)
        self.parts = [g.tensors for g in setup.layout.groups]

    def _x64(self) -> contextlib.AbstractContextManager[Any]:
        return contextlib.nullcontext()

    @property
    def bare(self) -> bool:
        return self.setup.layout.single


class _OptaxDriver(_Functional):
    framework = "optax"

    def __init__(self, impl: Impl, setup: Setup) -> None:
        import jax
        import optax

        self.jax, self.optax, self.dtype = jax, optax, setup.dtype
        self.opaque = impl.options.get("opaque", False)

        def lr_value(g: int, lr: Any) -> Any:
            table = jax.numpy.asarray(_table_schedule(lr, setup.steps, self.calls), dtype=jax.numpy.float64
                                      if setup.dtype == "float64" else jax.numpy.float32)
            return lambda count: table[count]

        self.calls = impl.options.get("calls_per_step") or setup.calls
        with self._x64():
            self._setup(impl, setup, lr_value)
        self.updates = [jax.jit(tx.update) if impl.options.get("jit", True) else tx.update for tx in self.txs]

    def _x64(self) -> contextlib.AbstractContextManager[Any]:
        if self.dtype != "float64":
            return contextlib.nullcontext()
        enable: Any = getattr(self.jax, "enable_x64", None)
        if enable is None:  # older jax
            enable = importlib.import_module("jax.experimental").enable_x64
            return enable()  # type: ignore[no-any-return]
        return enable(True)  # type: ignore[no-any-return]

    def _tree(self, arrays: list[Any]) -> Any:
        return arrays[0] if self.bare else tuple(arrays)

    def start(self, xs: list[np.ndarray]) -> None:
        jnp = self.jax.numpy
        with self._x64():
            self.x = [jnp.asarray(x, dtype=self.dtype) for x in xs]
            if self.x[0].dtype != np.dtype(self.x[0].dtype.name) or self.x[0].dtype.name != self.dtype:
                raise ConfigError(f"jax gave {self.x[0].dtype} for {self.dtype}")
            self.states = [tx.init(self._tree([self.x[i] for i in part])) for tx, part in zip(self.txs, self.parts)]

    def step(self, oracle: Callable[[Sequence[np.ndarray]], list[np.ndarray]], t: int, lrs: list[float]) -> StepOut:
        jnp, optax = self.jax.numpy, self.optax
        deltas: list[Any] = [None] * len(self.x)
        with self._x64():
            for _ in range(1 if self.opaque else self.calls):
                gs = [jnp.asarray(g, dtype=self.dtype) for g in oracle([np.asarray(x) for x in self.x])]
                for k, (tx, part) in enumerate(zip(self.txs, self.parts)):
                    params = self._tree([self.x[i] for i in part])
                    grads = self._tree([gs[i] for i in part])
                    if self.opaque:
                        def grad_fn(p: Any, i: Any, part: tuple[int, ...] = part) -> Any:
                            leaves = [p] if self.bare else list(p)
                            full = [np.asarray(x) for x in self.x]
                            for j, leaf in zip(part, leaves):
                                full[j] = np.asarray(leaf)
                            g_all = oracle(full)
                            return self._tree([jnp.asarray(g_all[j], dtype=self.dtype) for j in part])
                        updates, self.states[k] = tx.update(grads, self.states[k], params, grad_fn=grad_fn)
                    else:
                        updates, self.states[k] = self.updates[k](grads, self.states[k], params)
                    new = optax.apply_updates(params, updates)
                    leaves_u = [updates] if self.bare else list(updates)
                    leaves_x = [new] if self.bare else list(new)
                    for j, u, x in zip(part, leaves_u, leaves_x):
                        self.x[j] = x
                        deltas[j] = -np.asarray(u, dtype=np.float64).reshape(-1)
            xs = [np.asarray(x, dtype=np.float64).copy() for x in self.x]
            buffers, dtypes = self._buffers()
        exact = self.calls == 1 and not self.opaque
        return StepOut(xs, buffers, dtypes, [d.reshape(x.shape) for d, x in zip(deltas, xs)] if exact else None)

    def _buffers(self) -> tuple[dict[str, list[np.ndarray | None]], dict[str, str]]:
        n = len(self.x)
        buffers: dict[str, list[np.ndarray | None]] = {}
        dtypes: dict[str, str] = {}
        for st, part in zip(self.states, self.parts):
            shapes = [tuple(self.x[i].shape) for i in part]
            for name, leaves in mirrored(st, shapes, self.bare, _np_shape):
                row = buffers.setdefault(name, [None] * n)
                for j, leaf in zip(part, leaves):
                    row[j] = np.asarray(leaf, dtype=np.float64).copy()
                    dtypes[name] = str(leaf.dtype)
        return buffers, dtypes


class _FunctionalDriver(_TorchThreads, _Functional):
    framework = "torchopt"

    def __init__(self, impl: Impl, setup: Setup) -> None:
        import torch

        self.torch = torch
        self.dtype = getattr(torch, setup.dtype)

        def lr_value(g: int, lr: Any) -> Any:
            table = _table_schedule(lr, setup.steps, self.calls)
            return lambda count: table[int(count)]

        self.calls = impl.options.get("calls_per_step") or setup.calls
        self._setup(impl, setup, lr_value)
        if self.calls != 1:
            raise ConfigError("a functional torch transformation is driven with one update call per step")
        self.apply = impl.options.get("apply")

    def start(self, xs: list[np.ndarray]) -> None:
        torch = self.torch
        self._set_threads(torch, self.impl.options.get("threads", 1))
        with self._default_dtype():
            self.x = [torch.tensor(x, dtype=self.dtype) for x in xs]
            self.states = [tx.init(tuple(self.x[i] for i in part)) for tx, part in zip(self.txs, self.parts)]

    def step(self, oracle: Callable[[Sequence[np.ndarray]], list[np.ndarray]], t: int, lrs: list[float]) -> StepOut:
        with self._default_dtype():
            return self._step(oracle)

    def _step(self, oracle: Callable[[Sequence[np.ndarray]], list[np.ndarray]]) -> StepOut:
        torch = self.torch
        gs = [torch.from_numpy(np.ascontiguousarray(g)).to(self.dtype)
              for g in oracle([x.double().numpy() for x in self.x])]
        deltas: list[Any] = [None] * len(self.x)
        for k, (tx, part) in enumerate(zip(self.txs, self.parts)):
            params = tuple(self.x[i] for i in part)
            grads = tuple(gs[i] for i in part)
            try:
                updates, self.states[k] = tx.update(grads, self.states[k], params=params, inplace=False)
            except TypeError:
                updates, self.states[k] = tx.update(grads, self.states[k], params)
            new = self.apply(params, updates) if self.apply is not None else \
                tuple(p + u for p, u in zip(params, updates))
            for j, u, x in zip(part, updates, new):
                self.x[j] = x
                deltas[j] = -u.detach().double().numpy().copy()
        xs = [x.detach().double().numpy().copy() for x in self.x]
        n = len(self.x)
        buffers: dict[str, list[np.ndarray | None]] = {}
        dtypes: dict[str, str] = {}
        for st, part in zip(self.states, self.parts):
            shapes = [tuple(self.x[i].shape) for i in part]
            for name, leaves in mirrored(st, shapes, False, _torch_shape):
                row = buffers.setdefault(name, [None] * n)
                for j, leaf in zip(part, leaves):
                    row[j] = leaf.detach().double().numpy().copy()
                    dtypes[name] = str(leaf.dtype).replace("torch.", "")
        return StepOut(xs, buffers, dtypes, deltas)


# --------------------------------------------------------------------------- keras


class _KerasDriver(Driver):
    def __init__(self, impl: Impl, setup: Setup) -> None:
        import keras

        self.keras, self.impl, self.setup, self.dtype = keras, impl, setup, setup.dtype
        if setup.calls != 1 or setup.gradient_function:
            raise ConfigError("a Keras optimizer applies the gradients it is given: it cannot evaluate the oracle at "
                              f"another point ({setup.algorithm} is x-dependent)")
        self.given = not isinstance(impl.target, type)
        self.set_lr = any(setup.schedules)
        if self.given:
            if setup.impl_kwargs:
                raise ConfigError("a Keras optimizer instance is used as given: impl_kwargs apply to a class")
            if len(setup.layout.groups) > 1:
                raise ConfigError("a Keras optimizer instance serves one param group; pass the class for several")
            self.kwargs: list[dict[str, Any]] = [{}]
            self.how, self.not_passed, self.impl_defaults, self.config = {}, [], {}, {}
            if self.set_lr:
                self.how["lr"] = "learning_rate (set to lr_t before each step)"
        else:
            conf = _Configured(impl.target, setup)
            self.kwargs, self.how, self.not_passed = conf.kwargs, conf.how, conf.not_passed
            self.impl_defaults, self.config = conf.defaults, conf.config

    @contextlib.contextmanager
    def _context(self) -> Iterator[None]:
        keras = self.keras
        previous = keras.config.floatx()
        stack = contextlib.ExitStack()
        if self.dtype in ("float64", "float32"):
            keras.config.set_floatx(self.dtype)
        if keras.backend.backend() == "jax" and self.dtype == "float64":
            import jax

            stack.enter_context(jax.enable_x64(True))
        try:
            with stack:
                yield
        finally:
            keras.config.set_floatx(previous)

    def start(self, xs: list[np.ndarray]) -> None:
        keras, layout = self.keras, self.setup.layout
        with self._context():
            self.vars = [keras.Variable(x.astype(np.float64), dtype=self.dtype, name=t.name)
                         for x, t in zip(xs, layout.tensors)]
            self.opts = []
            for g in layout.groups:
                try:
                    if self.given:  # a fresh copy: the user's instance keeps its state, each stream starts anew
                        target = self.impl.target
                        opt = type(target).from_config(target.get_config())
                    else:
                        opt = self.impl.target(**self.kwargs[g.index])
                    opt.build([self.vars[i] for i in g.tensors])
                except Exception as exc:  # noqa: BLE001
                    raise ConfigError(f"{self.impl.label}({_kw(self.kwargs[g.index])}) raised "
                                      f"{type(exc).__name__}: {exc}") from exc
                self.opts.append(opt)

    def step(self, oracle: Callable[[Sequence[np.ndarray]], list[np.ndarray]], t: int, lrs: list[float]) -> StepOut:
        keras, layout = self.keras, self.setup.layout
        with self._context():
            gs = oracle([keras.ops.convert_to_numpy(v.value).astype(np.float64) for v in self.vars])
            for g, opt in zip(layout.groups, self.opts):
                if self.set_lr:
                    opt.learning_rate = lrs[g.index]
                grads = [keras.ops.convert_to_tensor(gs[i], dtype=self.dtype) for i in g.tensors]
                opt.apply_gradients(zip(grads, [self.vars[i] for i in g.tensors]))
            xs = [keras.ops.convert_to_numpy(v.value).astype(np.float64).copy() for v in self.vars]
            buffers: dict[str, list[np.ndarray | None]] = {}
            dtypes: dict[str, str] = {}
            names = [t.name for t in layout.tensors]
            for opt in self.opts:
                for var in opt.variables:
                    vname = var.name
                    for j, pname in enumerate(names):
                        if vname.startswith(pname + "_") and tuple(var.shape) in (layout.tensors[j].shape, ()):
                            key = vname[len(pname) + 1:]
                            value = keras.ops.convert_to_numpy(var.value)
                            if np.issubdtype(value.dtype, np.floating) or str(value.dtype) == "bfloat16":
                                buffers.setdefault(key, [None] * len(names))[j] = value.astype(np.float64).copy()
                                dtypes[key] = str(var.dtype)
                            break
        return StepOut(xs, buffers, dtypes)


# --------------------------------------------------------------------------- numpy


class _NumpyDriver(Driver):
    def __init__(self, impl: Impl, setup: Setup) -> None:
        if setup.impl_kwargs:
            raise ConfigError("a NumPy step function takes no impl_kwargs")
        if any(setup.schedules):
            raise ConfigError("a NumPy step function is given no learning rate: write the schedule into it")
        self.impl, self.setup = impl, setup
        self.config, self.how, self.not_passed, self.impl_defaults = {}, {}, [], {}
        self.np_dtype: Any = setup.dtype
        if setup.dtype == "bfloat16":
            try:
                import ml_dtypes
            except ImportError:
                raise ConfigError("NumPy has no bfloat16: install ml_dtypes for a NumPy step in bfloat16") from None
            self.np_dtype = ml_dtypes.bfloat16

    def start(self, xs: list[np.ndarray]) -> None:
        self.x = [x.astype(self.np_dtype) for x in xs]
        self.state: Any = None

    def step(self, oracle: Callable[[Sequence[np.ndarray]], list[np.ndarray]], t: int, lrs: list[float]) -> StepOut:
        single = self.setup.layout.single
        dt = self.np_dtype
        if self.setup.gradient_function:
            if single:
                def g(x: np.ndarray) -> np.ndarray:
                    return oracle([np.asarray(x, dtype=np.float64)])[0].astype(dt)
            else:
                def g(xs: Sequence[np.ndarray]) -> list[np.ndarray]:  # type: ignore[misc]
                    return [a.astype(dt) for a in oracle([np.asarray(x, dtype=np.float64) for x in xs])]
            arg: Any = g
        else:
            gs = [a.astype(dt) for a in oracle([x.astype(np.float64) for x in self.x])]
            arg = gs[0] if single else gs
        out = self.impl.target(self.x[0] if single else list(self.x), arg, self.state)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(f"{self.impl.label} must return (x, state), got {type(out).__name__}")
        x, self.state = out
        self.x = [np.asarray(x)] if single else [np.asarray(a) for a in x]
        shapes = self.setup.layout.shapes
        if len(self.x) != len(shapes) or any(a.shape != s for a, s in zip(self.x, shapes)):
            got = [a.shape for a in self.x]
            raise _ShapeError(f"the implementation returned x of shape {got[0] if single else got}, expected "
                              f"{shapes[0] if single else shapes}")
        buffers: dict[str, list[np.ndarray | None]] = {}
        dtypes: dict[str, str] = {}
        for name, leaves in mirrored(self.state, shapes, single, _np_shape):
            buffers[name] = [np.asarray(v, dtype=np.float64).copy() for v in leaves]
            dtypes[name] = str(np.asarray(leaves[0]).dtype)
        return StepOut([np.asarray(a, dtype=np.float64).copy() for a in self.x], buffers, dtypes)


class _ShapeError(Exception):
    """The implementation returned parameters of the wrong shape (reported as such)."""
