"""Shared test data for tests/reference: the configurations every cross-factory test sweeps.

Not a test module (pytest collects ``test_*.py`` only).  Everything is read from the registry, so
that registering an algorithm needs no edit here: ``REQUIRED_KWARGS`` gives each factory the
hyperparameters it cannot default and ``CASES`` one configuration per option that changes the math
(both from each declaration's ``examples``), so that the sweeps (batched == looped, numerical
policy, dtype) cover every branch; the traits (scope, sign-based) say what a NaN reaches.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import reference as R
from reference.hyperparams import REQUIRED
from reference.registry import declarations, get

U = 2.0**-53
"""Unit roundoff of float64 (round to nearest): |fl(a op b) - a op b| <= U |a op b|."""


def required_kwargs() -> dict[str, dict[str, Any]]:
    """Per algorithm, a value for every hyperparameter without a default: from the first example
    of its declaration (``reference.declaration.Declaration.examples``)."""
    out = {}
    for decl in declarations():
        first = decl.examples[0].hyperparams if decl.examples else {}
        kw = {k: first[k] for k, p in decl.params.items() if p.default is REQUIRED and k in first}
        if kw:
            out[decl.name] = kw
    return out


REQUIRED_KWARGS: dict[str, dict[str, Any]] = required_kwargs()


def per_coordinate_ids(d: int) -> list[int]:
    """Block ids for d coordinates: interleaved, non-contiguous, uneven."""
    return [(7 * i) % 3 + (i % 2) * 5 for i in range(d)]


def kwargs_for(name: str, d: int | None = None) -> dict[str, Any]:
    """The required kwargs of ``name``; a per-coordinate hyperparameter (blockwise_adam's blocks)
    gets ids of the right length ``d``."""
    kw = dict(required_kwargs().get(name, {}))
    for k, p in get(name).params.items():
        if p.per_coordinate and d is not None and k in kw and len(kw[k]) != d:
            kw[k] = per_coordinate_ids(d)
    return kw


def cases() -> list[tuple[str, str, dict[str, Any]]]:
    """(case id, factory name, extra kwargs on top of the required ones): every example of every
    registered declaration (one per option that changes the math)."""
    out = []
    for decl in declarations():
        if not decl.examples:
            raise AssertionError(f"{decl.name} declares no examples for the test sweeps")
        for ex in decl.examples:
            extra = {k: v for k, v in ex.hyperparams.items() if not decl.params[k].per_coordinate}
            out.append((ex.id, decl.name, extra))
    return out


CASES: list[tuple[str, str, dict[str, Any]]] = cases()
CASE_IDS = [c[0] for c in CASES]


def make(name: str, extra: dict[str, Any], d: int | None = None) -> R.Algorithm:
    kw = kwargs_for(name, d)
    kw.update(extra)
    return R.ALGORITHMS[name](**kw)


def scope(name: str) -> str:
    """Which coordinates a gradient entry reaches: 'coordinate', 'run' or 'block' (its declaration)."""
    return get(name).scope


def sign_of_gradient(name: str) -> bool:
    """sign(+-inf) = +-1 is finite: a sign-based method reads an inf gradient without leaving the
    finite range."""
    return get(name).sign_based


def affected_coordinates(name: str, extra: dict[str, Any], d: int, bad: int) -> np.ndarray:
    """Boolean mask of the coordinates a non-finite gradient coordinate ``bad`` can reach."""
    mask = np.zeros(d, dtype=bool)
    if scope(name) == "coordinate":
        mask[bad] = True
    elif scope(name) == "block":
        kw = {**kwargs_for(name, d), **extra}
        for k, p in get(name).params.items():
            if p.per_coordinate:
                blocks = np.asarray(kw[k])
                mask |= blocks == blocks[bad]
    else:
        mask[:] = True
    return mask


class LinearOracle:
    """An x-dependent deterministic oracle ``g(x) = A x + b + noise_k`` (k = call number).

    Works for any batch shape (..., d): ``A`` acts on the last axis.  Each call adds a
    different fixed perturbation, so successive calls (SAM's two draws, adaptive_nsgd's two
    samples) differ, and a batch row sees exactly what a looped run of that row sees.
    """

    def __init__(self, d: int, seed: int = 0, row_shift: np.ndarray | None = None) -> None:
        rng = np.random.default_rng(seed)
        self.A = rng.normal(size=(d, d)) / d
        self.b = rng.normal(size=d)
        self.noise = rng.normal(size=(64, d)) * 0.3
        self.row_shift = row_shift  # (..., d) per-run offsets: different streams per run
        self.calls = 0

    def for_rows(self, index: Any) -> "LinearOracle":
        """The same oracle restricted to the runs ``index`` of the batch."""
        other = LinearOracle.__new__(LinearOracle)
        other.A, other.b, other.noise = self.A, self.b, self.noise
        other.row_shift = None if self.row_shift is None else self.row_shift[index]
        other.calls = 0
        return other

    def __call__(self, x: np.ndarray) -> np.ndarray:
        # elementwise products summed in a fixed order: the same bits for a batch and for a row
        g = self.b + self.noise[self.calls % len(self.noise)]
        for j in range(x.shape[-1]):
            g = g + self.A[:, j] * x[..., j : j + 1]
        if self.row_shift is not None:
            g = g + self.row_shift
        self.calls += 1
        return g


def coefficient(hi: float):
    """Hypothesis strategy for an EMA coefficient: 0 or in [1e-3, hi].

    Coefficients below 1e-3 (hypothesis likes 5e-324) push beta * m into the subnormal range,
    where products lose relative precision and the underflow rules (0 denominators -> 0 steps)
    apply instead of the exact-arithmetic properties; those rules have their own tests.
    """
    from hypothesis import strategies as st

    return st.one_of(st.just(0.0), st.floats(1e-3, hi))


def run_oracle(alg: R.Algorithm, x0: Any, oracle: Any, T: int) -> tuple[np.ndarray, np.ndarray, Any]:
    """T manual steps with ``oracle``: the iterates x_1..x_T, the directions d_1..d_T, the last state."""
    x = np.asarray(x0, dtype=float)
    state = alg.init(x)
    xs, ds = [], []
    for _ in range(T):
        x, state = alg.step(x, state, oracle)
        xs.append(x)
        ds.append(state.direction)
    return np.array(xs), np.array(ds), state


def run(alg: R.Algorithm, grads: Any, x0: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    """:func:`run_oracle` with the oracle returning ``grads[0], grads[1], ...`` (one per call)."""
    stream = iter([np.asarray(g, dtype=float) for g in grads])
    return run_oracle(alg, x0, lambda _x: next(stream), len(grads))
