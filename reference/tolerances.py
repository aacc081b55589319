r"""Tolerances of every parity check against the reference -- the one dtype -> tolerance table.

Used by ``gpu`` (its tests, through the alias ``gpu.tolerances``) and by :mod:`reference.oracle`
(any third-party implementation); pure Python, no torch.  :func:`parity_bound` is the table:
float64 and float32 implementations compared with the float64 reference, per step t.

Metric.  For a compared quantity q (the parameters x, or a state buffer) of one tensor at step t,
the error is normwise relative to the quantity's running magnitude in the float64 reference::

    err_t(q) = ||q^_t - q_t||_inf / Q_t,     Q_t = max_{k <= t} ||q_k||_inf

(NaN/inf entries are compared as masks, exactly; ``Q_t = 0`` demands exact equality.)

**float64** (CPU and CUDA): ``err_t <= F64_RTOL = 1e-12`` at every step.  The implementations
perform the reference's operations in the reference's order, so they differ only where libraries
differ: reduction order (norms, sums), ``sqrt``/``pow`` (within 1 ulp; torch has no ``cbrt`` and
evaluates ``y^(1/3)``), a few units of ``u64 = 2^-53`` per step.  ``1e-12`` is the project's bound
(README, ``tests/reference/test_torch_parity.py``); it leaves a factor > 10 over 100+ steps.
For an implementation written elsewhere (another operation order, long runs) the rounding analysis
below applies with ``u64``, and both sides round: :func:`float64_bound` is
``max(F64_RTOL, 2 A K u64 t)`` (the triangle inequality through the exact result), which exceeds
``F64_RTOL`` only after a few hundred steps.

**float32** (state and arithmetic in float32, compared with the float64 reference driven by the
same float32-representable inputs): ``err_t <= float32_bound(alg, t, n) = A * K * u * t`` with
``u = 2^-24``.  Derivation (forward error analysis, Higham, *Accuracy and Stability of Numerical
Algorithms*, Sec. 3.1-3.4), counting in units of u the relative error one step adds to each
quantity, given exact inputs:

* R1 each ``+ - * /`` of two operands: +1 (IEEE round to nearest: NumPy, torch, Triton with
  ``div_rn`` and FMA contraction off).
* R2 each Python-float coefficient (beta, 1 - beta, lr, 1 - lr*wd, 1/(1 - beta^t), eps, rho, ...)
  rounded to float32: +1.  The oracle's float32 gradient at a point (SAM, NIGT): +1.
* R3 products and quotients add the factors' errors (a square doubles).
* R4 a sum adds 1 to the larger error of its terms.  Where terms may cancel (EMAs of signed
  values, ``n_t``, ``x_{t+1}``) the bound is relative to the *terms'* magnitudes; each term is at
  most ``2 Q_t`` (an EMA increment ``(1-beta) y_t = q_t - beta q_{t-1}``) and the previous value
  at most ``Q_t``, so the bound relative to ``Q_t`` gains the factor **A = 3**.
* R5 ``sqrt``: half the argument's error + 2 (torch's float32 CPU ``sqrt`` is within 1 ulp = 2u,
  not correctly rounded); ``p``-th root: argument's error / p + 2 (libdevice ``cbrt``: 1 ulp;
  float64 ``pow`` rounded once: 1).  ``|g|^p``: p - 1 multiplications, or a float64 pow rounded
  once (1) for p not in {1, 2, 3}.
* R6 a sum of n numbers in any order: + (n - 1) (``gamma_{n-1}``; covers NumPy's pairwise,
  torch's cascade/tree reductions, ``index_add_`` and CUDA atomics).  ``n`` is the longest
  reduced vector (the tensor, the group or the block).
* R7 ``sign(c)`` is exact when ``|c|`` exceeds c's error bound; the tests check this margin.

Errors already present are carried with gain <= 1: EMAs are convex combinations, and the
harness keeps ``lr * t * Q_t(d) <= Q_t(x)`` so that ``x_{t+1} = x_t - lr d_t`` accumulates
``lr * err(d)`` within the same bound (``reference.oracle``, which cannot choose the learning
rate, adds the path length ``sum_k ||x_k - x_{k-1}||_inf`` to ``Q_t(x)`` instead).  For methods whose oracle depends on x (SAM, AdaSAM,
NIGT) the float32 harness restarts the reference from the implementation's iterate at every step
(``resync``), so rounding is not amplified through the objective's curvature; their state buffers
still run free.  Hence after t steps ``err_t <= A K u t``, K from :data:`ROUNDINGS`.

K is not written by hand: :mod:`reference.counting` runs each algorithm's own step (the generic
driver around its declared ``update``) on an array type that carries these counts through every
NumPy operation, over every branch of its hyperparameters and the first and a later step, and K
is the largest count of x_{t+1} and of the state buffers (every compared quantity).

**bfloat16/float16 parameters** (state in float32): the parameter is rounded once per step to its
dtype.  The reference restarts from the implementation's (exactly representable) iterate each
step, and ``|x^_{t+1} - x_{t+1}| <= U_LOW * |x_{t+1}| + (1 + U_LOW) float32_bound(t) Q_t(x)``
elementwise (round to nearest, ``U_LOW = 2^-8`` for bfloat16, ``2^-11`` for float16); the
float32 state is checked with :func:`float32_bound`.

**reference.oracle** (any implementation, :func:`oracle_bound`, :func:`update_allowance`).  The
oracle restarts its float64 reference from the implementation's iterate ``x_t`` at every step and,
where the implementation exposes every state buffer, from its state too (through the declared
buffer transforms).  The error of step t then holds one step's rounding: the bound above with
``t_eff = 1``; where some buffer stays hidden the reference's state runs free and ``t_eff = t``.
The state's dtype sets the unit: ``u(state_dtype)``, float32 for mixed precision (bfloat16/float16
parameters, float32 state), the parameter's own unit for pure low precision, where every operation
rounds to it (``A K u t_eff`` with ``u = 2^-8`` or ``2^-11``: only gross errors show).

* R8 The update ``u_t = (x_t - x_{t+1}) / lr_t`` read from two iterates carries the rounding of
  ``x_{t+1}`` (one subtraction, and the decoupled decay's product and coefficient: A roundings in
  the state's unit) and the parameter's storage rounding (``u(dtype)``), relative to ``|x|``, not
  to ``u``: elementwise ``(A u(state) + u(dtype)) max(|x_t|, |x_{t+1}|) / lr_t``
  (:func:`update_allowance`), beside the normwise ``oracle_bound`` on ``u``; below the dtype's
  smallest normal number the rounding is absolute, half the subnormal spacing ``u(dtype) tiny``
  per stored iterate, so ``2 u(dtype) tiny / lr_t`` is added (:func:`update_floor`; it matters for
  float16, whose subnormals start at 6.1e-5).  An update returned by
  a functional API (optax, torchopt) carries only its own storage rounding ``u(dtype) |u|``.
* R9 For methods that evaluate the oracle away from ``x_t`` (SAM, NIGT), a low-precision
  parameter rounds the evaluation point and the gradient to its dtype: two roundings in
  ``u(dtype)`` per evaluation, ``A 2 calls u(dtype) t_eff`` relative (float32 and float64
  parameters: R2's +1 in K).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from .counting import derive

__all__ = ["U64", "U32", "U_BF16", "U_F16", "A", "F64_RTOL", "UNIT_ROUNDOFF", "ROUNDINGS", "roundings",
           "float32_bound", "float64_bound", "low_bound", "parity_bound", "provenance", "DTYPES", "oracle_bound",
           "update_allowance", "update_floor", "state_unit", "oracle_provenance", "SMALLEST_NORMAL"]

U64 = 2.0**-53
"""Unit roundoff of float64."""
U32 = 2.0**-24
"""Unit roundoff of float32."""
U_BF16 = 2.0**-8
"""Unit roundoff of bfloat16 (8 significant bits)."""
U_F16 = 2.0**-11
"""Unit roundoff of float16 (11 significant bits)."""
A = 3
"""Magnitude factor of R4: terms of a cancelling sum are at most 3 Q_t in total."""
F64_RTOL = 1e-12
"""The float64 parity bound (per step, normwise relative)."""


class _Roundings(Mapping[str, Callable[[int], int]]):
    """``ROUNDINGS[alg](n)``: K of every registered algorithm whose count is derived (live)."""

    def __getitem__(self, alg: str) -> Callable[[int], int]:
        from .registry import REGISTRY

        decl = REGISTRY.get(alg)
        if decl is None or decl.roundings is not None:
            raise KeyError(alg)
        return lambda n: derive(decl, n)

    def __iter__(self) -> Iterator[str]:
        from .registry import REGISTRY

        return iter([name for name, decl in REGISTRY.items() if decl.roundings is None])

    def __len__(self) -> int:
        return sum(1 for _ in self)


ROUNDINGS: Mapping[str, Callable[[int], int]] = _Roundings()
"""K(n): roundings per step (units of u) of the longest dependency chain, n = longest reduction,
derived from each algorithm's update by :func:`reference.counting.derive`.

