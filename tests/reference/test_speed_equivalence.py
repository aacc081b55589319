"""The fast paths of the reference compute exactly what the plain formulas compute (issue 10).

S3, Adam/AdamW/clipped Adam and generalized SignSGD step with fused ``out=`` kernels evaluated
block by block (reference.algorithm.fused); NSGD-M and NIGT with fewer temporaries;
reference.run records iterates in chunks.  Each is pinned here, bit for bit (``tobytes``: NaN
payloads and signed zeros included), to a FROZEN copy of the plain formula as the package
computed it before these speed-ups (written out below, not imported), over random gradients
and hyperparameters: p in {1, 2, 3, 2.5, ...}, zeros, huge and tiny magnitudes, NaN and inf,
float32 and float64, one block and many blocks (BLOCK shrunk so that small arrays span several
blocks, with a partial last block), and a mixed-dtype state (the plain fallback).

Issue 17 changed the results only where the frozen formula is wrong: S3 coordinates whose
``|g|^p`` or ``s`` leave the dtype's normal range (root mode), norms whose sum of squares over-
or underflows (rescaled), and steps whose arithmetic overflows from finite input (now
``FloatingPointError`` instead of an inf or a 0 step).  :func:`in_range` states, per coordinate
(or run), where the frozen formula is accurate; the comparison is bit for bit there, for as long
as the coordinate has stayed there, and elsewhere the package's result must be finite.
"""

from __future__ import annotations

import importlib
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as R
import reference.algorithm as A
import reference.runner as runner
from reference import problems as P

S3 = importlib.import_module("reference.s3")  # the module (reference.s3 is the factory)

# --------------------------------------------------------------------------- frozen plain formulas


def f_ratio(n, b):
    zero = b == 0
    return np.where(zero, 0.0, n / np.where(zero, 1.0, b)).astype(np.result_type(n, b), copy=False)


def f_pow(y, e):
    if y.dtype == np.float64:
        return y**e
    return (y.astype(np.float64) ** e).astype(y.dtype)


def f_abs_pow(g, p):
    a = np.abs(g)
    if p == 1.0:
        return a
    if p == 2.0:
        return a * a
    if p == 3.0:
        return a * a * a
    return f_pow(a, p)


def f_root(y, p):
    if p == 1.0:
        return y
    if p == 2.0:
        return np.sqrt(y)
    if p == 3.0:
        return np.cbrt(y)
    return f_pow(y, 1.0 / p)


LAST_Y: list = [None]  # the argument of S3's p-th root in the last f_s3 call (for in_range)


def f_decoupled(x, d, lr, wd):
    if wd:
        return x * (1.0 - lr * wd) - lr * d
    return x - lr * d


def f_s3(hp, x, state, g, t):
    b1 = hp["beta"]
    b2 = hp["beta"] if hp["beta2"] is None else hp["beta2"]
    p = hp["p"]
    gp = f_abs_pow(g, p)
    m = b1 * state.m + (1.0 - b1) * g
    s = b2 * state.s + (1.0 - b2) * gp
    if hp["nesterov"]:
        num = b1 * m + (1.0 - b1) * g
        y = b2 * s + (1.0 - b2) * gp
    else:
        num, y = m, s
    den = f_root(y, p)
    LAST_Y[0] = y
    if hp["eps"]:
        den = den + hp["eps"]
    d = f_ratio(num, den)
    lr = hp["lr"](t) if callable(hp["lr"]) else hp["lr"]
    return f_decoupled(x, d, lr, hp["weight_decay"]), (t, m, s, d)


def f_adam(hp, x, state, g, t, clip=None):
    if hp["weight_decay"] and not hp["decoupled_weight_decay"]:
        g = g + hp["weight_decay"] * x
    m = hp["beta1"] * state.m + (1.0 - hp["beta1"]) * g
    v = hp["beta2"] * state.v + (1.0 - hp["beta2"]) * (g * g)
    mh = m
    if hp["bias_correction"]:
        bc1, bc2 = 1.0 - hp["beta1"] ** t, 1.0 - hp["beta2"] ** t
        mh = m / bc1
        den = np.sqrt(v / bc2 + hp["eps"]) if hp["eps_inside_sqrt"] else np.sqrt(v) / math.sqrt(bc2) + hp["eps"]
    else:
        den = np.sqrt(v + hp["eps"]) if hp["eps_inside_sqrt"] else np.sqrt(v) + hp["eps"]
    d = f_ratio(mh, den)
    if clip is not None:
        d = np.clip(d, -clip, clip)
    lr = hp["lr"](t) if callable(hp["lr"]) else hp["lr"]
    wd = hp["weight_decay"] if hp["decoupled_weight_decay"] else 0.0
    return f_decoupled(x, d, lr, wd), (t, m, v, d)


