"""Shared test data for tests/reference: the configurations every cross-factory test sweeps.

Not a test module (pytest collects ``test_*.py`` only).  ``REQUIRED_KWARGS`` gives each factory
the hyperparameters it cannot default; ``CASES`` adds one configuration per option that changes
the math, so that the sweeps (batched == looped, numerical policy, dtype) cover every branch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import reference as R

U = 2.0**-53
"""Unit roundoff of float64 (round to nearest): |fl(a op b) - a op b| <= U |a op b|."""

D_BLOCKS = 7
BLOCKS_7 = [3, 0, 3, 1, 0, 3, 1]  # non-contiguous, ids not 0..B-1 in order, uneven sizes

REQUIRED_KWARGS: dict[str, dict[str, Any]] = {
    "nag": {"lr": 0.1}, "sgdm": {"lr": 0.1}, "generalized_signsgd": {"lr": 0.1},
    "signsgd": {"lr": 0.1}, "signgd": {"lr": 0.1}, "signum": {"lr": 0.1},
    "sgd_clip": {"lr": 0.1, "gamma": 0.05}, "sam": {"lr": 0.1}, "normalized_sgdm": {"lr": 0.1},
    "nigt": {"lr": 0.1}, "igt": {"lr": 0.1}, "adaptive_nsgd": {"gbound": 1.0},
    "adasgd": {"lr": 0.1}, "blockwise_adam": {"lr": 0.1, "blocks": BLOCKS_7},
}


def kwargs_for(name: str, d: int | None = None) -> dict[str, Any]:
    """The required kwargs of ``name``; blockwise_adam gets a partition of the right size ``d``."""
    kw = dict(REQUIRED_KWARGS.get(name, {}))
    if name == "blockwise_adam" and d is not None and d != D_BLOCKS:
        kw["blocks"] = [(7 * i) % 3 + (i % 2) * 5 for i in range(d)]  # interleaved, non-contiguous
    return kw


# (case id, factory name, extra kwargs on top of the required ones)
_OPTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("s3", "s3", {}),
    ("s3_plain_p1", "s3", {"nesterov": False, "p": 1.0}),
    ("s3_p2_beta2_eps_wd", "s3", {"p": 2.0, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.1}),
    ("s3_p1.5", "s3", {"p": 1.5, "beta": 0.9}),
    ("adam", "adam", {}),
    ("adam_eps0", "adam", {"eps": 0.0}),
    ("adam_linf", "adam", {"bias_correction": False, "eps_inside_sqrt": True, "v0": 1e-3}),
    ("adam_l2", "adam", {"weight_decay": 0.1}),
    ("adam_inside_bc", "adam", {"eps_inside_sqrt": True, "eps": 1e-4}),
    ("adamw", "adamw", {}),
    ("adam_clipped", "adam_clipped", {"clip": 0.5}),
    ("amsgrad", "amsgrad", {}),
    ("amsgrad_w", "amsgrad", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("rmsprop", "rmsprop", {}),
    ("rmsprop_full", "rmsprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("rmsprop_inside", "rmsprop", {"eps_inside_sqrt": True}),
    ("nag_I", "nag", {"form": "I"}),
    ("nag_II", "nag", {"form": "II"}),
    ("nag_III", "nag", {"form": "III"}),
    ("nag_III_first", "nag", {"form": "III", "g0": "first"}),
    ("sgdm", "sgdm", {}),
    ("sgdm_torch", "sgdm", {"convention": "torch", "dampening": 0.3, "weight_decay": 0.1}),
    ("sgdm_torch_nesterov", "sgdm", {"convention": "torch", "nesterov": True}),
    ("sgdm_torch_beta0", "sgdm", {"convention": "torch", "beta": 0.0}),
    ("nadam", "nadam", {}),
    ("nadamw", "nadam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("adan", "adan", {"weight_decay": 0.1}),
    ("adan_no_prox", "adan", {"weight_decay": 0.1, "no_prox": True}),
    ("adan_paper", "adan", {"form": "paper"}),
    ("lion", "lion", {"weight_decay": 0.1}),
    ("generalized_signsgd", "generalized_signsgd", {}),
    ("generalized_signsgd_eps", "generalized_signsgd", {"beta2": 0.0, "eps": 1e-3}),
    ("signsgd", "signsgd", {}),
    ("signgd", "signgd", {}),
    ("signum", "signum", {}),
    ("sgd_clip_nu1", "sgd_clip", {}),
    ("sgd_clip_nu0", "sgd_clip", {"nu": 0.0}),
    ("sgd_clip_nu0.3", "sgd_clip", {"nu": 0.3}),
    ("sam", "sam", {}),
    ("sam_momentum_two_draws", "sam", {"beta": 0.9, "same_sample": False}),
    ("adasam", "adasam", {}),
    ("adasam_beta2_1", "adasam", {"beta2": 1.0}),
    ("adam_sam", "adam_sam", {}),
    ("normalized_sgdm", "normalized_sgdm", {}),
    ("normalized_sgdm_ema", "normalized_sgdm", {"m1": "ema"}),
    ("nigt", "nigt", {}),
    ("igt", "igt", {}),
    ("adaptive_nsgd", "adaptive_nsgd", {}),
    ("adasgd", "adasgd", {}),
    ("adasgd_eps_v0", "adasgd", {"eps": 1e-6, "v0": 0.5}),
    ("blockwise_adam", "blockwise_adam", {}),
]

CASES: list[tuple[str, str, dict[str, Any]]] = _OPTIONS
CASE_IDS = [c[0] for c in CASES]

# every factory appears at least once
assert {c[1] for c in CASES} == set(R.ALGORITHMS), sorted(set(R.ALGORITHMS) - {c[1] for c in CASES})


def make(name: str, extra: dict[str, Any], d: int | None = None) -> R.Algorithm:
    kw = kwargs_for(name, d)
    kw.update(extra)
    return R.ALGORITHMS[name](**kw)


# Methods whose update reads a NaN coordinate only in that coordinate (per run).
COORDINATEWISE = {
    "s3", "adam", "adamw", "adam_clipped", "amsgrad", "rmsprop", "nag", "sgdm", "nadam", "adan", "lion",
    "generalized_signsgd", "signsgd", "signgd", "signum", "igt", "adasam", "adam_sam", "sam",
}
# Methods with a norm (or a mean over all coordinates) of the run: a NaN reaches the whole run.
RUNWISE = {"sgd_clip", "normalized_sgdm", "nigt", "adaptive_nsgd", "adasgd"}
BLOCKWISE = {"blockwise_adam"}
assert COORDINATEWISE | RUNWISE | BLOCKWISE == set(R.ALGORITHMS)
assert not (COORDINATEWISE & RUNWISE)

# sign(+-inf) = +-1 is finite: these read an inf gradient without leaving the finite range.
SIGN_OF_GRADIENT = {"signsgd", "signgd", "signum", "lion"}


def affected_coordinates(name: str, extra: dict[str, Any], d: int, bad: int) -> np.ndarray:
    """Boolean mask of the coordinates a non-finite gradient coordinate ``bad`` can reach."""
    mask = np.zeros(d, dtype=bool)
    if name in COORDINATEWISE:
        mask[bad] = True
    elif name in BLOCKWISE:
        blocks = np.asarray(extra.get("blocks", kwargs_for(name, d)["blocks"]))
        mask = blocks == blocks[bad]
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