Not derived (no entry): the algorithms whose declaration says why (``Declaration.roundings``):
``igt`` and ``adaptive_nsgd``, whose extrapolation ``w + k (w - w_prev)`` with a growing k is not
covered by the argument above."""

UNIT_ROUNDOFF: dict[str, float] = {"float64": U64, "float32": U32, "bfloat16": U_BF16, "float16": U_F16}
"""Unit roundoff of each dtype (round to nearest)."""


def roundings(alg: str, n: int = 1) -> int:
    """K of ``alg`` for reductions over at most ``n`` numbers (:func:`reference.counting.derive`)."""
    from .registry import get

    return derive(get(alg), max(1, n))


def float32_bound(alg: str, t: int, n: int = 1) -> float:
    """``A * K * u * t``: the normwise float32 error bound after ``t`` steps (see module docstring)."""
    return A * roundings(alg, n) * U32 * t


def float64_bound(alg: str, t: int, n: int = 1) -> float:
    """``max(F64_RTOL, 2 A K u64 t)``: float64 implementation vs float64 reference, both rounded."""
    return max(F64_RTOL, 2 * A * roundings(alg, n) * U64 * t)


def parity_bound(alg: str, dtype: str, t: int, n: int = 1) -> float:
    """The table: normwise bound after ``t`` steps for an implementation computing in ``dtype``
    compared with the float64 reference (inputs representable in ``dtype``).

    Raises ``KeyError`` when no K is derived for ``alg`` and ``ValueError`` for a dtype whose
    bound is not normwise (bfloat16/float16 parameters: :func:`low_bound`)."""
    if alg not in ROUNDINGS:
        raise KeyError(f"no rounding count K derived for {alg!r} (reference/tolerances.py ROUNDINGS: "
                       f"{_why_not(alg)})")
    if dtype == "float64":
        return float64_bound(alg, t, n)
    if dtype == "float32":
        return float32_bound(alg, t, n)
    raise ValueError(f"no normwise bound for dtype {dtype!r}: float64 or float32 (low precision: low_bound)")


def _why_not(alg: str) -> str:
    from .registry import REGISTRY

    decl = REGISTRY.get(alg)
    return "not registered" if decl is None else str(decl.roundings)


def provenance(alg: str, dtype: str, n: int = 1) -> str:
    """One line saying how :func:`parity_bound` is obtained for ``alg`` in ``dtype``."""
    k = roundings(alg, n)
    if dtype == "float64":
        return (f"float64: max(F64_RTOL = {F64_RTOL:g}, 2*A*K*u64*t) with A = {A}, K({alg}, n={n}) = {k}, "
                f"u64 = 2^-53 (reference/tolerances.py)")
    return f"{dtype}: A*K*u*t with A = {A}, K({alg}, n={n}) = {k}, u = 2^-24 (reference/tolerances.py)"


def low_bound(unit: float, alg: str, t: int, n: int = 1) -> tuple[float, float]:
    """``(relative, normwise)`` parts of the float16/bfloat16 parameter bound at step ``t``:
    ``|x^ - x| <= relative * |x| + normwise * Q_t(x)``."""
    return unit, (1.0 + unit) * float32_bound(alg, t, n)


DTYPES = ("float64", "float32", "bfloat16", "float16")
"""The parameter dtypes :func:`oracle_bound` covers."""


def state_unit(dtype: str, state_dtype: str | None = None) -> float:
    """The unit roundoff of the state and arithmetic: ``state_dtype``'s, by default the parameter's
    for float64/float32 and float32's for bfloat16/float16 (mixed precision)."""
    if state_dtype is None:
        state_dtype = dtype if dtype in ("float64", "float32") else "float32"
    return UNIT_ROUNDOFF[state_dtype]


