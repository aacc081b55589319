"""The gpu optimizers are transactional (issue 17): a call that raises leaves the optimizer, its
parameters and their gradients exactly as they were.

* ``add_param_group`` validates the whole group (hyperparameters, option types, parameters, extra
  entries) before adding it; the dict given is not modified.
* ``load_state_dict`` checks keys, shapes, kinds, ranges of the whole state dict before loading;
  a checkpoint that lacks a hyperparameter or option (older than it) takes the declared default.
* A closure that raises (SAM/AdaSAM/AdamSAM, NIGT) leaves every parameter of every group at
  ``x_t`` and every ``.grad`` as given; a closure that misses a gradient updates nothing.
* A step that refuses a parameter or a schedule value changes no state.

Every class of ``gpu.OPTIMIZERS`` is swept (no algorithm names here).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import gpu  # noqa: E402
import reference as R  # noqa: E402
from reference.hyperparams import SPECS  # noqa: E402

NAMES = sorted(gpu.OPTIMIZERS)
CLOSURE = sorted(n for n in NAMES if R.registry.get(n).x_dependent is True)
PLAIN = [n for n in NAMES if n not in CLOSURE]


def _param(*shape: int, dtype: torch.dtype = torch.float64, seed: int = 0) -> torch.nn.Parameter:
    g = torch.Generator().manual_seed(seed)
    return torch.nn.Parameter(torch.randn(*shape, dtype=dtype, generator=g))


def _make(name: str, params, **kw):  # type: ignore[no-untyped-def]
    return gpu.OPTIMIZERS[name](params, **{"lr": 0.01, **kw})


def _snapshot(opt) -> dict:  # type: ignore[no-untyped-def]
    """Everything a failed call must not change: groups (values and parameters), state, parameters, grads."""
    params = [p for g in opt.param_groups for p in g["params"]]
    return {
        "groups": [{k: (list(map(id, v)) if k == "params" else copy.deepcopy(v)) for k, v in g.items()}
                   for g in opt.param_groups],
        "state": {id(p): {k: (v.clone() if isinstance(v, torch.Tensor) else v) for k, v in opt.state[p].items()}
                  for p in params if p in opt.state},
        "params": [p.detach().clone() for p in params],
        "grads": [None if p.grad is None else p.grad.clone() for p in params],
        "grad_ids": [id(p.grad) for p in params],
    }


def _same(a: dict, b: dict) -> bool:
    def eq(x, y) -> bool:  # type: ignore[no-untyped-def]
        if isinstance(x, torch.Tensor) or isinstance(y, torch.Tensor):
            return isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor) and x.dtype == y.dtype \
                and x.shape == y.shape and bool(torch.equal(x, y))
        if isinstance(x, dict):
            return isinstance(y, dict) and x.keys() == y.keys() and all(eq(x[k], y[k]) for k in x)
        if isinstance(x, (list, tuple)):
            return isinstance(y, (list, tuple)) and len(x) == len(y) and all(eq(u, v) for u, v in zip(x, y))
        if isinstance(x, np.ndarray):
            return np.array_equal(x, y)
        return bool(x == y) if not (isinstance(x, float) and x != x) else y != y
    return all(eq(a[k], b[k]) for k in a)


def _trained(name: str, steps: int = 2):  # type: ignore[no-untyped-def]
    """An optimizer with two groups and state (``steps`` steps taken)."""
    a, b = _param(3, 2), _param(4, seed=1)
    opt = _make(name, [{"params": [a]}, {"params": [b], "lr": 0.02}])
    for _ in range(steps):
        _step(opt)
    return opt


def _step(opt, closure=None):  # type: ignore[no-untyped-def]
    params = [p for g in opt.param_groups for p in g["params"]]
    for p in params:
        p.grad = torch.sin(p.detach() * 3.0) + 0.1
    if closure is None and type(opt).__name__ in {gpu.OPTIMIZERS[n].__name__ for n in CLOSURE}:
        def closure() -> float:
            for p in params:
                p.grad = torch.cos(p.detach() * 2.0)
            return 0.0
    return opt.step(closure)


# --------------------------------------------------------------------------- add_param_group


def _bad_groups(name: str) -> list[tuple[dict, type, str]]:
    """(group, error type, text in the message): one bad entry each, the rest valid."""
    out: list[tuple[dict, type, str]] = [
        ({"lr": -1.0}, ValueError, "lr"),
        ({"foreach": 1}, ValueError, "foreach"),
        ({"maximize": "yes"}, ValueError, "maximize"),
        ({"no_such_option": 1.0}, None, ""),  # unknown keys are kept, as torch does: not an error
    ]
    for k, p in SPECS[name].items():
        kind = getattr(p.check, "kind", "")
        if kind in ("unit", "unit_closed", "nonneg", "pos", "p", "opt_unit"):
            out.append(({k: -5.0}, ValueError, k))
            out.append(({k: 10**400}, ValueError, k))  # a huge int: ValueError naming it, not OverflowError
        elif kind == "bool":
            out.append(({k: 1}, ValueError, k))
    for k, (_, allowed) in gpu.OPTIMIZERS[name].options.items():
        if any(isinstance(a, str) for a in allowed):
            out.append(({k: "no-such-scope"}, ValueError, k))
    return [(g, e, m) for g, e, m in out if e is not None]


@pytest.mark.parametrize("name", NAMES)
def test_add_param_group_validates_before_adding(name: str) -> None:
    opt = _trained(name)
    for entries, error, text in _bad_groups(name):
        before = _snapshot(opt)
        group = {"params": [_param(2, seed=5)], **entries}
        given = dict(group)
        with pytest.raises(error, match=text):
            opt.add_param_group(group)
        assert _same(_snapshot(opt), before), entries
        assert group == given  # the caller's dict is untouched
    # parameters: not floating point, already in a group
    for params, error in (([torch.zeros(2, dtype=torch.int64)], ValueError),
                          ([opt.param_groups[0]["params"][0]], ValueError)):
        before = _snapshot(opt)
        with pytest.raises(error):
            opt.add_param_group({"params": params})
        assert _same(_snapshot(opt), before)
    opt.add_param_group({"params": [_param(2, seed=6)]})  # a valid group is added and trains
    assert len(opt.param_groups) == 3
    _step(opt)


def test_a_rejected_group_is_not_trained() -> None:
    """The issue's report: the group used to be appended before it was validated, then trained."""
    for name in NAMES:
        opt = _make(name, [_param(3)])
        bad = _param(2, seed=9)
        with pytest.raises(ValueError):
            opt.add_param_group({"params": [bad], "lr": float("nan")})
        assert all(bad is not p for g in opt.param_groups for p in g["params"])


