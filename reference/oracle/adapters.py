"""Adapters: drive a PyTorch optimizer, an optax transformation or a plain NumPy step function.

Every adapter turns an implementation into a :class:`Driver` with ``start(x0)`` and
``step(oracle) -> (x, buffers)``; framework imports happen only when an adapter of that kind is
built.  Three kinds (:func:`as_impl` recognises them; :func:`torch_impl`, :func:`optax_impl` and
:func:`numpy_impl` say it explicitly and take options):

* **torch**: a ``torch.optim.Optimizer`` subclass (built as ``cls([p], **kwargs)`` with kwargs
  translated from the reference hyperparameters, :func:`translate`) or a factory
  ``params -> optimizer``.  Each step sets ``p.grad`` to the gradient at ``p`` and calls
  ``opt.step(closure)``; the closure re-evaluates the gradient at the current ``p`` (SAM, NIGT).
  The default dtype is the compared dtype during the run, so scalar state such as NAdam's
  ``mu_product`` is kept in it (torch keeps it in the default dtype).
* **optax**: a ``GradientTransformation`` (used as given), or a factory such as ``optax.lion``
  (called with translated kwargs).  Each reference step makes ``alg.oracle_calls`` calls
  ``update(g(params), state, params)`` + ``apply_updates`` (SAM's adversarial and outer calls of
  ``optax.contrib.sam``), or one call with ``grad_fn`` (``opaque=True``).  float64 runs inside
  ``jax.enable_x64``; the update is jitted (``jit=False`` to run it eagerly).
* **numpy**: ``step(x, g, state) -> (x, state)`` with ``state = None`` at the first call; ``g`` is
  the gradient array, or, for methods whose oracle depends on x (:data:`streams.X_DEPENDENT`),
  the gradient function ``x -> g``.  A Mapping or NamedTuple state exposes its arrays as buffers.

Buffers an implementation exposes are compared with the reference's state fields through
:data:`STATE_ALIASES` (their name -> reference field), overridable by ``state_map``.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..declaration import Conventions
from ..registry import REGISTRY

__all__ = ["Impl", "Driver", "ConfigError", "as_impl", "torch_impl", "optax_impl", "numpy_impl", "load",
           "translate", "STATE_ALIASES", "buffer_map"]


class ConfigError(Exception):
    """The implementation cannot be configured as the requested reference algorithm."""


# --------------------------------------------------------------------------- state names

_COMMON_STATE = {"exp_avg": "m", "mu": "m", "momentum_buffer": "m", "ema": "m", "m": "m"}


class _StateAliases(Mapping[str, Mapping[str, "str | None"]]):
    """``STATE_ALIASES[algorithm]``: the declaration's ``Conventions.buffers`` (live)."""

    def __getitem__(self, algorithm: str) -> Mapping[str, str | None]:
        decl = REGISTRY.get(algorithm)
        if decl is None or not decl.conventions.buffers:
            raise KeyError(algorithm)
        return decl.conventions.buffers

    def __iter__(self) -> Iterator[str]:
        return iter([name for name, decl in REGISTRY.items() if decl.conventions.buffers])

    def __len__(self) -> int:
        return sum(1 for _ in self)


STATE_ALIASES: Mapping[str, Mapping[str, str | None]] = _StateAliases()
"""Per algorithm: a third-party buffer name -> the reference state field (None: never compare),
on top of ``exp_avg``/``mu``/``momentum_buffer``/``ema`` -> ``m``; a name equal to a reference
field maps to it.  torch.optim, pytorch-optimizer, lion-pytorch and optax names, declared by each
algorithm (``reference.declaration.Conventions.buffers``)."""


def _conventions(algorithm: str) -> Conventions:
    decl = REGISTRY.get(algorithm)
    return Conventions() if decl is None else decl.conventions