def oracle_bound(alg: str, dtype: str, t: int, n: int = 1, *, state_dtype: str | None = None,
                 gradient_evaluations: int = 0) -> float:
    """The oracle's normwise bound on a state buffer and on the update after ``t`` unsynchronised
    steps (``t = 1`` when the reference restarts from the implementation's state every step) for
    parameters in ``dtype`` and state in ``state_dtype`` (module docstring, R8-R9).

    float64 state: :func:`float64_bound`; else ``A K u(state) t``, plus R9's ``A 2 e u(dtype) t``
    for ``e = gradient_evaluations`` away from ``x_t`` with low-precision parameters.  Raises
    ``KeyError`` when no K is derived for ``alg``."""
    if alg not in ROUNDINGS:
        raise KeyError(f"no rounding count K derived for {alg!r} (reference/tolerances.py ROUNDINGS: "
                       f"{_why_not(alg)})")
    u = state_unit(dtype, state_dtype)
    if u == U64:
        bound = float64_bound(alg, t, n)
    else:
        bound = A * roundings(alg, n) * u * t
    if dtype in ("bfloat16", "float16") and gradient_evaluations:
        bound += A * 2 * gradient_evaluations * UNIT_ROUNDOFF[dtype] * t
    return bound


def update_allowance(dtype: str, state_dtype: str | None = None) -> float:
    """R8: the coefficient ``c`` of the elementwise allowance ``c max(|x_t|, |x_{t+1}|) / lr_t`` of an
    update read from two iterates: ``A u(state) + u(dtype)``."""
    return A * state_unit(dtype, state_dtype) + UNIT_ROUNDOFF[dtype]


