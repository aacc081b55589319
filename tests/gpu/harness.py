"""Parity harness: a ``gpu`` optimizer and its reference twin driven by the same oracle.

A problem is a list of param groups, each a list of tensor shapes with the group's reference
hyperparameters.  Both sides see the same seeded data:

* ``stream`` oracles (every method whose gradient does not depend on x): gradient t of tensor j
  is a fixed array (heterogeneous scales, a mean and noise, as ``test_torch_parity``); the torch
  side gets it as ``.grad``, the reference twin as its oracle.
* ``quadratic`` oracles (SAM, AdaSAM, AdamSAM, NIGT): ``f(x; xi_t) = sum a (x - c)^2 / 2 + xi_t x``,
  gradient ``a (x - c) + xi_t`` evaluated in float64 (then rounded to the parameter dtype for
  torch); the noise ``xi_t`` is drawn once per step and shared by the two evaluations of a SAM
  step (the reference's ``oracle.sample()``; the torch closure).  ``c`` is far from the iterates
  so the gradient's magnitude bounds that of its own rounding errors (gpu.tolerances R4).

The mapping to the reference's runs: ``norm_scope='tensor'`` (and every elementwise method) maps
each flattened tensor to one reference run; ``'group'`` maps the concatenation of the group's
tensors to one run.  ``maximize`` maps to the reference driven with ``-grad``.  A tensor whose
gradient is ``None`` at a step simply does not step in its reference run.

Every step both sides are recorded: parameters and every state buffer (torch state keys are the
reference state's field names), and compared with ``gpu.tolerances`` (= ``reference.tolerances``)
through ``reference.oracle``'s metric (:func:`reference.oracle.normwise_errors`).  The public
``reference.oracle.compare`` does the same for one tensor of any implementation; this harness adds
what only ``gpu`` has: param groups, ``norm_scope``, ``maximize``, ``grad=None``, low precision,
injected non-finite values and state_dict round trips.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import gpu
import reference as R
from gpu import tolerances as TOL
from reference.oracle import normwise_errors
from reference.registry import get

TORCH_OPTIONS = ("maximize", "norm_scope", "blocks", "foreach", "fused")


def x_dependent(name: str, hp: dict[str, Any]) -> bool:
    """The method evaluates its gradient away from x_t (closure-based: the quadratic oracle)."""
    return get(name).depends_on_x(hp)


def scoped(name: str) -> bool:
    """The method reduces over a whole run (a norm or a mean: ``norm_scope`` maps groups to runs)."""
    return get(name).reduction == "run"


def sign_based(name: str) -> bool:
    """The direction is a sign (R7's margin precondition applies)."""
    return get(name).sign_based


QUADRATIC = {n for n in gpu.OPTIMIZERS if get(n).x_dependent is True}
"""The gpu methods that need the quadratic (closure) oracle whatever their hyperparameters."""
SCOPED = {n for n in gpu.OPTIMIZERS if scoped(n)}
SIGN_ARG = {n for n in gpu.OPTIMIZERS if sign_based(n)}


@dataclass
class Group:
    """One param group: tensor shapes, reference hyperparameters, torch options."""

    shapes: list[tuple[int, ...]]
    hp: dict[str, Any]
    maximize: bool = False
    norm_scope: str | None = None
    blocks: list[np.ndarray | None] | None = None  # BlockwiseAdam: ids per tensor


@dataclass
class Run:
    """Recorded trajectories: ``torch[(gi, j, q)]`` and ``ref[(gi, j, q)]`` have shape (T, numel)."""

    name: str
    groups: list[Group]
    torch: dict[tuple[int, int, str], np.ndarray]
    ref: dict[tuple[int, int, str], np.ndarray]
    n: int  # longest reduced vector, for gpu.tolerances
    steps_torch: dict[tuple[int, int], int]
    steps_ref: dict[tuple[int, int], int]
    sign_margin: float = np.inf  # min |argument of sign| / its running magnitude (SIGN_ARG methods)
    extra: dict[str, Any] = field(default_factory=dict)


def _representable(a: np.ndarray, dtype: torch.dtype) -> np.ndarray:
    """``a`` rounded to ``dtype`` and back to float64 (both sides then see the same numbers)."""
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64)).to(dtype).double().numpy()


