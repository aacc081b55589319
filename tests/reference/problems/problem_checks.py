"""Shared checks for the reference.problems tests: finite differences and each constant's
definition evaluated on sampled pairs, with floating-point slack derived from the dtype.

Slack: a computed gradient difference carries a rounding error of order
``eps * d * (|g(x)| + |g(y)| + C (|x| + |y|))`` (the terms summed to form g are bounded by
the gradient plus the constant times the point), so every inequality ``lhs <= rhs`` is
checked as ``lhs <= rhs + K d eps scale`` with K = 64.
"""

from __future__ import annotations

import numpy as np

EPS = float(np.finfo(np.float64).eps)
K = 64.0


def fd_grad(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite differences of the scalar function f at x (shape (d,))."""
    E = np.eye(x.size) * h
    return np.array([(f(x + e) - f(x - e)) / (2 * h) for e in E])


def fd_hessian(grad, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    E = np.eye(x.size) * h
    return np.stack([(grad(x + e) - grad(x - e)) / (2 * h) for e in E], axis=1)


def _norm(a, ord=2):
    return np.linalg.norm(a, ord=ord, axis=-1)


def _slack(d, *terms):
    return K * d * EPS * sum(terms)


def l2_ratio(p, X, Y, L):
    """Check ||g(y) - g(x)||_2 <= L ||y - x||_2 on rows; return the ratios."""
    gx, gy = p.grad(X), p.grad(Y)
    lhs, h = _norm(gy - gx), _norm(Y - X)
    slack = _slack(p.d, _norm(gx), _norm(gy), L * (_norm(X) + _norm(Y)))
    return lhs, L * h, slack, lhs / h


def assert_holds(lhs, rhs, slack, what=""):
    bad = lhs > rhs + slack
    assert not np.any(bad), f"{what}: violated by {np.max(lhs - rhs - slack):.3g} at {np.argmax(lhs - rhs - slack)}"


def assert_violated(lhs, rhs, slack, what=""):
    assert np.any(lhs > rhs + slack), f"{what}: a smaller constant was not exceeded (not tight?)"


def check_L(p, X, Y, L=None):
    L = p.constants.L if L is None else L
    lhs, rhs, slack, ratio = l2_ratio(p, X, Y, L)
    return lhs, rhs, slack, ratio


def s3_terms(p, X, Y, L0=None, L1=None):
    """s3 Assumption 2: ||g(y)-g(x)|| <= (L0 + L1 ||g(x)||) ||y-x|| for ||y-x|| <= R."""
    c = p.constants
    L0 = c.L0 if L0 is None else L0
    L1 = c.L1 if L1 is None else L1
    h = _norm(Y - X)
    assert np.all(h <= c.R * (1 + 4 * EPS)), "pair outside the radius"
    gx, gy = p.grad(X), p.grad(Y)
    lhs = _norm(gy - gx)
    rhs = (L0 + L1 * _norm(gx)) * h
    return lhs, rhs, _slack(p.d, _norm(gx), _norm(gy))


def coordinate_terms(p, X, Y, L0_vec=None, L1_vec=None):
    """gsignsgd Assumption 2, all coordinates (arrays (..., d))."""
    c = p.constants
    L0_vec = c.L0_vec if L0_vec is None else L0_vec
    L1_vec = c.L1_vec if L1_vec is None else L1_vec
    h = _norm(Y - X)[..., None]
    assert np.all(h <= c.radius_coordinate * (1 + 4 * EPS)), "pair outside the radius"
    gx, gy = p.grad(X), p.grad(Y)
    lhs = np.abs(gy - gx)
    rhs = (L0_vec / np.sqrt(p.d) + L1_vec * np.abs(gx)) * h
    return lhs, rhs, _slack(p.d, np.abs(gx), np.abs(gy))


def hinf_terms(p, X, Y, H=None):
    """adamlinf Definition 3.1: ||g(x) - g(y)||_1 <= H ||x - y||_inf."""
    H = p.constants.H_inf if H is None else H
    gx, gy = p.grad(X), p.grad(Y)
    lhs = _norm(gy - gx, 1)
    rhs = H * _norm(Y - X, np.inf)
    return lhs, rhs, _slack(p.d, _norm(gx, 1), _norm(gy, 1), H * (_norm(X, np.inf) + _norm(Y, np.inf)))


def hvec_terms(p, X, Y, H_vec=None):
    """adamlinf Definition 3.3: |g_i(x) - g_i(y)| <= H_i ||x - y||_inf."""
    H_vec = p.constants.H_vec if H_vec is None else H_vec
    gx, gy = p.grad(X), p.grad(Y)
    lhs = np.abs(gy - gx)
    rhs = H_vec * _norm(Y - X, np.inf)[..., None]
    scale = np.abs(gx) + np.abs(gy) + H_vec * (_norm(X, np.inf) + _norm(Y, np.inf))[..., None]
    return lhs, rhs, _slack(p.d, scale)


def rho_terms(p, X, Y, rho=None):
    """nsgdm (A4): ||hess(x) - hess(y)||_op <= rho ||x - y||_2."""
    rho = p.constants.rho if rho is None else rho
    Hx, Hy = p.hessian(X), p.hessian(Y)
    lhs = np.linalg.norm(Hy - Hx, ord=2, axis=(-2, -1))
    rhs = rho * _norm(Y - X)
    scale = np.linalg.norm(Hx, ord=2, axis=(-2, -1)) + np.linalg.norm(Hy, ord=2, axis=(-2, -1))
    return lhs, rhs, _slack(p.d, scale)


def hessian_11_terms(p, X, value=None):
    value = p.constants.hessian_11 if value is None else value
    H = p.hessian(X)
    lhs = np.abs(H).sum(axis=(-2, -1))
    return lhs, np.full_like(lhs, value), _slack(p.d, lhs)


def pairs_at_radius(rng, X, radius, direction=None):
    """Y = X + h with ||Y - X||_2 as computed within [radius (1 - 1e-10), radius]:
    random Gaussian directions unless ``direction`` (broadcast against X) is given."""
    u = rng.standard_normal(X.shape) if direction is None else np.broadcast_to(direction, X.shape)
    u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    Y = X + radius * u
    for _ in range(5):
        h = np.linalg.norm(Y - X, axis=-1, keepdims=True)
        if np.all(h <= radius):
            break
        shrink = 1 - 8 * EPS * np.sqrt(X.shape[-1]) * (1 + np.abs(X).max(axis=-1, keepdims=True) / radius)
        Y = np.where(h > radius, X + (Y - X) * (radius / h) * shrink, Y)
    assert np.all(np.linalg.norm(Y - X, axis=-1) <= radius)
    assert np.all(np.linalg.norm(Y - X, axis=-1) >= radius * (1 - 1e-10))
    return Y
