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
    raise ImportError("the `gpu` package needs PyTorch: pip install torch "
                      "(from a clone: pip install '.[torch]')") from exc

from reference._version import __version__

from ._common import ReferenceOptimizer, state_dtype
from ._optimizers import *  # noqa: F403  (gpu.S3, gpu.Adan, ...: every declaration's torch class)
from ._optimizers import OPTIMIZERS

__all__ = ["__version__", "OPTIMIZERS", "ReferenceOptimizer", "state_dtype",
           *(c.__name__ for c in OPTIMIZERS.values())]
