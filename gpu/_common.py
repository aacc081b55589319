"""Shared plumbing of every ``gpu`` optimizer: hyperparameters, param groups, state, dtypes.

Conventions (one place for all optimizers):

* **Hyperparameters** come from ``reference.hyperparams``: ``__init__`` and
  ``add_param_group`` call :func:`reference.hyperparams.resolve`, so names, defaults and
  allowed ranges are the reference's.  A hyperparameter the reference marks ``REQUIRED``
  (e.g. ``lr`` of SignSGD) may be given per param group instead, as with ``torch.optim.SGD``.
  ``lr`` may be a float or a schedule ``t -> lr_t`` (checked at each call, as the reference).
* **torch-side options** (not in the reference): ``foreach`` (``None``: the ``torch._foreach_*``
  path on CUDA, the for-loop elsewhere, torch's rule), ``maximize``, and per optimizer
  ``fused`` (S3), ``norm_scope`` (norm-based methods).
* **State** keys are the reference state's field names (``m``, ``s``, ``v``, ...) plus
  ``step``, a Python ``int`` (the reference's ``t``, per parameter).  A parameter whose
  ``grad`` is ``None`` is skipped: no state is created or touched and its ``step`` stays.
* **dtypes**: float64 and float32 parameters keep their state in their own dtype.  float16 and
  bfloat16 parameters keep the state in **float32**; each step upcasts the parameter and the
  gradient to float32, computes the update in float32 and rounds the new parameter once to the
  parameter dtype (round to nearest even).  ``load_state_dict`` keeps this policy (torch's
  default would cast the state to the parameter dtype).
* **Numerical policy** (README): :func:`ratio` is ``n / b`` with ``b = 0 => 0`` (the
  reference's ``reference.algorithm.ratio``); non-finite values are never masked.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, ClassVar

import torch
from torch import Tensor

from reference.hyperparams import REQUIRED, SPECS, check_lr_value, resolve

from . import distributed as dist

__all__ = [
    "ReferenceOptimizer",
    "Batch",
    "state_dtype",
    "ratio",
    "foreach_ratio",
    "sign",
    "foreach_sign",
    "sum_squares",
    "norms",
    "decoupled_update",
    "foreach_decoupled_update",
    "ema_",
    "foreach_ema_",
    "for_each",
    "scalar",
]

LOW_PRECISION = (torch.float16, torch.bfloat16)
NORM_SCOPES = ("tensor", "group")

from torch.optim.optimizer import required as _REQUIRED  # torch's sentinel for per-group values

try:  # torch's list: Tensor, Parameter and (once torch.distributed.tensor is imported) DTensor
    from torch.optim.optimizer import _foreach_supported_types as _foreach_types
except ImportError:  # pragma: no cover - older/newer torch
    _foreach_types = [Tensor, torch.nn.Parameter]

try:  # torch's own list (cuda, xpu, mtia, privateuse1)
    from torch.optim.optimizer import _get_foreach_kernels_supported_devices as _foreach_devices
except ImportError:  # pragma: no cover - older/newer torch
    def _foreach_devices() -> list[str]:
        return ["cuda"]


def state_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype of the optimizer state (and of the update arithmetic) for parameters of ``dtype``."""
    return torch.float32 if dtype in LOW_PRECISION else dtype


# ----------------------------------------------------------------------------- numerics


def foreach_ratio(ns: Sequence[Tensor], bs: Sequence[Tensor]) -> list[Tensor]:
    """:func:`ratio` with ``torch._foreach_*`` ops, for denominators ``b >= 0`` (or NaN).

    ``sigma = sign(b)`` is 1 (``b > 0``), 0 (``b = 0``) or NaN; the result is
    ``(n / max(b, 1 - sigma)) * sigma``: exactly ``n / b`` for ``b > 0``, 0 for ``b = 0``
    (finite ``n``) and NaN for NaN ``b``.  It differs from :func:`ratio` only for ``b = 0`` with
    a non-finite ``n``, which no algorithm here produces: every denominator contains the
    magnitude of every gradient entry its numerator contains, so a non-finite numerator forces a
    non-finite denominator.
    """
    sigma = torch._foreach_sign(bs)
    safe = torch._foreach_maximum(bs, torch._foreach_add(torch._foreach_neg(sigma), 1.0))
    out = torch._foreach_div(ns, safe)
    torch._foreach_mul_(out, sigma)
    return out


