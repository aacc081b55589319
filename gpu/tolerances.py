"""The parity tolerances of ``gpu`` vs ``reference``: an alias of :mod:`reference.tolerances`.

The one dtype -> tolerance table and its derivation live in ``reference/tolerances.py`` (pure
Python), shared with ``reference.oracle``; this module keeps the name ``gpu.tolerances``.
"""

from reference.tolerances import *  # noqa: F401,F403
from reference.tolerances import __all__  # noqa: F401
