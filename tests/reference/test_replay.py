"""reference.replay: driving an algorithm with a fixed gradient sequence (T, ..., d)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference as R
from reference.replay import GradientStream, stack_states
from _cases import CASE_IDS, CASES, make


def state_fields(state):
    return {f: np.asarray(getattr(state, f)) for f in state._fields}


@pytest.mark.parametrize("d", [3, 37])
@pytest.mark.parametrize(("cid", "name", "extra"), CASES, ids=CASE_IDS)
def test_batched_equals_looped(cid, name, extra, d):
    """A (N, 4, d) gradient array (4 independent streams, heterogeneous scales) replays to the same
    bits as each (N, d) stream alone, for every field of the trace; also for a (N, 2, 2, d) batch."""
    alg = make(name, extra, d)
    rng = np.random.default_rng(d + 17)
    N = 6 * alg.oracle_calls
    grads = rng.normal(size=(N, 4, d)) * 10.0 ** rng.uniform(-3, 3, size=(1, 4, d))
    x0 = rng.normal(size=(4, d))
    tr = R.replay(alg, grads, x0)
    for i in range(4):
        ti = R.replay(alg, grads[:, i], x0[i])
        assert np.array_equal(tr.x[:, i], ti.x), (cid, i)
        assert np.array_equal(tr.direction[:, i], ti.direction)
        for f, v in state_fields(tr.state).items():
            vi = state_fields(ti.state)[f]
            if v.ndim == vi.ndim:  # per-step scalars (t, NAdam's mu_product) are shared
                assert np.array_equal(v, vi), (cid, f)
            else:
                assert np.array_equal(v[:, i], vi), (cid, f)
    t4 = R.replay(alg, grads.reshape(N, 2, 2, d), x0.reshape(2, 2, d))
    assert np.array_equal(t4.x.reshape(tr.x.shape), tr.x)
    assert np.array_equal(t4.direction.reshape(tr.direction.shape), tr.direction)


def test_trace_layout():
    g = np.arange(12.0).reshape(4, 3) - 5
    x0 = np.array([1.0, 2.0, 3.0])
    tr = R.replay(R.signsgd(lr=0.5), g, x0)
    assert tr.x.shape == (5, 3) and tr.direction.shape == (4, 3)
    assert np.array_equal(tr.x[0], x0)
    assert np.array_equal(tr.state.t, [1, 2, 3, 4])
    assert np.array_equal(tr.direction, np.sign(g))
    assert np.array_equal(tr.x[-1], x0 - 0.5 * np.sign(g).sum(axis=0))


def test_two_calls_per_step_consume_two_gradients():
    """SAM-type methods read s_t then g_t: gradient 2k is s, 2k+1 is g (x is ignored by the stream)."""
    g = np.array([[1.0, 0.0], [3.0, -1.0], [0.0, 5.0], [2.0, 2.0]])
    tr = R.replay(R.sam(lr=0.1, rho=0.3), g)
    assert tr.x.shape == (3, 2)
    assert np.array_equal(tr.direction, [[3.0, -1.0], [2.0, 2.0]])  # beta = 0: d_t = g_t
    with pytest.raises(ValueError, match="calls the oracle 2 time"):
        R.replay(R.sam(lr=0.1), g[:3])


def test_input_checks_and_dtypes():
    with pytest.raises(ValueError, match=r"grads must have shape \(N, ..., d\)"):
        R.replay(R.adam(), np.ones(3))
    with pytest.raises(ValueError, match="got 0 gradients"):
        R.replay(R.adam(), np.ones((0, 3)))
    tr = R.replay(R.adam(), np.ones((2, 3), dtype=np.int64))
    assert tr.x.dtype == np.float64
    tr = R.replay(R.adam(), np.ones((2, 3), dtype=np.float32))
    assert tr.x.dtype == np.float32
    tr = R.replay(R.adam(), np.ones((2, 4, 3)), x0=np.array([1, 2, 3]))  # x0 broadcast to every run
    assert tr.x.shape == (3, 4, 3) and np.array_equal(tr.x[0], np.tile([1.0, 2.0, 3.0], (4, 1)))
    assert np.array_equal(R.replay(R.adam(), np.ones((1, 2))).x[0], [0.0, 0.0])  # x0 defaults to 0


def test_gradient_stream():
    s = GradientStream(np.ones((2, 3)))
    s(np.zeros(3))
    s(np.zeros(3))
    assert s.calls == 2
    with pytest.raises(IndexError, match="exhausted after 2 calls"):
        s(np.zeros(3))
    with pytest.raises(ValueError, match=r"gradient 0 has shape \(3,\), x has shape \(2,\)"):
        GradientStream(np.ones((2, 3)))(np.zeros(2))


def test_stack_states():
    s1 = R.adam().init(np.zeros(2))._replace(t=1)
    s2 = s1._replace(t=2, m=np.ones(2))
    st_ = stack_states([s1, s2])
    assert type(st_) is type(s1) and np.array_equal(st_.t, [1, 2]) and st_.m.shape == (2, 2)


GRAD = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(case=st.sampled_from(CASES), data=st.data())
def test_replay_equals_manual_steps(case, data):
    """replay of T steps is exactly T calls of alg.step with the same gradients."""
    cid, name, extra = case
    alg = make(name, extra, 3)
    T = data.draw(st.integers(1, 6))
    grads = np.array(data.draw(st.lists(st.lists(GRAD, min_size=3, max_size=3),
                                        min_size=T * alg.oracle_calls, max_size=T * alg.oracle_calls)))
    x0 = np.array(data.draw(st.lists(GRAD, min_size=3, max_size=3)))
    tr = R.replay(alg, grads, x0)
    it = iter(grads)
    x, state = x0.copy(), alg.init(x0)
    for t in range(T):
        x, state = alg.step(x, state, lambda _x: next(it))
        assert np.array_equal(tr.x[t + 1], x), cid
        assert np.array_equal(tr.direction[t], state.direction), cid
    for f in state._fields:
        assert np.array_equal(np.asarray(getattr(tr.state, f))[-1], np.asarray(getattr(state, f))), (cid, f)
