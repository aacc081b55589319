"""Conformance of third-party optimizers: each case with the verdict found and its explanation.

Every :class:`Case` runs :func:`reference.oracle.compare` on a real implementation of one of the
reference's algorithms -- torch.optim, optax, pytorch-optimizer, lion-pytorch, Keras 3 (JAX
backend), heavyball, timm, torchopt and adam-mini (the ``oracle`` extra) -- in a configuration where
the library and the reference define the same algorithm or, where they cannot, the closest one,
with the cause of the difference read from the library's source.  A divergence is a result:
``expected`` is the verdict found, ``cause`` says why and which side follows the paper.
tests/oracle/test_conformance.py asserts every verdict, and the README table is generated from
these cases::

    python -m reference.oracle.conformance --readme README.md      # rewrite the README's table
    python -m reference.oracle.conformance --check README.md       # exit 1 if it is stale

timm's optimizers are imported without importing timm (:func:`reference.oracle.adapters.load_timm`):
``import timm`` imports torchvision, whose PyPI wheels do not load beside the CPU build of torch.
heavyball compiles its steps with ``torch.compile`` by default; the cases run them eagerly
(``heavyball.utils.compile_mode = None``: the same operations, no inductor toolchain needed).
Keras runs on the JAX backend (``KERAS_BACKEND=jax`` unless set before Keras was imported).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .adapters import functional_impl, keras_impl, load, optax_impl, torch_impl
from .compare import compare
from .result import Conformance

__all__ = ["Case", "Outcome", "CASES", "LIBRARIES", "run_case", "run_cases", "markdown_table", "readme_block",
           "update_readme"]

LIBRARIES = ("torch", "optax", "pytorch-optimizer", "lion-pytorch", "keras", "heavyball", "timm", "torchopt",
             "adam-mini")
"""The libraries of the table (distribution names; their versions go into the table)."""


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
    shape: Any = None
    groups: Sequence[dict[str, Any]] | None = None
    state_map: dict[str, Any] | None = None
    state_dtype: str | None = None
    norm_scope: str | None = None
    hp_form: str | None = None

    @property
    def configuration(self) -> str:
        hp = ", ".join(f"{k}={v}" for k, v in self.hp.items())
        kw = ", ".join(f"{k}={_name(v)}" for k, v in self.impl_kwargs.items())
        extra = f"; impl {kw}" if kw else ""
        where = ""
        if self.groups is not None:
            where = "; groups " + " / ".join(
                str(g["params"]) + "".join(f" {k}={v}" for k, v in g.items() if k != "params") for g in self.groups)
        elif self.shape is not None:
            where = f"; shape {self.shape}"
        dtype = self.dtype + (f" (state {self.state_dtype})" if self.state_dtype else "")
        return f"{self.algorithm}({hp}){extra}{where}; {dtype}, {self.stream}" + \
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
        if importlib.util.find_spec(mod) is None:  # found, not imported (timm's package imports torchvision)
            return Outcome(case, None, skipped=f"{mod} not installed")
    version = importlib.metadata.version(case.library)
    result = compare(case.make(), case.algorithm, case.hp, steps=case.steps, dtype=case.dtype, stream=case.stream,
                     impl_kwargs=case.impl_kwargs, shape=case.shape, groups=case.groups, state_map=case.state_map,
                     state_dtype=case.state_dtype, norm_scope=case.norm_scope, hp_form=case.hp_form)
    return Outcome(case, result, version)


def run_cases(pattern: str = "*") -> list[Outcome]:
    import fnmatch

    return [run_case(c) for c in CASES if fnmatch.fnmatch(c.id, pattern)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(outcomes: list[Outcome]) -> str:
    """The README conformance table: library, version, implementation, configuration, verdict, cause."""
    lines = ["| library | version | implementation | configuration | verdict | cause of any difference |",
             "|---|---|---|---|---|---|"]
    for o in outcomes:
        c, r = o.case, o.result
        assert r is not None
        verdict = r.verdict + (f" ({r.divergence.quantity})" if r.divergence is not None else "")
        cells = [c.library, o.version, f"`{c.implementation}`", c.configuration, verdict, c.cause]
        lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    return "\n".join(lines)


BEGIN, END = "<!-- conformance table: begin (python -m reference.oracle.conformance --readme README.md) -->", \
    "<!-- conformance table: end -->"


def readme_block(outcomes: list[Outcome]) -> str:
    """The generated block of the README (markers included)."""
    return f"{BEGIN}\n{markdown_table(outcomes)}\n{END}"


def update_readme(text: str, outcomes: list[Outcome]) -> str:
    """``text`` with its generated block replaced (``ValueError`` if the markers are missing)."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError("the README has no conformance table markers")
    return pattern.sub(lambda _m: readme_block(outcomes), text, count=1)


# --------------------------------------------------------------------------- builders (lazy imports)


def _torch(path: str, label: str | None = None, **opts: Any) -> Callable[[], Any]:
    def make() -> Any:
        return torch_impl(load(path), label=label or path, **opts)
    return make


def _factory(build: Callable[[Any], Any], label: str) -> Callable[[], Any]:
    """A torch factory ``params -> optimizer`` (imports inside ``build``)."""
    def make() -> Any:
        return torch_impl(build, label=label)
    return make


def _optax(name: str, **opts: Any) -> Callable[[], Any]:
    def make() -> Any:
        return optax_impl(load(f"optax.{name}"), label=f"optax.{name}", **opts)
    return make


def _keras(name: str) -> Callable[[], Any]:
    def make() -> Any:
        os.environ.setdefault("KERAS_BACKEND", "jax")
        return keras_impl(load(f"keras.optimizers.{name}"), label=f"keras.optimizers.{name}")
    return make


def _torchopt(name: str, **opts: Any) -> Callable[[], Any]:
    def make() -> Any:
        return functional_impl(load(f"torchopt.{name}"), label=f"torchopt.{name}", **opts)
    return make


