"""L2-regularized logistic regression with a seeded minibatch oracle.

``F(x) = (1/n) sum_i f_i(x)``, ``f_i(x) = log(1 + exp(-y_i a_i^T x)) + lam/2 ||x||_2^2``,
``y_i in {-1, +1}``.  With margins ``m_i = y_i a_i^T x``, ``s_i = sigmoid(-m_i)`` and
``w_i = s_i (1 - s_i) in (0, 1/4]``:

    grad F(x) = -(1/n) sum_i y_i s_i a_i + lam x,     hess F(x) = (1/n) A^T diag(w) A + lam I.

``log(1 + e^u)`` is ``np.logaddexp(0, u)`` and ``sigmoid`` is ``scipy.special.expit``: no
overflow for any finite x.  Write ``M0 = A^T A / (4 n)``, so ``0 <= hess F(x) - lam I <= M0``
(Loewner order) with equality at ``x = 0`` (all ``w_i = 1/4``).

Constants of the problem (exact oracle):

* ``L = lambda_max(M0) + lam``, tight (attained at x = 0); ``(L0, L1, R) = (L, 0, inf)``.
* ``L_sample = L`` for the exact oracle (its only "sample" is F); for the minibatch oracle
  ``max_i ||a_i||^2 / 4 + lam`` (adasam Assumption 1: each ``f_i`` and F; attained by the
  worst sample at x = 0, and ``>= L``).
* ``L0_vec[j] = sqrt(d) (min(sqrt(lambda_max(M0) (M0)_jj), (1/4n) sum_i |a_ij| ||a_i||_2) + lam)``,
  ``L1_vec = 0`` (gsignsgd Assumption 2): ``|g_j(y) - g_j(x)| <= sup_z ||hess F(z) e_j||_2
  ||h||_2``; for the PSD part ``P = (1/n) A^T W A <= M0``, ``||P e_j||^2 = e_j^T P^2 e_j <=
  lambda_max(P) e_j^T P e_j <= lambda_max(M0) (M0)_jj``, and also ``||P e_j|| <= (1/n) sum_i
  w_i |a_ij| ||a_i||``.  Upper bound.
* ``H_inf = ||M0 + lam I||_{inf->1}`` (adamlinf Definition 3.1), exact for d <= 16: for PSD
  M, ``||M||_{inf->1} = max_s s^T M s`` (``||M s||_1 = max_t t^T M s <= sqrt(t^T M t s^T M s)``),
  and ``s^T hess F(z) s <= s^T (M0 + lam I) s`` with equality at z = 0.
* ``H_vec[i] = min((1/4n) sum_k |a_ki| ||a_k||_1 + lam, L0_vec[i])`` (adamlinf Definition 3.3;
  triangle inequality over the rank-one terms, and ``||row||_1 <= sqrt(d) ||row||_2``);
  ``hessian_11 = sum_i H_vec[i]``.  Upper bounds.
* ``rho = (1/n) sum_i ||a_i||_2^3 / (6 sqrt 3)`` (nsgdm (A4)): ``|d/dm sigma'(m)| =
  |sigma'(m)(1 - 2 sigma(m))| <= 1/(6 sqrt 3)``, so ``||hess F(x) - hess F(y)||_op <=
  (1/n) sum_i |w_i(x) - w_i(y)| ||a_i||^2 <= (1/n) sum_i ||a_i||^3 ||h|| / (6 sqrt 3)``.
  Upper bound.
* ``F_star, x_star``: for ``lam > 0`` (strongly convex) by damped Newton from 0 to machine
  precision; for ``lam = 0`` None (the infimum may not be attained: separable data).
* ``G_inf = max_j (1/n) sum_i |a_ij|``, ``G_2 = (1/n) sum_i ||a_i||_2`` for ``lam = 0``
  (``|s_i| < 1``; None for ``lam > 0``: the gradient is unbounded).

Minibatch oracle (:meth:`LogisticRegression.oracle` with ``batch_size = b``): ``b`` indices
uniform on ``{0..n-1}`` with replacement, ``g = (1/b) sum_k grad f_{i_k}(x)`` (unbiased; each
run of a batch draws its own indices).  Its noise ``e = g - grad F`` has
(:meth:`LogisticRegression.noise_constants`; the ``lam x`` terms cancel), with
``u_i = -y_i s_i a_i`` and ``ubar = (1/n) sum_i u_i``:

* ``E||e||^2 = (1/b) [(1/n) sum_i ||u_i||^2 - ||ubar||^2] <= ||A||_F^2 / (n b) = sigma2``
  and per coordinate ``E e_j^2 <= sum_i a_ij^2 / (n b) = sigma_vec[j]^2`` (``s_i^2 <= 1``).
* a.s.: ``u_i - ubar = sum_k c^(i)_k s_k`` with ``c^(i)_i = -(1 - 1/n) y_i a_i``,
  ``c^(i)_k = y_k a_k / n`` (k != i), linear in ``s in [0, 1]^n``; hence
  ``|(u_i - ubar)_j| <= max(sum_k (c^(i)_kj)_+, sum_k (c^(i)_kj)_-)`` and
  ``||u_i - ubar||_2 <= (1 - 1/n) ||a_i|| + (1/n) sum_{k != i} ||a_k|| <= 2 (1 - 1/n) max ||a_k||``.
  A minibatch average obeys the max over i of these (``sigma_as``, ``sigma_as_norm``).
* ``G_inf = max_ij |a_ij|`` and ``G_2 = max_i ||a_i||_2`` for lam = 0 (adasam Assumption 3,
  nsgdm Theorem 4), approached as ``s_i -> 1``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import expit

from .base import (
    DETERMINISTIC_TIGHT,
    Constants,
    ExactOracle,
    Oracle,
    Problem,
    as_rng,
    check_int,
    check_matrix,
    check_real,
    deterministic_noise_constants,
)
from .linalg import inf_to_one_norm

__all__ = ["LogisticRegression", "MinibatchOracle", "logistic_regression"]

_SIGMA2_MAX = 1.0 / (6.0 * math.sqrt(3.0))  # max_m |sigma''(m)|


class LogisticRegression(Problem):
    """Logistic regression on data ``A`` (n x d), labels ``y`` in {-1, +1}, ridge ``lam``."""

    def __init__(self, A: Any, y: Any, lam: float = 0.0, *, name: str | None = None) -> None:
        A = check_matrix("A", A, square=False)
        n, d = A.shape
        y = np.asarray(y, dtype=np.float64)
        if y.shape != (n,) or not np.all((y == 1.0) | (y == -1.0)):
            raise ValueError(f"y must have shape ({n},) with entries in {{-1, +1}}")
        self.A, self.y = A, y
        A.setflags(write=False)
        y.setflags(write=False)
        self.n, self.d = n, d
        self.lam = check_real("lam", lam, lo=0.0)
        self.name = name or f"logistic_regression(n={n}, d={d}, lam={self.lam:g})"
        self._cache: dict[np.dtype, tuple[np.ndarray, np.ndarray]] = {}
        self.constants = self._constants()

    # -- evaluation -------------------------------------------------------------------
    def _data(self, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        if dtype not in self._cache:
            self._cache[dtype] = (self.A.astype(dtype), self.y.astype(dtype))
        return self._cache[dtype]

    def _margins(self, x: np.ndarray) -> np.ndarray:
        A, y = self._data(x.dtype)
        return (x @ A.T) * y

    def _value(self, x: np.ndarray) -> np.ndarray:
        loss = np.mean(np.logaddexp(x.dtype.type(0), -self._margins(x)), axis=-1)
        return loss + (0.5 * self.lam) * np.sum(x * x, axis=-1)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        A, y = self._data(x.dtype)
        s = expit(-self._margins(x))
        return -((y * s) @ A) / self.n + self.lam * x

    def _weights(self, x: np.ndarray) -> np.ndarray:
        m = self._margins(x)
        return expit(m) * expit(-m)

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        A, _ = self._data(x.dtype)
        H = (A.T * self._weights(x)[..., None, :]) @ A / self.n
        return H + self.lam * np.eye(self.d, dtype=x.dtype)

    def _hvp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        A, _ = self._data(x.dtype)
        return ((self._weights(x) * (v @ A.T)) @ A) / self.n + self.lam * v

    def sample_grad(self, x: Any, idx: Any) -> np.ndarray:
        """``(1/b) sum_k grad f_{idx[..., k]}(x)``; ``idx`` integer, shape ``x.shape[:-1] + (b,)``
        (or ``(b,)``, shared by every run)."""
        x = self._input(x)
        idx = np.asarray(idx)
        if idx.dtype.kind not in "iu" or idx.ndim == 0 or np.any(idx < 0) or np.any(idx >= self.n):
            raise ValueError(f"idx must be an integer array with entries in [0, {self.n - 1}]")
        A, y = self._data(x.dtype)
        Ab, yb = A[idx], y[idx]  # (..., b, d), (..., b)
        s = expit(-yb * np.einsum("...bd,...d->...b", Ab, x))
        return -np.einsum("...b,...bd->...d", yb * s, Ab) / idx.shape[-1] + self.lam * x

    def oracle(self, rng: Any = None, batch_size: int | None = None) -> Oracle:
        """Exact gradient (``batch_size=None``) or the seeded minibatch oracle of size ``b``."""
        if batch_size is None:
            return ExactOracle(self)
        return MinibatchOracle(self, as_rng(rng), check_int("batch_size", batch_size))

    # -- constants --------------------------------------------------------------------
    def _constants(self) -> Constants:
        A, n, d, lam = self.A, self.n, self.d, self.lam
        M0 = A.T @ A / (4 * n)
        M0 = 0.5 * (M0 + M0.T)
        lmax = float(np.linalg.eigvalsh(M0)[-1])
        L = lmax + lam
        row2 = np.linalg.norm(A, axis=1)
        col_bound = np.minimum(np.sqrt(lmax * np.diag(M0)), np.abs(A).T @ row2 / (4 * n))
        L0_vec = math.sqrt(d) * (col_bound + lam)
        H_inf, exact = inf_to_one_norm(M0 + lam * np.eye(d))
        H_vec = np.minimum(np.abs(A).T @ np.abs(A).sum(axis=1) / (4 * n) + lam, L0_vec)
        x_star, F_star = self._newton() if lam > 0 else (None, None)
        tight = {"L", "L0", "L1", "R", "L1_vec", "L_sample"} | ({"H_inf"} if exact else set())
        bounded = lam == 0
        return Constants(
            L=L, L0=L, L1=0.0, R=math.inf, L0_vec=L0_vec, L1_vec=np.zeros(d),
            H_inf=H_inf, H_vec=H_vec, hessian_11=float(H_vec.sum()),
            rho=float(np.mean(row2**3)) * _SIGMA2_MAX,
            L_sample=L, F_star=F_star, x_star=x_star,
            G_inf=float(np.abs(A).mean(axis=0).max()) if bounded else None,
            G_2=float(row2.mean()) if bounded else None,
            **deterministic_noise_constants(d),
            tight=frozenset(tight) | DETERMINISTIC_TIGHT,
        )

    def noise_constants(self, batch_size: int) -> Constants:
        """:attr:`constants` with the noise fields of the minibatch oracle of size ``b``
        (module docstring); ``sigma2``/``sigma_vec`` scale as ``1/b``, the a.s. bounds not."""
        b = check_int("batch_size", batch_size)
        A, y, n = self.A, self.y, self.n
        row2 = np.linalg.norm(A, axis=1)
        e = (y[:, None] * A) / n  # c_k for k != i
        pos_all, neg_all = np.maximum(e, 0).sum(axis=0), np.maximum(-e, 0).sum(axis=0)
        ci = -(n - 1) * e  # c^(i)_i
        pos = pos_all - np.maximum(e, 0) + np.maximum(ci, 0)
        neg = neg_all - np.maximum(-e, 0) + np.maximum(-ci, 0)
        sigma_as = np.maximum(pos, neg).max(axis=0)
        as_norm = float(((1 - 1 / n) * row2 + (row2.sum() - row2) / n).max())
        bounded = self.lam == 0
        return self.constants.replace(
            sigma2=float(np.sum(A * A)) / (n * b),
            sigma_vec=np.sqrt(np.sum(A * A, axis=0) / (n * b)),
            sigma_as=sigma_as, sigma_as_norm=as_norm,
            G_inf=float(np.abs(A).max()) if bounded else None,
            G_2=float(row2.max()) if bounded else None,
            L_sample=float(row2.max() ** 2 / 4 + self.lam),
            tight=(self.constants.tight - DETERMINISTIC_TIGHT) | {"G_inf", "G_2"},
        )

    def _newton(self) -> tuple[np.ndarray, float]:
        """Damped Newton from 0 (Armijo backtracking), run until the gradient norm stops
        decreasing after it is below ``sqrt(eps)`` (quadratic convergence => machine precision)."""
        x = np.zeros(self.d)
        f, g = float(self.value(x)), self.grad(x)
        gnorm = float(np.linalg.norm(g))
        for _ in range(200):
            step = np.linalg.solve(self.hessian(x), g)
            t = 1.0
            while True:
                x_new = x - t * step
                f_new = float(self.value(x_new))
                if f_new <= f - 0.25 * t * float(g @ step) or t < 1e-12:
                    break
                t *= 0.5
            g_new = self.grad(x_new)
            gn_new = float(np.linalg.norm(g_new))
            if gn_new >= gnorm and gnorm < math.sqrt(np.finfo(np.float64).eps):
                break
            x, f, g, gnorm = x_new, f_new, g_new, gn_new
        return x, float(self.value(x))


class MinibatchOracle:
    """Seeded minibatch oracle of :class:`LogisticRegression` (uniform, with replacement).

    ``oracle(x)`` draws fresh indices of shape ``x.shape[:-1] + (b,)``; ``oracle.sample()``
    returns ``x -> grad f_xi(x)`` with the indices drawn on its first call and reused after.
    """

    def __init__(self, problem: LogisticRegression, rng: np.random.Generator, batch_size: int) -> None:
        self.problem, self.rng, self.batch_size = problem, rng, batch_size

    def _draw(self, lead: tuple[int, ...]) -> np.ndarray:
        return self.rng.integers(0, self.problem.n, size=lead + (self.batch_size,))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        return self.problem.sample_grad(x, self._draw(x.shape[:-1]))

    def sample(self) -> Callable[[np.ndarray], np.ndarray]:
        frozen: list[np.ndarray] = []

        def grad_sample(x: np.ndarray) -> np.ndarray:
            x = np.asarray(x)
            if not frozen:
                frozen.append(self._draw(x.shape[:-1]))
            elif frozen[0].shape[:-1] != x.shape[:-1]:
                raise ValueError(f"sample drawn for batch shape {frozen[0].shape[:-1]}, got x of shape {x.shape}")
            return self.problem.sample_grad(x, frozen[0])

        return grad_sample


def logistic_regression(n: int = 200, d: int = 10, seed: int | np.random.Generator = 0,
                        lam: float = 0.0, scale: float = 1.0) -> LogisticRegression:
    """Logistic regression on generated data: ``a_i ~ N(0, scale^2 I_d)``, a planted
    ``w ~ N(0, I_d / d)`` and labels ``y_i = +1`` with probability ``sigmoid(a_i^T w)``
    (else -1), so the data are typically not separable.  See the module docstring for the
    constants; ``F_star``/``x_star`` exist for ``lam > 0``.
    """
    n, d = check_int("n", n), check_int("d", d)
    scale = check_real("scale", scale, lo=0.0, lo_open=True)
    rng = as_rng(seed, "seed")
    A = scale * rng.standard_normal((n, d))
    w = rng.standard_normal(d) / math.sqrt(d)
    y = np.where(rng.uniform(size=n) < expit(A @ w), 1.0, -1.0)
    return LogisticRegression(A, y, lam, name=f"logistic_regression(n={n}, d={d}, lam={lam:g})")