SMALLEST_NORMAL: dict[str, float] = {"float64": 2.0**-1022, "float32": 2.0**-126, "bfloat16": 2.0**-126,
                                     "float16": 2.0**-14}
"""The smallest positive normal number of each dtype (below it rounding is absolute)."""


def update_floor(dtype: str) -> float:
    """R8's absolute part: ``2 u(dtype) tiny(dtype)``, the rounding of two stored iterates among the
    subnormals (divided by ``lr_t`` in the update's allowance)."""
    return 2 * UNIT_ROUNDOFF[dtype] * SMALLEST_NORMAL[dtype]


def oracle_provenance(alg: str, dtype: str, n: int = 1, *, state_dtype: str | None = None,
                      synced: bool = True) -> str:
    """One line saying how :func:`oracle_bound` is obtained."""
    k = roundings(alg, n)
    u = state_unit(dtype, state_dtype)
    name = {U64: "u64 = 2^-53", U32: "u32 = 2^-24", U_BF16: "u = 2^-8 (bfloat16 state)",
            U_F16: "u = 2^-11 (float16 state)"}[u]
    t = "t_eff = 1 (reference restarted from the implementation's x and state each step)" if synced else \
        "t_eff = t (some state is not exposed: the reference's state runs free)"
    head = f"max(F64_RTOL = {F64_RTOL:g}, 2*A*K*u64*t_eff)" if u == U64 else "A*K*u*t_eff"
    return (f"{dtype} parameters: {head} with A = {A}, K({alg}, n={n}) = {k}, {name}, {t}; update allowance "
            f"{update_allowance(dtype, state_dtype):.3g} max|x|/lr elementwise (reference/tolerances.py)")
