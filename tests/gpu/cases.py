"""The parity cases: every gpu optimizer in several configurations (reference hyperparameters).

Learning rates keep ``lr * T * max|d| <= max|x|`` over the harness's 100-150 steps
(``gpu.tolerances``: error propagation through ``x - lr d``).
"""

from __future__ import annotations

import numpy as np

from harness import Group

SHAPES = [(4, 3), (7,), (2, 2, 2)]

# name -> (algorithm, groups)
CASES: dict[str, tuple[str, list[Group]]] = {
    "s3": ("s3", [Group(SHAPES, dict(lr=1e-2))]),
    "s3_wd_beta2": ("s3", [Group(SHAPES, dict(lr=1e-2, beta=0.9, beta2=0.99, weight_decay=0.1))]),
    "s3_p2_eps": ("s3", [Group(SHAPES, dict(lr=1e-2, p=2.0, eps=1e-6))]),
    "s3_p1_plain": ("s3", [Group(SHAPES, dict(lr=1e-2, p=1.0, nesterov=False))]),
    "s3_p2.5": ("s3", [Group(SHAPES, dict(lr=1e-2, p=2.5, beta=0.9, beta2=0.999))]),
    "s3_p3_plain": ("s3", [Group(SHAPES, dict(lr=1e-2, nesterov=False, weight_decay=0.05))]),
    "adan": ("adan", [Group(SHAPES, dict(lr=5e-3, weight_decay=0.02))]),
    "adan_paper_noprox": ("adan", [Group(SHAPES, dict(lr=5e-3, form="paper", no_prox=True, weight_decay=0.02,
                                                          eps=1e-6))]),
    "lion": ("lion", [Group(SHAPES, dict(lr=1e-2, weight_decay=0.1))]),
    "signsgd": ("signsgd", [Group(SHAPES, dict(lr=1e-2))]),
    "signum": ("signum", [Group(SHAPES, dict(lr=1e-2, beta=0.8))]),
    "generalized_signsgd": ("generalized_signsgd", [Group(SHAPES, dict(lr=1e-3, eps=1e-8))]),
    "sam": ("sam", [Group(SHAPES, dict(lr=3e-3, rho=0.05, beta=0.9))]),
    "sam_tensor": ("sam", [Group(SHAPES, dict(lr=3e-3, rho=0.1), norm_scope="tensor")]),
    "adasam": ("adasam", [Group(SHAPES, dict(lr=3e-3, rho=0.05))]),
    "adam_sam": ("adam_sam", [Group(SHAPES, dict(lr=3e-3, rho=0.05, beta2=0.99), norm_scope="tensor")]),
    "normalized_sgdm": ("normalized_sgdm", [Group(SHAPES, dict(lr=1e-2))]),
    "normalized_sgdm_group_ema": ("normalized_sgdm", [Group(SHAPES, dict(lr=1e-2, beta=0.5, m1="ema"),
                                                            norm_scope="group")]),
    "nigt": ("nigt", [Group(SHAPES, dict(lr=1e-2, beta=0.9))]),
    "nigt_group": ("nigt", [Group(SHAPES, dict(lr=1e-2, beta=0.5), norm_scope="group")]),
    "adasgd": ("adasgd", [Group(SHAPES, dict(lr=1e-3))]),
    "adasgd_group": ("adasgd", [Group(SHAPES, dict(lr=1e-3, eps=1e-8, v0=1e-4), norm_scope="group")]),
    "blockwise_adam": ("blockwise_adam", [Group(SHAPES, dict(lr=1e-3, eps=1e-10),
                                                blocks=[np.array([0, 0, 1, 1, 1, 2, 7, 7, 7, 7, 2, 0]), None,
                                                        np.arange(8) % 3])]),
    "blockwise_adam_tensor": ("blockwise_adam", [Group(SHAPES, dict(lr=1e-3, beta2=0.9, v0=1e-6))]),
}

STREAM = [k for k, (a, _) in CASES.items() if a not in ("sam", "adasam", "adam_sam", "nigt")]
"""Cases whose gradients do not depend on x."""
