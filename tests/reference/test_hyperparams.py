"""Validation of every hyperparameter of every factory (reference.hyperparams.SPECS).

The sweep covers every hyperparameter of every registered declaration: the kind of its range is
its check's (``check.kind``: unit, nonneg, p, choice:..., ...), and each kind's out-of-range and
boundary values below are tried, so a new algorithm is swept without an edit here.
``PAPER_KINDS`` restates, independently of the code, the allowed range of the parameters of the
papers' algorithms (EMA coefficients in [0, 1), p >= 1 (s3 Alg. 1), Lion's beta1 and AdaSAM's
beta2 may be 1 (adasam Remark 1), nu in [0, 1] (Zhang et al. Alg. 1), ...); a test checks their
declarations against it.
"""

from __future__ import annotations

import inspect
import math
from types import MappingProxyType

import numpy as np
import pytest

import reference as R
from reference.hyperparams import REQUIRED, SPECS, check_lr_value, defaults, resolve
from _cases import REQUIRED_KWARGS
from reference.registry import declarations, get

_ADAM = {"lr": "lr", "beta1": "unit", "beta2": "unit", "eps": "nonneg", "eps_inside_sqrt": "bool",
         "bias_correction": "bool", "v0": "nonneg", "weight_decay": "nonneg", "decoupled_weight_decay": "bool"}

PAPER_KINDS: dict[str, dict[str, str]] = {
    "s3": {"lr": "lr", "beta": "unit", "p": "p", "beta2": "opt_unit", "nesterov": "bool",
           "weight_decay": "nonneg", "eps": "nonneg"},
    "adam": _ADAM,
    "adamw": _ADAM,
    "adam_clipped": {**_ADAM, "clip": "pos"},
    "amsgrad": {**{k: v for k, v in _ADAM.items() if k not in ("eps_inside_sqrt", "v0")},
                "v_max_of": "choice:v,v_hat"},
    "rmsprop": {"lr": "lr", "beta2": "unit", "eps": "nonneg", "eps_inside_sqrt": "bool", "momentum": "unit",
                "centered": "bool", "weight_decay": "nonneg", "v0": "nonneg"},
    "nag": {"lr": "lr", "beta": "unit", "form": "choice:I,II,III", "g0": "choice:zero,first"},
    "sgdm": {"lr": "lr", "beta": "unit", "convention": "choice:ema,torch", "dampening": "unit",
             "nesterov": "bool", "weight_decay": "nonneg"},
    "nadam": {"lr": "lr", "beta1": "unit", "beta2": "unit", "eps": "nonneg", "momentum_decay": "nonneg",
              "weight_decay": "nonneg", "decoupled_weight_decay": "bool", "mu_schedule": "choice:dozat,constant"},
    "adan": {"lr": "lr", "beta1": "opt_unit", "beta2": "opt_unit", "beta3": "opt_unit", "eps": "nonneg",
             "weight_decay": "nonneg", "no_prox": "bool", "form": "choice:official,paper"},
    "lion": {"lr": "lr", "beta1": "unit_closed", "beta2": "unit", "weight_decay": "nonneg"},
    "generalized_signsgd": {"lr": "lr", "beta1": "unit", "beta2": "unit", "eps": "nonneg"},
    "signsgd": {"lr": "lr"},
    "signgd": {"lr": "lr"},
    "signum": {"lr": "lr", "beta": "unit"},
    "sgd_clip": {"lr": "lr", "gamma": "pos", "beta": "unit", "nu": "unit_closed"},
    "sam": {"lr": "lr", "rho": "nonneg", "beta": "unit", "same_sample": "bool"},
    "adasam": {"lr": "lr", "rho": "nonneg", "beta1": "unit", "beta2": "unit_closed", "eps": "pos",
               "same_sample": "bool"},
    "adam_sam": {"lr": "lr", "rho": "nonneg", "beta1": "unit", "beta2": "unit", "eps": "pos", "same_sample": "bool"},
    "normalized_sgdm": {"lr": "lr", "beta": "unit", "m1": "choice:gradient,ema"},
    "nigt": {"lr": "lr", "beta": "unit"},
    "igt": {"lr": "lr"},
    "adaptive_nsgd": {"gbound": "pos"},
    "adasgd": {"lr": "lr", "beta1": "unit", "beta2": "unit", "eps": "nonneg", "v0": "nonneg"},
    "blockwise_adam": {"lr": "lr", "blocks": "blocks", "beta1": "unit", "beta2": "unit", "eps": "nonneg",
                       "v0": "nonneg"},
}