@pytest.mark.parametrize("name", NAMES)
def test_option_types_are_checked(name: str) -> None:
    """Flags are bools (or None): 1, 0, "True" are refused, NumPy bools accepted."""
    cls = gpu.OPTIMIZERS[name]
    for opt_name, (_, allowed) in cls.options.items():
        if True in allowed:
            for bad in (1, 0, "True", 1.0):
                with pytest.raises(ValueError, match=opt_name):
                    cls([_param(3)], lr=0.01, **{opt_name: bad})
            if opt_name != "fused":
                opt = cls([_param(3)], lr=0.01, **{opt_name: np.bool_(False)})
                assert opt.defaults[opt_name] is False


# --------------------------------------------------------------------------- load_state_dict


def _corruptions(name: str, sd: dict) -> list[tuple[str, dict]]:
    """(what, state dict): each one wrong thing."""
    out = []
    pid = next(iter(sd["state"]))
    st = sd["state"][pid]
    buffers = [k for k, v in st.items() if isinstance(v, torch.Tensor) and v.is_floating_point()]
    for k in buffers:
        d = copy.deepcopy(sd)
        del d["state"][pid][k]
        out.append((f"missing {k}", d))
        d = copy.deepcopy(sd)
        d["state"][pid][k] = torch.zeros(tuple(st[k].shape) + (2,), dtype=st[k].dtype)
        out.append((f"wrong shape {k}", d))
        d = copy.deepcopy(sd)
        d["state"][pid][k] = st[k].to(torch.int64)
        out.append((f"integer {k}", d))
        if k in gpu.OPTIMIZERS[name].nonnegative:
            d = copy.deepcopy(sd)
            d["state"][pid][k] = -torch.ones_like(st[k])
            out.append((f"negative {k}", d))
    for bad_step in (-1, 1.5, "3", None):
        d = copy.deepcopy(sd)
        d["state"][pid]["step"] = bad_step
        out.append((f"step {bad_step!r}", d))
    d = copy.deepcopy(sd)
    d["state"][pid]["exp_avg"] = torch.zeros(3)
    out.append(("another optimizer's buffer", d))
    for k, p in SPECS[name].items():
        if getattr(p.check, "kind", "") in ("unit", "nonneg", "pos", "p"):
            d = copy.deepcopy(sd)
            d["param_groups"][0][k] = -3.0
            out.append((f"{k} out of range", d))
    d = copy.deepcopy(sd)
    d["param_groups"][0]["betas"] = (0.9, 0.999)
    out.append(("another optimizer's group", d))
    d = copy.deepcopy(sd)
    d["param_groups"][0]["foreach"] = 1
    out.append(("option type", d))
    d = copy.deepcopy(sd)
    d["param_groups"] = d["param_groups"][:1]
    out.append(("group count", d))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_load_state_dict_validates_before_loading(name: str) -> None:
    source = _trained(name, steps=3)
    sd = source.state_dict()
    opt = _trained(name, steps=1)
    for what, bad in _corruptions(name, sd):
        before = _snapshot(opt)
        with pytest.raises((ValueError, TypeError)):
            opt.load_state_dict(bad)
        assert _same(_snapshot(opt), before), what
    # another optimizer's whole state dict
    p = [q for g in opt.param_groups for q in g["params"]]
    adam = torch.optim.Adam([{"params": [p[0]]}, {"params": [p[1]]}])
    for q in p:
        q.grad = torch.ones_like(q)
    adam.step()
    before = _snapshot(opt)
    with pytest.raises(ValueError, match="another optimizer"):
        opt.load_state_dict(adam.state_dict())
    assert _same(_snapshot(opt), before)
    opt.load_state_dict(sd)  # the valid one loads and steps
    _step(opt)