def _heavyball(name: str) -> Callable[[], Any]:
    def make() -> Any:
        import heavyball
        import heavyball.utils

        heavyball.utils.compile_mode = None  # eager: the same operations without torch.compile (module docstring)
        return torch_impl(getattr(heavyball, name), label=f"heavyball.{name}")
    return make


def _heavyball_seeded(name: str) -> Callable[[], Any]:
    """heavyball with torch's generator seeded: its stochastic rounding draws from it."""
    def make() -> Any:
        import torch

        torch.manual_seed(0)
        return _heavyball(name)()
    return make


def _timm(path: str) -> Callable[[], Any]:
    def make() -> Any:
        return torch_impl(load(f"timm.optim.{path}"), label=f"timm.optim.{path.replace(':', '.')}")
    return make


def _po_sam(perturb_eps: float | None = None) -> Callable[[], Any]:
    def make() -> Any:
        import torch
        from pytorch_optimizer import SAM

        kw: dict[str, Any] = {} if perturb_eps is None else {"perturb_eps": perturb_eps}
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


def _heavyball_sam() -> Any:
    import heavyball
    import heavyball.utils

    heavyball.utils.compile_mode = None
    return torch_impl(lambda params: heavyball.SAMWrapper(params, heavyball.SGD(params, lr=1e-2, beta=0.0), ball=0.05),
                      label="heavyball.SAMWrapper(params, heavyball.SGD(params, lr=1e-2, beta=0), ball=0.05)")


def _adam_mini(weight_decay: float = 0.0) -> Callable[[], Any]:
    def make() -> Any:
        from adam_mini import Adam_mini

        def build(params: Any) -> Any:
            return Adam_mini([(f"p{i}", p) for i, p in enumerate(params)], lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                             weight_decay=weight_decay, verbose=False)
        return torch_impl(build, label="adam_mini.Adam_mini(named_parameters, lr=1e-3, eps=1e-8)")
    return make


