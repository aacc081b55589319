"""reference.problems.base and linalg: Constants, input conventions, matrix norms."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reference.problems import (
    Constants,
    Problem,
    cosh_cosine,
    diagonal_quadratic,
    inf_to_one_norm,
    logistic_regression,
    quadratic,
    quadratic_cosine,
    random_orthogonal,
)
from reference.problems.linalg import check_orthogonal


def test_constants_record():
    c = Constants(L=2, L0_vec=[1.0, 2.0], L1_vec=[0.0, 0.5], tight={"L", "H_inf"})
    assert c.L == 2.0 and isinstance(c.L, float)
    assert c.tight == frozenset({"L"})  # None fields drop out of tight
    assert c.radius_coordinate == 2.0 and Constants(L1_vec=[0.0]).radius_coordinate == math.inf
    with pytest.raises(ValueError):
        c.L0_vec[0] = 5.0  # read-only
    with pytest.raises(ValueError, match="Constants.L must be"):
        Constants(L=-1.0)
    with pytest.raises(ValueError, match="Constants.rho must be finite"):
        Constants(rho=math.inf)
    with pytest.raises(ValueError, match="Constants.H_vec must be >= 0"):
        Constants(H_vec=[-1.0])
    with pytest.raises(ValueError, match="unknown fields"):
        Constants(tight={"Lipschitz"})
    assert c.replace(L=3.0).L == 3.0 and c.L == 2.0


ALL = [
    lambda: quadratic(np.array([[2.0, 1.0], [1.0, 2.0]])),
    lambda: diagonal_quadratic([1.0, 3.0]),
    lambda: cosh_cosine(2),
    lambda: quadratic_cosine(2, Q=random_orthogonal(2, 0)),
    lambda: logistic_regression(20, 2, lam=0.1),
]


@pytest.mark.parametrize("make", ALL)
def test_problem_conventions(make):
    p = make()
    assert isinstance(p, Problem) and p.d == 2 and isinstance(p.name, str)
    x, V = np.array([0.3, -0.2]), np.arange(6.0).reshape(3, 2)
    assert p.value(x).shape == () and p.grad(x).shape == (2,) and p.hessian(x).shape == (2, 2)
    assert p.hvp(x, V).shape == (3, 2) and p.hvp(np.stack([x] * 3), x).shape == (3, 2)
    assert p.value(np.zeros((4, 3, 2))).shape == (4, 3)
    assert p.grad([1, 2]).dtype == np.float64  # integer input -> float64
    with pytest.raises(ValueError, match="real array"):
        p.grad(np.array([1j, 0]))
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        p.value(np.zeros(3))
    with pytest.raises(ValueError, match=r"v must have shape"):
        p.hvp(x, np.zeros(5))
    np.testing.assert_array_equal(p.oracle()(x), p.grad(x))  # exact oracle
    np.testing.assert_array_equal(p.oracle().sample()(x), p.grad(x))
    c = p.constants
    assert c.sigma2 == 0.0 and np.all(c.sigma_vec == 0)  # exact oracle: no noise
    if c.x_star is not None:
        assert c.x_star.shape == (2,) and np.isfinite(c.F_star)


# -- linalg ---------------------------------------------------------------------------

def _brute_inf_to_one(A):
    return max(np.abs(A @ np.array(s)).sum() for s in itertools.product([-1.0, 1.0], repeat=A.shape[0]))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6).flatmap(lambda d: arrays(np.float64, (d, d), elements=st.floats(-10, 10))))
def test_inf_to_one_norm_enumeration(A):
    value, exact = inf_to_one_norm(A)
    assert exact and value == pytest.approx(_brute_inf_to_one(A), rel=1e-14, abs=1e-300)
    # sandwich: max row l1 norm <= ||A||_{inf->1} <= ||A||_{1,1}
    assert np.abs(A).sum(axis=1).max() <= value * (1 + 1e-14) + 1e-300
    assert value <= np.abs(A).sum() * (1 + 1e-14)
    upper, _ = inf_to_one_norm((A + A.T) / 2, max_enumeration_d=0)
    assert upper >= _brute_inf_to_one((A + A.T) / 2) * (1 - 1e-14)


def test_random_orthogonal_and_check():
    Q = random_orthogonal(7, np.random.default_rng(0))
    np.testing.assert_allclose(Q.T @ Q, np.eye(7), atol=1e-14)
    assert np.array_equal(Q, random_orthogonal(7, 0))  # int seed == default_rng(seed)
    with pytest.raises(ValueError, match="Q must be orthogonal"):
        check_orthogonal("Q", Q * 1.001)
    with pytest.raises(ValueError, match="rng must be"):
        random_orthogonal(3, None)


def test_instance_digest_names_dtype_shape_and_every_byte() -> None:
    from reference.problems.base import instance_digest

    A = np.arange(6.0).reshape(2, 3)
    assert instance_digest(A) == instance_digest(A.copy()) == instance_digest(np.asfortranarray(A))
    B = A.copy()
    B[1, 2] = np.nextafter(B[1, 2], np.inf)
    assert len({instance_digest(A), instance_digest(B), instance_digest(A.reshape(3, 2)),
                instance_digest(A.astype(np.float32))}) == 4
