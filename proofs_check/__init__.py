"""proofs_check: the registry of checkable claims and the verification report (``python -m proofs_check``).

A check returns typed evidence (:mod:`proofs_check.evidence`); one judge (:mod:`proofs_check.judge`)
maps it to a verdict under one threshold policy (:mod:`proofs_check.tolerances`); negative controls are
declared perturbations (:mod:`proofs_check.perturb`); papers are records (:mod:`proofs_check.papers`);
other packages add papers and claims through the ``proofs_check.claims`` entry points
(:mod:`proofs_check.plugins`).
"""

from reference._version import __version__

from .evidence import (
    Bound, Case, Certified, Derivation, Exact, Exactly, Identity, Instances, MonteCarlo, Rate, Rounding, SearchAgreement,
    Searched, Symbolic, Units,
)
from .judge import Judgement, judge
from .papers import PAPERS, Paper, register_paper
from .perturb import Params, ScaleBound, SetParam, ShiftClaim, UseCorrected
from .registry import REGISTRY, Check, Claim, ClaimResult, Context, Outcome, Verdict, register, run_claim
from . import claims  # noqa: F401  (registers every built-in claim)
from . import plugins

plugins.load()

__all__ = [
    "__version__", "REGISTRY", "PAPERS", "Paper", "register_paper", "Check", "Claim", "ClaimResult", "Context", "Outcome", "Verdict",
    "register", "run_claim", "judge", "Judgement", "Params", "ScaleBound", "SetParam", "ShiftClaim", "UseCorrected",
    "Bound", "Case", "Certified", "Derivation", "Exact", "Exactly", "Identity", "Instances", "MonteCarlo", "Rate",
    "Rounding", "SearchAgreement", "Searched", "Symbolic", "Units",
]