def _po_adam_mini() -> Any:
    import torch
    from pytorch_optimizer import AdamMini

    def build(params: Any) -> Any:
        model = torch.nn.Module()
        for i, p in enumerate(params):
            model.register_parameter(f"p{i}", p)
        return AdamMini(model, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    return torch_impl(build, label="pytorch_optimizer.AdamMini(model, lr=1e-3, eps=1e-8, weight_decay=0)")


_PO = ("pytorch_optimizer",)
_OPTAX = ("optax", "jax")
_KERAS = ("keras", "jax")
_TORCH = ("torch",)
_HB = ("heavyball",)
_TIMM = ("timm",)
_TO = ("torchopt",)
_AM = ("adam_mini",)
_TWO_GROUPS: list[dict[str, Any]] = [{"params": [(3, 4), (5,)]}, {"params": [(6,)], "weight_decay": 0.0, "lr": 3e-3}]

_FLOAT32_NORM = ("pytorch-optimizer's SAM takes the global gradient norm through `get_global_gradient_norm`, which "
                 "casts the per-tensor norms to float32 (`.float()`), so the perturbation rho g/||g|| carries a "
                 "2^-24 relative error also for float64 parameters; the reference (adasam Alg. 1 line 4) and the "
                 "paper's SAM have no such rounding. In float32 it matches.")
_EPS_CLAMP = ("heavyball divides by `eps_sqrt(v) = sqrt(v^).clamp(min=eps)`, max(sqrt(v^), eps), where Adam (Kingma "
              "& Ba Alg. 1, torch, the reference) adds eps: sqrt(v^) + eps; the update differs by eps/sqrt(v^) "
              "relative (6.7e-6 here). Its buffers hold the bias-corrected moments (beta_debias), compared through "
              "the declared transform m|bias_corrected(beta1), and match.")
_OPTAX_F32_BC = ("optax forms the bias correction 1 - b^t (optax.tree.bias_correction) in the parameters' float32 "
                 "from b rounded to float32: 1 - fl32(0.999) is off by 6e-9/1e-3 = 6e-6 relative (u/(1 - b2), "
                 "far above one rounding), so d = m^/(sqrt(v^) + eps) is off by ~3e-6 at t = 1 against a one-step "
                 "float32 bound of 3.9e-6 ... the update diverges where the correction dominates; torch and the "
                 "reference form 1 - beta^t in float64.")

CASES: list[Case] = [
    # ----------------------------------------------------------------- torch.optim
    Case("torch.sgd", "torch", "torch.optim.SGD", _torch("torch.optim.SGD"), "sgdm",
         {"lr": 1e-2, "beta": 0.9, "convention": "torch", "dampening": 0.3, "weight_decay": 0.1}, "match",
         requires=_TORCH),
    Case("torch.sgd.nesterov.groups", "torch", "torch.optim.SGD(nesterov=True)", _torch("torch.optim.SGD"), "sgdm",
         {"lr": 1e-2, "beta": 0.9, "convention": "torch", "nesterov": True, "weight_decay": 0.1}, "match",
         groups=_TWO_GROUPS, requires=_TORCH),
    Case("torch.adam", "torch", "torch.optim.Adam", _torch("torch.optim.Adam"), "adam",
         {"lr": 1e-3, "weight_decay": 0.1}, "match", requires=_TORCH),
    Case("torch.adam.foreach.float32", "torch", "torch.optim.Adam(foreach=True)", _torch("torch.optim.Adam"), "adam",
         {"lr": 1e-3}, "match", impl_kwargs={"foreach": True}, dtype="float32", shape=[(3, 4), (5,)],
         requires=_TORCH),
    Case("torch.adam.fused.float32", "torch", "torch.optim.Adam(fused=True)", _torch("torch.optim.Adam"), "adam",
         {"lr": 1e-3}, "match", impl_kwargs={"fused": True}, dtype="float32", requires=_TORCH),
    Case("torch.adam.bfloat16", "torch", "torch.optim.Adam, bfloat16 parameters", _torch("torch.optim.Adam"), "adam",
         {"lr": 1e-3}, "diverges at step 1",
         "torch.optim keeps the state in the parameters' dtype (zeros_like(p)): bfloat16 moments, rounded to 2^-9 "
         "relative, where mixed precision keeps them in float32; checked as pure low precision "
         "(state_dtype='bfloat16') it matches.", dtype="bfloat16", quantity="m", requires=_TORCH),
    Case("torch.adam.bfloat16.pure", "torch", "torch.optim.Adam, bfloat16 parameters", _torch("torch.optim.Adam"),
         "adam", {"lr": 1e-3}, "match", dtype="bfloat16", state_dtype="bfloat16", requires=_TORCH),
    Case("torch.adamw", "torch", "torch.optim.AdamW", _torch("torch.optim.AdamW"), "adamw",
         {"lr": 1e-3, "weight_decay": 0.1}, "match", groups=_TWO_GROUPS, requires=_TORCH),
    Case("torch.amsgrad", "torch", "torch.optim.Adam(amsgrad=True)", _torch("torch.optim.Adam"), "amsgrad",
         {"lr": 1e-3}, "match", requires=_TORCH),
    Case("torch.rmsprop", "torch", "torch.optim.RMSprop", _torch("torch.optim.RMSprop"), "rmsprop",
         {"lr": 1e-3, "centered": True, "momentum": 0.5, "weight_decay": 0.1}, "match", requires=_TORCH),
    Case("torch.nadamw", "torch", "torch.optim.NAdam(decoupled_weight_decay=True)", _torch("torch.optim.NAdam"),
         "nadam", {"lr": 1e-3, "weight_decay": 0.1, "decoupled_weight_decay": True}, "match", requires=_TORCH),
    Case("torch.nadam.default-dtype", "torch", "torch.optim.NAdam, float64 parameters, default dtype float32",
         _torch("torch.optim.NAdam", default_dtype=False), "nadam", {"lr": 1e-3}, "diverges at step 1",
         "torch keeps NAdam's mu_product in `_get_scalar_dtype()`, the default dtype: float64 parameters under the "
         "float32 default get the momentum coefficients rounded to float32 (relative error ~1e-8 in every "
         "direction d_t); with torch.set_default_dtype(torch.float64), the oracle's default, it matches.",
         quantity="mu_product", requires=_TORCH),
    Case("torch.nadam.long", "torch", "torch.optim.NAdam", _torch("torch.optim.NAdam"), "nadam", {"lr": 1e-3},
         "match", stream="long", requires=_TORCH),
    # ----------------------------------------------------------------- optax
    Case("optax.adam", "optax", "optax.adam", _optax("adam"), "adam", {"lr": 1e-3}, "match", requires=_OPTAX),
    Case("optax.adam.float32", "optax", "optax.adam, float32", _optax("adam"), "adam", {"lr": 1e-3},
         "diverges at step 1", _OPTAX_F32_BC, dtype="float32", quantity="update", requires=_OPTAX),
    Case("optax.adamw", "optax", "optax.adamw", _optax("adamw"), "adamw", {"lr": 1e-3, "weight_decay": 0.1},
         "match", groups=_TWO_GROUPS, requires=_OPTAX),
    Case("optax.amsgrad", "optax", "optax.amsgrad", _optax("amsgrad"), "amsgrad", {"lr": 1e-3},
         "diverges at step 1",
         "optax keeps the maximum of the bias-corrected v_t/(1 - beta2^t) (bias_correction_nu=True); torch (the "
         "reference default) keeps the maximum of the raw v_t and corrects after. Neither is Reddi et al.'s Alg. 2 "
         "(no bias correction). With v_max_of='v_hat' (a reference option) it matches.",
         quantity="v_max", requires=_OPTAX),
    Case("optax.amsgrad.v_hat", "optax", "optax.amsgrad", _optax("amsgrad"), "amsgrad",
         {"lr": 1e-3, "v_max_of": "v_hat"}, "match", requires=_OPTAX),
    Case("optax.amsgrad.paper", "optax", "optax.amsgrad(bias_correction_mu=False, bias_correction_nu=False)",
         _optax("amsgrad"), "amsgrad", {"lr": 1e-3, "bias_correction": False}, "match",
         "Reddi et al. (2018) Alg. 2 as printed.",
         impl_kwargs={"bias_correction_mu": False, "bias_correction_nu": False}, requires=_OPTAX),
    Case("optax.nadam", "optax", "optax.nadam", _optax("nadam"), "nadam", {"lr": 1e-3}, "diverges at step 1",
         "optax's NAdam (scale_by_adam(nesterov=True)) has a constant mu_t = beta1; the reference's default is "
         "torch's and Dozat's (2016) schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi)). With mu_schedule='constant' "
         "it matches.", quantity="update", requires=_OPTAX),
    Case("optax.nadam.constant", "optax", "optax.nadam", _optax("nadam"), "nadam",
         {"lr": 1e-3, "mu_schedule": "constant"}, "match", requires=_OPTAX),
    Case("optax.nadamw", "optax", "optax.nadamw", _optax("nadamw"), "nadam",
         {"lr": 1e-3, "mu_schedule": "constant", "weight_decay": 0.1, "decoupled_weight_decay": True}, "match",
         requires=_OPTAX),
    Case("optax.rmsprop", "optax", "optax.rmsprop(eps_in_sqrt=False)", _optax("rmsprop"), "rmsprop",
         {"lr": 1e-3, "beta2": 0.9}, "match",
         "optax's default eps_in_sqrt=True is torch's eps outside the root only when set False (optax issue #532); "
         "the translation passes the reference's eps_inside_sqrt=False. Its trace buffer (momentum 0: the step "
         "itself) has no reference counterpart without momentum.", state_map={"trace": None}, requires=_OPTAX),
    Case("optax.rmsprop.centered", "optax", "optax.rmsprop(centered=True, momentum=0.5, initial_scale=1)",
         _optax("rmsprop"), "rmsprop",
         {"lr": 1e-3, "beta2": 0.9, "centered": True, "momentum": 0.5, "eps_inside_sqrt": True, "v0": 1.0},
         "match", "TF1-style v_0 = 1 (initial_scale, the reference's v0); optax's momentum traces the signed step "
         "-lr d_t, compared through the declared transform buf|-lr_scaled.", requires=_OPTAX),
    Case("optax.lion", "optax", "optax.lion", _optax("lion"), "lion", {"lr": 1e-3, "weight_decay": 0.1}, "match",
         "optax's default weight_decay=1e-3 differs from the reference's 0; passed explicitly here.",
         requires=_OPTAX),
    Case("optax.lion.default-wd", "optax", "optax.lion", _optax("lion"), "lion", {"lr": 1e-3}, "diverges at step 1",
         "the reference's weight_decay=0 is passed; had it been left out, optax's own default 1e-3 would apply "
         "(the record lists what an implementation keeps at its default).", impl_kwargs={"weight_decay": 1e-3},
         quantity="update", requires=_OPTAX),
    Case("optax.adan", "optax", "optax.adan", _optax("adan"), "adan", {"lr": 1e-3}, "diverges at step 2",
         "optax's scale_by_adan weights the gradient difference by (1 - b2) = 0.08 (in n_t and in the update) while "
         "its EMAs use b2 as the weight of the old value, so Alg. 1's (1 - beta2) is b2 = 0.92: the official code and "
         "the paper use 0.92 (optax PR #1715). Step 1 agrees (g_1 - g_0 = 0).", impl_kwargs={"eps_root": 0.0},
         quantity="n", requires=_OPTAX),
    Case("optax.adan.b2=0.5", "optax", "optax.adan(b2=0.5)", _optax("adan"), "adan", {"lr": 1e-3, "beta2": 0.5},
         "match", "with b2 = 0.5 the two conventions coincide (1 - b2 = b2).", impl_kwargs={"eps_root": 0.0},
         requires=_OPTAX),
    Case("optax.adan.eps_root", "optax", "optax.adan(b2=0.5) with its default eps_root=1e-8", _optax("adan"),
         "adan", {"lr": 1e-3, "beta2": 0.5}, "diverges at step 1",
         "optax.adan adds eps_root = 1e-8 inside the square root (sqrt(n^ + 1e-8) + eps), which neither Alg. 1 nor "
         "the official code has.", quantity="update", requires=_OPTAX),
    Case("optax.signum", "optax", "optax.signum", _optax("signum"), "signum", {"lr": 1e-3, "beta": 0.9}, "match",
         requires=_OPTAX),
    Case("optax.sign_sgd", "optax", "optax.sign_sgd", _optax("sign_sgd"), "signsgd", {"lr": 1e-3}, "match",
         stream="zeros", requires=_OPTAX),
    Case("optax.sgd.momentum", "optax", "optax.sgd(momentum=0.9)", _optax("sgd"), "sgdm",
         {"lr": 1e-2, "beta": 0.9, "convention": "torch"}, "match", requires=_OPTAX),
    Case("optax.sgd.nesterov", "optax", "optax.sgd(momentum=0.9, nesterov=True)", _optax("sgd"), "sgdm",
         {"lr": 1e-2, "beta": 0.9, "convention": "torch", "nesterov": True}, "match", requires=_OPTAX),
    Case("optax.contrib.sam", "optax", "optax.contrib.sam (transparent mode)", _optax_sam(), "sam",
         {"lr": 1e-2, "rho": 0.05}, "match",
         "two update calls per step (adversarial, then outer), each with the gradient at the current params of "
         "the same sample.", requires=_OPTAX),
    Case("optax.contrib.sam.zeros", "optax", "optax.contrib.sam (transparent mode)", _optax_sam(), "sam",
         {"lr": 1e-2, "rho": 0.05}, "diverges at step 1",
         "normalize() computes g/||g|| with no guard: a zero gradient gives 0/0 = NaN, which reaches the params. "
         "adasam Alg. 1 / the reference: s = 0 gives delta = 0.", stream="zeros", quantity="update",
         requires=_OPTAX),
    Case("optax.contrib.sam.tiny", "optax", "optax.contrib.sam (transparent mode)", _optax_sam(), "sam",
         {"lr": 1e-2, "rho": 0.05}, "diverges at step 1",
         "transparent mode undoes the perturbation as params + (cache - params + u): the round trip through "
         "x + delta loses every |x| below ~u rho (here x ~ 1e-77 became 0); the paper and the reference update x "
         "itself. Opaque mode does not round-trip.", stream="tiny", quantity="update", requires=_OPTAX),
    Case("optax.contrib.sam.opaque.tiny", "optax", "optax.contrib.sam(opaque_mode=True)", _optax_sam(True), "sam",
         {"lr": 1e-2, "rho": 0.05}, "match", stream="tiny", requires=_OPTAX),
    # ----------------------------------------------------------------- lion-pytorch
    Case("lion-pytorch.lion", "lion-pytorch", "lion_pytorch.Lion", _torch("lion_pytorch.Lion"), "lion",
         {"lr": 1e-3, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.1}, "match", groups=_TWO_GROUPS),
    Case("lion-pytorch.lion.zeros", "lion-pytorch", "lion_pytorch.Lion", _torch("lion_pytorch.Lion"), "lion",
         {"lr": 1e-3}, "match", stream="zeros"),
    Case("lion-pytorch.lion.long", "lion-pytorch", "lion_pytorch.Lion", _torch("lion_pytorch.Lion"), "lion",
         {"lr": 1e-3, "weight_decay": 0.1}, "match", stream="long"),
    Case("lion-pytorch.lion.float32", "lion-pytorch", "lion_pytorch.Lion", _torch("lion_pytorch.Lion"), "lion",
         {"lr": 1e-3, "weight_decay": 0.1}, "match", dtype="float32"),
    Case("lion-pytorch.lion.decoupled", "lion-pytorch",
         "lion_pytorch.Lion(lr=1e-3, weight_decay=0.1, decoupled_weight_decay=True)", _lion_pytorch_decoupled,
         "lion", {"lr": 1e-3, "weight_decay": 100.0}, "match",
         "decoupled_weight_decay=True divides weight_decay by the initial lr (x <- x (1 - lr wd / lr_0)), i.e. the "
         "reference's weight_decay = wd / lr_0 = 100 (the same map while lr is constant)."),
    # ----------------------------------------------------------------- pytorch-optimizer
    Case("pytorch-optimizer.lion", "pytorch-optimizer", "pytorch_optimizer.Lion", _torch("pytorch_optimizer.Lion"),
         "lion", {"lr": 1e-3, "weight_decay": 0.1}, "match",
         "computes c_t and m_t with lerp (m + (1 - beta)(g - m)): another rounding, the same map.", requires=_PO),
    Case("pytorch-optimizer.lion.sign-flips", "pytorch-optimizer", "pytorch_optimizer.Lion",
         _torch("pytorch_optimizer.Lion"), "lion", {"lr": 1e-3}, "match", stream="sign-flips", requires=_PO),
    Case("pytorch-optimizer.adan", "pytorch-optimizer", "pytorch_optimizer.Adan", _torch("pytorch_optimizer.Adan"),
         "adan", {"lr": 1e-3, "weight_decay": 0.02}, "match",
         "official sail-sg form (betas 0.98/0.92/0.99 weight the old value, bias correction, g_0 = g_1, proximal "
         "weight decay); weight_decouple=False is the proximal step.", requires=_PO),
    Case("pytorch-optimizer.adan.no_prox", "pytorch-optimizer", "pytorch_optimizer.Adan(weight_decouple=True)",
         _torch("pytorch_optimizer.Adan"), "adan", {"lr": 1e-3, "weight_decay": 0.02, "no_prox": True}, "match",
         requires=_PO),
    Case("pytorch-optimizer.adan.paper-betas", "pytorch-optimizer", "pytorch_optimizer.Adan, betas as in Alg. 1",
         _torch("pytorch_optimizer.Adan"), "adan", {"lr": 1e-3, "form": "paper", "beta2": 0.1},
         "diverges at step 1",
         "hp_form='as-given' passes Alg. 1's betas (0.02, 0.1, 0.01: weights of the new term) unconverted; "
         "pytorch-optimizer reads betas in the official convention (weights of the old value), so it averages with "
         "0.98/0.9/0.99 the other way round. The default form converts them and matches.", hp_form="as-given",
         quantity="m", requires=_PO),
    Case("pytorch-optimizer.adan.zeros", "pytorch-optimizer", "pytorch_optimizer.Adan",
         _torch("pytorch_optimizer.Adan"), "adan", {"lr": 1e-3}, "match", stream="zeros", requires=_PO),
    Case("pytorch-optimizer.signsgd", "pytorch-optimizer", "pytorch_optimizer.SignSGD(momentum=0)",
         _torch("pytorch_optimizer.SignSGD"), "signsgd", {"lr": 1e-3}, "match", requires=_PO),
    Case("pytorch-optimizer.signum", "pytorch-optimizer", "pytorch_optimizer.SignSGD(momentum=0.9)",
         _torch("pytorch_optimizer.SignSGD"), "signum", {"lr": 1e-3, "beta": 0.9}, "match",
         "momentum > 0 is Signum with an EMA momentum (lerp), as gsignsgd Sec. 4.", requires=_PO),
    Case("pytorch-optimizer.tiger", "pytorch-optimizer", "pytorch_optimizer.Tiger", _torch("pytorch_optimizer.Tiger"),
         "signum", {"lr": 1e-3, "beta": 0.9}, "diverges at step 1",
         "Tiger is Signum (sign of an EMA momentum), but keeps its own default weight_decay=0.01 (decoupled, "
         "x(1 - lr wd)), which Signum (gsignsgd Sec. 4) does not have: the record lists it among the defaults left "
         "in place. With impl weight_decay=0 it matches.", quantity="update", requires=_PO),
    Case("pytorch-optimizer.tiger.wd0", "pytorch-optimizer", "pytorch_optimizer.Tiger(weight_decay=0)",
         _torch("pytorch_optimizer.Tiger"), "signum", {"lr": 1e-3, "beta": 0.9}, "match",
         impl_kwargs={"weight_decay": 0.0}, requires=_PO),
    Case("pytorch-optimizer.sgdw", "pytorch-optimizer", "pytorch_optimizer.SGDW", _torch("pytorch_optimizer.SGDW"),
         "sgdm", {"lr": 1e-2, "beta": 0.9, "convention": "torch"}, "match", requires=_PO),
    Case("pytorch-optimizer.sam", "pytorch-optimizer", "pytorch_optimizer.SAM(base_optimizer=torch.optim.SGD)",
         _po_sam(), "sam", {"lr": 1e-2, "rho": 0.05}, "diverges at step 1", _FLOAT32_NORM, quantity="update",
         requires=_PO),
    Case("pytorch-optimizer.sam.float32", "pytorch-optimizer",
         "pytorch_optimizer.SAM(base_optimizer=torch.optim.SGD)", _po_sam(), "sam", {"lr": 1e-2, "rho": 0.05},
         "match", "perturb_eps = 1e-12 is added to ||g|| (a zero gradient gives no perturbation instead of 0/0).",
         dtype="float32", requires=_PO),
    Case("pytorch-optimizer.sam.zeros", "pytorch-optimizer",
         "pytorch_optimizer.SAM(base_optimizer=torch.optim.SGD)", _po_sam(), "sam", {"lr": 1e-2, "rho": 0.05},
         "match", dtype="float32", stream="zeros", requires=_PO),
    Case("pytorch-optimizer.adam-mini", "pytorch-optimizer", "pytorch_optimizer.AdamMini", _po_adam_mini, "adasgd",
         {"lr": 1e-3, "eps": 1e-8, "beta2": 0.999}, "diverges at step 1",
         "AdamMini creates m as zeros_like(p, dtype=torch.float32): the first moment is rounded to float32 also for "
         "float64 parameters.", norm_scope="tensor", quantity="m", requires=_PO),
    Case("pytorch-optimizer.adam-mini.float32", "pytorch-optimizer", "pytorch_optimizer.AdamMini", _po_adam_mini,
         "adasgd", {"lr": 1e-3, "eps": 1e-8, "beta2": 0.999}, "diverges at step 1",
         "AdamMini keeps one second moment per tensor, the mean of g^2 over it (adamlinf's AdaSGD per tensor, Alg. "
         "2: its m and v_mean match), but steps with Adam's bias corrections and eps outside the root: "
         "m^/(sqrt(v^) + eps) instead of Alg. 2's m/sqrt(v + eps).", norm_scope="tensor", dtype="float32",
         quantity="update", requires=_PO),
    # ----------------------------------------------------------------- Keras 3 (JAX backend)
    Case("keras.adam", "keras", "keras.optimizers.Adam", _keras("Adam"), "adam", {"lr": 1e-3, "eps": 1e-7},
         "diverges at step 1",
         "Keras adds epsilon to the uncorrected root: lr sqrt(1 - b2^t)/(1 - b1^t) m/(sqrt(v) + eps), Kingma & Ba's "
         "'more efficient' form, i.e. eps^ = eps sqrt(1 - b2^t) in Alg. 1's terms (torch, the reference: "
         "m^/(sqrt(v^) + eps)); with eps = 0 they are one map.", quantity="update", requires=_KERAS),
    Case("keras.adam.eps0", "keras", "keras.optimizers.Adam(epsilon=0)", _keras("Adam"), "adam",
         {"lr": 1e-3, "eps": 0.0}, "match", requires=_KERAS),
    Case("keras.adam.eps0.zeros", "keras", "keras.optimizers.Adam(epsilon=0)", _keras("Adam"), "adam",
         {"lr": 1e-3, "eps": 0.0}, "diverges at step 1",
         "with epsilon = 0 a zero gradient gives m/sqrt(v) = 0/0 = NaN in the parameters; the reference (and its "
         "numerical policy: no NaN from finite input) takes 0/0 = 0.", stream="zeros", quantity="update",
         requires=_KERAS),
    Case("keras.adam.float32", "keras", "keras.optimizers.Adam(epsilon=0), float32", _keras("Adam"), "adam",
         {"lr": 1e-3, "eps": 0.0}, "diverges at step 1",
         "Keras forms beta_2_power = power(cast(beta_2, float32), t): 1 - fl32(0.999)^t is 1.3e-5 off (u/(1 - b2)), "
         "6e-6 in the update, 1.6 times one float32 step's bound; torch and the reference form 1 - beta^t in "
         "float64.", dtype="float32", quantity="update", requires=_KERAS),
    Case("keras.adamw", "keras", "keras.optimizers.AdamW(epsilon=0)", _keras("AdamW"), "adamw",
         {"lr": 1e-3, "weight_decay": 0.1, "eps": 0.0}, "match", groups=_TWO_GROUPS, requires=_KERAS),
    Case("keras.amsgrad", "keras", "keras.optimizers.Adam(amsgrad=True, epsilon=0)", _keras("Adam"), "amsgrad",
         {"lr": 1e-3, "eps": 0.0}, "match", requires=_KERAS),
    Case("keras.nadam", "keras", "keras.optimizers.Nadam", _keras("Nadam"), "nadam", {"lr": 1e-3, "eps": 1e-7},
         "diverges at step 1",
         "Keras' Nadam uses mu_t = b1 (1 - 0.5 * 0.96^t): Dozat's schedule with psi = 1 where torch (and the "
         "reference's default) use momentum_decay psi = 0.004; with momentum_decay=1 it matches.",
         quantity="update", requires=_KERAS),
    Case("keras.nadam.psi1", "keras", "keras.optimizers.Nadam", _keras("Nadam"), "nadam",
         {"lr": 1e-3, "eps": 1e-7, "momentum_decay": 1.0}, "match", requires=_KERAS),
    Case("keras.rmsprop", "keras", "keras.optimizers.RMSprop(momentum=0.5, centered=True)", _keras("RMSprop"),
         "rmsprop", {"lr": 1e-3, "beta2": 0.9, "momentum": 0.5, "centered": True, "eps_inside_sqrt": True,
                     "eps": 1e-7}, "match",
         "epsilon inside the root (sqrt(v - g_avg^2 + eps)); its momentum holds lr d_t (m <- mu m + lr g/a), "
         "compared through the declared transform buf|lr_scaled.", requires=_KERAS),
    Case("keras.lion", "keras", "keras.optimizers.Lion", _keras("Lion"), "lion", {"lr": 1e-3}, "match",
         requires=_KERAS),
    Case("keras.lion.bfloat16", "keras", "keras.optimizers.Lion, bfloat16 parameters", _keras("Lion"), "lion",
         {"lr": 1e-3}, "diverges at step 1",
         "checked as pure bfloat16 (Keras keeps the state in the variables' dtype): Keras casts beta_2 = 0.99 to "
         "bfloat16 (0.98828) before forming 1 - beta_2 = 0.0117, 17 % off 0.01, far above bfloat16's one-step "
         "bound; forming 1 - beta_2 first and rounding it (0.010010) would be within it.", dtype="bfloat16",
         state_dtype="bfloat16", quantity="m", requires=_KERAS),
    Case("keras.sgd", "keras", "keras.optimizers.SGD(momentum=0.9, nesterov=True)", _keras("SGD"), "sgdm",
         {"lr": 1e-2, "beta": 0.9, "convention": "torch", "nesterov": True}, "match",
         "its velocity is v_t = mu v - lr g = -lr m_t (torch's m, constant lr), compared through the declared "
         "transform m|-lr_scaled.", requires=_KERAS),
    # ----------------------------------------------------------------- heavyball
    Case("heavyball.adamw", "heavyball", "heavyball.AdamW(storage_dtype='float64')", _heavyball("AdamW"), "adamw",
         {"lr": 1e-3, "weight_decay": 0.1}, "diverges at step 1", _EPS_CLAMP,
         impl_kwargs={"storage_dtype": "float64"}, quantity="update", requires=_HB),
    Case("heavyball.adamw.eps0", "heavyball", "heavyball.AdamW(eps=0, storage_dtype='float64')", _heavyball("AdamW"),
         "adamw", {"lr": 1e-3, "weight_decay": 0.1, "eps": 0.0}, "match",
         impl_kwargs={"storage_dtype": "float64"}, requires=_HB),
    Case("heavyball.adamw.storage", "heavyball", "heavyball.AdamW(eps=0), default storage", _heavyball("AdamW"),
         "adamw", {"lr": 1e-3, "weight_decay": 0.1, "eps": 0.0}, "diverges at step 1",
         "heavyball's default storage_dtype='float32' keeps the moments in float32 also for float64 parameters.",
         quantity="m", requires=_HB),
    Case("heavyball.adamw.bfloat16", "heavyball", "heavyball.AdamW(eps=0), bfloat16 parameters",
         _heavyball_seeded("AdamW"), "adamw", {"lr": 1e-3, "weight_decay": 0.1, "eps": 0.0}, "diverges at step 1",
         "mixed precision (float32 storage), but the float32 result is written into the bfloat16 parameters with "
         "stochastic rounding (copy_stochastic_): an error of up to one ulp, random in sign, where round to nearest "
         "(R8's allowance) errs by half an ulp at most; the step it shows at depends on torch's generator (seeded "
         "0 here).", dtype="bfloat16", quantity="update", requires=_HB),
    Case("heavyball.nadam", "heavyball", "heavyball.NAdam(eps=0, storage_dtype='float64')", _heavyball("NAdam"),
         "nadam", {"lr": 1e-3, "eps": 0.0}, "match",
         "m raw, v bias-corrected in storage (compared through v|bias_corrected(beta2)); with eps > 0 its "
         "clamp max(sqrt(v^), eps) differs as in AdamW.", impl_kwargs={"storage_dtype": "float64"}, requires=_HB),
    Case("heavyball.rmsprop", "heavyball", "heavyball.RMSprop(eps=0, storage_dtype='float64')", _heavyball("RMSprop"),
         "adam", {"lr": 1e-3, "beta1": 0.0, "beta2": 0.99, "eps": 0.0}, "match",
         "heavyball's RMSprop is Adam with beta1 = 0: it divides by the bias-corrected root sqrt(v_t/(1 - b2^t)) "
         "(betas[1] is the decay), where RMSprop (Hinton; torch, the reference's rmsprop) uses sqrt(v_t).",
         impl_kwargs={"storage_dtype": "float64"},
         state_map={"scale_by_exp_avg_sq_exp_avg_sq_0": "v|bias_corrected(beta2)"},
         requires=_HB),
    Case("heavyball.sgd", "heavyball", "heavyball.SGD(storage_dtype='float64')", _heavyball("SGD"), "sgdm",
         {"lr": 1e-2, "beta": 0.9, "convention": "torch", "weight_decay": 0.0}, "match",
         "heavy-ball momentum m_t = beta m + g (torch's convention, beta named beta).",
         impl_kwargs={"storage_dtype": "float64"}, requires=_HB),
    Case("heavyball.sam", "heavyball", "heavyball.SAMWrapper(SGD(beta=0), ball=0.05)", _heavyball_sam, "sam",
         {"lr": 1e-2, "rho": 0.05}, "diverges at step 1",
         "SAMWrapper is ASAM (Kwon et al. 2021): the ascent step is x + ball g p^2, elementwise scaled by the "
         "parameters and not normalised, where SAM (adasam Alg. 1) steps rho g/||g||.", quantity="update",
         requires=_HB),
    # ----------------------------------------------------------------- timm (without torchvision)
    Case("timm.lion", "timm", "timm.optim.Lion", _timm("lion:Lion"), "lion", {"lr": 1e-3, "weight_decay": 0.1},
         "match", requires=_TIMM),
    Case("timm.adan", "timm", "timm.optim.Adan", _timm("adan:Adan"), "adan", {"lr": 1e-3, "weight_decay": 0.02},
         "match", requires=_TIMM),
    Case("timm.adan.no_prox", "timm", "timm.optim.Adan(no_prox=True)", _timm("adan:Adan"), "adan",
         {"lr": 1e-3, "weight_decay": 0.02, "no_prox": True}, "match", requires=_TIMM),
    Case("timm.adamw", "timm", "timm.optim.AdamWLegacy", _timm("adamw:AdamWLegacy"), "adamw",
         {"lr": 1e-3, "weight_decay": 0.1}, "match", requires=_TIMM),
    Case("timm.nadam", "timm", "timm.optim.NAdamLegacy", _timm("nadam:NAdamLegacy"), "nadam", {"lr": 1e-3},
         "match", requires=_TIMM),
    Case("timm.nadamw", "timm", "timm.optim.NAdamW", _timm("nadamw:NAdamW"), "nadam",
         {"lr": 1e-3, "weight_decay": 0.1, "decoupled_weight_decay": True, "mu_schedule": "constant"},
         "diverges at step 1",
         "timm's NAdamW applies Nesterov's look-ahead as exp_avg.lerp(grad, 1 - beta1) divided by 1 - beta1^t, "
         "(beta1 m_t + (1 - beta1) g_t)/(1 - beta1^t); with a constant mu = beta1 Dozat's NAdam (optax, the "
         "reference's mu_schedule='constant') corrects beta1 m_t by 1 - beta1^(t+1).", quantity="update",
         requires=_TIMM),
    Case("timm.rmsprop_tf", "timm", "timm.optim.RMSpropTF", _timm("rmsprop_tf:RMSpropTF"), "rmsprop",
         {"lr": 1e-3, "beta2": 0.9, "v0": 1.0, "eps_inside_sqrt": True}, "match",
         "TensorFlow's RMSProp: v_0 = 1 and eps inside the root, both built in (the reference options v0 and "
         "eps_inside_sqrt, numeric convention options that the class has no parameter for).", requires=_TIMM),
    Case("timm.sgdw", "timm", "timm.optim.SGDW", _timm("sgdw:SGDW"), "sgdm",
         {"lr": 1e-2, "beta": 0.9, "convention": "torch"}, "match", requires=_TIMM),
    # ----------------------------------------------------------------- torchopt
    Case("torchopt.adam", "torchopt", "torchopt.adam (functional)", _torchopt("adam"), "adam", {"lr": 1e-3},
         "match", requires=_TO),
    Case("torchopt.adam.float32", "torchopt", "torchopt.adam (functional), float32", _torchopt("adam"), "adam",
         {"lr": 1e-3}, "diverges at step 1",
         "the bias corrections 1 - pow(b, count) are formed in float32 from b rounded to float32: 1 - fl32(0.999) "
         "is 1.3e-5 off, 6e-6 in the update, 1.6 times one float32 step's bound.", dtype="float32",
         quantity="update", requires=_TO),
    Case("torchopt.adam.default-dtype", "torchopt", "torchopt.adam (functional), default dtype float32",
         _torchopt("adam", default_dtype=False), "adam", {"lr": 1e-3}, "diverges at step 1",
         "torchopt's scale_by_adam forms the bias corrections 1 - b^count from its count tensor in the default "
         "dtype: under the float32 default, float64 parameters get corrections rounded to float32.",
         quantity="update", requires=_TO),
    Case("torchopt.adamw", "torchopt", "torchopt.adamw (functional)", _torchopt("adamw"), "adamw",
         {"lr": 1e-3, "weight_decay": 0.1}, "match", groups=_TWO_GROUPS, requires=_TO),
    Case("torchopt.sgd", "torchopt", "torchopt.sgd (functional)", _torchopt("sgd"), "sgdm",
         {"lr": 1e-2, "beta": 0.9, "convention": "torch", "nesterov": True}, "match", requires=_TO),
    Case("torchopt.rmsprop", "torchopt", "torchopt.rmsprop (functional)", _torchopt("rmsprop"), "rmsprop",
         {"lr": 1e-3, "beta2": 0.9, "momentum": 0.5, "centered": True}, "match",
         "its trace(momentum) buffer is RMSprop's buf (the step before the sign flip and lr scaling).",
         requires=_TO),
    Case("torchopt.Adam", "torchopt", "torchopt.Adam (class)", _torch("torchopt.Adam"), "adam", {"lr": 1e-3},
         "match", requires=_TO),
    Case("torchopt.SGD", "torchopt", "torchopt.SGD (class)", _torch("torchopt.SGD"), "sgdm",
         {"lr": 1e-2, "beta": 0.9, "convention": "torch"}, "match", requires=_TO),
    Case("torchopt.AdamW", "torchopt", "torchopt.AdamW (class)", _torch("torchopt.AdamW"), "adamw",
         {"lr": 1e-3, "weight_decay": 0.1}, "match", requires=_TO),
    Case("torchopt.RMSProp", "torchopt", "torchopt.RMSProp (class)", _torch("torchopt.RMSProp"), "rmsprop",
         {"lr": 1e-3, "beta2": 0.9, "momentum": 0.5}, "match", requires=_TO),
    # ----------------------------------------------------------------- adam-mini
    Case("adam-mini", "adam-mini", "adam_mini.Adam_mini", _adam_mini(), "adasgd",
         {"lr": 1e-3, "eps": 1e-8, "beta2": 0.999},
         "diverges at step 1",
         "for a tensor outside its name lists Adam-mini keeps one second moment, the mean of g^2 over the tensor "
         "(adamlinf's AdaSGD per tensor, Alg. 2: m and v match), and steps with Adam's bias corrections and eps "
         "outside the root: m^/(sqrt(v^) + eps) instead of Alg. 2's m/sqrt(v + eps).", norm_scope="tensor",
         groups=[{"params": [(4, 3), (5,)]}], quantity="update", requires=_AM),
]
"""The documented cases (tests/oracle/test_conformance.py, README "reference.oracle")."""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reference.oracle.conformance",
                                 description="Run the conformance cases and write or check the README's table.")
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--readme", metavar="PATH", help="rewrite the table between the README's markers")
    group.add_argument("--check", metavar="PATH", help="exit 1 if the README's table is not what the cases give")
    group.add_argument("--print", action="store_true", help="print the table")
    args = ap.parse_args(argv)
    outcomes = run_cases()
    skipped = [o for o in outcomes if o.result is None]
    if skipped:
        print(f"error: {len(skipped)} cases skipped (install the oracle extra): "
              + ", ".join(o.case.id for o in skipped), file=sys.stderr)
        return 2
    if args.print:
        print(markdown_table(outcomes))
        return 0
    path = args.readme or args.check
    with open(path) as fh:
        text = fh.read()
    new = update_readme(text, outcomes)
    if args.check:
        if new != text:
            print(f"{path}: the conformance table is stale; run python -m reference.oracle.conformance --readme "
                  f"{path}", file=sys.stderr)
            return 1
        return 0
    if new != text:
        from .__main__ import write_atomic

        write_atomic(path, new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
