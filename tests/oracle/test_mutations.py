"""The mutation suite: every bug is caught with the oracle's default settings (every stream), in
float64, float32 and bfloat16 (mixed precision) wherever it exceeds that dtype's rounding, at the
exact first step and quantity; correct implementations written differently never raise an alarm.

The expectations live with the mutants (tests/oracle/mutants.py); the steps that depend on the stream
(a zero gradient meeting a non-zero moment, the first decrease of v) are derived here from the
streams themselves.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from mutants import BUGGY, CORRECT  # noqa: E402

from reference.oracle import assert_matches, compare, make_stream, torch_impl  # noqa: E402

DTYPES = ("float64", "float32", "bfloat16")


def test_the_suite_is_large_enough() -> None:
    assert len(BUGGY) >= 15 and len(CORRECT) >= 5
    assert len({m.id for m in BUGGY}) == len(BUGGY) and len({c.id for c in CORRECT}) == len(CORRECT)
    for m in BUGGY:
        assert set(m.expected) == set(DTYPES), m.id
        assert m.expected["float64"] != m.expected.get("none"), m.id
        assert isinstance(m.expected["float64"], tuple), f"{m.id}: every bug shows in float64"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mutant", BUGGY, ids=[m.id for m in BUGGY])
def test_every_bug_is_caught_where_it_exceeds_rounding(mutant, dtype: str) -> None:
    res = compare(torch_impl(mutant.make, label=mutant.id), mutant.algorithm, mutant.hp, dtype=dtype, stream="all",
                  stop_at_divergence=True, **mutant.kwargs)
    expected = mutant.expected[dtype]
    if isinstance(expected, str):  # below this dtype's rounding: no alarm either
        assert res.matches, f"{mutant.id} in {dtype}: {expected}\n{res}"
        return
    stream, step, quantity = expected
    assert res.verdict == f"diverges at step {step} (stream {stream!r})", f"{mutant.id} ({mutant.bug}):\n{res}"
    d = res.divergence
    assert (d.stream, d.step, d.quantity) == expected, res
    assert d.error > d.tolerance and np.isfinite(d.tolerance)


@pytest.mark.parametrize("mutant", [m for m in BUGGY if m.id in ("adam.swapped-betas", "lion.sign0")],
                         ids=lambda m: m.id)
def test_assert_matches_reports_the_first_divergence_and_a_reproducer(mutant) -> None:
    with pytest.raises(AssertionError) as info:
        assert_matches(torch_impl(mutant.make, label=mutant.id), mutant.algorithm, mutant.hp)
    text = str(info.value)
    stream, step, quantity = mutant.expected["float64"]
    assert f"verdict: diverges at step {step} (stream {stream!r})" in text
    assert f"first divergence: stream {stream!r}, step {step}, {quantity}" in text
    assert "reproduce: from reference.oracle import compare" in text and f"stream={stream!r}" in text


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("correct", CORRECT, ids=[c.id for c in CORRECT])
def test_correct_variants_match_everywhere(correct, dtype: str) -> None:
    state_dtype = dtype if (correct.pure and dtype == "bfloat16") else None
    res = assert_matches(torch_impl(correct.make, label=correct.id), correct.algorithm, correct.hp, dtype=dtype,
                         state_dtype=state_dtype)
    assert res.matches and set(res.streams) >= {"heavy-tailed", "zeros", "long"}
    assert res.max_ratio <= 1.0


def test_pure_torch_kernels_are_flagged_under_mixed_precision() -> None:
    """torch's foreach/fused Adam keep bfloat16 state: not mixed precision (the note says so)."""
    res = compare(torch_impl(lambda ps: torch.optim.Adam(ps, lr=1e-3, foreach=True)), "adam", {"lr": 1e-3},
                  dtype="bfloat16")
    assert res.verdict == "diverges at step 1" and "keeps exp_avg in bfloat16" in res.divergence.reason


# --------------------------------------------------------------------------- the stream-dependent steps


def test_zero_gradient_bug_first_acts_at_step_6() -> None:
    """The first step t with g_{t,i} = 0 where m_{t-1,i} != 0 (m is 0 until the first non-zero gradient)."""
    data = make_stream("zeros", steps=100, d=7, seed=0)
    seen = np.zeros(7, dtype=bool)
    first = None
    for t in range(100):
        g = data.gradient(t, 0, None)
        if first is None and ((g == 0) & seen).any():
            first = t + 1
        seen |= g != 0
    assert first == 6 == next(m for m in BUGGY if m.id == "adam.skips-zero-gradients").expected["float64"][1]


def test_missing_maximum_first_acts_where_v_first_decreases() -> None:
    data = make_stream("heavy-tailed", steps=100, d=7, seed=0)
    v = np.zeros(7)
    first = None
    for t in range(100):
        g = data.gradient(t, 0, None)
        v_new = 0.999 * v + 0.001 * g * g
        if first is None and (v_new < v).any():
            first = t + 1
        v = v_new
    assert first == 7 == next(m for m in BUGGY if m.id == "amsgrad.no-max").expected["float64"][1]
