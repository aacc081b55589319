"""``reference.oracle``: check any optimizer implementation against the reference, step by step.

::

    from reference.oracle import compare
    result = compare(lion_pytorch.Lion, "lion", {"lr": 1e-3, "beta1": 0.9, "beta2": 0.99})
    print(result.verdict)        # 'match', 'diverges at step k' or 'cannot configure: <reason>'
    print(result.table())        # per-step relative error of x and of each exposed state buffer

The implementation and its reference twin see the same seeded gradient stream
(:mod:`.streams`: heavy-tailed, Gaussian, sign flips, exact zeros, tiny/huge magnitudes, long
runs) -- and, for SAM/NIGT-like methods, the same stochastic oracle (a closure for torch, the
gradient at the current parameters for each optax ``update`` call).  Tolerances come from the one
dtype -> tolerance table ``reference.tolerances`` (shared with ``gpu``).  Adapters
(:mod:`.adapters`): a ``torch.optim.Optimizer`` class or factory, an optax ``GradientTransformation``
(or factory), a NumPy ``step(x, g, state) -> (x, state)``.  Framework imports are lazy.

Command line: ``python -m reference.oracle torch:lion_pytorch:Lion --as lion --hp lr=1e-3,beta1=0.9``
(see ``python -m reference.oracle --help``); ``--known`` runs the conformance cases of
:mod:`.conformance` (third-party libraries, each with its documented verdict).
"""

from .adapters import STATE_ALIASES, ConfigError, Impl, as_impl, numpy_impl, optax_impl, torch_impl, translate
from .compare import DTYPES, Conformance, Divergence, compare, normwise_errors, reduction_length
from .streams import LONG_STEPS, STREAMS, X_DEPENDENT, make_stream

__all__ = ["compare", "Conformance", "Divergence", "normwise_errors", "reduction_length", "DTYPES", "STREAMS",
           "LONG_STEPS", "X_DEPENDENT", "make_stream", "Impl", "ConfigError", "as_impl", "torch_impl", "optax_impl",
           "numpy_impl", "translate", "STATE_ALIASES"]