class _Data:
    """Seeded x0, gradient stream and quadratic of one problem."""

    def __init__(self, groups: Sequence[Group], steps: int, seed: int, dtype: torch.dtype, scale: float) -> None:
        rng = np.random.default_rng(seed)
        self.x0, self.stream, self.a, self.c, self.noise = [], [], [], [], []
        for grp in groups:
            x0g, sg, ag, cg, ng = [], [], [], [], []
            for shape in grp.shapes:
                d = int(np.prod(shape))
                x0 = rng.normal(size=d)
                coord_scale = 10.0 ** rng.uniform(-3, 1, size=d)
                g = (rng.normal(size=(steps, d)) + 0.3) * coord_scale * scale
                x0g.append(_representable(x0, dtype))
                sg.append(_representable(g, dtype))
                ag.append(rng.uniform(0.2, 1.0, size=d))
                cg.append(x0 + np.where(rng.random(d) < 0.5, -1.0, 1.0) * rng.uniform(2.0, 3.0, size=d))
                ng.append(0.3 * rng.normal(size=(steps, d)))
            for lst, v in zip((self.x0, self.stream, self.a, self.c, self.noise), (x0g, sg, ag, cg, ng)):
                lst.append(v)

    def quad_grad(self, gi: int, j: int, t: int, x: np.ndarray) -> np.ndarray:
        """``a (x - c) + xi_t`` of tensor j (float64, flat)."""
        return self.a[gi][j] * (np.asarray(x, dtype=np.float64) - self.c[gi][j]) + self.noise[gi][j][t]


class _RefOracle:
    """The reference's oracle for one run (one tensor, or a group's concatenation)."""

    def __init__(self, grad: Callable[[int, np.ndarray], np.ndarray], dtype: Any) -> None:
        self.grad, self.dtype, self.t = grad, dtype, 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.grad(self.t, x).astype(self.dtype)

    def sample(self) -> Callable[[np.ndarray], np.ndarray]:
        t = self.t
        return lambda x: self.grad(t, x).astype(self.dtype)


def make_optimizer(name: str, params_by_group: list[list[torch.nn.Parameter]], groups: Sequence[Group],
                   impl: str, torch_overrides: dict[str, Any] | None = None) -> torch.optim.Optimizer:
    """The gpu optimizer for ``groups``; ``impl`` in ``'single' | 'foreach' | 'fused'``."""
    cls = gpu.OPTIMIZERS[name]
    pgs = []
    for ps, grp in zip(params_by_group, groups):
        d: dict[str, Any] = {"params": ps, **grp.hp, "maximize": grp.maximize}
        if grp.norm_scope is not None:
            d["norm_scope"] = grp.norm_scope
        if grp.blocks is not None:
            d["blocks"] = [None if b is None else torch.as_tensor(b) for b in grp.blocks]
        pgs.append(d)
    kw: dict[str, Any] = {"foreach": impl == "foreach"}
    if impl == "fused":
        kw = {"fused": True}
    kw.update(torch_overrides or {})
    return cls(pgs, **kw)


