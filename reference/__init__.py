"""s3-oracle reference: pure-NumPy implementations of every algorithm of the five papers.

One functional API (see :mod:`reference.algorithm`)::

    alg = reference.s3(lr=1e-3)          # validated hyperparameters, paper defaults
    state = alg.init(x0)                 # NamedTuple: paper's buffers, t, direction
    x, state = alg.step(x, state, oracle)

``reference.replay`` drives an algorithm with a given gradient sequence and
``reference.run`` runs it on a problem of :mod:`reference.problems`.  ``reference.oracle.compare``
checks a third-party implementation against these step by step, with the tolerances of
``reference.tolerances``.
"""

from ._version import __version__
from .adam import adam, adam_clipped, adamw, amsgrad, rmsprop
from .adan import adan
from .algorithm import Algorithm, Oracle, ratio
from .blockwise import adasgd, blockwise_adam
from .clipping import sgd_clip
from .hessian import hessian_11_norm
from .hyperparams import SPECS, defaults, resolve
from .lion import lion
from .momentum import nag, sgdm
from .nadam import nadam
from .normalized import adaptive_nsgd, igt, nigt, normalized_sgdm
from .replay import Trace, replay
from .runner import RunRecord, run
from .s3 import s3
from .sam import adam_sam, adasam, sam
from .sign import generalized_signsgd, signgd, signsgd, signum

ALGORITHMS = {
    f.__name__: f
    for f in (s3, adam, adamw, adam_clipped, amsgrad, rmsprop, nag, sgdm, nadam, adan, lion,
              generalized_signsgd, signsgd, signgd, signum, sgd_clip, sam, adasam, adam_sam,
              normalized_sgdm, nigt, adaptive_nsgd, igt, adasgd, blockwise_adam)
}
"""Every factory by name (the keys of ``hyperparams.SPECS``)."""

from . import oracle, tolerances  # noqa: E402  (after ALGORITHMS: oracle reads it)

__all__ = [
    "__version__", "oracle", "tolerances",
    "Algorithm", "Oracle", "ratio", "Trace", "RunRecord", "replay", "run", "hessian_11_norm",
    "SPECS", "defaults", "resolve", "ALGORITHMS", *ALGORITHMS,
]
