"""reference.oracle without any framework: NumPy step functions against the reference.

A correct implementation matches on every stream in float64, float32 and float16/bfloat16 (mixed
precision); deliberately wrong ones (Lion with its betas swapped, SAM without the perturbation, a
NaN, a wrong shape, an exception) are reported as the divergence they are, at the right step,
quantity and coordinate; bad input raises errors that name what is wrong.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import reference as R
from reference import tolerances as TOL
from reference.oracle import LONG_STEPS, STREAMS, compare, make_stream, normwise_errors, numpy_impl
from reference.oracle.__main__ import main, parse_pairs, split_pairs


def lion_step(lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.99, wd: float = 0.0, swap: bool = False,
              expose: bool = True, work: str | None = None):
    """A NumPy Lion (google/automl form); ``swap`` exchanges the betas (the negative control); ``work``:
    the dtype of the state and arithmetic (default: the parameters')."""
    b1, b2 = (beta2, beta1) if swap else (beta1, beta2)

    def step(x, g, state):
        dt = work or x.dtype
        m = np.zeros(x.shape, dt) if state is None else state["exp_avg"]
        xw, gw = x.astype(dt), g.astype(dt)
        c = b1 * m + (1 - b1) * gw
        x_new = (xw * (1 - lr * wd) - lr * np.sign(c)).astype(x.dtype)
        m = (b2 * m + (1 - b2) * gw).astype(dt)
        return x_new, ({"exp_avg": m} if expose else {"private": m.sum()})

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
    assert res.verdict == "match", res
    assert res.compared == {"exp_avg": "m"} and res.synced == ["m"]
    assert 0.0 <= res.max_ratio <= 1.0
    assert set(res.errors) == {"update", "m"} and len(res.errors["update"]) == res.steps


def test_float16_mixed_precision_matches() -> None:
    res = compare(lion_step(wd=0.1, work="float32"), "lion", {"lr": 1e-3, "weight_decay": 0.1}, dtype="float16",
                  stream="all")
    assert res.verdict == "match", res
    assert res.state_dtype == "float32" and set(res.streams) == set(STREAMS)


def test_lion_with_swapped_betas_diverges_at_step_1_at_the_largest_gradient() -> None:
    """m_1 = (1 - beta2) g_1 vs (1 - beta1) g_1: the state differs at step 1, most where |g_1| is largest."""
    res = compare(lion_step(swap=True), "lion", {"lr": 1e-3})
    data = make_stream("heavy-tailed", steps=100, d=7, seed=0)
    g1 = data.gradient(0, 0, None)
    assert res.verdict == "diverges at step 1"
    d = res.divergence
    assert (d.quantity, d.name, d.tensor, d.index) == ("m", "exp_avg", "p0", (int(np.argmax(np.abs(g1))),))
    assert d.impl == pytest.approx(0.1 * g1[d.index[0]], rel=1e-12)  # (1 - beta1) g_1: swapped
    assert d.reference == pytest.approx(0.01 * g1[d.index[0]], rel=1e-12)  # (1 - beta2) g_1
    assert "relative error" in d.reason and d.error > d.tolerance
    assert "DIVERGES" in res.table().splitlines()[1]


def test_lion_with_swapped_betas_and_no_state_diverges_in_the_update_at_step_2() -> None:
    """Without exposed buffers the update alone shows it: sign(c_1) = sign(g_1) for any beta1, and the
    reference's state then runs free (t_eff = t)."""
    res = compare(lion_step(swap=True, expose=False), "lion", {"lr": 1e-3})
    assert res.compared == {} and res.synced == []
    assert res.verdict == "diverges at step 2" and res.divergence.quantity == "update"
    assert "t_eff = t " in res.tolerance_source
    assert res.tolerance[9] == pytest.approx(10 * res.tolerance[0]) or res.tolerance[0] == TOL.F64_RTOL


def test_a_relative_error_of_the_update_shows_in_float32() -> None:
    """A 0.3 % error in the update direction at lr = 1e-3 (what judging x alone let through in float32)."""
    ok = lion_step()

    def step(x, g, state):
        x_new, state = ok(x, g, state)
        return x + (x_new - x) * 1.003, state

    for dtype in ("float64", "float32"):
        res = compare(step, "lion", {"lr": 1e-3}, dtype=dtype)
        assert res.verdict == "diverges at step 1" and res.divergence.quantity == "update", res


def test_lion_with_sign0_equal_1_diverges_at_the_zero_step() -> None:
    """sign(0) = +1 instead of 0 moves x at the all-zero step 1 (an exact 0 is not a tie)."""
    def step(x, g, state):
        m = np.zeros_like(x) if state is None else state["exp_avg"]
        c = 0.9 * m + 0.1 * g
        return x - 1e-3 * np.where(c >= 0, 1.0, -1.0), {"exp_avg": 0.99 * m + 0.01 * g}

    res = compare(step, "lion", {"lr": 1e-3}, stream="zeros")
    assert res.verdict == "diverges at step 1" and res.divergence.quantity == "update"
    assert compare(step, "lion", {"lr": 1e-3}).matches  # no exact zeros on the default stream
    every = compare(step, "lion", {"lr": 1e-3}, stream="all")
    assert every.verdict == "diverges at step 1 (stream 'zeros')" and every.divergence.stream == "zeros"
    assert [s for s, r in every.streams.items() if not r.matches] == ["zeros"]


def test_nan_is_reported_at_its_step() -> None:
    inner = lion_step()

    def step(x, g, state):
        k = 1 if state is None else state["k"] + 1
        x, state = inner(x, g, state and {"exp_avg": state["exp_avg"]})
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
    assert bad.verdict == "diverges at step 1" and bad.divergence.quantity == "update"


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
        compare(lion_step(), "lion", {}, dtype="float8")
    with pytest.raises(ValueError, match="state_dtype applies to bfloat16/float16 parameters"):
        compare(lion_step(), "lion", {}, dtype="float32", state_dtype="float64")
    with pytest.raises(ValueError, match="stream 'long' checks drift over >= 1000 steps"):
        compare(lion_step(), "lion", {}, stream="long", steps=100)
    with pytest.raises(ValueError, match=r"steps must be an integer in \[1, 100000\]"):
        compare(lion_step(), "lion", {}, steps=10**12)
    with pytest.raises(ValueError, match="shape must be"):
        compare(lion_step(), "lion", {}, shape=(0, 3))
    with pytest.raises(ValueError, match="coordinates; at most"):
        compare(lion_step(), "lion", {}, shape=(10**5, 10**5))
    with pytest.raises(ValueError, match="spec 'jax:optax.lion' must be"):
        compare("jax:optax.lion", "lion", {})
    with pytest.raises(ValueError, match="cannot load"):
        compare("numpy:no_such_module_xyz:step", "lion", {})
    with pytest.raises(ValueError, match="not a state field of lion"):
        compare(lion_step(), "lion", {}, state_map={"exp_avg": "mm"})
    with pytest.raises(ValueError, match="norm_scope must be one of"):
        compare(lion_step(), "lion", {}, norm_scope="layer")


def test_cannot_configure_is_a_verdict() -> None:
    res = compare(lion_step(), "igt", {"lr": 1e-3})
    assert res.verdict.startswith("cannot configure: no rounding count K derived for 'igt'")
    assert not res.matches and res.errors == {}
    res = compare(lion_step(), "lion", {}, impl_kwargs={"betas": (0.9, 0.99)})
    assert res.verdict == "cannot configure: a NumPy step function takes no impl_kwargs"
    res = compare(lion_step(), "lion", {}, state_map={"exp_avgg": "m"})
    assert res.verdict == "cannot configure: state_map names 'exp_avgg', which the implementation does not expose " \
                          "(it exposes: exp_avg)"


def test_long_stream_defaults_to_1000_steps() -> None:
    res = compare(lion_step(lr=1e-4), "lion", {"lr": 1e-4}, stream="long")
    assert res.steps == LONG_STEPS and res.verdict == "match"


def test_reproducer_and_json() -> None:
    res = compare(numpy_impl(lion_step(), label="my_lion"), "lion", {"lr": 1e-3}, steps=20, seed=3)
    assert res.reproducer.startswith("from reference.oracle import compare; print(compare(<my_lion>, 'lion'")
    assert "steps=20" in res.reproducer and "seed=3" in res.reproducer
    rec = json.loads(json.dumps(res.to_dict()))
    assert rec["verdict"] == "match" and len(rec["errors"]["update"]) == 20 and rec["compared"] == {"exp_avg": "m"}


def test_summary_comes_first_and_the_table_takes_rows() -> None:
    res = compare(lion_step(swap=True), "lion", {"lr": 1e-3})
    lines = str(res).splitlines()
    assert lines[0] == "verdict: diverges at step 1" and lines[1].startswith("first divergence:")
    assert lines[2].startswith("reproduce:")
    body = [ln for ln in res.table(1).splitlines()[1:] if ln.strip() != "..."]
    assert len(body) == 1 and "DIVERGES" in body[0]
    assert len([ln for ln in res.table(5).splitlines()[1:] if ln.strip() != "..."]) == 5
    assert len(res.table().splitlines()) == 101  # every step (<= 100) and the header


# --------------------------------------------------------------------------- streams and metric


def test_streams_are_seeded_representable_and_in_range() -> None:
    a = make_stream("heavy-tailed", steps=50, d=9, seed=1, dtype="float32")
    b = make_stream("heavy-tailed", steps=50, d=9, seed=1, dtype="float32")
    c = make_stream("heavy-tailed", steps=50, d=9, seed=2, dtype="float32")
    ga = np.stack([a.gradient(t, 0, None) for t in range(50)])
    assert np.array_equal(ga, np.stack([b.gradient(t, 0, None) for t in range(50)]))
    assert not np.array_equal(ga, np.stack([c.gradient(t, 0, None) for t in range(50)]))
    assert np.array_equal(ga.astype(np.float32).astype(np.float64), ga)
    # heavy tails: a kurtosis far above the Gaussian's 3 over many draws
    big = make_stream("heavy-tailed", steps=400, d=50, seed=0)
    z = np.concatenate([big.gradient(t, 0, None) / big.sigma for t in range(400)])
    assert np.mean((z - z.mean()) ** 4) / np.var(z) ** 2 > 20
    z = make_stream("zeros", steps=30, d=9, seed=0)
    gz = np.stack([z.gradient(t, 0, None) for t in range(30)])
    assert (gz[:3] == 0).all() and (gz[:, 0] == 0).all() and (gz[6] == 0).all() and (gz != 0).any()
    for dtype in ("float64", "float32", "bfloat16", "float16"):
        tiny_, max_, _ = {"float64": (2.0**-1022, 1.8e308, 0), "float32": (2.0**-126, 3.4e38, 0),
                          "bfloat16": (2.0**-126, 3.39e38, 0), "float16": (2.0**-14, 65504.0, 0)}[dtype]
        lo, hi = tiny_**0.25, max_**0.25
        tiny = np.abs(np.stack([make_stream("tiny", steps=40, d=9, dtype=dtype).gradient(t, 0, None)
                                for t in range(40)]))
        huge = np.abs(np.stack([make_stream("huge", steps=40, d=9, dtype=dtype).gradient(t, 0, None)
                                for t in range(40)]))
        assert tiny.max() <= 10.1 * lo and huge.max() <= hi * 1.01
        assert (huge**3 <= max_).all()
        # g^2 stays normal; float16's ten binades above tiny^(1/4) cannot hold that, only g itself
        assert (tiny[tiny > 0] ** (1 if dtype == "float16" else 2) >= tiny_).all()
    flips = make_stream("sign-flips", steps=6, d=4, seed=0)
    s = np.sign(np.stack([flips.gradient(t, 0, None) for t in range(6)]))
    assert (s[1:, 0] == -s[:-1, 0]).all()


def test_bfloat16_rounding_is_round_to_nearest_even() -> None:
    from reference.oracle.streams import representable

    one = 1.0
    assert representable(np.array([one + 2.0**-8]), "bfloat16")[0] == 1.0          # tie -> even
    assert representable(np.array([one + 3 * 2.0**-8]), "bfloat16")[0] == 1.0 + 2.0**-6
    assert representable(np.array([one + 2.0**-8 + 2.0**-20]), "bfloat16")[0] == 1.0 + 2.0**-7
    assert np.isnan(representable(np.array([np.nan]), "bfloat16")[0])
    assert representable(np.array([3.4e38]), "bfloat16")[0] == np.inf
    ml = pytest.importorskip("ml_dtypes")
    x = np.random.default_rng(0).normal(size=1000) * 10.0 ** np.random.default_rng(1).uniform(-30, 30, 1000)
    assert np.array_equal(representable(x.astype(np.float32), "bfloat16"),
                          x.astype(np.float32).astype(ml.bfloat16).astype(np.float64))


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
    with pytest.raises(ValueError, match="cannot load '@no_such_module_q.x'"):
        parse_pairs(["k=@no_such_module_q.x"], "--impl-kw")


def test_cli_bad_input_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["numpy:numpy:sign", "--as", "lionn"]) == 2
    err = capsys.readouterr().err
    assert "unknown algorithm 'lionn'" in err and err.count("\n") == 1
    assert main(["numpy:numpy:sign"]) == 2