def f_gsign(hp, x, state, g, t):
    m = hp["beta1"] * state.m + (1.0 - hp["beta1"]) * g
    v = hp["beta2"] * state.v + (1.0 - hp["beta2"]) * (m * m)
    d = f_ratio(m, np.sqrt(v) + hp["eps"])
    return x - hp["lr"] * d, (t, m, v, d)


def f_normalize(m):
    return f_ratio(m, np.sqrt(np.sum(m * m, axis=-1, keepdims=True)))


def f_nsgdm(hp, w, state, g, t):
    b = hp["beta"]
    m = g if (t == 1 and hp["m1"] == "gradient") else b * state.m + (1.0 - b) * g
    d = f_normalize(m)
    return w - hp["lr"] * d, (t, m, d)


FORMULAS = {"s3": f_s3, "adam": f_adam, "adamw": f_adam, "generalized_signsgd": f_gsign,
            "normalized_sgdm": f_nsgdm}


def f_step(name, hp, x, state, g, t):
    if name == "adam_clipped":
        return f_adam(hp, x, state, g, t, clip=hp["clip"])
    return FORMULAS[name](hp, x, state, g, t)


# --------------------------------------------------------------------------- helpers


def same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def gradients(rng, steps, shape, dtype, specials=True, decades=30):
    """Mixed signs, magnitudes 10^[-decades, decades], plus exact zeros, 1e+-150 (under/overflow of
    |g|^p for p = 3) and, with ``specials``, NaN and +-inf sprinkled in."""
    g = rng.normal(size=(steps, *shape)) * 10.0 ** rng.uniform(-decades, decades, size=(steps, *shape))
    flat = g.reshape(steps, -1)
    n = flat.shape[1]
    for k in range(steps):
        idx = rng.permutation(n)
        flat[k, idx[: n // 5]] = 0.0
        flat[k, idx[n // 5: n // 5 + 2]] = [1e150, -1e-150][: len(idx[n // 5: n // 5 + 2])]
        if specials and k == steps - 2 and n > 8:
            flat[k, idx[-3:]] = [np.nan, np.inf, -np.inf]
    with np.errstate(over="ignore", under="ignore"):  # 1e150 -> inf in float32
        return g.astype(dtype)


def in_range(name, state, g, x, x_next, fields):
    """Where the frozen formula's step is accurate (boolean, x's shape), for coordinates with
    finite input: S3's root argument y normal (or the coordinate exactly zero: y = g = m = 0);
    NSGD-M's sum of squares at least d * tiny and finite (or the run zero); every other formula's
    outputs finite (elsewhere the package raises).  Coordinates with non-finite input: always
    (NaN and inf propagate through the same operations)."""
    finite = np.isfinite(g) & np.isfinite(x)
    for a in state:
        if isinstance(a, np.ndarray) and a.shape == g.shape:
            finite &= np.isfinite(a)
    if name == "s3":
        y, tiny = LAST_Y[0], np.finfo(g.dtype).tiny
        good = (state.s >= 0) & (((y >= tiny) & (y < np.inf)) | ((y == 0) & (g == 0) & (state.m == 0)))
    elif name == "normalized_sgdm":
        m = fields[1]
        ss = np.sum(m * m, axis=-1, keepdims=True)
        good = np.broadcast_to(((ss >= m.shape[-1] * np.finfo(m.dtype).tiny) & (ss < np.inf))
                               | np.all(m == 0, axis=-1, keepdims=True), g.shape)
    else:
        good = np.isfinite(x_next) & np.all([np.isfinite(a) for a in fields[1:]], axis=0)
    return good | ~finite


def check_against_formula(name, kwargs, shape, dtype, seed, steps=5, specials=True, decades=30):
    alg = getattr(R, name)(**kwargs)
    hp = alg.hyperparams
    rng = np.random.default_rng(seed)
    G = gradients(rng, steps, shape, dtype, specials, decades)
    x = rng.normal(size=shape).astype(dtype)
    state = alg.init(x)
    fx, fstate = x.copy(), alg.init(x)
    alive = np.ones(shape, bool)  # coordinates (runs) that never left the frozen formula's range
    for t in range(1, steps + 1):
        with np.errstate(all="ignore"):
            fx_next, fields = f_step(name, hp, fx, fstate, G[t - 1], t)
            good = in_range(name, fstate, G[t - 1], fx, fx_next, fields)
        if name not in ("s3", "normalized_sgdm") and not good.all():
            with pytest.raises(FloatingPointError, match="left"):  # finite input, overflowing arithmetic
                alg.step(x, state, lambda _x, g=G[t - 1]: g)
            return
        x, state = alg.step(x, state, lambda _x, g=G[t - 1]: g)
        alive &= good
        fx, fstate = fx_next, type(state)(*fields)
        assert same(x[alive], fx[alive]), (name, kwargs, t, "x")
        for f in state._fields:
            a, b = np.asarray(getattr(state, f)), np.asarray(getattr(fstate, f))
            assert same(a[alive], b[alive]) if a.shape == alive.shape else same(a, b), (name, kwargs, t, f)
        if name != "normalized_sgdm":  # coordinate-wise: finite input never gives NaN
            finite_in = np.isfinite(G[:t]).all(axis=0)
            assert not np.isnan(x[finite_in]).any() and not np.isnan(state.direction[finite_in]).any()
    return alive


@pytest.fixture(params=[(1 << 15, 1 << 20, 1), (64, 1 << 20, 1), (16, 0, 3)],
                ids=["one-block", "blocks-of-64", "blocks-of-16-on-3-threads"])
def block(request, monkeypatch):
    """Whole arrays, blocks of 64 elements (shape (3, 45): 135 = 2 x 64 + 7) on the calling thread,
    and blocks of 16 shared by 3 threads."""
    size, parallel, threads = request.param
    monkeypatch.setattr(A, "BLOCK", size)
    monkeypatch.setattr(A, "PARALLEL", parallel)
    monkeypatch.setattr(A, "THREADS", threads)
    return request.param


SHAPES = [(7,), (3, 45), (2, 2, 33)]
DTYPES = [np.float64, np.float32]

S3_CASES = [dict(lr=lambda t: 0.01 * t, p=p, nesterov=nest, eps=eps, weight_decay=wd, beta2=b2, beta=0.9)
            for p in (1.0, 2.0, 3.0, 2.5, 1.5, 4.0) for nest in (True, False)
            for eps, wd, b2 in ((0.0, 0.0, None), (1e-8, 0.1, 0.99))]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", S3_CASES, ids=lambda k: f"p{k['p']}-nest{k['nesterov']}-eps{k['eps']}")
def test_s3_fused_equals_frozen_formula(block, kw, dtype, shape):
    check_against_formula("s3", kw, shape, dtype, seed=hash((kw["p"], kw["nesterov"], kw["eps"])) % 1000)


ADAM_CASES = [
    ("adam", {}), ("adam", {"eps": 0.0}), ("adam", {"weight_decay": 0.1}),
    ("adam", {"bias_correction": False, "eps_inside_sqrt": True, "v0": 1e-3}),
    ("adam", {"bias_correction": False, "eps_inside_sqrt": True, "eps": 0.0}),
    ("adam", {"bias_correction": False, "eps": 0.0}), ("adam", {"bias_correction": False}),
    ("adam", {"eps_inside_sqrt": True, "eps": 1e-4}), ("adam", {"eps_inside_sqrt": True, "eps": 0.0}),
    ("adamw", {}), ("adamw", {"lr": lambda t: 1e-3 / t, "weight_decay": 0.3}),
    ("adam_clipped", {"clip": 0.5}), ("adam_clipped", {"clip": 1.0, "weight_decay": 0.1}),
    ("generalized_signsgd", {"lr": 0.1}), ("generalized_signsgd", {"lr": 0.1, "beta2": 0.0, "eps": 1e-3}),
    ("generalized_signsgd", {"lr": 0.1, "beta1": 0.0, "beta2": 0.5}),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "kw"), ADAM_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ADAM_CASES)])
def test_adam_and_gsign_fused_equal_frozen_formula(block, name, kw, dtype, shape):
    # float32: magnitudes within 10^+-15 so that g^2 stays finite and every step is compared
    # (beyond, the squares overflow and the package raises: test_overflow_raises_instead_of_a_zero_step)
    alive = check_against_formula(name, kw, shape, dtype, seed=len(kw) + 7, decades=15 if dtype == np.float32 else 30)
    assert alive is not None and alive.all()


@pytest.mark.parametrize("name", ["adam", "adamw", "generalized_signsgd"])
def test_overflow_raises_instead_of_a_zero_step(name):
    """g^2 (or m^2) beyond float32's max from a finite gradient: the frozen formula stored v = inf and
    stepped 0 on that coordinate; the package raises FloatingPointError and leaves the state as it was."""
    alg = getattr(R, name)(lr=0.1)
    x = np.zeros(3, np.float32)
    state = alg.init(x)
    g = np.array([1.0, 1e21, -2.0], np.float32)
    with np.errstate(all="ignore"):
        _, (_, *fields) = f_step(name, alg.hyperparams, x, state, g, 1)
    assert np.isinf(fields[1][1]) and fields[-1][1] == 0.0  # v = inf, d = 0: the silent zero step
    with pytest.raises(FloatingPointError, match=f"{name}: step 1 from finite x, state and gradient left float32"):
        alg.step(x, state, lambda _x: g)
    assert state.t == 0 and not state.m.any()


@pytest.mark.parametrize("shape", [(7,), (3, 45)])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m1", ["gradient", "ema"])
def test_normalized_sgdm_equals_frozen_formula(m1, dtype, shape):
    """NSGD-M (no blocks: the norm is over the whole last axis), zero rows included."""
    check_against_formula("normalized_sgdm", {"lr": 0.1, "beta": 0.8, "m1": m1}, shape, dtype, seed=3)


def test_nigt_equals_frozen_formula():
    """NIGT (nsgdm Alg. 1): extrapolation, EMA and normalized step, x-dependent oracle."""
    rng = np.random.default_rng(11)
    H = rng.normal(size=(6, 6))
    alg = R.nigt(lr=0.05, beta=0.7)
    k = 0.7 / (1.0 - 0.7)
    w = rng.normal(size=(4, 6))
    state = alg.init(w)
    fw, fm, fprev = w.copy(), None, w.copy()
    for t in range(1, 8):
        w_before = w
        w, state = alg.step(w, state, lambda x: x @ H)
        if t == 1:
            fm_new = fw @ H
        else:
            fm_new = 0.7 * fm + (1.0 - 0.7) * ((fw + k * (fw - fprev)) @ H)
        fd = f_normalize(fm_new)
        fprev, fw, fm = fw, fw - 0.05 * fd, fm_new
        assert same(state.w_prev, w_before) and same(w, fw) and same(state.m, fm) and same(state.direction, fd)


BETA = st.one_of(st.just(0.0), st.floats(1e-3, 0.999))


@settings(max_examples=80, deadline=None)
@given(p=st.sampled_from([1.0, 2.0, 3.0, 2.5, 1.25, 7.0]), beta=BETA, beta2=st.one_of(st.none(), BETA),
       nesterov=st.booleans(), eps=st.sampled_from([0.0, 1e-12, 0.5]), wd=st.sampled_from([0.0, 0.01]),
       lr=st.floats(1e-6, 10.0), seed=st.integers(0, 2**16), big=st.booleans())
def test_s3_property_any_hyperparameters(p, beta, beta2, nesterov, eps, wd, lr, seed, big):
    """Hypothesis: every S3 configuration, gradients across 60 decades, blocked or not."""
    old = A.BLOCK
    A.BLOCK = 16 if big else old  # (3, 11) = 33 elements = 2 x 16 + 1
    try:
        kw = dict(lr=lr, beta=beta, beta2=beta2, nesterov=nesterov, eps=eps, weight_decay=wd, p=p)
        check_against_formula("s3", kw, (3, 11), np.float64, seed, steps=4)
    finally:
        A.BLOCK = old


@settings(max_examples=60, deadline=None)
@given(beta1=BETA, beta2=BETA, eps=st.sampled_from([0.0, 1e-8, 1e-3]), inside=st.booleans(), bc=st.booleans(),
       wd=st.sampled_from([0.0, 0.1]), decoupled=st.booleans(), seed=st.integers(0, 2**16))
def test_adam_property_any_hyperparameters(beta1, beta2, eps, inside, bc, wd, decoupled, seed):
    kw = dict(lr=1e-2, beta1=beta1, beta2=beta2, eps=eps, eps_inside_sqrt=inside, bias_correction=bc,
              weight_decay=wd, decoupled_weight_decay=decoupled)
    check_against_formula("adam", kw, (3, 11), np.float64, seed, steps=4)


def test_mixed_dtype_state_takes_the_plain_path():
    """A float32 state stepped with a float64 x (not what init gives): the plain expressions with
    NumPy's promotions, as before the kernels existed (bit for bit where the frozen formula is in
    range; the 1e150 coordinate of S3 takes root mode)."""
    for name, kw in (("s3", {"p": 3.0}), ("adam", {}), ("generalized_signsgd", {"lr": 0.1})):
        alg = getattr(R, name)(**kw)
        rng = np.random.default_rng(5)
        x = rng.normal(size=9)
        state = alg.init(x.astype(np.float32))
        G = gradients(rng, 3, (9,), np.float64, specials=False)
        fx, fstate = x.copy(), state
        alive = np.ones(9, bool)
        for t in range(1, 4):
            with np.errstate(all="ignore"):
                fx, fields = f_step(name, alg.hyperparams, fx, fstate, G[t - 1], t)
                good = in_range(name, fstate, G[t - 1], fx, fx, fields)
            x, state = alg.step(x, state, lambda _x, g=G[t - 1]: g)
            alive &= good
            fstate = type(state)(*fields)
            assert same(x[alive], fx[alive]), (name, t)
            assert all(same(a[alive], b[alive]) if np.shape(a) == (9,) else same(a, b) for a, b in zip(state, fstate))
            assert np.isfinite(x).all() and np.isfinite(state.direction).all()
        assert state.m.dtype == np.float64  # promoted, as the plain expressions promote
        assert alive.all() == (name != "s3")


def test_negative_control_one_rounding_difference_is_caught(monkeypatch):
    """The bitwise comparison is not vacuous: the frozen formula with the pow-based root
    ``y ** (1/3)`` instead of cbrt (a last-bit difference for many y) disagrees with the package."""
    monkeypatch.setitem(globals(), "f_root", lambda y, p: f_pow(y, 1.0 / p))
    with pytest.raises(AssertionError):
        check_against_formula("s3", {"p": 3.0}, (3, 45), np.float64, seed=0, specials=False)


def test_p3_root_is_cbrt_and_p123_never_call_pow(monkeypatch):
    """s3's documented formula: cbrt for p = 3 (not y ** (1/3), which differs in the last bit for
    many y), and no float64 pow at all for p = 1, 2, 3."""
    y = np.linspace(0.5, 100.0, 1001)
    assert np.array_equal(S3.root(y, 3.0), np.cbrt(y))
    assert not np.array_equal(np.cbrt(y), y ** (1 / 3))  # why the fast path is a definition

    def no_pow(*args, **kwargs):
        raise AssertionError("pow used for p in {1, 2, 3}")

    monkeypatch.setattr(S3, "_pow", no_pow)
    monkeypatch.setattr(S3, "_pow_into", no_pow)
    for p in (1.0, 2.0, 3.0):
        for nesterov in (True, False):
            alg = R.s3(lr=0.1, p=p, nesterov=nesterov)
            R.replay(alg, np.random.default_rng(1).normal(size=(3, 2, 5)))
    with pytest.raises(AssertionError, match="pow used"):
        R.replay(R.s3(lr=0.1, p=2.5), np.ones((1, 3)))


def test_threads_see_the_callers_errstate_and_raise_in_the_caller(monkeypatch):
    """Worker threads run in the caller's context: the driver's raising errstate reaches them, and
    an overflow in the last thread's blocks raises FloatingPointError in the caller (AdamW: g^2);
    S3's root mode runs there too (the 1e150 coordinate gets its exact direction, no warning)."""
    monkeypatch.setattr(A, "BLOCK", 8)
    monkeypatch.setattr(A, "PARALLEL", 0)
    monkeypatch.setattr(A, "THREADS", 4)
    g = np.ones((4, 16))
    g[3, 5] = 1e200  # in the last thread's blocks
    x0 = np.zeros_like(g)
    alg = R.adamw(lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match="adamw: step 1 from finite"):
            alg.step(x0, alg.init(x0), lambda _x: g)
        s3 = R.s3(lr=0.1, p=3.0)
        x, state = s3.step(x0, s3.init(x0), lambda _x: g)
    assert state.direction[3, 5] == state.direction[0, 0] and state.s[3, 5] < 0 and np.isfinite(x).all()


class _NumpyNames:
    """Stands in for ``np`` in a module and records every attribute the module looks up."""

    def __init__(self, seen):
        self._seen = seen

    def __getattr__(self, name):
        self._seen.add(name)
        return getattr(np, name)


@pytest.mark.parametrize(("p", "expected"), [(1.0, set()), (2.0, {"sqrt"}), (3.0, {"cbrt"}), (2.5, {"power"})])
def test_kernel_power_like_functions_by_p(monkeypatch, p, expected):
    """The fused S3 step (not only the plain formula that s3.sec3.p1_cost traces) uses no power or
    root for p = 1, sqrt for p = 2, cbrt for p = 3, and pow only for other p (s3 Sec. 3)."""
    seen: set[str] = set()
    monkeypatch.setattr(S3, "np", _NumpyNames(seen))
    monkeypatch.setattr(A, "np", _NumpyNames(seen))
    alg = R.s3(lr=0.1, p=p)
    rng = np.random.default_rng(0)
    x, g = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    x1, state = alg.step(x, alg.init(x), lambda _x: g)
    seen.clear()
    alg.step(x1, state, lambda _x: g)
    assert {"abs", "multiply", "add", "divide", "subtract"} <= seen  # the tracer sees the kernel
    assert seen & {"power", "float_power", "sqrt", "cbrt", "exp", "log"} == expected


class _Marked(np.ndarray):
    """An ndarray subclass (may override ufuncs): the step takes the plain expressions."""


@pytest.mark.parametrize("name", ["s3", "adamw", "generalized_signsgd", "normalized_sgdm"])
def test_subclass_arrays_take_the_plain_path_with_the_same_bits(name):
    alg = getattr(R, name)(lr=0.1)
    rng = np.random.default_rng(4)
    x, G = rng.normal(size=(2, 6)), rng.normal(size=(3, 2, 6))
    xa, sa = x.copy(), alg.init(x)
    xb, sb = x.copy().view(_Marked), alg.init(x)
    for t in range(3):
        xa, sa = alg.step(xa, sa, lambda _x, g=G[t]: g)
        xb, sb = alg.step(xb, sb, lambda _x, g=G[t]: g.view(_Marked))
        assert same(np.asarray(xa), np.asarray(xb)) and same(np.asarray(sa.direction), np.asarray(sb.direction))
    assert isinstance(xb, _Marked)  # NumPy's subclass propagation, as before the kernels


def test_fused_kernels_never_write_their_inputs():
    """Purity: g (the oracle's array), the state and x are read only, also in the blocked path."""
    for shape in [(5,), (3, 40000)]:
        rng = np.random.default_rng(0)
        g = rng.normal(size=shape)
        for alg in (R.s3(lr=0.1), R.adamw(), R.adam_clipped(weight_decay=0.1), R.generalized_signsgd(lr=0.1)):
            x = rng.normal(size=shape)
            x1, s1 = alg.step(x, alg.init(x), lambda _x: g)
            snap = [a.copy() for a in (g, x1, *[v for v in s1 if isinstance(v, np.ndarray)])]
            alg.step(x1, s1, lambda _x: g)
            assert all(same(a, b) for a, b in zip(snap, (g, x1, *[v for v in s1 if isinstance(v, np.ndarray)])))


def test_ratio_and_divide_or_zero_equal_the_frozen_ratio():
    rng = np.random.default_rng(2)
    n = rng.normal(size=200) * 10.0 ** rng.uniform(-300, 300, size=200)
    b = np.abs(rng.normal(size=200)) * 10.0 ** rng.uniform(-300, 300, size=200)
    n[::7], b[::5], b[::11], n[3], b[4], b[6] = 0.0, 0.0, -0.0, np.nan, np.nan, np.inf
    for bb in (b, np.abs(b) + 1.0, -b):
        with np.errstate(all="ignore"):
            expected = f_ratio(n, bb)
            assert same(A.ratio(n, bb), expected)
            out, work = np.empty_like(n), bb.copy()
            A.divide_or_zero(n, work, out, np.empty(n.shape, bool))
            assert same(out, expected)
    assert same(A.ratio(np.ones(3, np.float32), np.array([0, 2, 4], np.float32)), np.array([0, 0.5, 0.25], np.float32))
    m = rng.normal(size=(4, 6))
    m[1] = 0.0
    assert same(R.normalized.normalize(m), f_normalize(m))


# --------------------------------------------------------------------------- reference.run records


def _per_iterate_records(problem, xs):
    F = np.stack([problem.value(x) for x in xs])
    G = [problem.grad(x) for x in xs]
    return F, np.stack([np.sum(np.abs(g), axis=-1) for g in G]), np.stack([np.sqrt(np.sum(g * g, axis=-1)) for g in G])


@pytest.mark.parametrize("chunk", [1 << 15, 40, 1])
@pytest.mark.parametrize("shape", [(), (1,), (5,), (2, 3)])
def test_run_chunked_records_equal_per_iterate_evaluation(monkeypatch, chunk, shape):
    """F, ||grad F||_1, ||grad F||_2 of every iterate equal one problem call per iterate, bit for
    bit, for rotated problems (matrix products: a 1-D iterate is a matrix-vector product) and a
    logistic regression, with chunks of any size (1, partial last chunk, all at once)."""
    monkeypatch.setattr(runner, "CHUNK_ELEMENTS", chunk)
    Q = P.random_orthogonal(6, np.random.default_rng(7))
    probs = [P.with_noise(P.cosh_cosine(d=6, kappa=0.5, omega=3.0, radius=0.2, Q=Q), P.bounded(0.5)),
             P.with_noise(P.quadratic(Q @ np.diag(np.linspace(0.1, 3.0, 6)) @ Q.T), P.gaussian(0.3)),
             P.logistic_regression(n=20, d=6, seed=1)]
    for prob in probs:
        x0 = np.random.default_rng(3).normal(size=shape + (6,)) * 0.3
        rec = R.run(R.s3(lr=0.01), prob, x0, 23, np.random.default_rng(4), record_x=True)
        F, l1, l2 = _per_iterate_records(prob, rec.x)
        assert same(rec.F, F) and same(rec.grad_l1, l1) and same(rec.grad_l2, l2), prob.name
        rec2 = R.run(R.s3(lr=0.01), prob, x0, 23, np.random.default_rng(4))
        assert same(rec2.F, F) and same(rec2.x_last, rec.x[-1]) and same(rec2.direction, rec.direction)


class _NaNAfter:
    """A problem whose value is NaN at iterates with x[..., 0] > 1 (a custom, unguarded problem)."""

    d = 2

    def value(self, x):
        return np.where(x[..., 0] > 1.0, np.nan, np.sum(x * x, axis=-1))

    def grad(self, x):
        return 2.0 * x

    def oracle(self, rng):
        return lambda x: -np.ones_like(x)


def test_run_chunk_with_nan_is_evaluated_per_iterate(monkeypatch):
    monkeypatch.setattr(runner, "CHUNK_ELEMENTS", 16)
    rec = R.run(R.signsgd(lr=0.3), _NaNAfter(), np.zeros((2, 2)), 9, np.random.default_rng(0), record_x=True)
    F = np.stack([_NaNAfter().value(x) for x in rec.x])
    assert np.isnan(F).any() and same(rec.F, F)


class _GuardedAfter(_NaNAfter):
    """A problem whose grad refuses (FloatingPointError, as base.Problem's NaN guard) iterates
    with x[..., 0] > 1."""

    def grad(self, x):
        if np.any(x[..., 0] > 1.0):
            raise FloatingPointError("outside the domain")
        return 2.0 * x


@pytest.mark.parametrize("chunk", [1 << 15, 4])
def test_run_raises_where_a_guarded_problem_would(monkeypatch, chunk):
    """An iterate the problem refuses raises from the chunked records too (here x_4; the oracle,
    which would also refuse, is a constant one)."""
    monkeypatch.setattr(runner, "CHUNK_ELEMENTS", chunk)
    with pytest.raises(FloatingPointError, match="outside the domain"):
        R.run(R.signsgd(lr=0.3), _GuardedAfter(), np.zeros((2, 2)), 9, np.random.default_rng(0))
    rec = R.run(R.signsgd(lr=0.3), _GuardedAfter(), np.zeros((2, 2)), 3, np.random.default_rng(0))
    assert rec.F.shape == (4, 2)  # x_3 = 0.9: accepted