def foreach_sign(cs: Sequence[Tensor]) -> list[Tensor]:
    """:func:`sign` for lists (``torch._foreach_*``)."""
    s = torch._foreach_sign(cs)
    torch._foreach_maximum_(s, torch._foreach_minimum(cs, s))
    return list(s)


def sum_squares(t: Tensor) -> Tensor:
    """``sum(t * t)`` as a 0-dim tensor: the plain sum of squares of ``reference.algorithm.norm``
    (no rescaling, so it over/underflows exactly where the reference does)."""
    return torch.sum(t * t)


def norms(ts: Sequence[Tensor], scope: str, foreach: bool, likes: Sequence[Tensor] | None = None) -> list[Tensor]:
    """Euclidean norm of each tensor (``scope='tensor'``) or of their concatenation
    (``scope='group'``, the same 0-dim tensor repeated), as 0-dim tensors.

    The norm is ``sqrt(sum x^2)`` without rescaling, as ``reference.algorithm.norm``
    (``torch.linalg.vector_norm`` and ``torch._foreach_norm`` do not rescale either).
    ``likes[i]`` (optional): the parameter whose local part ``ts[i]`` is; where it is a DTensor,
    the norm is that of the logical tensor (:func:`gpu.distributed.reduce_sums`).
    """
    if not ts:
        return []
    if likes is not None and any(dist.is_dtensor(p) for p in likes):
        return _distributed_norms(ts, scope, foreach, likes)
    if foreach:
        per = list(torch._foreach_norm(ts))
        if scope == "tensor":
            return per
        sq = torch._foreach_mul(per, per)
        total = torch.sqrt(torch.sum(torch.stack([s.to(sq[0].device) for s in sq])))
    else:
        if scope == "tensor":
            return [torch.sqrt(sum_squares(t)) for t in ts]
        total = torch.sqrt(torch.sum(torch.stack([sum_squares(t).to(ts[0].device) for t in ts])))
    return [total.to(t.device) for t in ts]


def _distributed_norms(ts: Sequence[Tensor], scope: str, foreach: bool, likes: Sequence[Tensor]) -> list[Tensor]:
    """:func:`norms` of logical tensors from local parts: local sums of squares (``_foreach_norm``
    squared on the foreach path), all-reduced over the shards, then summed over the group in the
    unsharded order and rooted."""
    if foreach:
        per = list(torch._foreach_norm(ts))
        sq = list(torch._foreach_mul(per, per))
    else:
        sq = [sum_squares(t) for t in ts]
    sq = dist.reduce_sums(sq, likes)
    if scope == "tensor":
        return [torch.sqrt(s) for s in sq]
    total = torch.sqrt(torch.sum(torch.stack([s.to(ts[0].device) for s in sq])))
    return [total.to(t.device) for t in ts]


def foreach_ema_(qs: Sequence[Tensor], beta: float, ys: Sequence[Tensor]) -> None:
    """:func:`ema_` for lists, with ``torch._foreach_*`` ops."""
    torch._foreach_mul_(qs, beta)
    torch._foreach_add_(qs, torch._foreach_mul(ys, 1.0 - beta))


def foreach_decoupled_update(xs: Sequence[Tensor], ds: Sequence[Tensor], lrs: float | list[float],
                             weight_decay: float) -> None:
    """:func:`decoupled_update` for lists; ``lrs`` is one float or one per tensor."""
    if weight_decay:
        lr_list = lrs if isinstance(lrs, list) else [lrs] * len(xs)
        torch._foreach_mul_(xs, [1.0 - lr * weight_decay for lr in lr_list])
    torch._foreach_sub_(xs, torch._foreach_mul(ds, lrs))


def ratio(n: Tensor, b: Tensor) -> Tensor:
    """:func:`foreach_ratio` of one tensor: ``n / b`` with ``b = 0 => 0`` (``reference.algorithm.ratio``)."""
    return foreach_ratio([n], [b])[0]


