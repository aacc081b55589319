"""PyTorch optimizers that match the NumPy reference (``reference``) on CPU and CUDA.

Every class is a ``torch.optim.Optimizer`` whose hyperparameters (names, defaults, ranges) are
those of ``reference.hyperparams.SPECS``; state buffers carry the reference's field names.  Each
algorithm's declaration (``reference.declaration``) names its class (``torch="gpu.s3:S3"``);
``OPTIMIZERS`` and the names exported here are read from the registry.  Every class runs one
functional kernel over tensor lists for its for-loop and foreach paths (``gpu._common.for_each``).
Adam, AdamW, NAdam, SGD, RMSprop and AMSGrad are ``torch.optim``'s own (see
``tests/reference/test_torch_parity.py``).  ``import gpu`` needs torch.

========================  =====================  ==========================================
class                     reference factory      paper
========================  =====================  ==========================================
S3 (for-loop/foreach/     ``s3``                 s3 Algorithm 1
fused)
Adan                      ``adan``               Adan (official code / Alg. 1)
Lion                      ``lion``               Lion (s3 Sec. 5 baseline)
SignSGD, Signum           ``signsgd``,           s3 Sec. 2; gsignsgd Sec. 4
                          ``signum``
GeneralizedSignSGD        ``generalized_signsgd``  gsignsgd Algorithm 1
SAM, AdaSAM, AdamSAM      ``sam``, ``adasam``,   adasam Algorithm 1, Remark 1
                          ``adam_sam``
NormalizedSGDM, NIGT      ``normalized_sgdm``,   nsgdm Eqs. 2-3, Algorithm 1
                          ``nigt``
AdaSGD, BlockwiseAdam     ``adasgd``,            adamlinf Algorithms 2, 3
                          ``blockwise_adam``
========================  =====================  ==========================================
"""

try:
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("the `gpu` package needs PyTorch: pip install 's3-oracle[torch]'") from exc

import importlib

from reference.registry import REGISTRY

from ._common import ReferenceOptimizer, state_dtype


def _load(target: str) -> type[ReferenceOptimizer]:
    module, _, name = target.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, ReferenceOptimizer)):
        raise TypeError(f"{target} is not a gpu.ReferenceOptimizer")
    return cls


OPTIMIZERS: dict[str, type[ReferenceOptimizer]] = {
    name: _load(decl.torch) for name, decl in REGISTRY.items() if decl.torch is not None}
"""Every optimizer by its reference factory name: the declarations' torch classes
(``reference.declaration.Declaration.torch``)."""

globals().update({cls.__name__: cls for cls in OPTIMIZERS.values()})  # gpu.S3, gpu.Adan, ...

__all__ = ["OPTIMIZERS", "ReferenceOptimizer", "state_dtype", *(c.__name__ for c in OPTIMIZERS.values())]