def buffer_map(algorithm: str, ref_fields: tuple[str, ...], names: list[str],
               state_map: Mapping[str, str | None] | None) -> tuple[dict[str, str], list[str]]:
    """``(their -> reference field, names left uncompared)`` for the exposed buffer ``names``."""
    table: dict[str, str | None] = {**_COMMON_STATE, **_conventions(algorithm).buffers, **(state_map or {})}
    mapped, left = {}, []
    for name in names:
        leaf = name.rsplit(".", 1)[-1]
        target = table.get(name, table.get(leaf, leaf if leaf in ref_fields else None))
        if target is not None and target in ref_fields and target not in mapped.values():
            mapped[name] = target
        else:
            left.append(name)
    return mapped, left


# --------------------------------------------------------------------------- hyperparameter names

_KW_ALIASES: dict[str, tuple[str, ...]] = {
    "lr": ("lr", "learning_rate"),
    "beta1": ("beta1", "b1"),
    "beta2": ("beta2", "b2"),
    "beta3": ("beta3", "b3"),
    "beta": ("beta", "momentum"),
    "weight_decay": ("weight_decay",),
    "eps_inside_sqrt": ("eps_inside_sqrt", "eps_in_sqrt"),
    "v0": ("v0", "initial_scale"),
}
def _betas(conv: Conventions, hp: Mapping[str, Any]) -> tuple[float, ...] | None:
    """The ``betas`` tuple of an implementation: the declaration's, else beta1, beta2(, beta3) if set."""
    if conv.betas is not None:
        return conv.betas(hp)
    bs = tuple(hp[k] for k in ("beta1", "beta2", "beta3") if k in hp and hp[k] is not None)
    return bs if len(bs) >= 2 else None


