"""Names and conventions: reference hyperparameters -> an implementation's parameters, and an
implementation's buffers -> reference state fields (through the declared transforms).

Everything algorithm-specific is read from the algorithm's declaration
(:class:`reference.declaration.Conventions`): extra parameter names, buffer names and how a buffer
is stored (bias-corrected, lr-scaled), the flags that select the algorithm, the hyperparameter
forms (Adan's beta conventions), the numeric convention options (RMSprop's ``v0``).  What is common
to every algorithm is here: the usual aliases (``learning_rate``, ``b1``, ``beta_1``, ``epsilon``, ...)
and buffer names (``exp_avg``, ``momentum_buffer``, ``mu``, ... -> ``m``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import Any

from ..declaration import Buffer, Conventions, as_buffer
from ..registry import REGISTRY, get

__all__ = ["ConfigError", "translate", "buffer_map", "STATE_ALIASES", "KW_ALIASES", "COMMON_BUFFERS",
           "conventions", "check_state_map", "impl_defaults", "reference_fields"]


class ConfigError(Exception):
    """The implementation cannot be configured as the requested reference algorithm."""


KW_ALIASES: dict[str, tuple[str, ...]] = {
    "lr": ("lr", "learning_rate"),
    "beta1": ("beta1", "b1", "beta_1"),
    "beta2": ("beta2", "b2", "beta_2"),
    "beta3": ("beta3", "b3", "beta_3"),
    "beta": ("beta", "momentum"),
    "eps": ("eps", "epsilon"),
    "weight_decay": ("weight_decay",),
    "eps_inside_sqrt": ("eps_inside_sqrt", "eps_in_sqrt"),
    "v0": ("v0", "initial_scale", "initial_accumulator_value"),
    "nesterov": ("nesterov", "use_nesterov"),
}
"""Names other libraries commonly give a reference hyperparameter (tried after the declared ones
and the reference's own name)."""

COMMON_BUFFERS: dict[str, str] = {"exp_avg": "m", "mu": "m", "momentum_buffer": "m", "ema": "m", "m": "m",
                                  "momentum": "m"}
"""Buffer names that mean the first moment ``m`` in most libraries (declarations override)."""


def conventions(algorithm: str) -> Conventions:
    decl = REGISTRY.get(algorithm)
    return Conventions() if decl is None else decl.conventions


class _StateAliases(Mapping[str, Mapping[str, "str | Buffer | None"]]):
    """``STATE_ALIASES[algorithm]``: the declaration's ``Conventions.buffers`` (live)."""

    def __getitem__(self, algorithm: str) -> Mapping[str, str | Buffer | None]:
        decl = REGISTRY.get(algorithm)
        if decl is None or not decl.conventions.buffers:
            raise KeyError(algorithm)
        return decl.conventions.buffers

    def __iter__(self) -> Iterator[str]:
        return iter([name for name, decl in REGISTRY.items() if decl.conventions.buffers])

    def __len__(self) -> int:
        return sum(1 for _ in self)


STATE_ALIASES: Mapping[str, Mapping[str, str | Buffer | None]] = _StateAliases()
"""Per algorithm: a third-party buffer name -> the reference state field (or a :class:`Buffer` with
its transform; None: never compare), declared by each algorithm (``Conventions.buffers``)."""


def reference_fields(algorithm: str) -> tuple[str, ...]:
    """The state fields a buffer may map to (all but ``t`` and ``direction``)."""
    return tuple(f for f in get(algorithm).state._fields if f not in ("t", "direction"))


def check_state_map(algorithm: str, state_map: Mapping[str, Any] | None) -> dict[str, Buffer | None]:
    """``state_map`` parsed (``'field'``, ``'field|transform'``, a Buffer or None), every target a
    state field of ``algorithm`` (``ValueError`` naming the known fields otherwise)."""
    if state_map is None:
        return {}
    if not isinstance(state_map, Mapping):
        raise TypeError(f"state_map must be a mapping their_buffer -> reference field, got {state_map!r}")
    fields = reference_fields(algorithm)
    out: dict[str, Buffer | None] = {}
    for name, value in state_map.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"state_map keys must be buffer names, got {name!r}")
        buf = as_buffer(value)
        if buf is not None and buf.field not in fields:
            raise ValueError(f"state_map maps {name!r} to {buf.field!r}, which is not a state field of {algorithm} "
                             f"(its fields: {', '.join(fields) or 'none'}; 'none' skips a buffer)")
        out[name] = buf
    return out


