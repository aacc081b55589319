"""Conformance of third-party optimizers: each case with the verdict found and its explanation.

Every :class:`Case` runs :func:`reference.oracle.compare` on a real implementation from
torch.optim, pytorch-optimizer, lion-pytorch or optax (the ``oracle`` extra), in a configuration
where the library and the reference define the same algorithm -- or, where they cannot, the
closest one, with the cause of the difference read from the library's source.  A divergence is a
result: ``expected`` is the verdict that was found, ``cause`` says why and which side follows the
paper.  tests/oracle/test_conformance.py asserts every verdict; ``python -m reference.oracle
--known --markdown table.md`` regenerates the README table.

timm is not among the libraries: ``import timm`` imports torchvision, whose PyPI wheels do not
load beside the CPU build of torch 2.13 that the project pins (``torchvision::nms`` does not
register), so timm's optimizers cannot be imported in CI.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .adapters import optax_impl, torch_impl
from .compare import Conformance, compare

__all__ = ["Case", "Outcome", "CASES", "run_case", "markdown_table"]


@dataclass(frozen=True)
class Case:
    """One documented conformance check."""

    id: str
    library: str                     # distribution name (its version goes into the table)
    implementation: str              # what is checked, as a user would write it
    make: Callable[[], Any]          # builds the implementation (imports inside)
    algorithm: str
    hp: dict[str, Any]
    expected: str                    # the verdict found
    cause: str = ""                  # why it differs (or what makes it match), which side follows the paper
    impl_kwargs: dict[str, Any] = field(default_factory=dict)
    stream: str = "heavy-tailed"
    dtype: str = "float64"
    steps: int | None = None
    quantity: str | None = None      # the quantity of the first divergence, if any
    requires: tuple[str, ...] = ()   # modules that must import

    @property
    def configuration(self) -> str:
        hp = ", ".join(f"{k}={v}" for k, v in self.hp.items())
        kw = ", ".join(f"{k}={_name(v)}" for k, v in self.impl_kwargs.items())
        extra = f"; impl {kw}" if kw else ""
        return f"{self.algorithm}({hp}){extra}; {self.dtype}, {self.stream}" + \
            (f", {self.steps} steps" if self.steps else "")


def _name(v: Any) -> str:
    return getattr(v, "__qualname__", None) or repr(v)


@dataclass
class Outcome:
    case: Case
    result: Conformance | None
    version: str = ""
    skipped: str = ""


def run_case(case: Case) -> Outcome:
    """Run ``case``; ``result`` is None (with ``skipped``) when its library is not installed."""
    for mod in (case.requires or (case.library.replace("-", "_"),)):
        try:
            importlib.import_module(mod)
        except ImportError as exc:
            return Outcome(case, None, skipped=f"{mod} not installed ({exc})")
    version = importlib.metadata.version(case.library)
    result = compare(case.make(), case.algorithm, case.hp, steps=case.steps, dtype=case.dtype, stream=case.stream,
                     impl_kwargs=case.impl_kwargs)
    return Outcome(case, result, version)


def markdown_table(outcomes: list[Outcome]) -> str:
    """The README conformance table: library, version, algorithm, configuration, verdict, cause."""
    lines = ["| library | version | implementation | configuration | verdict | cause of any difference |",
             "|---|---|---|---|---|---|"]
    for o in outcomes:
        c, r = o.case, o.result
        assert r is not None
        verdict = r.verdict + (f" ({r.divergence.quantity})" if r.divergence is not None else "")
        cells = [c.library, o.version, f"`{c.implementation}`", c.configuration, verdict, c.cause]
        lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- builders (lazy imports)


def _torch(path: str, **opts: Any) -> Callable[[], Any]:
    def make() -> Any:
        from .adapters import load
        return torch_impl(load(path), label=path, **opts)
    return make


def _optax(name: str, **opts: Any) -> Callable[[], Any]:
    def make() -> Any:
        from .adapters import load
        return optax_impl(load(f"optax.{name}"), label=f"optax.{name}", **opts)
    return make


def _po_sam(perturb_eps: float | None = None) -> Callable[[], Any]:
    def make() -> Any:
        import torch
        from pytorch_optimizer import SAM

        kw = {} if perturb_eps is None else {"perturb_eps": perturb_eps}
        return torch_impl(lambda params: SAM(params, torch.optim.SGD, rho=0.05, lr=1e-2, **kw),
                          label="pytorch_optimizer.SAM(params, torch.optim.SGD, rho=0.05, lr=1e-2)")
    return make


def _optax_sam(opaque: bool = False) -> Callable[[], Any]:
    def make() -> Any:
        import optax
        from optax import contrib

        tx = contrib.sam(optax.sgd(1e-2), optax.chain(contrib.normalize(), optax.sgd(0.05)), sync_period=2,
                         opaque_mode=opaque)
        return optax_impl(tx, opaque=opaque, label="optax.contrib.sam(optax.sgd(1e-2), chain(normalize(), "
                          f"sgd(0.05)){', opaque_mode=True' if opaque else ''})")
    return make


def _lion_pytorch_decoupled() -> Any:
    from lion_pytorch import Lion
    return torch_impl(lambda params: Lion(params, lr=1e-3, weight_decay=0.1, decoupled_weight_decay=True),
                      label="lion_pytorch.Lion(lr=1e-3, weight_decay=0.1, decoupled_weight_decay=True)")


_PO = ("pytorch_optimizer",)
_OPTAX = ("optax", "jax")
_FLOAT32_NORM = ("pytorch-optimizer's SAM takes the global gradient norm through "
                 "`get_global_gradient_norm`, which casts the per-tensor norms to float32 (`.float()`), so the "
                 "perturbation rho g/||g|| carries a 2^-24 relative error also for float64 parameters (errors "
                 "~1e-11 instead of ~1e-16); the reference (adasam Alg. 1 line 4) and the paper's SAM have no such "
                 "rounding. In float32 it matches.")

CASES: list[Case] = [
    # ----------------------------------------------------------------- lion-pytorch
    Case("lion-pytorch.lion", "lion-pytorch", "lion_pytorch.Lion", _torch("lion_pytorch.Lion"), "lion",
         {"lr": 1e-3, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.1}, "match"),
    Case("lion-pytorch.lion.zeros", "lion-pytorch", "lion_pytorch.Lion", _torch("lion_pytorch.Lion"), "lion",
         {"lr": 1e-3}, "match", stream="zeros"),
    Case("lion-pytorch.lion.long", "lion-pytorch", "lion_pytorch.Lion", _torch("lion_pytorch.Lion"), "lion",
         {"lr": 1e-3, "weight_decay": 0.1}, "match", stream="long"),
    Case("lion-pytorch.lion.float32", "lion-pytorch", "lion_pytorch.Lion", _torch("lion_pytorch.Lion"), "lion",
         {"lr": 1e-3, "weight_decay": 0.1}, "match", dtype="float32"),
    Case("lion-pytorch.lion.decoupled", "lion-pytorch",
         "lion_pytorch.Lion(lr=1e-3, weight_decay=0.1, decoupled_weight_decay=True)", _lion_pytorch_decoupled,
         "lion", {"lr": 1e-3, "weight_decay": 100.0}, "match",
         "decoupled_weight_decay=True divides weight_decay by the initial lr (x <- x (1 - lr wd / lr_0)), i.e. "
         "the reference's weight_decay = wd / lr_0 = 100 (same map while lr is constant)."),
    # ----------------------------------------------------------------- pytorch-optimizer
    Case("pytorch-optimizer.lion", "pytorch-optimizer", "pytorch_optimizer.Lion", _torch("pytorch_optimizer.Lion"),
         "lion", {"lr": 1e-3, "weight_decay": 0.1}, "match",
         "computes c_t and m_t with lerp (m + (1 - beta)(g - m)): another rounding, same map.", requires=_PO),
    Case("pytorch-optimizer.lion.sign-flips", "pytorch-optimizer", "pytorch_optimizer.Lion",
         _torch("pytorch_optimizer.Lion"), "lion", {"lr": 1e-3}, "match", stream="sign-flips", requires=_PO),
    Case("pytorch-optimizer.adan", "pytorch-optimizer", "pytorch_optimizer.Adan", _torch("pytorch_optimizer.Adan"),
         "adan", {"lr": 1e-3, "weight_decay": 0.02}, "match",
         "official sail-sg form (betas 0.98/0.92/0.99 weight the old value, bias correction, g_0 = g_1, "
         "proximal weight decay); weight_decouple=False is the proximal step.", requires=_PO),
    Case("pytorch-optimizer.adan.no_prox", "pytorch-optimizer", "pytorch_optimizer.Adan(weight_decouple=True)",
         _torch("pytorch_optimizer.Adan"), "adan", {"lr": 1e-3, "weight_decay": 0.02, "no_prox": True}, "match",
         requires=_PO),
    Case("pytorch-optimizer.adan.zeros", "pytorch-optimizer", "pytorch_optimizer.Adan",
         _torch("pytorch_optimizer.Adan"), "adan", {"lr": 1e-3}, "match", stream="zeros", requires=_PO),
    Case("pytorch-optimizer.signsgd", "pytorch-optimizer", "pytorch_optimizer.SignSGD(momentum=0)",
         _torch("pytorch_optimizer.SignSGD"), "signsgd", {"lr": 1e-3}, "match", requires=_PO),
    Case("pytorch-optimizer.signum", "pytorch-optimizer", "pytorch_optimizer.SignSGD(momentum=0.9)",
         _torch("pytorch_optimizer.SignSGD"), "signum", {"lr": 1e-3, "beta": 0.9}, "match",
         "momentum > 0 is Signum with an EMA momentum (lerp), as gsignsgd Sec. 4.", requires=_PO),
    Case("pytorch-optimizer.sam", "pytorch-optimizer", "pytorch_optimizer.SAM(base_optimizer=torch.optim.SGD)",
         _po_sam(), "sam", {"lr": 1e-2, "rho": 0.05}, "diverges at step 1", _FLOAT32_NORM, quantity="x",
         requires=_PO),
    Case("pytorch-optimizer.sam.float32", "pytorch-optimizer", "pytorch_optimizer.SAM(base_optimizer=torch.optim.SGD)",
         _po_sam(), "sam", {"lr": 1e-2, "rho": 0.05}, "match",
         "perturb_eps = 1e-12 is added to ||g|| (so a zero gradient gives no perturbation instead of 0/0).",
         dtype="float32", requires=_PO),
    Case("pytorch-optimizer.sam.zeros", "pytorch-optimizer", "pytorch_optimizer.SAM(base_optimizer=torch.optim.SGD)",
         _po_sam(), "sam", {"lr": 1e-2, "rho": 0.05}, "match", dtype="float32", stream="zeros", requires=_PO),
    # ----------------------------------------------------------------- optax
    Case("optax.lion", "optax", "optax.lion", _optax("lion"), "lion", {"lr": 1e-3, "weight_decay": 0.1}, "match",
         "optax's default weight_decay=1e-3 differs from the reference's 0; passed explicitly here.",
         requires=_OPTAX),
    Case("optax.adan", "optax", "optax.adan", _optax("adan"), "adan", {"lr": 1e-3},
         "diverges at step 2",
         "optax's scale_by_adan weights the gradient difference by (1 - b2) = 0.08 (in n_t and in the update) "
         "while its EMAs use b2 as the weight of the old value, so Alg. 1's (1 - beta2) is b2 = 0.92: the "
         "official code and the paper use 0.92 (reported upstream, optax PR #1715). Step 1 agrees "
         "(g_1 - g_0 = 0).", impl_kwargs={"eps_root": 0.0}, quantity="n", requires=_OPTAX),
    Case("optax.adan.b2=0.5", "optax", "optax.adan(b2=0.5)", _optax("adan"), "adan", {"lr": 1e-3, "beta2": 0.5},
         "match", "with b2 = 0.5 the two conventions coincide (1 - b2 = b2): the only setting where optax's Adan "
         "is the paper's.", impl_kwargs={"eps_root": 0.0}, requires=_OPTAX),
    Case("optax.adan.b2=0.5.wd", "optax", "optax.adan(b2=0.5, weight_decay=0.02)", _optax("adan"), "adan",
         {"lr": 1e-3, "beta2": 0.5, "weight_decay": 0.02, "no_prox": True}, "match",
         "optax applies weight decay as add_decayed_weights: x (1 - lr wd) - lr d, the reference's no_prox=True "
         "(the official default is the proximal (x - lr d)/(1 + lr wd)).", impl_kwargs={"eps_root": 0.0},
         requires=_OPTAX),
    Case("optax.adan.eps_root", "optax", "optax.adan(b2=0.5) with its default eps_root=1e-8", _optax("adan"),
         "adan", {"lr": 1e-3, "beta2": 0.5}, "diverges at step 1",
         "optax.adan adds eps_root = 1e-8 inside the square root (sqrt(n^ + 1e-8) + eps), which neither Alg. 1 "
         "nor the official code has; visible whenever n^ is not >> 1e-8.", quantity="x", requires=_OPTAX),
    Case("optax.nadam", "optax", "optax.nadam", _optax("nadam"), "nadam", {"lr": 1e-3}, "diverges at step 1",
         "optax's NAdam (scale_by_adam(nesterov=True)) has a constant mu_t = beta1; the reference's default is "
         "torch's and Dozat's (2016) schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi)). With "
         "mu_schedule='constant' (added for this) it matches.", quantity="x", requires=_OPTAX),
    Case("optax.nadam.constant", "optax", "optax.nadam", _optax("nadam"), "nadam",
         {"lr": 1e-3, "mu_schedule": "constant"}, "match", requires=_OPTAX),
    Case("optax.nadamw", "optax", "optax.nadamw", _optax("nadamw"), "nadam",
         {"lr": 1e-3, "mu_schedule": "constant", "weight_decay": 0.1, "decoupled_weight_decay": True}, "match",
         requires=_OPTAX),
    Case("optax.amsgrad", "optax", "optax.amsgrad", _optax("amsgrad"), "amsgrad", {"lr": 1e-3},
         "diverges at step 1",
         "optax keeps the maximum of the bias-corrected v_t/(1 - beta2^t) (bias_correction_nu=True); torch "
         "(the reference default) keeps the maximum of the raw v_t and corrects after. Neither is Reddi et al.'s "
         "Alg. 2 (no bias correction). The stored maxima differ from step 1 (by 1/(1 - beta2^t)), the iterates "
         "from step 2 here (once some v_t decreases). With v_max_of='v_hat' (added for this) it matches.",
         quantity="v_max", requires=_OPTAX),
    Case("optax.amsgrad.v_hat", "optax", "optax.amsgrad", _optax("amsgrad"), "amsgrad",
         {"lr": 1e-3, "v_max_of": "v_hat"}, "match", requires=_OPTAX),
    Case("optax.amsgrad.v_hat.float32", "optax", "optax.amsgrad, float32", _optax("amsgrad"), "amsgrad",
         {"lr": 1e-3, "v_max_of": "v_hat"}, "diverges at step 1",
         "optax computes the bias correction 1 - b2^t (optax.tree.bias_correction) in the parameters' float32, "
         "from b2 rounded to float32: 1 - fl32(0.999) is off by 1.3e-5 relative (~u/(1 - b2)), far above one "
         "rounding; torch and the reference form 1 - beta2^t in float64. It shows in the stored v_max "
         "(= v^); in Adam's x the same relative error of d (6e-6 at t = 1, decaying as 1 - b2^t grows) stays "
         "inside the float32 tolerance.", dtype="float32", quantity="v_max", requires=_OPTAX),
    Case("optax.amsgrad.paper", "optax", "optax.amsgrad(bias_correction_mu=False, bias_correction_nu=False)",
         _optax("amsgrad"), "amsgrad", {"lr": 1e-3, "bias_correction": False}, "match",
         "Reddi et al. (2018) Alg. 2 as printed.",
         impl_kwargs={"bias_correction_mu": False, "bias_correction_nu": False}, requires=_OPTAX),
    Case("optax.rmsprop", "optax", "optax.rmsprop(eps_in_sqrt=False)", _optax("rmsprop"), "rmsprop",
         {"lr": 1e-3, "beta2": 0.9}, "match",
         "optax's default eps_in_sqrt=True is torch's eps outside the root only when set False (optax issue "
         "#532); the translation passes the reference's eps_inside_sqrt=False.", requires=_OPTAX),
    Case("optax.rmsprop.centered", "optax", "optax.rmsprop(centered=True, momentum=0.5, initial_scale=1)",
         _optax("rmsprop"), "rmsprop",
         {"lr": 1e-3, "beta2": 0.9, "centered": True, "momentum": 0.5, "eps_inside_sqrt": True, "v0": 1.0},
         "match", "TF1-style v_0 = 1 (initial_scale; reference option v0, added for this); optax's momentum "
         "traces lr * d, the same map for a constant lr.", requires=_OPTAX),
    Case("optax.adamw", "optax", "optax.adamw", _optax("adamw"), "adamw", {"lr": 1e-3, "weight_decay": 0.1},
         "match", requires=_OPTAX),
    Case("optax.adam.long", "optax", "optax.adam", _optax("adam"), "adam", {"lr": 1e-3}, "match",
         stream="long", requires=_OPTAX),
    Case("optax.signum", "optax", "optax.signum", _optax("signum"), "signum", {"lr": 1e-3, "beta": 0.9}, "match",
         requires=_OPTAX),
    Case("optax.sign_sgd", "optax", "optax.sign_sgd", _optax("sign_sgd"), "signsgd", {"lr": 1e-3}, "match",
         stream="zeros", requires=_OPTAX),
    Case("optax.sgd.momentum", "optax", "optax.sgd(momentum=0.9)", _optax("sgd"), "sgdm",
         {"lr": 1e-2, "beta": 0.9, "convention": "torch"}, "match", requires=_OPTAX),
    Case("optax.contrib.sam", "optax", "optax.contrib.sam (transparent mode)", _optax_sam(), "sam",
         {"lr": 1e-2, "rho": 0.05}, "match",
         "two update calls per step (adversarial, then outer), each with the gradient at the current params "
         "of the same sample.", requires=_OPTAX),
    Case("optax.contrib.sam.zeros", "optax", "optax.contrib.sam (transparent mode)", _optax_sam(), "sam",
         {"lr": 1e-2, "rho": 0.05}, "diverges at step 1",
         "normalize() computes g/||g|| with no guard: a zero gradient gives 0/0 = NaN, which reaches the params "
         "(pick_one mixes both branches arithmetically, 0 * NaN = NaN). adasam Alg. 1 / the reference: "
         "s = 0 gives delta = 0.", stream="zeros", quantity="x", requires=_OPTAX),
    Case("optax.contrib.sam.tiny", "optax", "optax.contrib.sam (transparent mode)", _optax_sam(), "sam",
         {"lr": 1e-2, "rho": 0.05}, "diverges at step 1",
         "transparent mode undoes the perturbation as params + (cache - params + u): the round trip through "
         "x + delta loses every |x| below ~u rho (here x ~ 1e-77 became 0); the paper and the reference "
         "update x itself. Opaque mode does not round-trip.", stream="tiny", quantity="x", requires=_OPTAX),
    Case("optax.contrib.sam.opaque.tiny", "optax", "optax.contrib.sam(opaque_mode=True)", _optax_sam(True), "sam",
         {"lr": 1e-2, "rho": 0.05}, "match", stream="tiny", requires=_OPTAX),
    # ----------------------------------------------------------------- torch.optim
    Case("torch.adamw", "torch", "torch.optim.AdamW", _torch("torch.optim.AdamW"), "adamw",
         {"lr": 1e-3, "weight_decay": 0.1}, "match", requires=("torch",)),
    Case("torch.amsgrad", "torch", "torch.optim.Adam(amsgrad=True)", _torch("torch.optim.Adam"), "amsgrad",
         {"lr": 1e-3}, "match", requires=("torch",)),
    Case("torch.rmsprop", "torch", "torch.optim.RMSprop", _torch("torch.optim.RMSprop"), "rmsprop",
         {"lr": 1e-3, "centered": True, "momentum": 0.5}, "match", requires=("torch",)),
    Case("torch.nadamw", "torch", "torch.optim.NAdam(decoupled_weight_decay=True)", _torch("torch.optim.NAdam"),
         "nadam", {"lr": 1e-3, "weight_decay": 0.1, "decoupled_weight_decay": True}, "match",
         requires=("torch",)),
    Case("torch.nadam.default-dtype", "torch", "torch.optim.NAdam, float64 parameters, default dtype float32",
         _torch("torch.optim.NAdam", default_dtype=False), "nadam", {"lr": 1e-3}, "diverges at step 1",
         "torch keeps NAdam's mu_product in `_get_scalar_dtype()`, the default dtype: float64 parameters under "
         "the float32 default get momentum coefficients rounded to float32 (relative error ~1e-8 in every "
         "direction d_t, ~1e-11 in x at lr = 1e-3); with torch.set_default_dtype(torch.float64), the oracle's "
         "default, it matches.", quantity="x",
         requires=("torch",)),
    Case("torch.nadam.long", "torch", "torch.optim.NAdam", _torch("torch.optim.NAdam"), "nadam", {"lr": 1e-3},
         "match", stream="long", requires=("torch",)),
]
"""The documented cases (tests/oracle/test_conformance.py, README "reference.oracle")."""