def sign(c: Tensor) -> Tensor:
    """:func:`foreach_sign` of one tensor: ``sign(0) = 0``, NaN propagated."""
    return foreach_sign([c])[0]


def ema_(q: Tensor, beta: float, y: Tensor) -> Tensor:
    """:func:`foreach_ema_` of one tensor: ``q <- beta q + (1 - beta) y`` in place."""
    foreach_ema_([q], beta, [y])
    return q


def decoupled_update(x: Tensor, d: Tensor, lr: float, weight_decay: float) -> None:
    """:func:`foreach_decoupled_update` of one tensor: ``x <- x (1 - lr wd) - lr d``."""
    foreach_decoupled_update([x], [d], lr, weight_decay)


def for_each(impl: str, kernel: Callable[..., list[Tensor] | None], *lists: Sequence[Any],
             **kwargs: Any) -> list[Tensor]:
    """Run a functional ``kernel`` over tensor lists: once on the whole lists (``impl='foreach'``)
    or once per index on lists of one (the for-loop, ``'single'``), torch.optim's single- and
    multi-tensor paths with one kernel.  Every list is index-aligned (parameters, gradients,
    buffers, learning rates, per-tensor norms).  Returns the concatenated lists the kernel
    returns (none for an in-place kernel)."""
    if impl == "foreach":
        return list(kernel(*lists, **kwargs) or [])
    out: list[Tensor] = []
    for i in range(len(lists[0])):
        out += kernel(*[[lst[i]] for lst in lists], **kwargs) or []
    return out


def scalar(values: float | Sequence[float]) -> float | list[float]:
    """One float if all ``values`` agree (the usual case), else the list (a foreach ScalarList)."""
    if isinstance(values, (int, float)):
        return float(values)
    return Batch.scalar(list(values))


# ----------------------------------------------------------------------------- batches


@dataclass
class Batch:
    """The parameters of one param group that take a step, in the update's dtype.

    For DTensor parameters ``xs``, ``gs`` and :meth:`buf` are the *local* tensors
    (:mod:`gpu.distributed`); ``params`` are the parameters themselves, the layouts that
    reductions use (``norms(..., likes=batch.params)``).

    ``xs`` and ``gs`` are in the state dtype (:func:`state_dtype`): the parameters themselves
    (updated in place) for float32/float64, float32 copies for float16/bfloat16 (written back by
    :meth:`ReferenceOptimizer._finish`).  ``gs`` are new tensors or the ``.grad`` tensors
    themselves; they are never modified.  ``steps`` holds the step count ``t`` of this update
    (``state['step']`` after the increment) and ``lrs`` the learning rate ``lr_t`` of each tensor.
    """

    params: list[Tensor]
    xs: list[Tensor]
    gs: list[Tensor]
    states: list[dict[str, Any]]
    steps: list[int]
    lrs: list[float]

    def __len__(self) -> int:
        return len(self.params)

    def buf(self, name: str) -> list[Tensor]:
        """The state buffer ``name`` of every tensor (its local tensor for a DTensor buffer)."""
        return [dist.local(st[name]) for st in self.states]

    @staticmethod
    def scalar(values: Sequence[float]) -> float | list[float]:
        """One float if all ``values`` agree (the usual case), else the list (foreach ScalarList)."""
        first = values[0]
        return first if all(v == first for v in values) else list(values)


