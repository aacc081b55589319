"""``reference.oracle``: check any optimizer implementation against the reference, step by step.

::

    from reference.oracle import compare, assert_matches
    result = compare(lion_pytorch.Lion, "lion", {"lr": 1e-3, "beta1": 0.9, "beta2": 0.99})
    print(result)                  # verdict, first divergence, reproducer; what was passed and compared
    print(result.table())          # per-step error of the update and of each exposed state buffer
    assert_matches(MyAdamW, "adamw", {"lr": 1e-3, "weight_decay": 0.1}, groups=[...])   # in CI

The implementation and its reference twin see the same seeded gradient stream (:mod:`.streams`:
heavy-tailed, Gaussian, sign flips, exact zeros, tiny/huge magnitudes, long runs; ``'all'``) and,
for SAM/NIGT-like methods, the same stochastic oracle.  At every step the reference restarts from
the implementation's iterate and exposed state and the update and every state buffer are compared
against the bounds of ``reference.tolerances`` (:mod:`.compare`).  Parameters as in training:
several tensors and param groups (:mod:`.layout`), float64, float32, bfloat16 and float16
(mixed or pure low precision).  Implementations (:mod:`.adapters`, :mod:`.drivers`): torch.optim
classes and factories (with LR schedulers), optax, torchopt-style functional transformations,
Keras 3 optimizers, NumPy step functions; framework imports are lazy.  Conventions of other
libraries (names, bias-corrected or lr-scaled buffers, hyperparameter forms) are read from the
algorithm declarations (:mod:`.translate`).

For CI: :func:`assert_matches`, :func:`compare_impls`, the pytest plugin
``reference.oracle.pytest_plugin`` (fixture ``optimizer_oracle``).  Command line:
``python -m reference.oracle torch:lion_pytorch:Lion --as lion --hp lr=1e-3,beta1=0.9``;
``--known`` runs the conformance cases of :mod:`.conformance`.
"""

from .adapters import (KINDS, Impl, as_impl, functional_impl, keras_impl, load, load_timm, numpy_impl, optax_impl,
                       torch_impl)
from .assertions import assert_matches, compare_impls
from .compare import DTYPES, MAX_STEPS, compare, normwise_errors, reduction_length
from .layout import MAX_PARAMETERS
from .result import Conformance, Divergence
from .streams import ALL, LONG_STEPS, STREAMS, X_DEPENDENT, make_stream
from .translate import STATE_ALIASES, ConfigError, translate

__all__ = ["compare", "assert_matches", "compare_impls", "Conformance", "Divergence", "normwise_errors",
           "reduction_length", "DTYPES", "MAX_STEPS", "MAX_PARAMETERS", "STREAMS", "ALL", "LONG_STEPS",
           "X_DEPENDENT", "make_stream", "Impl", "KINDS", "ConfigError", "as_impl", "torch_impl", "optax_impl",
           "keras_impl", "functional_impl", "numpy_impl", "load", "load_timm", "translate", "STATE_ALIASES"]
