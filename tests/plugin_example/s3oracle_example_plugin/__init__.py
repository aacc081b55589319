"""Example proofs_check plugin (see ``claims``)."""