NAN, INF = float("nan"), float("inf")
COMMON_BAD = [NAN, INF, -INF, "0.5", True, None, [0.5], 1 + 0j]
BAD = {
    "unit": [1.0, -0.1, 1.5, -1e-300, np.float64(1.0), *COMMON_BAD],
    "opt_unit": [1.0, -0.1, NAN, INF, "0.5", True, [0.5]],
    "unit_closed": [1.0000001, -0.1, 2, *COMMON_BAD],
    "nonneg": [-1, -1e-300, np.float32(-0.5), *COMMON_BAD],
    "pos": [0, 0.0, -1, -1e-300, *COMMON_BAD],
    "p": [0.5, 0.999999, 0, -3, *COMMON_BAD],
    "lr": [0, 0.0, -1, -1e-300, NAN, INF, True, False, "0.1", None, [0.1]],
    "bool": [1, 0, "True", None, 1.0],
    "blocks": [[0, -1, 2], [[0, 1]], [], [0.5, 1.0], "abc", None, 3],
}
GOOD = {
    "unit": [0.0, 0, math.nextafter(1.0, 0.0), np.float32(0.5), np.int64(0)],
    "opt_unit": [None, 0.0, math.nextafter(1.0, 0.0)],
    "unit_closed": [0.0, 1.0, 1, 0.5],
    "nonneg": [0.0, 0, 1e300, np.float32(2.0)],
    "pos": [1e-300, 5, np.float64(0.1)],
    "p": [1.0, 1, 2.5, 7],
    "lr": [1e-12, 10, np.float32(0.5), lambda t: 0.1 / t],
    "bool": [True, False, np.bool_(True)],
    "blocks": [[0], [3, 3, 1], np.array([2, 0, 2, 1], dtype=np.int32)],
}
RANGE_TEXT = {
    "unit": "[0, 1)", "opt_unit": "[0, 1)", "unit_closed": "[0, 1]", "nonneg": ">= 0", "pos": "> 0",
    "p": ">= 1", "lr": "> 0", "bool": "True or False", "blocks": "non-negative integer block ids",
}
REQUIRED_PARAMS = {(a, k) for a, kw in REQUIRED_KWARGS.items() for k in kw}


def kind_of(alg, name):
    """The kind of range of ``alg``'s hyperparameter ``name``: its check's ``kind``."""
    kind = getattr(SPECS[alg][name].check, "kind", None)
    assert kind is not None, f"{alg}.{name}: its check has no kind (reference.hyperparams)"
    return kind


def kinds_of(kind):
    if kind.startswith("choice:"):
        choices = kind.split(":", 1)[1].split(",")
        return ([choices[0].lower() + "x", "", None, 1, choices[0] + " "],
                choices, "one of " + ", ".join(repr(c) for c in choices))
    return BAD[kind], GOOD[kind], RANGE_TEXT[kind]


PARAMS = [(d.name, k) for d in declarations() for k in d.params]


def test_every_kind_is_swept_and_required_values_are_declared():
    for alg, name in PARAMS:
        kind = kind_of(alg, name)
        assert kind.startswith("choice:") or kind in BAD, f"{alg}.{name}: kind {kind!r} has no test values"
    assert set(SPECS) == set(R.ALGORITHMS)
    required = {(a, k) for a, spec in SPECS.items() for k, p in spec.items() if p.default is REQUIRED}
    assert required == REQUIRED_PARAMS  # every declaration's first example gives its required values


def test_declared_ranges_are_the_papers():
    """The declared range of each parameter of the papers' algorithms is the one restated above."""
    for alg, kinds in PAPER_KINDS.items():
        assert list(kinds) == list(SPECS[alg]), alg
        for name, kind in kinds.items():
            assert kind_of(alg, name) == kind, (alg, name)


def base_kwargs(alg, name):
    """The required values (the range is checked before any consistency check)."""
    return dict(REQUIRED_KWARGS.get(alg, {}))


def accepting(alg, name, value):
    """The factory with ``name=value``: with the required values, else in the context of an example
    that sets ``name`` (a parameter may need another option to be accepted at all: sgdm's dampening
    needs convention='torch'); raises the last consistency error if none accepts it."""
    contexts = [{}] + [dict(ex.hyperparams) for ex in get(alg).examples if name in ex.hyperparams]
    error = None
    for context in contexts:
        kw = {**base_kwargs(alg, name), **context, name: value}
        try:
            return R.ALGORITHMS[alg](**kw)
        except ValueError as exc:
            assert not str(exc).startswith(f"{alg}: {name} must be"), exc  # an allowed value is in range
            error = exc
    raise AssertionError(f"{alg}: no context accepts {name}={value!r}") from error


@pytest.mark.parametrize(("alg", "name"), PARAMS, ids=[f"{a}.{k}" for a, k in PARAMS])
def test_rejects_out_of_range_with_named_range(alg, name):
    bad, _, text = kinds_of(kind_of(alg, name))
    for value in bad:
        kw = base_kwargs(alg, name)
        kw[name] = value
        with pytest.raises(ValueError) as info:
            R.ALGORITHMS[alg](**kw)
        msg = str(info.value)
        assert msg.startswith(f"{alg}: {name} must be"), (value, msg)
        assert text in msg, (value, msg)


