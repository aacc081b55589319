"""proofs_check: the registry of checkable claims and the verification report (``python -m proofs_check``)."""

from reference._version import __version__

from .registry import REGISTRY, Check, Claim, ClaimResult, Context, Outcome, Verdict, run_claim
from . import claims  # noqa: F401  (registers every claim)

__all__ = ["__version__", "REGISTRY", "Check", "Claim", "ClaimResult", "Context", "Outcome", "Verdict", "run_claim"]
