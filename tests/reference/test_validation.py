"""The reference's input handling and numerical policy on the inputs of issue 17's probe, every
registered algorithm (no algorithm names: the sweeps are read from the registry).

* integer/bool x: promoted to the state's float dtype (the gradient is no longer cast to int: the
  step equals the float step); complex x0/x/gradient: ``TypeError`` naming it;
* huge ints as hyperparameters: ``ValueError`` naming the parameter (not ``OverflowError``);
* a float64 gradient too large for a float32 x: ``ValueError``;
* x, g or the state near the float max (L2 decay, NAdam, Adan's difference, ...): a finite result
  or ``FloatingPointError`` naming the algorithm, never NaN, and the state unchanged;
* zero-size runs and coordinates: finite.
"""

from __future__ import annotations

import numpy as np
import pytest

import reference as R
from reference.registry import declarations

from _cases import CASES, CASE_IDS, make

DECLS = [d for d in declarations() if d.examples]


def _d(alg: R.Algorithm) -> int:
    blocks = alg.hyperparams.get("blocks")
    return 5 if blocks is None else len(blocks)


def _oracle(g: np.ndarray):  # type: ignore[no-untyped-def]
    return lambda _x: g


@pytest.mark.parametrize(("cid", "name", "extra"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("kind", [np.int64, np.int8, np.bool_])
def test_integer_and_bool_x_are_promoted_to_the_state_dtype(cid, name, extra, kind):
    """An integer x passed to ``step`` used to cast the gradient to int (a zero step and a zero
    momentum, silently); it is promoted to the state's dtype and the step equals the float one."""
    alg = make(name, extra)
    d = _d(alg)
    xi = (np.arange(2 * d).reshape(2, d) % 3 - 1).astype(kind)
    g = np.linspace(-1.0, 1.0, 2 * d).reshape(2, d) + 0.25
    state = alg.init(xi.astype(np.float64))
    a, sa = alg.step(xi, state, _oracle(g))
    b, sb = alg.step(xi.astype(np.float64), state, _oracle(g))
    assert a.dtype == np.float64 and np.array_equal(a, b) and np.array_equal(sa.direction, sb.direction)
    assert np.abs(sa.direction).max() > 0
    x0 = alg.init(xi)  # x0 too: float64
    assert x0.direction.dtype == np.float64


@pytest.mark.parametrize("decl", DECLS, ids=lambda d: d.name)
def test_complex_input_is_a_type_error_naming_it(decl):
    alg = decl.factory(**decl.examples[0].hyperparams)
    d = _d(alg)
    x = np.zeros((2, d))
    with pytest.raises(TypeError, match="x0 must be real"):
        alg.init(x + 1j)
    state = alg.init(x)
    with pytest.raises(TypeError, match=f"{decl.name}: x must be real"):
        alg.step(x + 1j, state, _oracle(np.ones((2, d))))
    with pytest.raises(TypeError, match=f"{decl.name}: the oracle's gradient must be real"):
        alg.step(x, state, _oracle(np.ones((2, d)) * (1 + 1j)))


@pytest.mark.parametrize("decl", DECLS, ids=lambda d: d.name)
def test_huge_ints_are_value_errors_naming_the_parameter(decl):
    for k, p in decl.params.items():
        if isinstance(p.default, float) or getattr(p.check, "kind", "") in ("lr", "pos", "nonneg", "unit", "p"):
            kw = {**decl.examples[0].hyperparams, k: 10**400}
            with pytest.raises(ValueError, match=f"{decl.name}: {k} must be"):
                decl.factory(**kw)


@pytest.mark.parametrize("decl", DECLS, ids=lambda d: d.name)
def test_a_gradient_too_large_for_float32_x_is_a_value_error(decl):
    alg = decl.factory(**decl.examples[0].hyperparams)
    d = _d(alg)
    x = np.zeros((2, d), np.float32)
    g = np.ones((2, d))
    g[1, 0] = 1e300
    with pytest.raises(ValueError, match="beyond float32's range"):
        alg.step(x, alg.init(x), _oracle(g))


@pytest.mark.parametrize(("cid", "name", "extra"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("where", ["x", "g", "both"])
def test_near_the_float_max_a_step_is_finite_or_raises(cid, name, extra, dtype, where):
    """|x| or |g| at half the float max, mixed signs (L2 weight decay, NAdam's coefficients, Adan's
    g_t - g_{t-1}, Adam's g^2, ...): the step returns finite values or raises FloatingPointError
    naming the algorithm -- never NaN -- and a step that raises changes nothing."""
    alg = make(name, extra)
    d = _d(alg)
    big = float(np.finfo(dtype).max) / 2
    sign = np.where(np.arange(2 * d).reshape(2, d) % 2, 1.0, -1.0)
    x = (sign * (big if where in ("x", "both") else 1.0)).astype(dtype)
    state = alg.init(x)
    for t in range(3):
        g = (((-1) ** t) * sign * (big if where in ("g", "both") else 1.0)).astype(dtype)
        snapshot = [a.copy() for a in (x, *[v for v in state if isinstance(v, np.ndarray)])]
        try:
            x_new, new = alg.step(x, state, _oracle(g))
        except FloatingPointError as exc:
            assert str(exc).startswith(f"{name}:"), str(exc)
            assert all(np.array_equal(a, b) for a, b in zip(snapshot, (x, *[v for v in state
                                                                           if isinstance(v, np.ndarray)])))
            return
        assert np.isfinite(x_new).all(), (t, x_new)
        assert all(np.isfinite(v).all() for v in new if isinstance(v, np.ndarray))
        x, state = x_new, new


@pytest.mark.parametrize(("cid", "name", "extra"), CASES, ids=CASE_IDS)
def test_zero_size_runs_and_coordinates(cid, name, extra):
    """Empty batches and (where the algorithm allows d = 0) runs without coordinates: finite, no
    warning (AdaSGD's mean of g^2 over d = 0 coordinates was 0/0)."""
    alg = make(name, extra)
    d = _d(alg)
    shapes = [(0, d)] + ([(3, 0), (0,)] if alg.hyperparams.get("blocks") is None else [])
    for shape in shapes:
        x = np.zeros(shape)
        state = alg.init(x)
        for _ in range(2):
            x, state = alg.step(x, state, _oracle(np.ones(shape)))
        assert x.shape == shape
        assert all(np.isfinite(v).all() for v in state if isinstance(v, np.ndarray))


@pytest.mark.parametrize("gbound", [5e-324, 2.225073858507e-311, 1e-309, 1e308])
def test_adaptive_nsgd_gbound_outside_the_float_range_is_a_value_error(gbound):
    """A subnormal gbound makes eta_0 = C^(7/3) = 0.22 / gbound overflow every float: a ValueError
    naming gbound, not Python's OverflowError (found by the fuzz suite at 8x its CI examples)."""
    alg = R.adaptive_nsgd(gbound=gbound)
    with pytest.raises(ValueError, match="adaptive_nsgd: gbound must give a normal float64 eta_0"):
        alg.init(np.zeros((2, 3)))


@pytest.mark.parametrize("name", ["adasam", "adam_sam"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adasam_eps_with_an_overflowing_square_is_a_value_error(name, dtype):
    """v^_{-1} = eps^2 (adasam Algorithm 1): an eps whose square overflows x's dtype is refused with a
    ValueError naming eps (it was Python's OverflowError; found by the fuzz suite at 25x)."""
    top = float(np.finfo(dtype).max)
    factory = getattr(R, name)
    factory(lr=0.1, eps=np.sqrt(top) * 0.5).init(np.zeros(3, dtype))  # inside: fine
    with pytest.raises(ValueError, match=f"{name}: eps must have a finite eps\\^2"):
        factory(lr=0.1, eps=np.sqrt(top) * 2.0).init(np.zeros(3, dtype))
