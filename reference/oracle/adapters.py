"""Implementations the oracle can drive, and how it recognises them.

Five kinds (:func:`as_impl` recognises them; :func:`torch_impl`, :func:`optax_impl`,
:func:`keras_impl`, :func:`functional_impl` and :func:`numpy_impl` say it explicitly and take
options).  Framework imports happen only when a driver of that kind is built
(:mod:`reference.oracle.drivers`).

* **torch**: a ``torch.optim.Optimizer`` subclass, or any class with ``step``/``zero_grad`` that
  takes the parameters first (torchopt's ``torchopt.Adam``), built as ``cls(params, **kwargs)`` with
  kwargs translated from the reference hyperparameters (:func:`reference.oracle.translate.translate`),
  one param group per group; or a factory ``params -> optimizer``.  ``scheduler=`` takes a factory
  ``optimizer -> torch LR scheduler``, stepped after every optimizer step (the reference follows
  the same schedule, read from a twin scheduler).
* **optax**: a ``GradientTransformation`` (used as given) or a factory such as ``optax.lion``.
* **functional**: an ``(init, update)`` transformation over torch tensors that is not optax
  (torchopt's ``torchopt.adam(...)``) or a factory of one.
* **keras**: a Keras 3 optimizer class (``keras.optimizers.Lion``) or instance, on any backend.
* **numpy**: ``step(x, g, state) -> (x, state)`` with ``state = None`` at the first call (lists of
  arrays when there are several tensors).

Anything else raises ``TypeError`` naming the kinds.  ``load('timm.optim.lion:Lion')`` imports
timm's optimizers without importing timm (and torchvision): :func:`load_timm`.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..registry import REGISTRY
from .translate import STATE_ALIASES, ConfigError, buffer_map, translate

__all__ = ["Impl", "ConfigError", "KINDS", "as_impl", "torch_impl", "optax_impl", "keras_impl", "functional_impl",
           "numpy_impl", "load", "load_timm", "translate", "STATE_ALIASES", "buffer_map", "known_algorithms"]

KINDS = ("torch", "optax", "functional", "keras", "numpy")
"""The implementation kinds (and the spec prefixes ``kind:module:attr``)."""


@dataclass
class Impl:
    """An implementation to check: its kind, the object, a label, adapter options."""

    kind: str                      # one of KINDS
    target: Any                    # class / factory / transformation / optimizer / step function
    label: str
    spec: str | None = None        # "torch:mod:Class" when the CLI can name it
    options: dict[str, Any] = field(default_factory=dict)


def torch_impl(target: Any, *, label: str | None = None, closure: bool = True, default_dtype: bool = True,
               scheduler: Callable[[Any], Any] | None = None, threads: int | None = 1) -> Impl:
    """A torch.optim.Optimizer subclass (or a torch.optim-like class) or a factory ``params -> optimizer``.

    ``closure=False`` calls ``opt.step()`` without a closure.  ``default_dtype=False`` leaves
    ``torch.get_default_dtype()`` as it is during the run (by default it is the compared dtype,
    float32 for low-precision parameters).  ``scheduler``: ``optimizer -> LR scheduler``, stepped after
    each optimizer step; the reference takes the learning rates a twin of it gives.  ``threads``: torch's
    intra-op threads during the run (restored after; None leaves them): one optimizer step at a time
    gains nothing from them, and on a busy machine their synchronisation costs ~100x."""
    return Impl("torch", target, label or _name(target), _spec("torch", target),
                {"closure": closure, "default_dtype": default_dtype, "scheduler": scheduler, "threads": threads})


def optax_impl(target: Any, *, label: str | None = None, jit: bool = True, opaque: bool = False,
               calls_per_step: int | None = None) -> Impl:
    """An optax ``GradientTransformation`` or a factory returning one (e.g. ``optax.lion``).

    ``opaque=True``: one ``update`` call per step with ``grad_fn=(params, i) -> gradient``
    (``optax.contrib.sam(..., opaque_mode=True)``).  ``calls_per_step``: update calls per reference
    step (default ``alg.oracle_calls``: 2 for SAM's adversarial + outer call)."""
    return Impl("optax", target, label or _name(target), _spec("optax", target),
                {"jit": jit and not opaque, "opaque": opaque, "calls_per_step": calls_per_step})


def functional_impl(target: Any, *, label: str | None = None, apply: Callable[[Any, Any], Any] | None = None,
                    calls_per_step: int | None = None, default_dtype: bool = True, threads: int | None = 1) -> Impl:
    """An ``(init, update)`` transformation over torch tensors (torchopt) or a factory of one.

    ``update(grads, state, params=params)`` returns ``(updates, state)``; ``apply(params, updates)``
    (default: ``params + updates`` leaf by leaf) gives the new parameters.  ``default_dtype`` as for
    :func:`torch_impl` (torchopt forms scalars such as bias corrections in the default dtype), and so
    ``threads``."""
    return Impl("functional", target, label or _name(target), _spec("functional", target),
                {"apply": apply, "calls_per_step": calls_per_step, "default_dtype": default_dtype,
                 "threads": threads})


def keras_impl(target: Any, *, label: str | None = None) -> Impl:
    """A Keras 3 optimizer class (built per param group with translated kwargs) or instance (used as
    given), on whatever backend Keras runs (``KERAS_BACKEND``)."""
    return Impl("keras", target, label or _name(target), _spec("keras", target), {})


def numpy_impl(step: Callable[..., Any], *, label: str | None = None) -> Impl:
    """A plain step function ``step(x, g, state) -> (x, state)`` (``state=None`` at first)."""
    return Impl("numpy", step, label or _name(step), _spec("numpy", step), {})


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


_TIMM_ALIAS = "_reference_oracle_timm_optim"


def load_timm(module: str) -> types.ModuleType:
    """Import ``timm.optim.<module>`` without importing ``timm`` itself.

    ``import timm`` imports ``timm.models`` and torchvision, whose PyPI wheels do not load beside a
    CPU build of torch (``operator torchvision::nms does not exist``); timm's optimizer modules need
    only torch.  The modules of ``timm/optim`` are loaded as a private package whose relative imports
    (``from ._types import ...``) resolve inside it; ``timm`` itself stays unimported."""
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("timm is not installed")
    if _TIMM_ALIAS not in sys.modules:
        pkg = types.ModuleType(_TIMM_ALIAS)
        pkg.__path__ = [os.path.join(list(spec.submodule_search_locations)[0], "optim")]
        pkg.__package__ = _TIMM_ALIAS
        sys.modules[_TIMM_ALIAS] = pkg
    return importlib.import_module(f"{_TIMM_ALIAS}.{module}")


def load(dotted: str) -> Any:
    """Import ``package.module:Attr`` or ``package.module.Attr`` (the longest importable module);
    ``timm.optim.<module>`` through :func:`load_timm`."""
    if dotted.startswith("timm.optim."):
        mod, sep, attr = dotted.partition(":")
        parts = mod.split(".")
        if not sep:
            attr, parts = parts[-1], parts[:-1]
        if len(parts) == 3:
            return _resolve_attr(load_timm(parts[2]), attr)
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


_MAKERS: dict[str, Callable[..., Impl]] = {"torch": torch_impl, "optax": optax_impl, "functional": functional_impl,
                                           "keras": keras_impl, "numpy": numpy_impl}


def _from_spec(spec: str) -> Impl:
    kind, sep, rest = spec.partition(":")
    if not sep or kind not in KINDS or not rest:
        raise ValueError(f"implementation spec {spec!r} must be 'torch:module:Class', 'optax:optax.lion', "
                         "'keras:keras.optimizers.Lion', 'functional:torchopt.adam' or 'numpy:module:function'")
    try:
        target = load(rest)
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's spec
        raise ValueError(f"cannot load {rest!r} for {spec!r}: {type(exc).__name__}: {exc}") from None
    impl = _MAKERS[kind](target, label=rest)
    impl.spec = spec
    return impl


def _positional_count(fn: Callable[..., Any]) -> int | None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    return sum(1 for p in sig.parameters.values()
               if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty)


def _modules(obj: Any) -> list[str]:
    cls = obj if isinstance(obj, type) else type(obj)
    return [c.__module__ or "" for c in cls.__mro__]


def is_torch_optimizer_class(obj: Any) -> bool:
    """A ``torch.optim.Optimizer`` subclass, or a class with ``step`` and ``zero_grad`` (torch.optim-like)."""
    if not isinstance(obj, type):
        return False
    if any(c.__name__ == "Optimizer" and c.__module__.startswith("torch.optim") for c in obj.__mro__):
        return True
    return callable(getattr(obj, "step", None)) and callable(getattr(obj, "zero_grad", None)) and \
        not is_keras(obj)


def is_keras(obj: Any) -> bool:
    """A Keras optimizer class or instance (without importing keras)."""
    return any(m.startswith("keras") for m in _modules(obj)) and (
        callable(getattr(obj, "apply_gradients", None)) or callable(getattr(obj, "apply", None)))


def is_transformation(obj: Any) -> bool:
    """An ``(init, update)`` pair (optax, torchopt, ...)."""
    return isinstance(obj, tuple) and callable(getattr(obj, "init", None)) and callable(getattr(obj, "update", None))


def _framework_of_transformation(obj: Any) -> str | None:
    mods = _modules(obj) + [getattr(obj.init, "__module__", "") or "", getattr(obj.update, "__module__", "") or ""]
    if any(m.startswith("torchopt") for m in mods):
        return "functional"
    if any(m.startswith(("optax", "jax")) for m in mods):
        return "optax"
    return None


def as_impl(obj: Any) -> Impl:
    """Recognise an implementation: an :class:`Impl`, a spec string, a torch optimizer class, a Keras
    optimizer, an optax or torchopt transformation, an optax factory (has ``learning_rate``), a
    torchopt factory, a torch factory (one positional parameter) or a NumPy step (three).  Anything
    else raises ``TypeError`` naming the kinds."""
    if isinstance(obj, Impl):
        return obj
    if isinstance(obj, str):
        return _from_spec(obj)
    if is_keras(obj):
        return keras_impl(obj)
    if is_torch_optimizer_class(obj):
        return torch_impl(obj)
    if is_transformation(obj):
        kind = _framework_of_transformation(obj)
        if kind is None:
            raise TypeError(f"{type(obj).__name__} is an (init, update) transformation of an unknown framework: "
                            "wrap it with optax_impl(...) (JAX arrays) or functional_impl(...) (torch tensors)")
        return _MAKERS[kind](obj)
    if callable(obj) and not isinstance(obj, type):
        mod = getattr(obj, "__module__", "") or ""
        if mod.startswith("torchopt"):
            return functional_impl(obj)
        try:
            params = inspect.signature(obj).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        if "learning_rate" in params or mod.startswith("optax"):
            return optax_impl(obj)
        n = _positional_count(obj)
        if n == 1:
            return torch_impl(obj)
        if n == 3:
            return numpy_impl(obj)
    raise TypeError(
        f"cannot use {obj!r} as an implementation: expected a torch.optim.Optimizer subclass or a factory "
        "params -> optimizer, an optax GradientTransformation (or a factory such as optax.lion), a Keras 3 "
        "optimizer (class or instance), a torchopt-style (init, update) transformation over torch tensors "
        "(or a factory), a NumPy step function step(x, g, state) -> (x, state), or a spec string "
        "'torch:module:Class' / 'optax:optax.lion' / 'keras:keras.optimizers.Lion' / 'functional:torchopt.adam' / "
        "'numpy:module:function'")


def known_algorithms() -> list[str]:
    """Names accepted as ``algorithm`` (the reference factories)."""
    return sorted(REGISTRY)