def _check_option(name: str, value: Any, allowed: Sequence[Any]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


class ReferenceOptimizer(torch.optim.Optimizer):
    """Base class: a ``torch.optim.Optimizer`` whose hyperparameters are ``SPECS[spec]``.

    Subclasses set ``spec`` (the algorithm's name; its declaration names the class back,
    ``Declaration.torch``) and ``examples``, and implement :meth:`_init_state` and :meth:`_update`,
    which runs the algorithm's one functional kernel over tensor lists on both paths
    (:func:`for_each`); they may extend ``options`` (torch-side group options with their defaults
    and allowed values).
    """

    spec: ClassVar[str]
    """The name of the reference algorithm (its declaration: ``reference.registry.get(spec)``)."""
    per_parameter: ClassVar[tuple[str, ...]] = ()
    """Hyperparameters the subclass validates itself, per parameter: the declaration's per-coordinate
    ones (BlockwiseAdam's ``blocks``), shown with default None (set by ``__init_subclass__``)."""
    examples: ClassVar[dict[str, dict[str, Any]]] = {}
    """Parity configurations (hyperparameters and torch options, by case id) that tests/gpu and
    tests/oracle run on tensors of shapes (4, 3), (7,), (2, 2, 2): one per option of the path."""
    options: ClassVar[dict[str, tuple[Any, tuple[Any, ...]]]] = {
        "foreach": (None, (None, True, False)),
        "maximize": (False, (True, False)),
    }

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], **kwargs: Any) -> None:
        spec = {k: p for k, p in SPECS[self.spec].items() if k not in self.per_parameter}
        hyper = {k: v for k, v in kwargs.items() if k not in self.options}
        torch_opts = {k: v for k, v in kwargs.items() if k in self.options}
        unknown = set(hyper) - set(spec)
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected argument(s) {sorted(unknown)}; "
                            f"hyperparameters: {list(spec)}, options: {list(self.options)}")
        # Required hyperparameters may come per group; validate what is known now.
        missing = [k for k, p in spec.items() if p.default is REQUIRED and k not in hyper]
        probe = dict(hyper, **{k: self._placeholder(k) for k in missing})
        defaults: dict[str, Any] = dict(resolve(self.spec, probe, exclude=self.per_parameter))
        for k in missing:
            defaults[k] = _REQUIRED
        for name, (default, allowed) in self.options.items():
            value = torch_opts.get(name, default)
            _check_option(name, value, allowed)
            defaults[name] = value
        self._check_options(defaults)
        super().__init__(params, defaults)

    @staticmethod
    def _placeholder(name: str) -> Any:
        """A valid stand-in for a missing required hyperparameter (only ``lr`` is required here)."""
        if name == "lr":
            return 1.0
        raise TypeError(f"missing required hyperparameter {name!r}")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec_name = cls.__dict__.get("spec")
        if spec_name is None:
            return
        spec = SPECS[spec_name]
        cls.per_parameter = tuple(k for k, p in spec.items() if p.per_coordinate)
        params = [inspect.Parameter("params", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        shown = {k: (None if k in cls.per_parameter else p.default) for k, p in spec.items()}
        params += [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY,
                                     default=(inspect.Parameter.empty if d is REQUIRED else d))
                   for k, d in shown.items()]
        params += [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=d)
                   for k, (d, _) in cls.options.items()]
        cls.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        lines = [f"    {k} (default {p.default!r}): {p.doc}" for k, p in spec.items()]
        cls.__doc__ = (cls.__doc__ or "").rstrip() + (
            f"\n\n    Hyperparameters (``reference.hyperparams.SPECS[{spec_name!r}]``):\n" + "\n".join(lines)
            + "\n    torch options: " + ", ".join(f"{k}={d!r}" for k, (d, _) in cls.options.items()) + "\n")

    # -- groups ------------------------------------------------------------------------

    def _check_options(self, group: dict[str, Any]) -> None:
        """Validate the torch-side options of a group (subclasses extend)."""
        if group.get("fused") and group.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        spec = {k: p for k, p in SPECS[self.spec].items() if k not in self.per_parameter}
        for k in spec:  # the reference's error (torch would raise ValueError)
            if self.defaults.get(k) is _REQUIRED and k not in param_group:
                raise TypeError(f"{self.spec}: missing required hyperparameter {k!r} ({spec[k].doc})")
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        group.update(resolve(self.spec, {k: group[k] for k in spec}, exclude=self.per_parameter))
        for name, (_, allowed) in self.options.items():
            _check_option(name, group[name], allowed)
        self._check_options(group)
        self._check_group(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Hook for checks that need the group's parameters (e.g. ``fused`` devices)."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            for name, (default, _) in self.options.items():
                group.setdefault(name, default)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """torch's ``load_state_dict``, then re-impose the state dtype policy on a *copy* of the
        saved tensors (torch casts floating state to the parameter dtype, which would round the
        float32 state of bfloat16 parameters, and may alias the given tensors)."""
        super().load_state_dict(state_dict)
        saved_ids = chain.from_iterable(g["params"] for g in state_dict["param_groups"])
        ours = chain.from_iterable(g["params"] for g in self.param_groups)
        for pid, p in zip(saved_ids, ours):
            saved = state_dict["state"].get(pid)
            if saved is None:
                continue
            st = self.state[p]
            for k, v in saved.items():
                if isinstance(v, Tensor):
                    dtype = state_dtype(p.dtype) if v.is_floating_point() else v.dtype
                    st[k] = v.to(device=p.device, dtype=dtype, copy=True)
                else:
                    st[k] = copy.deepcopy(v)

    # -- stepping ----------------------------------------------------------------------

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One step for every param group; ``closure`` (optional) re-evaluates the loss first."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            batch = self._batch(group, [(p, p.grad) for p in group["params"] if p.grad is not None])
            if len(batch):
                self._update(group, batch, self._implementation(group, batch))
                self._finish(batch)
        return loss

    def _implementation(self, group: dict[str, Any], batch: Batch) -> str:
        """``'fused'``, ``'foreach'`` or ``'single'`` (the for-loop), torch's selection rule."""
        if group.get("fused"):
            return "fused"
        foreach = group["foreach"]
        if foreach is None:
            devices = _foreach_devices()
            foreach = all(type(p) in _foreach_types and p.device.type in devices for p in batch.params)
        return "foreach" if foreach else "single"

    def _batch(self, group: dict[str, Any], pairs: Sequence[tuple[Tensor, Tensor]], working: bool = True) -> Batch:
        """Initialise missing state, advance ``step`` and build the :class:`Batch` of ``pairs``.

        ``working=False`` (fused kernels) passes the parameters and raw gradients through: no
        state-dtype copies and no sign flip for ``maximize``.
        """
        params, xs, gs, states, steps, lrs = [], [], [], [], [], []
        for p, g in pairs:
            if g.is_sparse:
                raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
            if not p.is_floating_point():
                raise RuntimeError(f"{type(self).__name__}: parameters must be floating point, got {p.dtype}")
            st = self.state[p]
            if not st:
                st["step"] = 0
                st.update(self._init_state(group, p))
            st["step"] += 1
            x, g = dist.local(p), dist.local(g)
            if working:
                sd = state_dtype(p.dtype)
                x = x if p.dtype == sd else x.detach().to(sd)
                g = g.to(sd) if g.dtype != sd else g
                if group["maximize"]:
                    g = -g
            params.append(p)
            xs.append(x)
            gs.append(g)
            states.append(st)
            steps.append(st["step"])
            lrs.append(self._lr(group, st["step"]))
        return Batch(params, xs, gs, states, steps, lrs)

    def _lr(self, group: dict[str, Any], t: int) -> float:
        lr = group["lr"]
        if callable(lr):
            return check_lr_value(self.spec, t, lr(t))
        return float(lr)

    @staticmethod
    def _finish(batch: Batch) -> None:
        """Round the float32 working copies of low-precision parameters back into them."""
        for p, x in zip(batch.params, batch.xs):
            lp = dist.local(p)
            if x is not lp:
                lp.copy_(x)

    @staticmethod
    def _zeros(p: Tensor) -> Tensor:
        """A zero state buffer for ``p`` (contiguous, state dtype; a DTensor laid out as a DTensor ``p``)."""
        return dist.zeros_like(p, state_dtype(p.dtype))

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        raise NotImplementedError

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        raise NotImplementedError


class NormScoped(ReferenceOptimizer):
    """Adds the ``norm_scope`` option of the norm-based methods.

    ``'tensor'``: each parameter tensor is one vector (the per-layer normalization of LARS and
    nsgdm Sec. 5); ``'group'``: the concatenation of all the group's parameters that take the
    step is one vector (the papers' algorithms on the whole model).  The reference normalizes over
    the last axis of one run, so ``'tensor'`` maps each flattened tensor to one run and
    ``'group'`` their concatenation.
    """

    options: ClassVar[dict[str, tuple[Any, tuple[Any, ...]]]] = {
        **ReferenceOptimizer.options,
        "norm_scope": ("tensor", NORM_SCOPES),
    }
