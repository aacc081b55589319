"""Claim modules; importing this package registers every claim."""

from . import s3_adam, s3_convergence, s3_convergence_derivation, s3_cost, s3_nag, s3_update  # noqa: F401