def run(name: str, groups: Sequence[Group], *, impl: str = "single", dtype: torch.dtype = torch.float64,
        device: str = "cpu", steps: int = 100, seed: int = 0, resync: bool = False, ref_dtype: Any = np.float64,
        scale: float = 1.0, none: Callable[[int, int, int], bool] | None = None,
        inject: dict[tuple[int, int, int, int], float] | None = None,
        ref_hp: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        torch_overrides: dict[str, Any] | None = None,
        hook: Callable[[int, torch.optim.Optimizer], torch.optim.Optimizer] | None = None) -> Run:
    """Drive both sides for ``steps`` steps and record them.

    ``none(t, gi, j)``: tensor j of group gi has no gradient at step t.  ``inject[(t, gi, j, k)]``
    overrides gradient entry k (e.g. NaN) of every gradient evaluation of step t.  ``resync``: the
    reference restarts from the torch iterate each step.  ``ref_hp`` maps a group's hyperparameters
    to the twin's (negative controls).  ``hook(t, opt)`` may replace the optimizer after step t
    (state_dict round trips).
    """
    groups = list(groups)
    data = _Data(groups, steps, seed, dtype, scale)
    decl = get(name)
    quadratic = any(x_dependent(name, grp.hp) for grp in groups)
    default_scope = gpu.OPTIMIZERS[name].options.get("norm_scope", ("tensor",))[0]
    per_coordinate = [k for k, p in decl.params.items() if p.per_coordinate]
    inject = inject or {}
    expected = not inject and scale in (0.0, 1.0)
    quiet: dict[str, str] = {} if expected else {"all": "ignore"}
    params = [[torch.nn.Parameter(torch.tensor(x0, dtype=dtype, device=device).reshape(shape))
               for x0, shape in zip(data.x0[gi], grp.shapes)] for gi, grp in enumerate(groups)]
    opt = make_optimizer(name, params, groups, impl, torch_overrides)

    # reference runs: (gi, [tensor indices]) -> algorithm, state, x, oracle
    runs = []
    for gi, grp in enumerate(groups):
        scope = grp.norm_scope or default_scope
        members = [list(range(len(grp.shapes)))] if (scope == "group" and scoped(name)) else \
            [[j] for j in range(len(grp.shapes))]
        for js in members:
            hp = dict(grp.hp)
            for k in per_coordinate:  # the torch option (ids per tensor; None: one block)
                ids = (grp.blocks or [None] * len(grp.shapes))[js[0]]
                hp[k] = np.zeros(data.x0[gi][js[0]].size, dtype=np.int64) if ids is None else \
                    np.asarray(ids).reshape(-1)
            if ref_hp is not None:
                hp = ref_hp(hp)
            alg = R.ALGORITHMS[name](**hp)
            sign = -1.0 if grp.maximize else 1.0
            sizes = [data.x0[gi][j].size for j in js]
            cuts = np.cumsum(sizes)[:-1]

            def grad(t: int, x: np.ndarray, gi: int = gi, js: list[int] = js, cuts: np.ndarray = cuts,
                     sign: float = sign) -> np.ndarray:
                if quadratic:
                    parts = [_injected(data.quad_grad(gi, j, t, xj), inject, t, gi, j)
                             for j, xj in zip(js, np.split(x, cuts))]
                else:
                    parts = [_injected(data.stream[gi][j][t], inject, t, gi, j) for j in js]
                return sign * np.concatenate(parts)

            x = np.concatenate([data.x0[gi][j] for j in js]).astype(ref_dtype)
            runs.append({"gi": gi, "js": js, "alg": alg, "state": alg.init(x), "x": x,
                         "oracle": _RefOracle(grad, ref_dtype), "cuts": cuts})

    n = 1
    for r in runs:
        if decl.reduction == "block":
            for k in per_coordinate:
                counts = np.unique(r["alg"].hyperparams[k], return_counts=True)[1]
                n = max(n, int(counts.max()))
        elif decl.reduction == "run":
            n = max(n, int(r["x"].size))

    rec_t: dict[tuple[int, int, str], list[np.ndarray]] = {}
    rec_r: dict[tuple[int, int, str], list[np.ndarray]] = {}
    sign_margin = np.inf
    sign_scale: dict[tuple[int, int], np.ndarray] = {}
    flat = [(gi, j) for gi, grp in enumerate(groups) for j in range(len(grp.shapes))]

    def torch_grad(gi: int, j: int, t: int, p: torch.Tensor) -> torch.Tensor:
        if quadratic:
            g = _injected(data.quad_grad(gi, j, t, p.detach().double().cpu().numpy().reshape(-1)), inject, t, gi, j)
        else:
            g = _injected(data.stream[gi][j][t], inject, t, gi, j)
        return torch.tensor(g, dtype=torch.float64).to(dtype=p.dtype, device=p.device).reshape(p.shape)

    for t in range(steps):
        active = {(gi, j) for gi, j in flat if not (none and none(t, gi, j))}
        before = [[p.detach().clone() for p in ps] for ps in params]
        # --- torch side
        for gi, j in flat:
            p = params[gi][j]
            p.grad = torch_grad(gi, j, t, p) if (gi, j) in active else None

        def closure() -> float:
            for gi, j in flat:
                p = params[gi][j]
                p.grad = torch_grad(gi, j, t, p) if (gi, j) in active else None
            return 0.0

        if quadratic:
            opt.step(closure)
        else:
            opt.step()
        if hook is not None:
            opt = hook(t, opt)
        # --- reference side
        for r in runs:
            if not all((r["gi"], j) in active for j in r["js"]):
                continue
            if resync:
                r["x"] = np.concatenate([_flat(before[r["gi"]][j]) for j in r["js"]]).astype(ref_dtype)
            r["oracle"].t = t  # the step's gradient / noise, as on the torch side
            with np.errstate(**quiet):  # IEEE warnings on purpose (NaN/inf injection, under/overflow)
                if decl.sign_based:
                    sign_margin = min(sign_margin, _sign_margin(name, r, t, sign_scale))
                r["x"], r["state"] = r["alg"].step(r["x"], r["state"], r["oracle"])
        # --- record
        for gi, j in flat:
            p = params[gi][j]
            rec_t.setdefault((gi, j, "x"), []).append(_flat(p))
            st = opt.state.get(p, {})
            for k, v in st.items():
                if isinstance(v, torch.Tensor) and v.is_floating_point():
                    rec_t.setdefault((gi, j, k), []).append(_flat(v))
        for r in runs:
            parts = np.split(np.asarray(r["x"], dtype=np.float64), r["cuts"])
            for j, xj in zip(r["js"], parts):
                rec_r.setdefault((r["gi"], j, "x"), []).append(xj.copy())
                if r["state"].t == 0:  # no state yet (torch creates it at the first step)
                    continue
                for k in r["state"]._fields:
                    if k in ("t", "direction"):
                        continue
                    v = np.asarray(getattr(r["state"], k), dtype=np.float64).reshape(-1)
                    vj = np.split(v, r["cuts"])[r["js"].index(j)] if v.size == r["x"].size else v
                    rec_r.setdefault((r["gi"], j, k), []).append(vj.copy())

    steps_torch = {(gi, j): opt.state.get(params[gi][j], {}).get("step", 0) for gi, j in flat}
    steps_ref = {}
    for r in runs:
        for j in r["js"]:
            steps_ref[(r["gi"], j)] = r["state"].t
    out = Run(name, groups, _stack(rec_t, steps), _stack(rec_r, steps), n, steps_torch, steps_ref, sign_margin)
    out.extra["params"] = params
    out.extra["opt"] = opt
    return out


