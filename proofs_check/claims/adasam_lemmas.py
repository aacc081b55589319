"""adasam Appendix B: the technical Lemmas 1-10, the step (45) -> (46) and the auxiliary sequence (21)-(25).

The claims live in modules named after what they hold; importing this one registers them in the paper's order
and re-exports their public helpers (notebooks use ``adasam_lemmas``):

* :mod:`adasam_lemmas_inequalities` -- Lemma 1 (Young, its lambda range), Lemma 2 (Hadamard product);
* :mod:`adasam_lemmas_learning_rate` -- Lemma 3 (range of eta), Lemma 4 and (46) (its variation);
* :mod:`adasam_lemmas_products` -- Lemmas 5-8 (the inner products of the proof's step (31));
* :mod:`adasam_lemmas_momentum` -- Lemma 9 (the momentum factor of (88));
* :mod:`adasam_lemmas_sequence` -- the auxiliary sequence z_t ((21)-(25), Sec. III-B) and Lemma 10.
"""

from __future__ import annotations

from .adasam_lemmas_inequalities import USED_LAMBDA2, hadamard_ratios, young_gap
from .adasam_lemmas_learning_rate import eta_range, eta_range_derived, eta_trace, sequences
from .adasam_lemmas_products import lemma7_sides, lemma8_sides, lemma8_slack, linear_run, momentum_inf_sup
from .adasam_lemmas_momentum import momentum_extremal, momentum_sup
from .adasam_lemmas_sequence import aux_identity, aux_identity_error, lemma10_rhs, lemma10_sides
from .adasam_symbolic import exponent_in, generic_point, is_zero, scaling_degree

__all__ = ["USED_LAMBDA2", "young_gap", "hadamard_ratios", "eta_trace", "eta_range", "eta_range_derived", "sequences",
           "linear_run", "momentum_inf_sup", "lemma7_sides", "lemma8_sides", "lemma8_slack", "momentum_sup",
           "momentum_extremal", "aux_identity", "aux_identity_error", "lemma10_rhs", "lemma10_sides", "exponent_in",
           "generic_point", "is_zero", "scaling_degree"]