def buffer_map(algorithm: str, ref_fields: tuple[str, ...], names: list[str],
               state_map: Mapping[str, Buffer | None] | None, library: str = "") -> tuple[dict[str, Buffer], list[str]]:
    """``(their name -> Buffer, names left uncompared)`` for the exposed buffer ``names``.

    Precedence: ``state_map``, the declaration's ``Conventions.buffers`` (``'<library>:name'`` before
    ``name``), :data:`COMMON_BUFFERS`, a name equal to a reference field.  A dotted name (``0.mu``) is
    looked up whole, then by its last part.  Each reference field is compared once (the first name
    that maps to it)."""
    declared = {k: as_buffer(v) for k, v in conventions(algorithm).buffers.items()}
    table: dict[str, Buffer | None] = {**{k: Buffer(v) for k, v in COMMON_BUFFERS.items()}, **declared}
    user = dict(state_map or {})
    mapped: dict[str, Buffer] = {}
    left: list[str] = []
    for name in names:
        leaf = name.rsplit(".", 1)[-1]
        keys = [name, leaf]
        for key in keys:
            if key in user:
                target = user[key]
                break
        else:
            for key in ([f"{library}:{name}", f"{library}:{leaf}"] if library else []) + keys:
                if key in table:
                    target = table[key]
                    break
            else:
                target = Buffer(leaf) if leaf in ref_fields else None
        if target is not None and target.field in ref_fields and \
                target.field not in {b.field for b in mapped.values()}:
            mapped[name] = target
        else:
            left.append(name)
    return mapped, left


def _candidates(conv: Conventions, name: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for c in (*conv.kwargs.get(name, ()), name, *KW_ALIASES.get(name, ())):
        seen.setdefault(c, None)
    return tuple(seen)


def translate(algorithm: str, hp: Mapping[str, Any], explicit: set[str], params: Mapping[str, inspect.Parameter],
              hp_form: str | None = None) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """Map reference hyperparameters to an implementation's keyword parameters.

    Returns ``(kwargs, how, not_passed)``: ``how[ref_name]`` names the implementation parameter
    that received it; ``not_passed`` lists reference hyperparameters the implementation has no
    parameter for (their reference value is then what its built-in behaviour is checked against).
    An explicitly given one that cannot be passed raises :class:`ConfigError`, unless it is a
    convention option: a bool, a string (``mu_schedule='constant'``) or a numeric option the
    declaration names (``Conventions.options``, RMSprop's ``v0``): an implementation without such a
    parameter has one built-in convention, which the run then checks.  ``hp_form`` picks one of the
    declaration's hyperparameter forms (Adan: ``'official'`` (default), ``'paper'``, ``'as-given'``).
    ``params``: the implementation's named parameters (``**kwargs`` receives only ``lr``).
    """
    named = {k for k, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
    conv = conventions(algorithm)
    try:
        formed = conv.form(hp_form, hp)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    kwargs: dict[str, Any] = {}
    how: dict[str, str] = {}
    used: set[str] = set()
    betas = conv.betas(formed) if conv.betas is not None else \
        tuple(formed[k] for k in ("beta1", "beta2", "beta3") if k in formed and formed[k] is not None)
    if "betas" in named and len(betas) >= 2:
        kwargs["betas"] = tuple(betas)
        for k in ("beta1", "beta2", "beta3"):
            if k in hp:
                how[k] = "betas"
        used.add("betas")
    for name, value in formed.items():
        if name in how or name in conv.folded or name not in hp:
            continue
        target = next((c for c in _candidates(conv, name) if c in named and c not in used), None)
        if target is None and name == "lr" and var_kw:
            target = "lr"
        if target is None:
            option = isinstance(value, (bool, str)) or name in conv.options
            if name in explicit and not option:
                raise ConfigError(f"the implementation has no parameter for the reference hyperparameter "
                                  f"{name}={value!r}; pass it under the implementation's name in impl_kwargs")
            continue
        kwargs[target] = value
        how[name] = target
        used.add(target)
    for k, v in conv.flags.items():
        if k in named and k not in kwargs:
            kwargs[k] = v
            how[f"({algorithm})"] = f"{k}={v!r}"
    not_passed = [k for k in hp if k not in how and k not in conv.folded]
    return kwargs, how, not_passed


_QUIET = {"params", "self", "name", "foreach", "fused", "capturable", "differentiable", "maximize", "kwargs",
          "args"}


def impl_defaults(params: Mapping[str, inspect.Parameter], passed: Mapping[str, Any]) -> dict[str, Any]:
    """The implementation's parameters left at their own default (``{name: default}``): what a run
    checks besides the reference hyperparameters (e.g. a default weight decay of 0.01)."""
    out = {}
    for k, p in params.items():
        if k in passed or k in _QUIET or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) or p.default is p.empty:
            continue
        out[k] = p.default
    return out