@pytest.mark.parametrize("name", NAMES)
def test_older_checkpoint_without_newer_keys_loads_with_defaults(name: str) -> None:
    """A checkpoint saved before an option or hyperparameter existed (torch.optim fills these in
    ``__setstate__``): the missing keys take the declared defaults; a resumed run equals one that
    never stopped."""
    source = _trained(name, steps=2)
    sd = source.state_dict()
    old = copy.deepcopy(sd)
    for g in old["param_groups"]:
        for k, (default, _) in gpu.OPTIMIZERS[name].options.items():
            if g.get(k) == default:
                g.pop(k)
        for k, p in SPECS[name].items():
            if k != "lr" and not p.per_coordinate and g.get(k) == p.default:
                g.pop(k)
    opt = _trained(name, steps=0)
    with torch.no_grad():  # the same parameter values as the source's
        for a, b in zip([q for g in source.param_groups for q in g["params"]],
                        [q for g in opt.param_groups for q in g["params"]]):
            b.copy_(a)
    opt.load_state_dict(old)
    assert [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups] == \
        [{k: v for k, v in g.items() if k != "params"} for g in source.param_groups]
    for o in (source, opt):
        _step(o)
    for a, b in zip([q for g in source.param_groups for q in g["params"]],
                    [q for g in opt.param_groups for q in g["params"]]):
        assert torch.equal(a, b)
    for sa, sb in zip(source.state.values(), opt.state.values()):
        for k in sa:
            assert torch.equal(sa[k], sb[k]) if isinstance(sa[k], torch.Tensor) else sa[k] == sb[k], k


# --------------------------------------------------------------------------- closures


class Boom(Exception):
    pass