@pytest.mark.parametrize(("alg", "name"), PARAMS, ids=[f"{a}.{k}" for a, k in PARAMS])
def test_accepts_allowed_boundary_values(alg, name):
    kind = kind_of(alg, name)
    _, good, _ = kinds_of(kind)
    for value in good:
        hp = accepting(alg, name, value).hyperparams
        got = hp[name]
        if kind == "blocks":
            assert np.array_equal(got, np.asarray(value)) and got.dtype == np.int64
        elif callable(value) or value is None or isinstance(value, str):
            assert got is value or got == value
        elif kind == "bool":
            assert got is bool(value)
        else:
            assert type(got) is float and got == float(value)


@pytest.mark.parametrize("alg", sorted(SPECS))
def test_unknown_and_missing_keywords_raise_type_error(alg):
    kw = dict(REQUIRED_KWARGS.get(alg, {}))
    with pytest.raises(TypeError, match=r"unexpected hyperparameter\(s\) \['bogus'\]"):
        R.ALGORITHMS[alg](bogus=1, **kw)
    for name in kw:
        partial = {k: v for k, v in kw.items() if k != name}
        with pytest.raises(TypeError, match=f"missing required hyperparameter '{name}'"):
            R.ALGORITHMS[alg](**partial)
    with pytest.raises(TypeError):
        R.ALGORITHMS[alg](0.1)  # keyword-only


LR_ALGS = sorted(a for a in SPECS if "lr" in SPECS[a])


@pytest.mark.parametrize("alg", LR_ALGS)
@pytest.mark.parametrize("bad", [-1.0, NAN, INF, "fast", None])
def test_schedule_value_is_checked_at_each_step(alg, bad):
    """A schedule returning a negative/NaN/inf/non-number lr raises ValueError naming t."""
    kw = dict(REQUIRED_KWARGS.get(alg, {}))
    d = 7 if alg == "blockwise_adam" else 3
    kw["lr"] = lambda t: 0.1 if t == 1 else bad
    algo = R.ALGORITHMS[alg](**kw)
    x = np.zeros(d)
    state = algo.init(x)
    x, state = algo.step(x, state, lambda z: np.ones_like(z))  # t = 1 is fine
    with pytest.raises(ValueError, match=rf"{alg}: lr schedule must return a finite number >= 0, got .* at t=2"):
        algo.step(x, state, lambda z: np.ones_like(z))


@pytest.mark.parametrize("alg", LR_ALGS)
def test_schedule_may_return_zero(alg):
    """lr_t = 0 (warm-up start) is allowed and leaves x unchanged (no decay without lr)."""
    kw = dict(REQUIRED_KWARGS.get(alg, {}))
    kw["lr"] = lambda t: 0.0
    algo = R.ALGORITHMS[alg](**kw)
    x0 = np.arange(1.0, 8.0) if alg == "blockwise_adam" else np.array([1.0, -2.0, 3.0])
    x, _ = algo.step(x0, algo.init(x0), lambda z: np.ones_like(z))
    assert np.array_equal(x, x0)


def test_check_lr_value_directly():
    assert check_lr_value("a", 3, 0) == 0.0 and check_lr_value("a", 3, np.float32(0.5)) == 0.5
    with pytest.raises(ValueError, match="at t=5"):
        check_lr_value("a", 5, -0.0001)


def test_resolve_defaults_and_read_only():
    hp = resolve("adam", {"lr": 0.5})
    assert isinstance(hp, MappingProxyType) and hp["lr"] == 0.5 and hp["beta2"] == 0.999
    with pytest.raises(TypeError):
        hp["lr"] = 1.0  # type: ignore[index]
    assert defaults("sgd_clip")["gamma"] is REQUIRED and defaults("sgd_clip")["nu"] == 1.0
    with pytest.raises(KeyError, match="unknown algorithm 'nope'"):
        resolve("nope", {})


@pytest.mark.parametrize("alg", sorted(SPECS))
def test_factory_signature_and_doc_come_from_specs(alg):
    f = R.ALGORITHMS[alg]
    sig = inspect.signature(f)
    assert list(sig.parameters) == list(SPECS[alg])
    for k, p in sig.parameters.items():
        assert p.kind is inspect.Parameter.KEYWORD_ONLY
        expected = inspect.Parameter.empty if SPECS[alg][k].default is REQUIRED else SPECS[alg][k].default
        assert p.default is expected or p.default == expected
        assert f"    {k} (default" in f.__doc__
    assert f.__name__ == alg


def test_blocks_are_copied_and_frozen():
    ids = [0, 1, 0]
    hp = R.blockwise_adam(lr=0.1, blocks=ids).hyperparams
    ids[0] = 5
    assert hp["blocks"].tolist() == [0, 1, 0]
    with pytest.raises(ValueError):
        hp["blocks"][0] = 3
