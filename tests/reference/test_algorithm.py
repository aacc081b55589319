"""The shared API and the numerical policy of reference/algorithm.py, for every factory.

Policy (reference.algorithm module docstring): finite input never yields NaN (a zero denominator
gives 0, also after underflow), non-finite gradients propagate into exactly the coordinates
(coordinate-wise methods), blocks (blockwise) or runs (norm-based methods) whose update reads
them; dtypes: float32 stays float32, integer x0 becomes float64; a batch of runs equals the
runs one at a time, bit for bit.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import reference as R
from reference.algorithm import (
    as_float_array,
    check_shape,
    decoupled_step,
    draw_sample,
    lr_at,
    norm,
    oracle_gradient,
    ratio,
)
from _cases import CASE_IDS, CASES, LinearOracle, affected_coordinates, make, sign_of_gradient

D = 7


def state_arrays(state):
    return {f: getattr(state, f) for f in state._fields if isinstance(getattr(state, f), np.ndarray)}


def has_weight_decay(alg):
    return bool(alg.hyperparams.get("weight_decay", 0))


# --------------------------------------------------------------------------- helpers of the API

def test_ratio_zero_denominator_and_nan():
    n = np.array([1.0, 0.0, 2.0, np.nan, 1.0, 3.0])
    b = np.array([2.0, 0.0, 0.0, 1.0, np.nan, np.inf])
    out = ratio(n, b)
    assert np.array_equal(out[:3], [0.5, 0.0, 0.0])
    assert np.isnan(out[3]) and np.isnan(out[4]) and out[5] == 0.0
    assert ratio(np.ones(2, np.float32), np.ones(2, np.float32)).dtype == np.float32
    assert ratio(np.array([5e-324]), np.array([0.0]))[0] == 0.0  # an underflowed denominator


def test_norm_last_axis_keepdims():
    x = np.array([[[3.0, 4.0], [0.0, 0.0]], [[1.0, 0.0], [6.0, 8.0]]])
    out = norm(x)
    assert out.shape == (2, 2, 1)
    assert np.array_equal(out[..., 0], [[5.0, 0.0], [1.0, 10.0]])


def test_as_float_array():
    a = np.array([1, 2, 3])
    x = as_float_array(a)
    assert x.dtype == np.float64 and np.array_equal(x, [1.0, 2.0, 3.0])
    f = np.ones(2, np.float32)
    y = as_float_array(f)
    assert y.dtype == np.float32 and y is not f
    y[0] = 5.0
    assert f[0] == 1.0  # copies, never aliases
    with pytest.raises(ValueError, match="at least one axis"):
        as_float_array(3.0)


def test_lr_at_constant_and_schedule():
    assert lr_at("x", 0.5, 7) == 0.5
    assert lr_at("x", lambda t: 1.0 / t, 4) == 0.25
    with pytest.raises(ValueError, match="x: lr schedule .* at t=3"):
        lr_at("x", lambda t: -1.0, 3)


def test_decoupled_step():
    x, d = np.array([2.0, -4.0]), np.array([1.0, 1.0])
    assert np.array_equal(decoupled_step(x, d, 0.5, 0.0), [1.5, -4.5])
    assert np.array_equal(decoupled_step(x, d, 0.5, 0.1), [2.0 * 0.95 - 0.5, -4.0 * 0.95 - 0.5])


def test_draw_sample():
    class WithSample:
        def __call__(self, x):
            return x

        def sample(self):
            return "frozen"

    o = WithSample()
    assert draw_sample(o, True) == "frozen"
    assert draw_sample(o, False) is o
    plain = lambda x: x  # noqa: E731
    assert draw_sample(plain, True) is plain


def test_check_shape_and_oracle_gradient():
    state = R.adam().init(np.zeros((2, 3)))
    check_shape("adam", np.zeros((2, 3)), state)
    with pytest.raises(ValueError, match=r"adam: x has shape \(3,\) but the state was initialised for \(2, 3\)"):
        check_shape("adam", np.zeros(3), state)
    with pytest.raises(ValueError, match=r"oracle returned shape \(2,\) for x of shape \(3,\)"):
        oracle_gradient("adam", lambda x: np.zeros(2), np.zeros(3))
    g = oracle_gradient("adam", lambda x: np.ones(3), np.zeros(3, np.float32))
    assert g.dtype == np.float32


def test_algorithm_is_frozen_and_repr():
    alg = R.s3(lr=lambda t: 1e-3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        alg.name = "other"  # type: ignore[misc]
    assert repr(alg).startswith("s3(lr=<lambda>, beta=0.95, p=3.0")
    assert "blocks=array(shape=(3,))" in repr(R.blockwise_adam(lr=0.1, blocks=[0, 1, 0]))
    assert alg.oracle_calls == 1 and R.adasam().oracle_calls == 2 and R.adaptive_nsgd(gbound=1.0).oracle_calls == 2


def test_init_state_is_zero_with_t0_and_step_is_pure():
    """init gives t = 0 and zero direction; step never mutates its inputs (pure functions)."""
    for cid, name, extra in CASES:
        alg = make(name, extra)
        x0 = np.linspace(-1, 1, D)
        state = alg.init(x0)
        assert state.t == 0 and np.array_equal(state.direction, np.zeros(D)), cid
        before = {k: v.copy() for k, v in state_arrays(state).items()}
        x_copy = x0.copy()
        x1, s1 = alg.step(x0, state, lambda z: np.arange(1.0, D + 1) - 3)
        assert s1.t == 1, cid
        assert np.array_equal(x0, x_copy), cid
        for k, v in state_arrays(state).items():
            assert np.array_equal(v, before[k]), (cid, k)


# --------------------------------------------------------------------------- numerical policy

def _grads(scale, steps, shape, seed=0):
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(steps, *shape))
    return signs * scale * rng.uniform(0.5, 2.0, size=(steps, *shape))


@pytest.mark.parametrize(("cid", "name", "extra"), CASES, ids=CASE_IDS)
def test_zero_gradients_never_nan(cid, name, extra):
    """0/0 := 0: an all-zero gradient history gives a zero direction (no NaN, no warning)."""
    alg = make(name, extra)
    x0 = np.linspace(-1.0, 2.0, D)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = R.replay(alg, np.zeros((4 * alg.oracle_calls, D)), x0)
    assert np.isfinite(tr.x).all()
    for k, v in state_arrays(tr.state).items():
        assert not np.isnan(v).any(), k
    if not has_weight_decay(alg):
        assert np.array_equal(tr.direction, np.zeros_like(tr.direction))
        assert np.array_equal(tr.x[-1], x0)


@pytest.mark.parametrize("scale", [1e150, 1e-150])
@pytest.mark.parametrize(("cid", "name", "extra"), CASES, ids=CASE_IDS)
def test_huge_and_tiny_finite_gradients_never_nan(cid, name, extra, scale):
    """|g| ~ 1e150 or 1e-150 (mixed signs and magnitudes, float64): no NaN anywhere, no warning.

    S3 included: its |g|^p at 1e150 (p = 3: 1e450) leaves float64, and root mode (reference.s3)
    evaluates those coordinates exactly instead of storing s = inf (formerly a 0 step).
    Underflow of m^2 for tiny m makes a denominator 0 and gives a 0 step by the ratio rule.
    """
    alg = make(name, extra)
    grads = _grads(scale, 6 * alg.oracle_calls, (2, D))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tr = R.replay(alg, grads)
    assert not caught, {str(w.message) for w in caught}
    assert np.isfinite(tr.x).all() and np.isfinite(tr.direction).all()
    for k, v in state_arrays(tr.state).items():
        assert not np.isnan(v).any(), k


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize(("cid", "name", "extra"), CASES, ids=CASE_IDS)
def test_non_finite_gradient_propagates(cid, name, extra, bad):
    """A bad coordinate (index 2 of run 1, at the last oracle call of step 2) reaches exactly:
    its coordinate (coordinate-wise methods), its block (blockwise_adam) or its run (norm-based).

    * run 0 of the batch is bit-for-bit the clean run (runs never mix);
    * NaN: every reached coordinate of run 1's final x is NaN;
    * inf: the bad coordinate of x is non-finite, except where IEEE sign(+-inf) = +-1 keeps the
      step finite (signsgd, signgd, signum, Lion's direction); Signum's and Lion's momentum
      buffers then hold the inf;
    * coordinate-wise methods (and blockwise_adam's other blocks): the unreached coordinates of
      run 1 stay finite and are bit-for-bit the clean run's.
    """
    alg = make(name, extra)
    k = alg.oracle_calls
    clean = _grads(1.0, 6 * k, (2, D), seed=1)
    dirty = clean.copy()
    dirty[2 * k - 1, 1, 2] = bad
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # inf - inf, inf/inf warn
        tc = R.replay(alg, clean)
        td = R.replay(alg, dirty)
    assert np.array_equal(td.x[:, 0], tc.x[:, 0])
    mask = affected_coordinates(name, extra, D, 2)
    final = td.x[-1, 1]
    if np.isnan(bad):
        assert np.isnan(final[mask]).all(), final
    elif sign_of_gradient(name):
        assert np.isfinite(td.direction).all() and np.isfinite(td.x).all()
        if "m" in td.state._fields:  # the sign of a momentum (Signum, Lion): the momentum holds the inf
            assert not np.isfinite(td.state.m[-1, 1, 2])
    else:
        assert not np.isfinite(final[2]), final
    if not mask.all():
        assert np.isfinite(final[~mask]).all()
        assert np.array_equal(td.x[:, 1][:, ~mask], tc.x[:, 1][:, ~mask])


@pytest.mark.parametrize(("cid", "name", "extra"), CASES, ids=CASE_IDS)
def test_float32_stays_float32(cid, name, extra):
    alg = make(name, extra)
    x0 = np.linspace(-1, 1, D, dtype=np.float32)
    state = alg.init(x0)
    x = x0
    for t in range(3):
        x, state = alg.step(x, state, lambda z, t=t: np.arange(D, dtype=np.float64) - t)  # float64 oracle
    assert x.dtype == np.float32
    for k, v in state_arrays(state).items():
        assert v.dtype == np.float32, k
    tr = R.replay(alg, np.ones((2 * alg.oracle_calls, D), np.float32))
    assert tr.x.dtype == np.float32 and tr.direction.dtype == np.float32


@pytest.mark.parametrize(("cid", "name", "extra"), CASES, ids=CASE_IDS)
def test_integer_x0_becomes_float64_and_shapes_are_checked(cid, name, extra):
    alg = make(name, extra)
    x0 = np.arange(D)
    state = alg.init(x0)
    for k, v in state_arrays(state).items():
        assert v.dtype == np.float64, k
    x, state = alg.step(as_float_array(x0), state, lambda z: np.ones(D, dtype=np.int64))
    assert x.dtype == np.float64
    with pytest.raises(ValueError, match="x has shape"):
        alg.step(np.zeros(D + 1), state, lambda z: np.ones_like(z))
    with pytest.raises(ValueError, match="x has shape"):
        alg.step(np.zeros((2, D)), state, lambda z: np.ones_like(z))
    with pytest.raises(ValueError, match="oracle returned shape"):
        alg.step(x, state, lambda z: np.ones(D + 1))
    with pytest.raises(ValueError):
        alg.init(np.float64(1.0))


# --------------------------------------------------------------------------- batched == looped

@pytest.mark.parametrize("d", [3, 37])
@pytest.mark.parametrize(("cid", "name", "extra"), CASES, ids=CASE_IDS)
def test_batched_equals_looped_with_x_dependent_oracle(cid, name, extra, d):
    """(4, d) runs with different gradient streams (per-run offsets) through alg.step equal the four
    runs one at a time, bit for bit; also a (2, 3, d) batch.  d = 37 exercises numpy's pairwise/SIMD
    reductions in the norms and block means."""
    alg = make(name, extra, d)
    rng = np.random.default_rng(d)
    for shape in [(4,), (2, 3)]:
        shift = rng.normal(size=(*shape, d)) * 10.0 ** rng.integers(-2, 3, size=(*shape, 1))
        x0 = rng.normal(size=(*shape, d))
        oracle = LinearOracle(d, seed=2, row_shift=shift)
        x, state = x0.copy(), alg.init(x0)
        for _ in range(5):
            x, state = alg.step(x, state, oracle)
        for idx in np.ndindex(*shape):
            o = oracle.for_rows(idx)
            xi, si = x0[idx].copy(), alg.init(x0[idx])
            for _ in range(5):
                xi, si = alg.step(xi, si, o)
            assert np.array_equal(x[idx], xi), (cid, shape, idx)
            assert np.array_equal(state.direction[idx], si.direction)
            for k, v in state_arrays(state).items():
                assert np.array_equal(v[idx], getattr(si, k)), (cid, k)
