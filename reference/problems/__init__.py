"""Synthetic objectives with exactly known derivatives, optima and assumption constants.

Every problem is a :class:`Problem` (``value``, ``grad``, ``hessian``, ``hvp`` on arrays of
shape ``(..., d)``, ``constants``, ``oracle(rng)``, ``name``, ``d``); its :class:`Constants`
hold, for each assumption of the five papers (s3, gsignsgd, adasam, nsgdm, adamlinf), a
constant proven valid in the docstring of the module that builds it, and ``tight`` names
those that are the best possible.

* :func:`quadratic`, :func:`diagonal_quadratic`, :func:`rotated_quadratic`,
  :func:`adamlinf_quadratic` (adamlinf Section 4.1 / App. D.1) -- ``quadratic.py``; the App. D.1
  rotations -- ``adamlinf_rotations.py``;
* :func:`phi_smoothness`, :func:`phi_norm_smoothness`, :func:`blockwise_constants` -- exact (certified)
  blockwise smoothness constants of quadratics (adamlinf Def. 3.9, Lemma C.3) -- ``phi_smoothness.py``;
* :func:`cosh_cosine` -- nonconvex (L0, L1)-smooth with L1 > 0 (s3 Assumption 2,
  gsignsgd Assumption 2) -- ``l0l1.py``;
* :func:`quadratic_cosine` -- nonconvex with Lipschitz Hessian (nsgdm (A4)) --
  ``lipschitz_hessian.py``;
* :func:`logistic_regression` -- with a minibatch oracle -- ``logistic.py``;
* :func:`log_cosh` -- L-smooth with gradients bounded everywhere (adasam Assumptions 1-3) --
  ``logcosh.py``;
* :func:`slope_plateau`, :func:`exp_plateau` -- 1-D hard functions for GD under (L0, L1)-smoothness
  (gsignsgd Theorem 2) -- ``gd_lower_bound.py``;
* noise models :func:`gaussian`, :func:`coordinate`, :func:`bounded`, :func:`rademacher`,
  :func:`minibatch` and :func:`with_noise` -- ``noise.py``.
"""

from .adamlinf_rotations import adamlinf_initial_points, adamlinf_rotations
from .base import Constants, ExactOracle, Oracle, Problem
from .l0l1 import CoshCosine, cosh_cosine, l0l1_coefficients
from .linalg import inf_to_one_norm, one_one_norm, random_orthogonal, spectral_norm
from .gd_lower_bound import RampPlateau, exp_plateau, slope_plateau
from .lipschitz_hessian import QuadraticCosine, quadratic_cosine
from .logcosh import LogCosh, log_cosh
from .logistic import LogisticRegression, MinibatchOracle, logistic_regression
from .noise import (
    BoundedNoise,
    CoordinateNoise,
    GaussianNoise,
    MinibatchNoise,
    Noise,
    NoisyOracle,
    RademacherNoise,
    StochasticProblem,
    bounded,
    coordinate,
    gaussian,
    minibatch,
    rademacher,
    with_noise,
)
from .phi_smoothness import (
    PhiSmoothness,
    blockwise_constants,
    matrix_abs,
    phi_norm_smoothness,
    phi_smoothness,
)
from .quadratic import (
    AdamLinfQuadratic,
    Quadratic,
    adamlinf_quadratic,
    adamlinf_sigma,
    diagonal_quadratic,
    quadratic,
    rotated_quadratic,
)
from .separable import SeparableProblem, global_min_1d

__all__ = [
    "Constants", "Problem", "Oracle", "ExactOracle",
    "Quadratic", "AdamLinfQuadratic", "quadratic", "diagonal_quadratic", "rotated_quadratic",
    "adamlinf_quadratic", "adamlinf_sigma", "adamlinf_rotations", "adamlinf_initial_points",
    "PhiSmoothness", "phi_smoothness", "phi_norm_smoothness", "blockwise_constants", "matrix_abs",
    "SeparableProblem", "global_min_1d",
    "CoshCosine", "cosh_cosine", "l0l1_coefficients",
    "QuadraticCosine", "quadratic_cosine",
    "LogisticRegression", "MinibatchOracle", "logistic_regression",
    "LogCosh", "log_cosh",
    "RampPlateau", "slope_plateau", "exp_plateau",
    "Noise", "GaussianNoise", "CoordinateNoise", "BoundedNoise", "RademacherNoise", "MinibatchNoise",
    "gaussian", "coordinate", "bounded", "rademacher", "minibatch",
    "with_noise", "StochasticProblem", "NoisyOracle",
    "inf_to_one_norm", "one_one_norm", "spectral_norm", "random_orthogonal",
]
