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
  reference's ``reference.algorithm.ratio``); non-finite values are never masked; norms are
  rescaled where the plain sum of squares over- or underflows, and S3 takes root mode, as in the
  reference.  Inside each algorithm's accurate domain (README table) the results are the
  reference's; outside it the reference raises ``FloatingPointError`` and these optimizers, which
  do not synchronise the device to check, leave the values unchecked (inf or NaN possible, as
  torch.optim's).
* **Transactions**: ``add_param_group``, ``load_state_dict`` and ``step`` check everything
  (hyperparameters, option types, parameters, every group's learning rate, the saved state's keys,
  shapes, kinds and ranges) before changing anything; a failing closure restores the parameters.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from reference.hyperparams import REQUIRED, SPECS, check_lr_value, resolve

from . import distributed as dist

__all__ = [
    "ReferenceOptimizer",
    "closure_at_moved_point",
    "Batch",
    "state_dtype",
    "ratio",
    "foreach_ratio",
    "sign",
    "foreach_sign",
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


def _scaled_norm(t: Tensor) -> Tensor:
    """``||t||`` without over- or underflow (``reference.algorithm._scaled_norm``): float32 and
    lower in float64 (their squares are normal float64 numbers), float64 rescaled by the power of
    two of its largest entry (two exact half-scalings: ``2^k`` is a normal float64 for |k| <= 1022)."""
    if not t.numel():
        return torch.zeros((), dtype=t.dtype, device=t.device)
    if t.dtype != torch.float64:
        w = t.double()
        return torch.sqrt(torch.sum(w * w)).to(t.dtype)
    amax = t.abs().max()
    e = torch.frexp(torch.where(torch.isfinite(amax), amax, torch.zeros_like(amax))).exponent.to(torch.float64)
    lo, hi = torch.floor(-e / 2), -e - torch.floor(-e / 2)
    y = t * torch.pow(2.0, lo) * torch.pow(2.0, hi)
    return torch.sqrt(torch.sum(y * y)) * torch.pow(2.0, -lo) * torch.pow(2.0, -hi)


def _accurate(nrm: Sequence[Tensor], ts: Sequence[Tensor]) -> list[Tensor]:
    """Replace each norm whose plain sum of squares over- or underflowed (``||t||^2`` infinite or
    below ``numel * tiny``, the reference's test) by :func:`_scaled_norm`; one host sync to know."""
    if not ts:
        return list(nrm)
    bad = [torch.isinf(n) | (n * n < t.numel() * torch.finfo(n.dtype).tiny) for n, t in zip(nrm, ts)]
    if not bool(torch.stack([b.to(bad[0].device) for b in bad]).any()):
        return list(nrm)
    return [torch.where(b, _scaled_norm(t).to(n.device), n) if bool(b) else n for n, t, b in zip(nrm, ts, bad)]


def norms(ts: Sequence[Tensor], scope: str, likes: Sequence[Tensor] | None = None) -> list[Tensor]:
    """Euclidean norm of each tensor (``scope='tensor'``) or of their concatenation
    (``scope='group'``, the same 0-dim tensor repeated), as 0-dim tensors.

    The norm is ``sqrt(sum x^2)`` wherever that is accurate, as ``reference.algorithm.norm``
    (``torch._foreach_norm`` does not rescale), and the rescaled :func:`_scaled_norm` where the sum
    of squares over- or underflows (the reference's rule).  The for-loop and foreach paths call it
    with the same list and so get the same bits (``torch._foreach_norm`` reduces each tensor on its
    own; ``sum(t * t)`` on one path and ``_foreach_norm`` on the other differed in the last bit in
    float32).  ``likes[i]`` (optional): the parameter whose local part ``ts[i]`` is; where it is a
    DTensor, the norm is that of the logical tensor (:func:`gpu.distributed.reduce_sums`; the plain
    sums of squares: no rescaling across shards).
    """
    if not ts:
        return []
    if likes is not None and any(dist.is_dtensor(p) for p in likes):
        return _distributed_norms(ts, scope, likes)
    per = _accurate(list(torch._foreach_norm(ts)), ts)
    if scope == "tensor":
        return per
    sq = torch._foreach_mul(per, per)
    total = torch.sqrt(torch.sum(torch.stack([s.to(sq[0].device) for s in sq])))
    n = sum(t.numel() for t in ts)
    if bool(torch.isinf(total) | (total * total < n * torch.finfo(total.dtype).tiny)):
        total = _scaled_norm(torch.cat([t.to(ts[0].device).reshape(-1) for t in ts]))
    return [total.to(t.device) for t in ts]


def _distributed_norms(ts: Sequence[Tensor], scope: str, likes: Sequence[Tensor]) -> list[Tensor]:
    """:func:`norms` of logical tensors from local parts: local sums of squares (``_foreach_norm``
    squared), all-reduced over the shards, then summed over the group in the unsharded order and
    rooted."""
    per = list(torch._foreach_norm(ts))
    sq = dist.reduce_sums(list(torch._foreach_mul(per, per)), likes)
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


def closure_at_moved_point(optimizer: torch.optim.Optimizer, closure: Callable[[], Any],
                           move: Callable[[list[tuple[Tensor, Tensor]]], None]) -> Any:
    """Evaluate ``closure`` with fresh gradients at moved parameters, then put them back exactly: SAM's
    ``x_t + delta(x_t)`` (adasam Alg. 1 lines 4-5) and NIGT's ``x_t = w_t + beta/(1-beta) (w_t - w_{t-1})``
    (nsgdm Alg. 1).  ``move(moved)`` appends ``(p, copy of p's local part)`` to ``moved`` before it
    changes ``p``.  Transactional: if ``move`` or the closure raises, every moved parameter is back and
    every ``.grad`` is the one given before the exception propagates."""
    grads = [(p, p.grad) for group in optimizer.param_groups for p in group["params"]]
    moved: list[tuple[Tensor, Tensor]] = []

    def restore() -> None:
        for p, x in moved:
            dist.local(p).copy_(x)
    try:
        move(moved)
        optimizer.zero_grad(set_to_none=True)
        with torch.enable_grad():
            loss = closure()
    except BaseException:
        restore()
        for p, g in grads:
            p.grad = g
        raise
    restore()
    return loss


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


def _check_option(name: str, value: Any, allowed: Sequence[Any]) -> Any:
    """``value`` if it is one of ``allowed`` *and of its type* (``1`` is not ``True``: flags are
    bools or None), as the canonical allowed value; else ``ValueError`` naming the option."""
    for a in allowed:
        if a is None:
            if value is None:
                return None
        elif isinstance(a, bool):
            if isinstance(value, (bool, np.bool_)) and bool(value) is a:
                return a
        elif type(value) is type(a) and value == a:
            return a
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
            defaults[name] = _check_option(name, torch_opts.get(name, default), allowed)
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
        """torch's ``add_param_group``, validated *before* anything changes: hyperparameters (the
        reference's checks), torch options, the group's extra entries (:meth:`_group_extras`) and
        the parameters themselves; a rejected group is not added (and the dict given is not
        modified)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        group["params"] = list(params)
        tensors = [p[1] if isinstance(p, tuple) else p for p in group["params"]]
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {torch.typename(p)}")
            if not p.is_floating_point():
                raise ValueError(f"{type(self).__name__}: parameters must be floating point, got {p.dtype}")
        spec = {k: p for k, p in SPECS[self.spec].items() if k not in self.per_parameter}
        for k in spec:  # the reference's error (torch would raise ValueError)
            if self.defaults.get(k) is _REQUIRED and k not in group:
                raise TypeError(f"{self.spec}: missing required hyperparameter {k!r} ({spec[k].doc})")
        values = {k: group.get(k, self.defaults[k]) for k in spec}
        resolved = dict(resolve(self.spec, values, exclude=self.per_parameter))
        for name, (_, allowed) in self.options.items():
            resolved[name] = _check_option(name, group.get(name, self.defaults[name]), allowed)
        candidate = {**group, **resolved, "params": tensors}
        self._check_options(candidate)
        self._check_group(candidate)
        extras = self._group_extras(candidate, param_group)
        group.update(resolved)
        group.update(extras)
        super().add_param_group(group)

    def _group_extras(self, group: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        """Validated group entries beyond hyperparameters and options (BlockwiseAdam's ``blocks``)."""
        return {}

    def _check_group(self, group: dict[str, Any]) -> None:
        """Hook for checks that need the group's parameters (e.g. ``fused`` devices)."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            for name, (default, _) in self.options.items():
                group.setdefault(name, default)

    nonnegative: ClassVar[tuple[str, ...]] = ()
    """State buffers whose entries are >= 0 in every reachable state (a second-moment EMA, whose
    square root is taken): ``load_state_dict`` refuses negative ones."""

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """torch's ``load_state_dict``, after checking the whole state dict (nothing changes if it is
        refused), then the state dtype policy on a *copy* of the saved tensors (torch casts
        floating state to the parameter dtype, which would round the float32 state of bfloat16
        parameters, and may alias the given tensors).

        Checked: the structure; every param group's keys (a key of another optimizer is refused; a
        missing hyperparameter or option takes its declared default, as torch's ``__setstate__``
        does for checkpoints older than an option) and values (the reference's ranges, the
        options' types); every parameter's state: exactly ``step`` (an int >= 0) and this
        optimizer's buffers, each a tensor of the buffer's shape and kind (floating/integer),
        finite-or-not as saved, ``>= 0`` where :attr:`nonnegative`.  ``ValueError``/``TypeError``
        name the group, the parameter and the key.
        """
        checked = self._checked_state_dict(state_dict)
        super().load_state_dict(checked)
        saved_ids = chain.from_iterable(g["params"] for g in checked["param_groups"])
        ours = chain.from_iterable(g["params"] for g in self.param_groups)
        for pid, p in zip(saved_ids, ours):
            saved = checked["state"].get(pid)
            if saved is None:
                continue
            st = self.state[p]
            for k, v in saved.items():
                if isinstance(v, Tensor):
                    dtype = state_dtype(p.dtype) if v.is_floating_point() else v.dtype
                    st[k] = v.to(device=p.device, dtype=dtype, copy=True)
                else:
                    st[k] = copy.deepcopy(v)

    def _checked_state_dict(self, state_dict: Any) -> dict[str, Any]:
        """The state dict to load: validated, with defaults for missing group keys (see
        :meth:`load_state_dict`); raises before anything is modified."""
        who = type(self).__name__
        if not isinstance(state_dict, Mapping) or not isinstance(state_dict.get("state"), Mapping) \
                or not isinstance(state_dict.get("param_groups"), (list, tuple)):
            raise TypeError(f"{who}.load_state_dict: expected a dict with 'state' (a dict) and 'param_groups' "
                            f"(a list), got {type(state_dict).__name__}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        spec = {k: p for k, p in SPECS[self.spec].items() if k not in self.per_parameter}
        # torch's own bookkeeping (``differentiable``, set in defaults by its __setstate__) is known too
        known = {"params", "param_names", *spec, *self.options, *self._group_keys(), *self.defaults}
        groups, state = [], {}
        for i, (saved, ours) in enumerate(zip(saved_groups, self.param_groups)):
            if not isinstance(saved, Mapping) or "params" not in saved:
                raise TypeError(f"{who}.load_state_dict: param group {i} must be a dict with 'params'")
            if len(saved["params"]) != len(ours["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
            unknown = sorted(set(saved) - known)
            if unknown:
                raise ValueError(f"{who}.load_state_dict: param group {i} has key(s) {unknown} that {who} does not "
                                 f"have: the state dict of another optimizer?")
            group = dict(saved)
            for k, p in spec.items():  # torch's __setstate__ convention: a missing key takes its default
                if k not in group:
                    if p.default is REQUIRED:
                        raise ValueError(f"{who}.load_state_dict: param group {i} lacks the required "
                                         f"hyperparameter {k!r}")
                    group[k] = p.default
            values = dict(resolve(self.spec, {k: group[k] for k in spec}, exclude=self.per_parameter))
            for name, (default, allowed) in self.options.items():
                values[name] = _check_option(name, group.get(name, default), allowed)
            group.update(values)
            group.update(self._checked_group_keys(group, ours, i))
            candidate = {**group, "params": ours["params"]}
            self._check_options(candidate)
            self._check_group(candidate)
            groups.append(group)
            for pid, p in zip(saved["params"], ours["params"]):
                if pid in state_dict["state"]:
                    state[pid] = self._checked_param_state(state_dict["state"][pid], candidate, p, i, pid)
        return {**state_dict, "state": state, "param_groups": groups}

    def _group_keys(self) -> tuple[str, ...]:
        """Group entries beyond hyperparameters and options (BlockwiseAdam: ``blocks``)."""
        return ()

    def _checked_group_keys(self, group: dict[str, Any], ours: dict[str, Any], index: int) -> dict[str, Any]:
        """Validate/default the :meth:`_group_keys` of a saved group (``ours``: the live group)."""
        return {}

    def _checked_param_state(self, saved: Any, group: dict[str, Any], p: Tensor, gi: int, pid: Any
                             ) -> dict[str, Any]:
        """One parameter's saved state, checked against a fresh :meth:`_init_state` (keys, shapes,
        kinds, :attr:`nonnegative`)."""
        who = f"{type(self).__name__}.load_state_dict: param group {gi}, parameter {pid!r}"
        if not isinstance(saved, Mapping):
            raise TypeError(f"{who}: the state must be a dict, got {type(saved).__name__}")
        if not saved:
            return {}
        expected = self._init_state(group, p)
        keys = {"step", *expected}
        missing, unknown = sorted(keys - set(saved)), sorted(set(saved) - keys)
        if missing or unknown:
            raise ValueError(f"{who}: expected the keys {sorted(keys)}; missing {missing}, unexpected {unknown} "
                             f"(the state of another optimizer or configuration?)")
        out: dict[str, Any] = {}
        step = saved["step"]
        if isinstance(step, Tensor) and step.numel() == 1 and not step.is_complex():
            step = step.item()
        if isinstance(step, float) and step.is_integer():
            step = int(step)
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
            raise ValueError(f"{who}: 'step' must be an integer >= 0, got {saved['step']!r}")
        out["step"] = int(step)
        for k, ref in expected.items():
            v = saved[k]
            if not isinstance(v, Tensor):
                raise TypeError(f"{who}: {k!r} must be a tensor, got {type(v).__name__}")
            if tuple(v.shape) != tuple(ref.shape):
                raise ValueError(f"{who}: {k!r} has shape {tuple(v.shape)}, expected {tuple(ref.shape)}")
            if v.is_floating_point() != ref.is_floating_point() or v.is_complex() or v.dtype == torch.bool:
                raise ValueError(f"{who}: {k!r} has dtype {v.dtype}, expected a {'floating' if ref.is_floating_point() else 'integer'} tensor like {ref.dtype}")
            if k in self.nonnegative and bool((dist.local(v) < 0).any()):
                raise ValueError(f"{who}: {k!r} has negative entries (it is a second-moment EMA, >= 0)")
            if not ref.is_floating_point() and not self._same_integer_buffer(k, v, ref):
                raise ValueError(f"{who}: {k!r} does not match this optimizer's configuration")
            out[k] = v
        return out

    @staticmethod
    def _same_integer_buffer(key: str, saved: Tensor, ref: Tensor) -> bool:
        """An integer buffer derived from the configuration (BlockwiseAdam's ``index``) must equal it."""
        return bool(torch.equal(dist.local(saved).to(dist.local(ref).device), dist.local(ref)))

    # -- stepping ----------------------------------------------------------------------

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One step for every param group; ``closure`` (optional) re-evaluates the loss first."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        self._apply([(group, [(p, p.grad) for p in group["params"] if p.grad is not None])
                     for group in self.param_groups])
        return loss

    def _apply(self, work: Sequence[tuple[dict[str, Any], Sequence[tuple[Tensor, Tensor]]]]) -> None:
        """Update every (group, (parameter, gradient) pairs) of ``work``: all groups are checked
        (:meth:`_plan`) before any state changes."""
        work = [(group, pairs) for group, pairs in work if pairs]
        plans = [self._plan(group, pairs) for group, pairs in work]
        for (group, pairs), lrs in zip(work, plans):
            batch = self._batch(group, pairs, lrs=lrs)
            self._update(group, batch, self._implementation(group, batch))
            self._finish(batch)

    def _implementation(self, group: dict[str, Any], batch: Batch) -> str:
        """``'fused'``, ``'foreach'`` or ``'single'`` (the for-loop), torch's selection rule."""
        if group.get("fused"):
            return "fused"
        foreach = group["foreach"]
        if foreach is None:
            devices = _foreach_devices()
            foreach = all(type(p) in _foreach_types and p.device.type in devices for p in batch.params)
        return "foreach" if foreach else "single"

    def _plan(self, group: dict[str, Any], pairs: Sequence[tuple[Tensor, Tensor]]) -> list[float]:
        """Check ``pairs`` and return each parameter's ``lr_t``, changing nothing (a refused
        parameter or schedule value raises before any state of any group changes)."""
        for p, g in pairs:
            if g.is_sparse:
                raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
            if not p.is_floating_point():
                raise RuntimeError(f"{type(self).__name__}: parameters must be floating point, got {p.dtype}")
            if g.shape != p.shape:
                raise RuntimeError(f"{type(self).__name__}: a gradient of shape {tuple(g.shape)} for a parameter "
                                   f"of shape {tuple(p.shape)}")
        t_next = [self.state[p]["step"] + 1 if self.state.get(p) else 1 for p, _ in pairs]
        return [self._lr(group, t) for t in t_next]

    def _batch(self, group: dict[str, Any], pairs: Sequence[tuple[Tensor, Tensor]], working: bool = True,
               lrs: list[float] | None = None) -> Batch:
        """Initialise missing state, advance ``step`` and build the :class:`Batch` of ``pairs``
        (``lrs``: from :meth:`_plan`, which checks them; computed here if not given).

        ``working=False`` (fused kernels) passes the parameters and raw gradients through: no
        state-dtype copies and no sign flip for ``maximize``.
        """
        lrs = self._plan(group, pairs) if lrs is None else lrs
        params, xs, gs, states, steps = [], [], [], [], []
        for p, g in pairs:
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
        return Batch(params, xs, gs, states, steps, list(lrs))

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