@pytest.mark.parametrize("name", CLOSURE)
@pytest.mark.parametrize("failure", ["raises", "interrupt", "missing"])
def test_a_failing_closure_restores_every_parameter_of_every_group(name: str, failure: str) -> None:
    opt = _trained(name, steps=2)  # NIGT: state exists, so step 3 extrapolates every parameter
    params = [p for g in opt.param_groups for p in g["params"]]
    for p in params:
        p.grad = torch.sin(p.detach()) + 0.5
    before = _snapshot(opt)

    def closure() -> float:
        moved = [not torch.equal(p.detach(), x) for p, x in zip(params, before["params"])]
        assert any(moved)  # the closure runs at the perturbed / extrapolated point
        params[0].grad = torch.ones_like(params[0])  # a partial backward, then the failure
        if failure == "raises":
            raise Boom("closure failed")
        if failure == "interrupt":
            raise KeyboardInterrupt
        return 0.0  # "missing": the second group gets no gradient

    if failure == "missing":
        try:  # SAM's family refuses (the parameter had s_t); NIGT skips such a parameter (its docstring)
            opt.step(closure)
        except RuntimeError as exc:
            assert "no gradient" in str(exc)
        else:
            after = _snapshot(opt)
            assert torch.equal(after["params"][1], before["params"][1])  # restored to w_t, not updated
            assert _same(after["state"][id(params[1])], before["state"][id(params[1])])
            return
    else:
        with pytest.raises({"raises": Boom, "interrupt": KeyboardInterrupt}[failure]):
            opt.step(closure)
    after = _snapshot(opt)
    assert all(torch.equal(a, b) for a, b in zip(after["params"], before["params"]))  # every group: x_t exactly
    assert _same({k: after[k] for k in ("groups", "state")}, {k: before[k] for k in ("groups", "state")})
    if failure != "missing":  # the gradients given are back, the very tensors
        assert after["grad_ids"] == before["grad_ids"]
        assert all(torch.equal(a, b) for a, b in zip(after["grads"], before["grads"]))


# --------------------------------------------------------------------------- steps


@pytest.mark.parametrize("name", NAMES)
def test_a_refused_step_changes_no_state(name: str) -> None:
    """A schedule value out of range in the second group: the first group's state (step count,
    buffers) is untouched too -- every group is checked before any is updated."""
    opt = _trained(name, steps=1)
    opt.param_groups[1]["lr"] = lambda t: float("nan")  # group 0 comes first and is valid
    before = _snapshot(opt)
    with pytest.raises(ValueError, match="lr schedule"):
        _step(opt)
    after = _snapshot(opt)
    assert _same({k: after[k] for k in ("state", "params")}, {k: before[k] for k in ("state", "params")})


def test_low_precision_nigt_keeps_w_prev_in_float32() -> None:
    """The float32-state policy covers NIGT's w_{t-1} (it was kept in bfloat16/float16)."""
    for name in CLOSURE:
        for dtype in (torch.bfloat16, torch.float16):
            opt = _make(name, [_param(4, dtype=dtype)])
            _step(opt)
            for st in opt.state.values():
                for k, v in st.items():
                    if isinstance(v, torch.Tensor) and v.is_floating_point():
                        assert v.dtype == torch.float32, (name, k, v.dtype)


@pytest.mark.parametrize("name", NAMES)
def test_zero_size_parameters_keep_finite_state(name: str) -> None:
    """An empty tensor beside a non-empty one (every norm scope): no NaN in any buffer (AdaSGD's
    and BlockwiseAdam's mean of g^2 over no element was 0/0)."""
    scopes = gpu.OPTIMIZERS[name].options.get("norm_scope", (None, (None,)))[1]
    for scope in scopes:
        kw = {} if scope is None else {"norm_scope": scope}
        for foreach in (False, True):
            opt = _make(name, [_param(0), _param(3, 0), _param(3)], foreach=foreach, **kw)
            for _ in range(2):
                _step(opt)
            for st in opt.state.values():
                for k, v in st.items():
                    if isinstance(v, torch.Tensor) and v.is_floating_point():
                        assert torch.isfinite(v).all(), (name, scope, foreach, k)
            for g in opt.param_groups:
                for p in g["params"]:
                    assert torch.isfinite(p).all()


