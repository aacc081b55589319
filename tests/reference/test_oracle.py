"""reference.oracle without any framework: NumPy step functions against the reference.

A correct implementation matches on every stream in float64 and float32; deliberately wrong ones
(Lion with its betas swapped, SAM without the perturbation, a NaN, a wrong shape, an exception)
are reported as the divergence they are, at the right step and coordinate; bad input raises
errors that name what is wrong.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import reference as R
from reference.oracle import LONG_STEPS, STREAMS, compare, make_stream, normwise_errors, numpy_impl
from reference.oracle.__main__ import main, parse_pairs, split_pairs


def lion_step(lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.99, wd: float = 0.0, swap: bool = False,
              expose: bool = True):
    """A NumPy Lion (google/automl form); ``swap`` exchanges the betas (the negative control)."""
    b1, b2 = (beta2, beta1) if swap else (beta1, beta2)

    def step(x, g, state):
        m = np.zeros_like(x) if state is None else state["exp_avg"]
        c = b1 * m + (1 - b1) * g
        x = x * (1 - lr * wd) - lr * np.sign(c)
        m = b2 * m + (1 - b2) * g
        return x, ({"exp_avg": m} if expose else {"private": m.sum()} | {"_m": m})

    return step


def sam_step(lr: float = 1e-2, rho: float = 0.05, perturb: bool = True):
    """SAM-SGD receiving the gradient function (x-dependent oracle)."""
    def step(x, grad, state):
        s = grad(x)
        n = np.sqrt(np.sum(s * s))
        delta = rho * s / n if (perturb and n > 0) else 0.0 * s
        return x - lr * grad(x + delta), state

    return step


@pytest.mark.parametrize("stream", STREAMS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_correct_numpy_lion_matches_on_every_stream(stream: str, dtype: str) -> None:
    res = compare(lion_step(wd=0.1), "lion", {"lr": 1e-3, "weight_decay": 0.1}, dtype=dtype, stream=stream,
                  steps=LONG_STEPS if stream == "long" else 60)
    assert res.verdict == "match", (res, res.note)
    assert res.compared == {"exp_avg": "m"}
    assert 0.0 <= res.max_ratio <= 1.0
    assert len(res.errors["x"]) == res.steps


def test_lion_with_swapped_betas_diverges_at_step_1_at_the_largest_gradient() -> None:
    """m_1 = (1 - beta2) g_1 vs (1 - beta1) g_1: the state differs at step 1, most where |g_1| is largest."""
    res = compare(lion_step(swap=True), "lion", {"lr": 1e-3})
    data = make_stream("heavy-tailed", steps=100, d=7, seed=0)
    g1 = data.gradient(0, 0, None)
    assert res.verdict == "diverges at step 1"
    d = res.divergence
    assert (d.quantity, d.name, d.index) == ("m", "exp_avg", (int(np.argmax(np.abs(g1))),))
    assert d.impl == pytest.approx(0.1 * g1[d.index[0]], rel=1e-12)  # (1 - beta1) g_1: swapped
    assert d.reference == pytest.approx(0.01 * g1[d.index[0]], rel=1e-12)  # (1 - beta2) g_1
    assert "relative error" in d.reason and d.error > d.tolerance
    assert "DIVERGES" in res.table().splitlines()[1]


def test_lion_with_swapped_betas_and_no_state_diverges_in_x_at_step_2() -> None:
    """Without exposed buffers, x alone shows it: sign(c_1) = sign(g_1) for any beta1."""
    res = compare(lion_step(swap=True, expose=False), "lion", {"lr": 1e-3})
    assert res.compared == {}
    assert res.verdict == "diverges at step 2" and res.divergence.quantity == "x"


def test_lion_with_sign0_equal_1_is_a_tie_at_exact_zeros() -> None:
    """sign(0) = +1 instead of 0 moves x at the all-zero step 1: reported, and explained as a tie."""
    def step(x, g, state):
        m = np.zeros_like(x) if state is None else state["exp_avg"]
        c = 0.9 * m + 0.1 * g
        return x - 1e-3 * np.where(c >= 0, 1.0, -1.0), {"exp_avg": 0.99 * m + 0.01 * g}

    res = compare(step, "lion", {"lr": 1e-3}, stream="zeros")
    assert res.verdict == "diverges at step 1"
    assert "tie" in res.note and "sign(0)" in res.note


def test_nan_is_reported_at_its_step() -> None:
    inner = lion_step()

    def step(x, g, state):
        k = 1 if state is None else state["k"] + 1
        x, state = inner(x, g, state)
        if k == 5:
            x = x.copy()
            x[3] = np.nan
        return x, {**state, "k": k}

    res = compare(step, "lion", {"lr": 1e-3})
    assert res.verdict == "diverges at step 5"
    assert res.divergence.index == (3,) and "NaN in the implementation" in res.divergence.reason


def test_wrong_shape_is_reported_at_its_step() -> None:
    calls = []

    def step(x, g, state):
        calls.append(1)
        return (x[:-1] if len(calls) == 3 else x - 1e-3 * np.sign(g)), state

    res = compare(step, "signsgd", {"lr": 1e-3}, shape=(2, 4))
    assert res.verdict == "diverges at step 3"
    assert res.divergence.reason == "the implementation returned x of shape (1, 4), expected (2, 4)"


def test_an_exception_is_reported_at_its_step() -> None:
    calls = []

    def step(x, g, state):
        calls.append(1)
        if len(calls) == 4:
            raise FloatingPointError("boom")
        return x - 1e-3 * np.sign(g), state

    res = compare(step, "signsgd", {"lr": 1e-3})
    assert res.verdict == "diverges at step 4"
    assert "raised FloatingPointError: boom" in res.divergence.reason


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sam_gets_the_same_oracle_and_its_negative_control_fails(dtype: str) -> None:
    hp = {"lr": 1e-2, "rho": 0.05}
    assert compare(sam_step(), "sam", hp, dtype=dtype).verdict == "match"
    bad = compare(sam_step(perturb=False), "sam", hp, dtype=dtype)
    assert bad.verdict == "diverges at step 1" and bad.divergence.quantity == "x"


def test_shape_is_the_parameter_shape_and_the_reference_runs_flat() -> None:
    res = compare(sam_step(), "sam", {"lr": 1e-2, "rho": 0.05}, shape=(3, 2, 2))
    assert res.verdict == "match" and res.shape == (3, 2, 2)
    bad = compare(sam_step(perturb=False), "sam", {"lr": 1e-2, "rho": 0.05}, shape=(3, 2, 2))
    assert len(bad.divergence.index) == 3


# --------------------------------------------------------------------------- bad input, configuration


def test_bad_input_raises_errors_naming_it() -> None:
    with pytest.raises(TypeError, match="cannot use 42 as an implementation: expected a torch.optim.Optimizer"):
        compare(42, "lion", {})
    with pytest.raises(ValueError, match="unknown algorithm 'lionn'"):
        compare(lion_step(), "lionn", {})
    with pytest.raises(TypeError, match=r"lion: unexpected hyperparameter\(s\) \['momentum'\]"):
        compare(lion_step(), "lion", {"momentum": 0.9})
    with pytest.raises(ValueError, match=r"lion: beta2 must be a finite number in \[0, 1\)"):
        compare(lion_step(), "lion", {"beta2": 1.0})
    with pytest.raises(ValueError, match="unknown stream 'pink'"):
        compare(lion_step(), "lion", {}, stream="pink")
    with pytest.raises(ValueError, match="dtype must be one of"):
        compare(lion_step(), "lion", {}, dtype="float16")
    with pytest.raises(ValueError, match="stream 'long' checks drift over >= 1000 steps"):
        compare(lion_step(), "lion", {}, stream="long", steps=100)
    with pytest.raises(ValueError, match="shape must be"):
        compare(lion_step(), "lion", {}, shape=(0, 3))
    with pytest.raises(ValueError, match="spec 'jax:optax.lion' must be"):
        compare("jax:optax.lion", "lion", {})
    with pytest.raises(ValueError, match="cannot load"):
        compare("numpy:no_such_module_xyz:step", "lion", {})


def test_cannot_configure_is_a_verdict() -> None:
    res = compare(lion_step(), "igt", {"lr": 1e-3})
    assert res.verdict.startswith("cannot configure: no rounding count K derived for 'igt'")
    assert not res.matches and res.errors == {}
    res = compare(lion_step(), "lion", {}, impl_kwargs={"betas": (0.9, 0.99)})
    assert res.verdict == "cannot configure: a NumPy step function takes no impl_kwargs"


def test_long_stream_defaults_to_1000_steps() -> None:
    res = compare(lion_step(lr=1e-4), "lion", {"lr": 1e-4}, stream="long")
    assert res.steps == LONG_STEPS and res.verdict == "match"
    assert res.tolerance[-1] > res.tolerance[0]  # 2 A K u64 t exceeds 1e-12 on long runs


def test_reproducer_and_json() -> None:
    res = compare(numpy_impl(lion_step(), label="my_lion"), "lion", {"lr": 1e-3}, steps=20, seed=3)
    assert res.reproducer.startswith("from reference.oracle import compare; print(compare(<my_lion>, 'lion'")
    assert "steps=20" in res.reproducer and "seed=3" in res.reproducer
    rec = json.loads(json.dumps(res.to_dict()))
    assert rec["verdict"] == "match" and len(rec["errors"]["x"]) == 20 and rec["compared"] == {"exp_avg": "m"}


# --------------------------------------------------------------------------- streams and metric


def test_streams_are_seeded_representable_and_in_range() -> None:
    a = make_stream("heavy-tailed", steps=50, d=9, seed=1, dtype="float32")
    b = make_stream("heavy-tailed", steps=50, d=9, seed=1, dtype="float32")
    c = make_stream("heavy-tailed", steps=50, d=9, seed=2, dtype="float32")
    assert np.array_equal(a.G, b.G) and not np.array_equal(a.G, c.G)
    g = np.stack([a.gradient(t, 0, None) for t in range(50)])
    assert np.array_equal(g.astype(np.float32).astype(np.float64), g)
    z = make_stream("zeros", steps=30, d=9, seed=0)
    gz = np.stack([z.gradient(t, 0, None) for t in range(30)])
    assert (gz[:3] == 0).all() and (gz[:, 0] == 0).all() and (gz[6] == 0).all() and (gz != 0).any()
    for dtype in ("float64", "float32"):
        info = np.finfo(dtype)
        lo, hi = float(info.tiny) ** 0.25, float(info.max) ** 0.25
        tiny = np.abs(make_stream("tiny", steps=40, d=9, dtype=dtype).G)
        huge = np.abs(make_stream("huge", steps=40, d=9, dtype=dtype).G)
        assert tiny.max() <= 10 * lo and huge.max() <= hi
        assert np.isfinite(huge.astype(dtype) ** 3).all() and (tiny[tiny > 0] ** 2 >= float(info.tiny)).all()
    flips = make_stream("sign-flips", steps=6, d=4, seed=0)
    s = np.sign(np.stack([flips.gradient(t, 0, None) for t in range(6)]))
    assert (s[1:, 0] == -s[:-1, 0]).all()


def test_normwise_errors() -> None:
    b = np.array([[1.0, -2.0], [0.5, 4.0]])
    a = b + np.array([[1e-3, 0.0], [0.0, 2e-3]])
    np.testing.assert_allclose(normwise_errors(a, b), [1e-3 / 2, 2e-3 / 4])
    np.testing.assert_allclose(normwise_errors(a, b, scale=np.array([10.0, 10.0])), [1e-4, 2e-4])
    assert normwise_errors(np.array([[1e-300]]), np.array([[0.0]]))[0] == np.inf


def test_reference_oracle_is_exported() -> None:
    assert R.oracle.compare is compare


# --------------------------------------------------------------------------- CLI parsing


def test_cli_value_parsing() -> None:
    assert split_pairs("lr=1e-3,betas=(0.9,0.99),blocks=[0,1]") == ["lr=1e-3", "betas=(0.9,0.99)", "blocks=[0,1]"]
    assert parse_pairs(["lr=1e-3,nesterov=true,beta2=none,form=paper", "p=2"], "--hp") == {
        "lr": 1e-3, "nesterov": True, "beta2": None, "form": "paper", "p": 2}
    assert parse_pairs(["k=@numpy.sign"], "--impl-kw") == {"k": np.sign}
    with pytest.raises(ValueError, match="expected key=value"):
        parse_pairs(["lr"], "--hp")


def test_cli_bad_input_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["numpy:numpy:sign", "--as", "lionn"]) == 2
    assert "unknown algorithm 'lionn'" in capsys.readouterr().err
    assert main(["numpy:numpy:sign"]) == 2