def translate(algorithm: str, hp: Mapping[str, Any], explicit: set[str], params: Mapping[str, inspect.Parameter],
              ) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """Map reference hyperparameters to an implementation's keyword parameters.

    Returns ``(kwargs, how, not_passed)``: ``how[ref_name]`` names the implementation parameter
    that received it; ``not_passed`` lists reference hyperparameters left at their reference
    default because the implementation has no parameter for them.  An explicitly given one that
    cannot be passed raises :class:`ConfigError`, unless it is a convention option (a bool or a
    string, e.g. ``mu_schedule='constant'``): an implementation without such a parameter has one
    built-in convention, which the run then checks.  ``params``: the implementation's named
    parameters (``**kwargs`` receives only ``lr``, e.g. a SAM wrapper's base optimizer).
    """
    named = {k for k, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
    kwargs: dict[str, Any] = {}
    how: dict[str, str] = {}
    used: set[str] = set()
    conv = _conventions(algorithm)
    betas = _betas(conv, hp)
    if "betas" in named and betas is not None:
        kwargs["betas"] = betas
        for k in ("beta1", "beta2", "beta3"):
            if k in hp:
                how[k] = "betas"
        used.add("betas")
    for name, value in hp.items():
        if name in how:
            continue
        if name in conv.folded:  # expressed by the betas tuple (Adan's form)
            continue
        candidates = conv.kwargs.get(name) or _KW_ALIASES.get(name, (name,))
        target = next((c for c in candidates if c in named and c not in used), None)
        if target is None and name == "lr" and var_kw:
            target = "lr"
        if target is not None and callable(value):
            raise ConfigError(f"{name} is a schedule; schedules are not translated (t counts from 1 here), "
                              "pass the implementation's own through impl_kwargs")
        if target is None:
            if name in explicit and not isinstance(value, (bool, str)):
                raise ConfigError(f"the implementation has no parameter for the reference hyperparameter "
                                  f"{name}={value!r}; pass it under the implementation's name in impl_kwargs")
            continue
        if conv.betas is not None and name in ("beta1", "beta2", "beta3") and betas is not None:
            value = betas[("beta1", "beta2", "beta3").index(name)]  # the implementations' convention
        kwargs[target] = value
        how[name] = target
        used.add(target)
    for k, v in conv.flags.items():
        if k in named and k not in kwargs:
            kwargs[k] = v
            how[f"({algorithm})"] = f"{k}={v!r}"
    not_passed = [k for k in hp if k not in how and k not in conv.folded]
    return kwargs, how, not_passed


# --------------------------------------------------------------------------- the Impl record


@dataclass
class Impl:
    """An implementation to check: its kind, the object, a label, adapter options."""

    kind: str                      # "torch" | "optax" | "numpy"
    target: Any                    # class / factory / transformation / step function
    label: str
    spec: str | None = None        # "torch:mod:Class" when the CLI can name it
    options: dict[str, Any] = field(default_factory=dict)


def torch_impl(target: Any, *, label: str | None = None, closure: bool = True,
               default_dtype: bool = True) -> Impl:
    """A torch.optim.Optimizer subclass or a factory ``params -> optimizer``.

    ``closure=False`` calls ``opt.step()`` without a closure (for a ``step(self)`` signature).
    ``default_dtype=False`` leaves ``torch.get_default_dtype()`` as it is during the run (by
    default it is the compared dtype, where torch keeps scalar state such as NAdam's mu_product)."""
    return Impl("torch", target, label or _name(target), _spec("torch", target),
                {"closure": closure, "default_dtype": default_dtype})


def optax_impl(target: Any, *, label: str | None = None, jit: bool = True, opaque: bool = False,
               calls_per_step: int | None = None) -> Impl:
    """An optax ``GradientTransformation`` or a factory returning one (e.g. ``optax.lion``).

    ``opaque=True``: one ``update`` call per step with ``grad_fn=(params, i) -> gradient``
    (``optax.contrib.sam(..., opaque_mode=True)``).  ``calls_per_step``: update calls per reference
    step (default ``alg.oracle_calls``: 2 for SAM's adversarial + outer call)."""
    return Impl("optax", target, label or _name(target), _spec("optax", target),
                {"jit": jit and not opaque, "opaque": opaque, "calls_per_step": calls_per_step})


def numpy_impl(step: Callable[..., Any], *, label: str | None = None) -> Impl:
    """A plain step function ``step(x, g, state) -> (x, state)`` (``state=None`` at first)."""
    return Impl("numpy", step, label or _name(step), _spec("numpy", step))


def _name(obj: Any) -> str:
    mod = getattr(obj, "__module__", None) or type(obj).__module__
    qual = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    return f"{mod}.{qual}"


def _spec(kind: str, obj: Any) -> str | None:
    mod, qual = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not mod or not qual or "<" in qual:
        return None
    try:
        if _resolve_attr(importlib.import_module(mod), qual) is not obj:
            return None
    except Exception:  # noqa: BLE001 - not importable under that name
        return None
    return f"{kind}:{mod}:{qual}"


def _resolve_attr(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def load(dotted: str) -> Any:
    """Import ``package.module:Attr`` or ``package.module.Attr`` (the longest importable module)."""
    if ":" in dotted:
        mod, attr = dotted.split(":", 1)
        return _resolve_attr(importlib.import_module(mod), attr)
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        return _resolve_attr(module, ".".join(parts[i:])) if i < len(parts) else module
    raise ImportError(f"cannot import {dotted!r}")


def _from_spec(spec: str) -> Impl:
    kind, sep, rest = spec.partition(":")
    if not sep or kind not in ("torch", "optax", "numpy") or not rest:
        raise ValueError(f"implementation spec {spec!r} must be 'torch:module:Class', 'optax:optax.lion' or "
                         "'numpy:module:function'")
    try:
        target = load(rest)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot load {rest!r} for {spec!r}: {exc}") from None
    maker = {"torch": torch_impl, "optax": optax_impl, "numpy": numpy_impl}[kind]
    impl = maker(target, label=rest)
    impl.spec = spec
    return impl


def _positional_count(fn: Callable[..., Any]) -> int | None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    return sum(1 for p in sig.parameters.values()
               if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty)


def _is_torch_optimizer_class(obj: Any) -> bool:
    if not isinstance(obj, type):
        return False
    return any(c.__name__ == "Optimizer" and c.__module__.startswith("torch.optim") for c in obj.__mro__)


def _is_optax_transformation(obj: Any) -> bool:
    return (isinstance(obj, tuple) and callable(getattr(obj, "init", None))
            and callable(getattr(obj, "update", None)))


def as_impl(obj: Any) -> Impl:
    """Recognise an implementation: an :class:`Impl`, a spec string, a torch optimizer class, an
    optax transformation, an optax factory (has ``learning_rate``), a torch factory (one positional
    parameter) or a NumPy step (three).  Anything else raises ``TypeError`` naming the kinds."""
    if isinstance(obj, Impl):
        return obj
    if isinstance(obj, str):
        return _from_spec(obj)
    if _is_torch_optimizer_class(obj):
        return torch_impl(obj)
    if _is_optax_transformation(obj):
        return optax_impl(obj)
    if callable(obj) and not isinstance(obj, type):
        try:
            params = inspect.signature(obj).parameters
        except (TypeError, ValueError):
            params = {}
        if "learning_rate" in params:
            return optax_impl(obj)
        n = _positional_count(obj)
        if n == 1:
            return torch_impl(obj)
        if n == 3:
            return numpy_impl(obj)
    raise TypeError(
        f"cannot use {obj!r} as an implementation: expected a torch.optim.Optimizer subclass or a factory "
        "params -> optimizer, an optax GradientTransformation (or a factory such as optax.lion), a NumPy step "
        "function step(x, g, state) -> (x, state), or a spec string 'torch:module:Class' / 'optax:optax.lion' / "
        "'numpy:module:function'")


# --------------------------------------------------------------------------- drivers


class Driver:
    """``start(x0)``; ``step(oracle) -> (x, {buffer name: array})``; ``config``: what was passed."""

    config: dict[str, Any]
    how: dict[str, str]
    not_passed: list[str]

    def start(self, x0: np.ndarray) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def step(self, oracle: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        raise NotImplementedError  # pragma: no cover - interface


def make_driver(impl: Impl, algorithm: str, hp: Mapping[str, Any], explicit: set[str],
                impl_kwargs: Mapping[str, Any], dtype: str, calls: int, gradient_function: bool) -> Driver:
    """Build the driver of ``impl`` for the reference configuration (``ConfigError`` if impossible)."""
    if impl.kind == "torch":
        return _TorchDriver(impl, algorithm, hp, explicit, impl_kwargs, dtype)
    if impl.kind == "optax":
        return _OptaxDriver(impl, algorithm, hp, explicit, impl_kwargs, dtype, calls)
    if impl.kind == "numpy":
        if impl_kwargs:
            raise ConfigError("a NumPy step function takes no impl_kwargs")
        return _NumpyDriver(impl, dtype, gradient_function)
    raise TypeError(f"unknown implementation kind {impl.kind!r}")


def _signature_params(fn: Any) -> Mapping[str, inspect.Parameter]:
    try:
        params = dict(inspect.signature(fn).parameters)  # a class: its __signature__ or __init__ less self
    except (TypeError, ValueError):
        return {}
    params.pop("self", None)
    params.pop("params", None)
    return params


def _configure(target: Any, algorithm: str, hp: Mapping[str, Any], explicit: set[str],
               impl_kwargs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    kwargs, how, not_passed = translate(algorithm, hp, explicit, _signature_params(target))
    for k in impl_kwargs:
        for ref, tgt in list(how.items()):
            if tgt == k:
                del how[ref]
                if ref in hp:
                    not_passed.append(ref)
    kwargs.update(impl_kwargs)
    return kwargs, how, not_passed


class _TorchDriver(Driver):
    def __init__(self, impl: Impl, algorithm: str, hp: Mapping[str, Any], explicit: set[str],
                 impl_kwargs: Mapping[str, Any], dtype: str) -> None:
        import torch

        self.torch, self.impl = torch, impl
        self.dtype = getattr(torch, dtype)
        self.is_class = isinstance(impl.target, type)
        if self.is_class:
            self.kwargs, self.how, self.not_passed = _configure(impl.target, algorithm, hp, explicit, impl_kwargs)
        else:
            if impl_kwargs:
                raise ConfigError("a torch factory takes no impl_kwargs (configure it inside the factory)")
            self.kwargs, self.how, self.not_passed = {}, {}, []
        self.config = dict(self.kwargs)

    @contextlib.contextmanager
    def _default_dtype(self) -> Iterator[None]:
        previous = self.torch.get_default_dtype()
        if self.impl.options.get("default_dtype", True):
            self.torch.set_default_dtype(self.dtype)
        try:
            yield
        finally:
            self.torch.set_default_dtype(previous)

    def start(self, x0: np.ndarray) -> None:
        torch = self.torch
        with self._default_dtype():
            self.p = torch.nn.Parameter(torch.tensor(x0, dtype=self.dtype))
            try:
                self.opt = self.impl.target([self.p], **self.kwargs) if self.is_class else self.impl.target([self.p])
            except Exception as exc:  # noqa: BLE001 - any constructor error means "cannot configure"
                raise ConfigError(f"{self.impl.label}({_kw(self.kwargs)}) raised {type(exc).__name__}: {exc}") from exc
        if not isinstance(self.opt, torch.optim.Optimizer):
            raise ConfigError(f"{self.impl.label} returned {type(self.opt).__name__}, not a torch.optim.Optimizer")
        try:
            self.takes_closure = self.impl.options.get("closure", True) and \
                len(inspect.signature(self.opt.step).parameters) >= 1
        except (TypeError, ValueError):
            self.takes_closure = True

    def step(self, oracle: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        torch, p = self.torch, self.p

        def grad_at_p() -> torch.Tensor:
            g = oracle(p.detach().cpu().double().numpy())
            return torch.from_numpy(np.ascontiguousarray(g)).to(dtype=p.dtype, device=p.device)

        def closure() -> torch.Tensor:
            p.grad = grad_at_p()
            return torch.zeros((), dtype=p.dtype)

        with self._default_dtype():
            p.grad = grad_at_p()
            if self.takes_closure:
                self.opt.step(closure)
            else:
                self.opt.step()
        x = p.detach().cpu().double().numpy().copy()
        buffers = {}
        for k, v in self.opt.state.get(p, {}).items():
            if isinstance(v, torch.Tensor) and v.is_floating_point() and v.dim() > 0 and v.shape == p.shape:
                buffers[str(k)] = v.detach().cpu().double().numpy().reshape(p.shape).copy()
        return x, buffers


def _kw(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


class _OptaxDriver(Driver):
    def __init__(self, impl: Impl, algorithm: str, hp: Mapping[str, Any], explicit: set[str],
                 impl_kwargs: Mapping[str, Any], dtype: str, calls: int) -> None:
        import jax
        import optax

        self.jax, self.optax, self.impl, self.dtype = jax, optax, impl, dtype
        self.calls = impl.options.get("calls_per_step") or calls
        self.opaque = impl.options.get("opaque", False)
        target = impl.target
        if _is_optax_transformation(target):
            if impl_kwargs:
                raise ConfigError("an optax GradientTransformation is used as given: impl_kwargs apply to a factory")
            self.tx, self.kwargs, self.how, self.not_passed = target, {}, {}, []
        else:
            self.kwargs, self.how, self.not_passed = _configure(target, algorithm, hp, explicit, impl_kwargs)
            try:
                with self._x64():
                    self.tx = target(**self.kwargs)
            except Exception as exc:  # noqa: BLE001
                raise ConfigError(f"{impl.label}({_kw(self.kwargs)}) raised {type(exc).__name__}: {exc}") from exc
            if not _is_optax_transformation(self.tx):
                raise ConfigError(f"{impl.label} returned {type(self.tx).__name__}, not a GradientTransformation")
        self.config = dict(self.kwargs)
        self.update = jax.jit(self.tx.update) if impl.options.get("jit", True) else self.tx.update

    def _x64(self) -> contextlib.AbstractContextManager[Any]:
        if self.dtype != "float64":
            return contextlib.nullcontext()
        enable = getattr(self.jax, "enable_x64", None)
        if enable is None:  # older jax
            from jax.experimental import enable_x64 as enable  # type: ignore[no-redef]
            return enable()
        return enable(True)

    def start(self, x0: np.ndarray) -> None:
        with self._x64():
            self.params = self.jax.numpy.asarray(x0, dtype=self.dtype)
            if self.params.dtype != np.dtype(self.dtype):
                raise ConfigError(f"jax gave {self.params.dtype} for {self.dtype}")
            self.state = self.tx.init(self.params)

    def step(self, oracle: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        jnp = self.jax.numpy
        with self._x64():
            if self.opaque:
                g = jnp.asarray(oracle(np.asarray(self.params)), dtype=self.dtype)
                updates, self.state = self.tx.update(
                    g, self.state, self.params,
                    grad_fn=lambda params, i: jnp.asarray(oracle(np.asarray(params)), dtype=self.dtype))
                self.params = self.optax.apply_updates(self.params, updates)
            else:
                for _ in range(self.calls):
                    g = jnp.asarray(oracle(np.asarray(self.params)), dtype=self.dtype)
                    updates, self.state = self.update(g, self.state, self.params)
                    self.params = self.optax.apply_updates(self.params, updates)
            x = np.asarray(self.params, dtype=np.float64).copy()
            buffers = {k: np.asarray(v, dtype=np.float64).reshape(x.shape).copy()
                       for k, v in _named_leaves(self.state, x.shape)}
        return x, buffers


def _named_leaves(state: Any, shape: tuple[int, ...], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted name, array)`` of every array of ``shape`` in a tree of NamedTuples/tuples/dicts."""
    if hasattr(state, "_fields"):
        items = [(f, getattr(state, f)) for f in state._fields]
    elif isinstance(state, Mapping):
        items = [(str(k), v) for k, v in state.items()]
    elif isinstance(state, (tuple, list)):
        items = [(str(i), v) for i, v in enumerate(state)]
    else:
        if hasattr(state, "shape") and len(shape) > 0 and tuple(state.shape) == tuple(shape):
            yield prefix.rstrip("."), state
        return
    for k, v in items:
        yield from _named_leaves(v, shape, f"{prefix}{k}.")


class _NumpyDriver(Driver):
    def __init__(self, impl: Impl, dtype: str, gradient_function: bool) -> None:
        self.impl, self.dtype, self.gradient_function = impl, dtype, gradient_function
        self.config, self.how, self.not_passed = {}, {}, []

    def start(self, x0: np.ndarray) -> None:
        self.x, self.state = x0.astype(self.dtype), None

    def step(self, oracle: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        g = oracle if self.gradient_function else oracle(self.x)
        out = self.impl.target(self.x, g, self.state)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(f"{self.impl.label} must return (x, state), got {type(out).__name__}")
        x, self.state = out
        self.x = np.asarray(x)
        buffers = {k: np.asarray(v, dtype=np.float64).copy() for k, v in _named_leaves(self.state, self.x.shape)}
        return np.asarray(self.x, dtype=np.float64).copy(), buffers


def known_algorithms() -> list[str]:
    """Names accepted as ``algorithm`` (the reference factories)."""
    return sorted(REGISTRY)