@pytest.mark.parametrize("name", NAMES)
def test_a_zero_dim_parameter_steps_as_a_one_element_tensor(name: str) -> None:
    """A 0-dim parameter (a scalar gain, a temperature) takes the step its 1-element reshape takes,
    on both paths (BlockwiseAdam broadcast its one-block ``v`` of shape (1,) onto it and raised
    after initialising the state)."""
    for foreach in (False, True):
        vector_p = _param(1)
        scalar_p = torch.nn.Parameter(vector_p.detach().reshape(()).clone())
        a, b = _make(name, [scalar_p], foreach=foreach), _make(name, [vector_p], foreach=foreach)
        for _ in range(3):
            _step(a)
            _step(b)
        assert scalar_p.shape == ()
        assert torch.equal(scalar_p.detach().reshape(1), vector_p.detach()), (name, foreach)


@pytest.mark.parametrize("scale", [1.0, 1e30, 1e-30])
def test_a_zero_dim_s3_parameter_in_root_mode(scale: float) -> None:
    """S3's root mode (``|g|^p`` out of range) indexes the coordinates to fix; a 0-dim parameter
    takes the same step as its 1-element reshape (the index raised on 0-dim tensors)."""
    for foreach in (False, True):
        vector_p = _param(1, dtype=torch.float32)
        scalar_p = torch.nn.Parameter(vector_p.detach().reshape(()).clone())
        a, b = (_make("s3", [q], foreach=foreach, p=8.0) for q in (scalar_p, vector_p))
        for t in range(3):
            scalar_p.grad = torch.tensor(scale * (t + 1.5), dtype=torch.float32)
            vector_p.grad = scalar_p.grad.reshape(1).clone()
            a.step()
            b.step()
        assert torch.equal(scalar_p.detach().reshape(1), vector_p.detach()), (scale, foreach)
        assert torch.equal(a.state[scalar_p]["s"].reshape(1), b.state[vector_p]["s"])


@pytest.mark.parametrize("name", ["adasam", "adam_sam"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.bfloat16])
def test_adasam_eps_with_an_overflowing_square_is_refused_at_construction(name: str, dtype: torch.dtype) -> None:
    """The reference's rule (eps^2 finite in the state dtype: float32 for bfloat16), checked when the
    group is added, before any state exists (it raised OverflowError inside the first step)."""
    top = torch.finfo(torch.float64 if dtype == torch.float64 else torch.float32).max
    _make(name, [_param(3, dtype=dtype)], eps=top ** 0.5 * 0.5)
    with pytest.raises(ValueError, match=f"{name}: eps must have a finite eps\\^2"):
        _make(name, [_param(3, dtype=dtype)], eps=top ** 0.5 * 2.0)
    opt = _make(name, [_param(3, dtype=dtype)])
    before = len(opt.param_groups)
    with pytest.raises(ValueError, match="eps"):
        opt.add_param_group({"params": [_param(2, dtype=dtype)], "eps": top ** 0.5 * 2.0})
    assert len(opt.param_groups) == before


@pytest.mark.parametrize("name", [n for n in NAMES if "norm_scope" in gpu.OPTIMIZERS[n].options])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_norm_based_for_loop_and_foreach_paths_are_bit_identical(name: str, dtype: torch.dtype) -> None:
    """Both paths take the norms from one computation (``gpu._common.norms``); ``sum(t * t)`` on the
    for-loop path and ``torch._foreach_norm`` on the foreach path differed in the last bit (NSGD-M,
    NIGT; found by the gpu fuzz suite at 8x)."""
    for scope in gpu.OPTIMIZERS[name].options["norm_scope"][1]:
        runs = []
        for foreach in (False, True):
            ps = [_param(n, dtype=dtype, seed=i) for i, n in enumerate((3, 5, 7))]
            opt = _make(name, ps, foreach=foreach, norm_scope=scope, lr=1.0)
            for t in range(40):
                grads = [torch.randn(p.shape, dtype=dtype, generator=torch.Generator().manual_seed(100 * t + i))
                         for i, p in enumerate(ps)]

                def closure(ps: list = ps, grads: list = grads) -> float:  # type: ignore[type-arg]
                    for p, g in zip(ps, grads):
                        p.grad = g.clone()
                    return 0.0
                closure()
                opt.step(closure)
            runs.append(torch.cat([p.detach().reshape(-1) for p in ps]))
        assert torch.equal(runs[0], runs[1]), (name, dtype, scope, (runs[0] - runs[1]).abs().max())