def _injected(g: np.ndarray, inject: dict[tuple[int, int, int, int], float], t: int, gi: int, j: int) -> np.ndarray:
    hits = {k: v for (tt, gg, jj, k), v in inject.items() if (tt, gg, jj) == (t, gi, j)}
    if not hits:
        return g
    g = g.copy()
    for k, v in hits.items():
        g[k] = v
    return g


def _flat(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(device="cpu", dtype=torch.float64).numpy().reshape(-1).copy()


def _stack(rec: dict[tuple[int, int, str], list[np.ndarray]], steps: int) -> dict[tuple[int, int, str], np.ndarray]:
    """Stack per-step records; a quantity missing at some steps (grad None before its state
    existed) is NaN-padded at the front so that index = step."""
    out = {}
    for k, v in rec.items():
        pad = [np.full_like(v[0], np.nan)] * (steps - len(v))
        out[k] = np.stack(pad + v)
    return out


def _sign_margin(name: str, r: dict[str, Any], t: int, scale: dict[tuple[int, int], np.ndarray]) -> float:
    """``min_i |c_i| / Q_i`` of the sign's argument c (per coordinate: ``Q_i`` is the running max of
    ``|c_i|``), the R7 precondition of ``gpu.tolerances`` (the declaration's ``sign_of``: Signum's m_t,
    Lion's beta1 m + (1-beta1) g).  SignSGD's argument is the exact input gradient: no margin is
    needed (returns inf)."""
    sign_of = get(name).sign_of
    if sign_of is None:
        return np.inf
    c = np.abs(sign_of(r["oracle"].grad(t, r["x"]), r["state"], r["alg"].hyperparams))
    key = (r["gi"], r["js"][0])
    q = scale[key] = np.maximum(scale.get(key, 0.0), c)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(q > 0, c / np.where(q > 0, q, 1.0), np.inf)
    return float(rel.min())


# ----------------------------------------------------------------------------- comparisons


@dataclass
class Report:
    """Per quantity the worst ``err_t / bound_t`` (``<= 1`` passes) and the worst raw error."""

    worst_ratio: float
    worst: tuple[Any, int, float, float]  # (key, step, err, bound)
    masks_equal: bool
    mask_detail: str


def compare(run_: Run, bound: Callable[[int], float], *, low: tuple[float, Callable[[int], float]] | None = None,
            quantities: Sequence[str] | None = None) -> Report:
    """Compare every recorded quantity of both sides.

    ``bound(t)`` (t = 1..T) is the normwise bound; ``low = (unit, normwise(t))`` switches the
    parameters ``x`` to the elementwise low-precision bound of ``gpu.tolerances.low_bound``.
    NaN and ±inf masks must match exactly.
    """
    worst_ratio, worst = 0.0, (None, 0, 0.0, 0.0)
    masks_equal, detail = True, ""
    for key, a in run_.torch.items():
        if quantities is not None and key[2] not in quantities:
            continue
        if key not in run_.ref:
            continue
        b = run_.ref[key]
        if a.shape != b.shape:
            raise AssertionError(f"{key}: shapes {a.shape} vs {b.shape}")
        same = (np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(np.isposinf(a), np.isposinf(b))
                and np.array_equal(np.isneginf(a), np.isneginf(b)))
        if not same:
            masks_equal = False
            bad = np.argwhere((np.isnan(a) != np.isnan(b)) | (np.isinf(a) != np.isinf(b)))
            detail += f"{key}: NaN/inf masks differ at (step, index) {bad[:5].tolist()}; "
        t = np.arange(1, a.shape[0] + 1)
        if low is not None and key[2] == "x":
            unit, normwise = low
            fin = np.isfinite(a) & np.isfinite(b)
            mag = np.maximum.accumulate(np.where(np.isfinite(b), np.abs(b), 0.0).max(axis=1))
            with np.errstate(invalid="ignore"):
                allowed = unit * np.abs(b) + np.array([normwise(int(s)) for s in t])[:, None] * mag[:, None]
                diff = np.where(fin, np.abs(a - b), 0.0)
                excess = np.where(allowed > 0, diff / np.where(allowed > 0, allowed, 1.0),
                                  np.where(diff > 0, np.inf, 0.0))
            ratio = excess.max(axis=1)
            err = diff.max(axis=1)
            bnd = allowed.max(axis=1)
        else:
            err = normwise_errors(a, b)
            bnd = np.array([bound(int(s)) for s in t])
            ratio = err / bnd
        i = int(np.argmax(np.nan_to_num(ratio, nan=0.0)))
        if ratio[i] > worst_ratio or worst[0] is None:
            worst_ratio, worst = float(ratio[i]), (key, i + 1, float(err[i]), float(bnd[i]))
    return Report(worst_ratio, worst, masks_equal, detail)


def assert_parity(run_: Run, bound: Callable[[int], float], **kw: Any) -> Report:
    """:func:`compare` and fail with a readable message unless masks match and every ratio <= 1."""
    rep = compare(run_, bound, **kw)
    assert rep.masks_equal, f"{run_.name}: {rep.mask_detail}"
    key, step, err, bnd = rep.worst
    assert rep.worst_ratio <= 1.0, (f"{run_.name}: {key} at step {step}: error {err:.3e} > bound {bnd:.3e} "
                                    f"(ratio {rep.worst_ratio:.3g})")
    for k, s in run_.steps_torch.items():
        assert s == run_.steps_ref[k], f"{run_.name}: step count {k}: torch {s} vs reference {run_.steps_ref[k]}"
    return rep


def f64_bound(t: int) -> float:
    return TOL.F64_RTOL


def f32_bound(run_: Run) -> Callable[[int], float]:
    return lambda t: TOL.parity_bound(run_.name, "float32", t, run_.n)


def deep_state_dict(opt: torch.optim.Optimizer) -> dict[str, Any]:
    """A checkpoint-like copy of ``opt.state_dict()`` (torch's shares the state tensors)."""
    return copy.deepcopy(opt.state_dict())
