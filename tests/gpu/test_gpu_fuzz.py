"""Property-based fuzz of the gpu optimizers (issue 17): random sequences of torch.optim operations
-- construction with hyperparameters of every type and range, steps with gradients of every
magnitude (and NaN/inf), ``add_param_group`` with good and bad entries, ``state_dict`` /
``load_state_dict`` (round trips and corrupted dicts), closures that fail -- on the for-loop and
the foreach path side by side.

Each operation ends in a clean error (``TypeError``/``ValueError``/``RuntimeError`` naming what is
wrong, the optimizer and its parameters exactly as before) or a consistent result: both paths
bit-identical, the state dtype policy kept, and, for finite gradients inside the algorithm's
accurate domain (README table, as tests/reference/test_fuzz.py reads it), finite parameters and
state.  Every class of ``gpu.OPTIMIZERS`` (no algorithm names here); derandomized, bounded for CI.
"""

from __future__ import annotations

import copy
import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import gpu  # noqa: E402
import reference as R  # noqa: E402
from gpu._common import state_dtype  # noqa: E402
from reference.hyperparams import SPECS  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))
from _fuzz import ANY_VALUE, DOMAINS  # noqa: E402

NAMES = sorted(gpu.OPTIMIZERS)
CLOSURE = {n for n in NAMES if R.registry.get(n).x_dependent is True}
SCALE = float(os.environ.get("FUZZ_EXAMPLES", "1"))
FUZZ = settings(max_examples=max(1, int(150 * SCALE)), deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
CLEAN = (TypeError, ValueError, RuntimeError)
DTYPES = [torch.float32, torch.float64, torch.bfloat16]


def _example(name: str) -> dict[str, Any]:
    """The class's first parity example without its torch options (hyperparameters only)."""
    ex = next(iter(gpu.OPTIMIZERS[name].examples.values()))
    return {k: v for k, v in ex.items() if k in SPECS[name] and not SPECS[name][k].per_coordinate}


def _snapshot(opts: list) -> list:  # type: ignore[type-arg]
    out = []
    for opt in opts:
        params = [p for g in opt.param_groups for p in g["params"]]
        out.append((
            [{k: (len(v) if k == "params" else repr(v)) for k, v in g.items()} for g in opt.param_groups],
            [p.detach().clone() for p in params],
            [{k: (v.clone() if isinstance(v, torch.Tensor) else v) for k, v in opt.state[p].items()}
             if p in opt.state else None for p in params],
        ))
    return out


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape and \
            bool(torch.equal(torch.nan_to_num(a.double(), nan=7.0), torch.nan_to_num(b.double(), nan=7.0))) and \
            bool(torch.equal(torch.isnan(a), torch.isnan(b)))
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return a == b


def _on_both_paths(opts: list, before: list, act: Any) -> bool:  # type: ignore[type-arg]
    """``act(i, opt)`` on the for-loop and the foreach optimizer: the same outcome (no error, or the same
    clean error type), and after an error nothing changed.  Whether it raised."""
    outcomes = []
    for i, o in enumerate(opts):
        try:
            act(i, o)
            outcomes.append(None)
        except CLEAN as exc:
            outcomes.append(type(exc))
    assert outcomes[0] == outcomes[1]
    if outcomes[0] is not None:
        assert _equal(_snapshot(opts), before)
    return outcomes[0] is not None


def _grads(draw: Any, params: list, dtype: torch.dtype, name: str) -> tuple[list, bool]:  # type: ignore[type-arg]
    """Gradients of one magnitude class for every parameter; whether they are finite and inside the
    README domain of the algorithm (then the step must keep everything finite)."""
    kind = draw(st.sampled_from(["moderate", "extreme", "special", "zero"]))
    wdt = state_dtype(dtype)
    fi = torch.finfo(wdt)
    lo_end, hi_end = math.log2(fi.tiny), math.log2(fi.max)
    j = 0.0 if kind != "extreme" else draw(st.floats(lo_end - 20, hi_end - 1))
    gen = torch.Generator().manual_seed(draw(st.integers(0, 2**31 - 1)))
    out = []
    for p in params:
        g = torch.randn(p.shape, generator=gen, dtype=torch.float64) * 2.0**j
        if kind == "zero":
            g = torch.zeros_like(g)
        if kind == "special" and g.numel():
            g.view(-1)[0] = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
        with np.errstate(over="ignore"):
            out.append(g.to(dtype))
    finite = all(bool(torch.isfinite(g).all()) for g in out)
    dom = DOMAINS.get(name, {}).get("float64" if wdt == torch.float64 else "float32")
    big = max((float(g.abs().max().double()) for g in out if g.numel()), default=0.0)
    small = min((float(g[g != 0].abs().min().double()) for g in out if bool((g != 0).any())), default=0.0)
    inside = finite and dom is not None and (big == 0.0 or (
        dom[0] + 2 <= math.log2(small) and math.log2(big) <= dom[1] - 2))
    return out, inside


@FUZZ
@given(data=st.data())
def test_random_operation_sequences(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(NAMES), label="optimizer")
    cls = gpu.OPTIMIZERS[name]
    dtype = data.draw(st.sampled_from(DTYPES), label="dtype")
    shapes = data.draw(st.lists(st.sampled_from([(3,), (2, 3), (0,), (), (1, 4)]), min_size=1, max_size=3),
                       label="shapes")
    hp = _example(name)
    if data.draw(st.booleans(), label="perturb a hyperparameter"):
        key = data.draw(st.sampled_from([k for k in SPECS[name] if not SPECS[name][k].per_coordinate]), label="key")
        hp[key] = data.draw(ANY_VALUE, label="value")
    gen = torch.Generator().manual_seed(0)
    opts = []
    for foreach in (False, True):
        params = [torch.nn.Parameter(torch.randn(s, generator=torch.Generator().manual_seed(i), dtype=torch.float64)
                                     .to(dtype)) for i, s in enumerate(shapes)]
        try:
            opts.append(cls(params, foreach=foreach, **hp))
        except CLEAN as exc:
            assert any(k in str(exc) for k in hp) or name in str(exc) or cls.__name__ in str(exc), str(exc)
            return
    del gen
    clean_history = True  # every gradient so far finite and inside the domain
    for op in data.draw(st.lists(st.sampled_from(["step", "step", "step", "add_group", "roundtrip", "corrupt",
                                                  "failing_closure"]), min_size=1, max_size=5), label="ops"):
        before = _snapshot(opts)
        params = [[p for g in o.param_groups for p in g["params"]] for o in opts]
        if op == "step":
            grads, inside = _grads(data.draw, params[0], dtype, name)
            clean_history = clean_history and inside

            def step(i: int, o: Any) -> None:
                ps = params[i]
                for p, g in zip(ps, grads):
                    p.grad = g.clone()

                def closure(ps: list = ps) -> float:  # type: ignore[type-arg]
                    for p, g in zip(ps, grads):
                        p.grad = g.clone()
                    return 0.0
                o.step(closure if name in CLOSURE else None)

            if _on_both_paths(opts, before, step):
                continue
            if clean_history:
                for o in opts:
                    for g in o.param_groups:
                        for p in g["params"]:
                            assert torch.isfinite(p).all(), (name, "finite gradients inside the domain")
                            for v in o.state[p].values() if p in o.state else ():
                                if isinstance(v, torch.Tensor) and v.is_floating_point():
                                    assert torch.isfinite(v).all() and v.dtype == state_dtype(p.dtype)
        elif op == "add_group":
            entries = {}
            if data.draw(st.booleans(), label="bad entry"):
                key = data.draw(st.sampled_from([k for k in [*SPECS[name], *cls.options]
                                                 if not (k in SPECS[name] and SPECS[name][k].per_coordinate)]),
                                label="group key")
                entries[key] = data.draw(ANY_VALUE, label="group value")
            _on_both_paths(opts, before, lambda i, o: o.add_param_group(
                {"params": [torch.nn.Parameter(torch.ones(2, dtype=dtype))], **entries}))
        elif op == "roundtrip":
            for o in opts:
                o.load_state_dict(copy.deepcopy(o.state_dict()))
            after = _snapshot(opts)
            assert _equal([a[1:] for a in after], [b[1:] for b in before])
        elif op == "corrupt":  # the same corruption of both paths' state dicts
            what = data.draw(st.sampled_from(["group", "buffer", "step"]), label="corrupt")
            sd0 = opts[0].state_dict()
            key = data.draw(st.sampled_from([k for k in sd0["param_groups"][0] if k != "params"]), label="key")
            value = data.draw(ANY_VALUE, label="group value")
            bad_buffer = data.draw(st.sampled_from([None, -1, "x", "zeros7", "int", "negative"]), label="buffer")

            def corrupt(i: int, o: Any) -> None:
                sd = copy.deepcopy(o.state_dict())
                if what == "group":
                    sd["param_groups"][0][key] = value
                elif sd["state"]:
                    pid = next(iter(sd["state"]))
                    buffers = [k for k in sd["state"][pid] if k != "step"]  # SignSGD has none
                    k = "step" if what == "step" or not buffers else buffers[0]
                    old = sd["state"][pid][k]
                    sd["state"][pid][k] = {"zeros7": torch.zeros(7), "int": torch.zeros(1, dtype=torch.int64),
                                           "negative": (torch.full_like(old, -1.0) if isinstance(old, torch.Tensor)
                                                        and old.is_floating_point() else 2.5)}.get(bad_buffer,
                                                                                                   bad_buffer)
                o.load_state_dict(sd)

            _on_both_paths(opts, before, corrupt)
        elif op == "failing_closure" and name in CLOSURE:
            for o, ps in zip(opts, params):
                for p in ps:
                    p.grad = torch.ones_like(p)

                def boom() -> float:
                    raise KeyError("closure failed")
                with pytest.raises(KeyError):
                    o.step(boom)
            after = _snapshot(opts)
            assert _equal([a[:3] for a in after], [b[:3] for b in before])
        # the two paths stay bit-identical
        a, b = _snapshot(opts)
        assert _equal(a[1], b[1]) and _equal(a[2], b[2]), (name, op)
