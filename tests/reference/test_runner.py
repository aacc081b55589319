"""reference.run: an algorithm on a problem, recording F, ||grad F||_1, ||grad F||_2 per iterate.

A fake problem (the interface run() uses: ``oracle(rng)``, ``value``, ``grad``) keeps this test
independent of reference.problems: F(x) = sum_i a_i x_i^2 / 2 with noise sigma * N(0, 1) per call.
"""

from __future__ import annotations

import numpy as np
import pytest

import reference as R
from reference import problems as P


class Quadratic:
    def __init__(self, a, sigma=0.0):
        self.a, self.sigma = np.asarray(a, dtype=float), sigma

    def value(self, x):
        return 0.5 * np.sum(self.a * x * x, axis=-1)

    def grad(self, x):
        return self.a * x

    def oracle(self, rng):
        def g(x):
            return self.grad(x) + self.sigma * rng.standard_normal(x.shape)
        return g


def test_records_match_manual_run():
    prob = Quadratic([1.0, 4.0, 0.5], sigma=0.1)
    alg = R.s3(lr=0.05)
    x0 = np.array([1.0, -1.0, 2.0])
    rec = R.run(alg, prob, x0, 5, np.random.default_rng(3), record_x=True)
    oracle = prob.oracle(np.random.default_rng(3))
    x, state = x0.copy(), alg.init(x0)
    xs, dirs = [x], []
    for _ in range(5):
        x, state = alg.step(x, state, oracle)
        xs.append(x)
        dirs.append(state.direction)
    xs = np.array(xs)
    assert np.array_equal(rec.x, xs) and np.array_equal(rec.direction, dirs)
    assert np.array_equal(rec.x_last, xs[-1]) and rec.state.t == 5
    np.testing.assert_allclose(rec.F, [0.5 * np.sum([1.0, 4.0, 0.5] * v * v) for v in xs], rtol=1e-15)
    g = xs * [1.0, 4.0, 0.5]
    np.testing.assert_allclose(rec.grad_l1, np.abs(g).sum(axis=1), rtol=1e-15)
    np.testing.assert_allclose(rec.grad_l2, np.sqrt((g * g).sum(axis=1)), rtol=1e-15)
    assert rec.F.shape == (6,) and rec.F[0] == pytest.approx(0.5 * (1 + 4 + 2))


def test_batched_runs_keep_leading_axes():
    prob = Quadratic([1.0, 2.0])
    x0 = np.array([[1.0, 1.0], [2.0, -1.0], [0.0, 3.0]])
    rec = R.run(R.adam(lr=0.1), prob, x0, 4, np.random.default_rng(0))
    assert rec.F.shape == (5, 3) and rec.direction.shape == (4, 3, 2) and rec.x is None
    for i in range(3):  # deterministic oracle: batch row i == run i alone, bit for bit
        r = R.run(R.adam(lr=0.1), prob, x0[i], 4, np.random.default_rng(0))
        assert np.array_equal(rec.F[:, i], r.F) and np.array_equal(rec.x_last[i], r.x_last)


def test_options_and_validation():
    prob = Quadratic([1.0])
    rec = R.run(R.sgdm(lr=0.1), prob, [1.0], 0, np.random.default_rng(0))
    assert rec.F.shape == (1,) and rec.direction is None and np.array_equal(rec.x_last, [1.0])
    rec = R.run(R.sgdm(lr=0.1), prob, [1.0], 3, np.random.default_rng(0), record_directions=False)
    assert rec.direction is None
    # gradient descent on a_1 = 1 with the EMA momentum: F decreases monotonically here
    assert np.all(np.diff(R.run(R.sgdm(lr=0.1, beta=0.0), prob, [1.0], 5, np.random.default_rng(0)).F) < 0)
    for T in (-1, 2.5, "3"):
        with pytest.raises(ValueError, match="T must be an integer >= 0"):
            R.run(R.sgdm(lr=0.1), prob, [1.0], T, np.random.default_rng(0))
    rec = R.run(R.sgdm(lr=0.1), prob, [1, 2], 1, np.random.default_rng(0))  # integer x0
    assert rec.x_last.dtype == np.float64


def test_on_step_sees_every_step_in_order():
    """run(..., on_step=f) calls f(t, x_t, state_t) after each of the T steps."""
    prob = P.diagonal_quadratic([1.0, 3.0])
    seen = []
    rec = R.run(R.sgdm(lr=0.1), prob, np.ones((2, 2)), 4, np.random.default_rng(0),
                on_step=lambda t, x, state: seen.append((t, x.copy(), state.t)))
    assert [s[0] for s in seen] == [1, 2, 3, 4] and [s[2] for s in seen] == [1, 2, 3, 4]
    np.testing.assert_array_equal(seen[-1][1], rec.x_last)
