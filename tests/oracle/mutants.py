"""Optimizers written as a user would, correct and with one bug each: the oracle's mutation suite.

Each is a small ``torch.optim.Optimizer`` over any number of tensors and param groups.  The state
and the arithmetic are in float32 for bfloat16/float16 parameters (mixed precision, as the oracle
expects by default) and in the parameters' dtype otherwise.  ``BUGGY`` holds the mutants, each with
the reference algorithm and hyperparameters it claims to implement and, per dtype, where the oracle
must first see it with its default settings (``stream='all'``): ``(stream, step, quantity)``, or
None with the reason the defect cannot exceed that dtype's rounding.  ``CORRECT`` holds correct
implementations written differently from the reference (lerp instead of an EMA, torch's fused
form of Adam, foreach and fused torch kernels): they must match in every dtype and stream.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch


class _Base(torch.optim.Optimizer):
    """One parameter at a time: ``x_next = self.update(x, g, state, group, t)`` in the state dtype."""

    def __init__(self, params: Any, **defaults: Any) -> None:
        super().__init__(params, defaults)

    def init(self, x: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def work_dtype(p: torch.Tensor) -> torch.dtype:
        return torch.float32 if p.dtype in (torch.bfloat16, torch.float16) else p.dtype

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                x = p.detach().to(self.work_dtype(p))
                if not state:
                    state["step"] = 0
                    self.init(x, state, group)
                state["step"] += 1
                g = p.grad.to(x.dtype)
                p.copy_(self.update(x, g, state, group, state["step"], closure))
        return None


# --------------------------------------------------------------------------- Adam family


class Adam(_Base):
    """Adam (Kingma & Ba Alg. 1, torch.optim.Adam): coupled weight decay, eps outside the root."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def init(self, x: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["exp_avg"] = torch.zeros_like(x)
        state["exp_avg_sq"] = torch.zeros_like(x)

    def corrections(self, group: dict[str, Any], t: int) -> tuple[float, float]:
        b1, b2 = group["betas"]
        return 1 - b1**t, 1 - b2**t

    def moments(self, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        b1, b2 = group["betas"]
        state["exp_avg"].mul_(b1).add_(g, alpha=1 - b1)
        state["exp_avg_sq"].mul_(b2).addcmul_(g, g, value=1 - b2)

    def direction(self, state: dict[str, Any], group: dict[str, Any], t: int) -> torch.Tensor:
        c1, c2 = self.corrections(group, t)
        m_hat, v_hat = state["exp_avg"] / c1, state["exp_avg_sq"] / c2
        return m_hat / (v_hat.sqrt() + group["eps"])

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        if group["weight_decay"]:
            g = g + group["weight_decay"] * x
        self.moments(g, state, group)
        return x - group["lr"] * self.direction(state, group, t)


class AdamW(Adam):
    """AdamW: decoupled weight decay x (1 - lr wd) - lr d."""

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        self.moments(g, state, group)
        return x * (1 - group["lr"] * group["weight_decay"]) - group["lr"] * self.direction(state, group, t)


class AdamLerp(Adam):
    """Correct: the moments with lerp (m + (1 - b)(g - m)), as many libraries write them."""

    def moments(self, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        b1, b2 = group["betas"]
        state["exp_avg"].lerp_(g, 1 - b1)
        state["exp_avg_sq"].lerp_(g * g, 1 - b2)


class AdamTorchForm(Adam):
    """Correct: torch's fused form lr/c1 * m / (sqrt(v)/sqrt(c2) + eps)."""

    def direction(self, state: dict[str, Any], group: dict[str, Any], t: int) -> torch.Tensor:
        c1, c2 = self.corrections(group, t)
        return (state["exp_avg"] / (state["exp_avg_sq"].sqrt() / math.sqrt(c2) + group["eps"])) / c1


class AdamWDecayInsideStep(AdamW):
    """Correct: x - lr (d + wd x), the same map as x (1 - lr wd) - lr d."""

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        self.moments(g, state, group)
        return x - group["lr"] * (self.direction(state, group, t) + group["weight_decay"] * x)


class AdamBiasOffByOne(Adam):
    """Bug: bias corrections with t + 1."""

    def corrections(self, group: dict[str, Any], t: int) -> tuple[float, float]:
        return super().corrections(group, t + 1)


class AdamBiasOffAfter50(Adam):
    """Bug only after step 50: the corrections use t - 1 from step 51 on."""

    def corrections(self, group: dict[str, Any], t: int) -> tuple[float, float]:
        return super().corrections(group, t - 1 if t > 50 else t)


class AdamEpsInside(Adam):
    """Bug: eps inside the root, sqrt(v^ + eps)."""

    def direction(self, state: dict[str, Any], group: dict[str, Any], t: int) -> torch.Tensor:
        c1, c2 = self.corrections(group, t)
        return (state["exp_avg"] / c1) / (state["exp_avg_sq"] / c2 + group["eps"]).sqrt()


class AdamSwappedBetas(Adam):
    """Bug: beta1 and beta2 exchanged."""

    def moments(self, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        b2, b1 = group["betas"]
        state["exp_avg"].mul_(b1).add_(g, alpha=1 - b1)
        state["exp_avg_sq"].mul_(b2).addcmul_(g, g, value=1 - b2)


class AdamWCoupled(Adam):
    """Bug: AdamW with coupled decay (g + wd x into the moments) -- Adam's L2, not AdamW."""


class AdamFloat32State(Adam):
    """Bug: the moments kept in float32 whatever the parameters' dtype."""

    def init(self, x: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["exp_avg"] = torch.zeros_like(x, dtype=torch.float32)
        state["exp_avg_sq"] = torch.zeros_like(x, dtype=torch.float32)

    def moments(self, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        super().moments(g.float(), state, group)

    def direction(self, state: dict[str, Any], group: dict[str, Any], t: int) -> torch.Tensor:
        return super().direction(state, group, t).to(self._dtype)

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        self._dtype = x.dtype
        return super().update(x, g, state, group, t, closure)


class AdamSkipsZeroGradients(Adam):
    """Bug only on zero gradients: the moments are not decayed where g == 0 (a sparse-style update)."""

    def moments(self, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        keep_m, keep_v = state["exp_avg"].clone(), state["exp_avg_sq"].clone()
        super().moments(g, state, group)
        zero = g == 0
        state["exp_avg"][zero] = keep_m[zero]
        state["exp_avg_sq"][zero] = keep_v[zero]


class AdamBiasCorrectionFloat32(Adam):
    """Bug: the bias corrections 1 - b^t formed in float32 (from b rounded to float32) for any dtype."""

    def corrections(self, group: dict[str, Any], t: int) -> tuple[float, float]:
        b1, b2 = (torch.tensor(b, dtype=torch.float32) for b in group["betas"])
        return float(1 - b1**t), float(1 - b2**t)


class AMSGrad(Adam):
    """AMSGrad in torch's form: the maximum of the raw v, corrected after."""

    def init(self, x: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        super().init(x, state, group)
        state["max_exp_avg_sq"] = torch.zeros_like(x)

    def direction(self, state: dict[str, Any], group: dict[str, Any], t: int) -> torch.Tensor:
        c1, c2 = self.corrections(group, t)
        vmax = self.maximum(state)
        return (state["exp_avg"] / c1) / ((vmax / c2).sqrt() + group["eps"])

    def maximum(self, state: dict[str, Any]) -> torch.Tensor:
        torch.maximum(state["max_exp_avg_sq"], state["exp_avg_sq"], out=state["max_exp_avg_sq"])
        return state["max_exp_avg_sq"]


class AMSGradNoMax(AMSGrad):
    """Bug: the running maximum is replaced by the current v (Adam again)."""

    def maximum(self, state: dict[str, Any]) -> torch.Tensor:
        state["max_exp_avg_sq"].copy_(state["exp_avg_sq"])
        return state["max_exp_avg_sq"]


# --------------------------------------------------------------------------- NAdam


class NAdamWrongSignDecay(_Base):
    """Bug (found in a library): NAdam whose coupled weight decay enters with the wrong sign, g - wd x."""

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         momentum_decay=momentum_decay)

    def init(self, x: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["exp_avg"] = torch.zeros_like(x)
        state["exp_avg_sq"] = torch.zeros_like(x)
        state["mu_product"] = 1.0

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        b1, b2 = group["betas"]
        g = g - group["weight_decay"] * x
        mu = b1 * (1 - 0.5 * 0.96 ** (t * group["momentum_decay"]))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * group["momentum_decay"]))
        state["mu_product"] *= mu
        mp = state["mu_product"]
        state["exp_avg"].lerp_(g, 1 - b1)
        state["exp_avg_sq"].mul_(b2).addcmul_(g, g, value=1 - b2)
        den = (state["exp_avg_sq"] / (1 - b2**t)).sqrt() + group["eps"]
        num = (1 - mu) / (1 - mp) * g + mu_next / (1 - mp * mu_next) * state["exp_avg"]
        return x - group["lr"] * num / den


# --------------------------------------------------------------------------- Lion, Signum


class Lion(_Base):
    """Lion (Chen et al. 2023): sign(b1 m + (1 - b1) g), m <- b2 m + (1 - b2) g, decoupled decay."""

    def __init__(self, params: Any, lr: float = 1e-4, betas: tuple[float, float] = (0.9, 0.99),
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, betas=betas, weight_decay=weight_decay)

    def init(self, x: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["exp_avg"] = torch.zeros_like(x)

    def sign(self, c: torch.Tensor) -> torch.Tensor:
        return torch.sign(c)

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        b1, b2 = group["betas"]
        m = state["exp_avg"]
        c = b1 * m + (1 - b1) * g
        m.mul_(b2).add_(g, alpha=1 - b2)
        return x * (1 - group["lr"] * group["weight_decay"]) - group["lr"] * self.sign(c)


class LionWhere(Lion):
    """Correct: the sign written with torch.where (+1, -1, 0) and the interpolation with lerp."""

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        b1, b2 = group["betas"]
        m = state["exp_avg"]
        c = m.lerp(g, 1 - b1)
        s = torch.where(c > 0, 1.0, torch.where(c < 0, -1.0, 0.0)).to(x.dtype)
        m.lerp_(g, 1 - b2)
        return x - group["lr"] * (s + group["weight_decay"] * x)


class LionSignZeroIsOne(Lion):
    """Bug only on zero gradients: sign(0) = +1 (c >= 0 -> 1)."""

    def sign(self, c: torch.Tensor) -> torch.Tensor:
        return torch.where(c >= 0, 1.0, -1.0).to(c.dtype)


class LionSwappedBetas(Lion):
    """Bug: the interpolation uses b2 and the momentum b1."""

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        b2, b1 = group["betas"]
        m = state["exp_avg"]
        c = b1 * m + (1 - b1) * g
        m.mul_(b2).add_(g, alpha=1 - b2)
        return x * (1 - group["lr"] * group["weight_decay"]) - group["lr"] * torch.sign(c)


class Signum(_Base):
    """Signum (gsignsgd Sec. 4): m <- b m + (1 - b) g, x <- x - lr sign(m)."""

    def __init__(self, params: Any, lr: float = 1e-3, beta: float = 0.9, momentum_form: str = "ema") -> None:
        super().__init__(params, lr=lr, beta=beta, momentum_form=momentum_form)

    def init(self, x: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["m"] = torch.zeros_like(x)

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        b = group["beta"]
        if group["momentum_form"] == "ema":
            state["m"].mul_(b).add_(g, alpha=1 - b)
        else:  # the bug: heavy-ball sum m <- b m + g (the sign is the same at step 1)
            state["m"].mul_(b).add_(g)
        return x - group["lr"] * torch.sign(state["m"])


# --------------------------------------------------------------------------- SGD with momentum


class SGDNesterov(_Base):
    """torch.optim.SGD(nesterov=True)'s update, written out; ``bug='buffer'`` steps with m instead of
    g + b m."""

    def __init__(self, params: Any, lr: float = 1e-2, momentum: float = 0.9, bug: str = "") -> None:
        super().__init__(params, lr=lr, momentum=momentum, bug=bug)

    def init(self, x: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["momentum_buffer"] = torch.zeros_like(x)

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        b = group["momentum"]
        m = state["momentum_buffer"]
        if t == 1:
            m.copy_(g)
        else:
            m.mul_(b).add_(g)
        d = m if group["bug"] == "buffer" else g + b * m
        return x - group["lr"] * d


# --------------------------------------------------------------------------- Adan


class Adan(_Base):
    """Adan, official form (sail-sg/Adan): g_0 = g_1, bias corrections, proximal decay; ``bug='first'``:
    the first step makes no update (the moments are only initialised), a defect found in a library."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float, float] = (0.98, 0.92, 0.99),
                 eps: float = 1e-8, weight_decay: float = 0.0, bug: str = "") -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, bug=bug)

    def init(self, x: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        for k in ("exp_avg", "exp_avg_diff", "exp_avg_sq"):
            state[k] = torch.zeros_like(x)

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        b1, b2, b3 = group["betas"]
        prev = state.get("pre_grad", g)
        diff = g - prev
        state["pre_grad"] = g.clone()
        state["exp_avg"].mul_(b1).add_(g, alpha=1 - b1)
        state["exp_avg_diff"].mul_(b2).add_(diff, alpha=1 - b2)
        u = g + b2 * diff
        state["exp_avg_sq"].mul_(b3).addcmul_(u, u, value=1 - b3)
        if group["bug"] == "first" and t == 1:
            return x
        den = state["exp_avg_sq"].sqrt() / math.sqrt(1 - b3**t) + group["eps"]
        num = state["exp_avg"] / (1 - b1**t) + b2 * state["exp_avg_diff"] / (1 - b2**t)
        lr = group["lr"]
        return (x - lr * num / den) / (1 + lr * group["weight_decay"])


# --------------------------------------------------------------------------- SAM and NSGD-M


class SAM(_Base):
    """SAM-SGD (adasam Alg. 1 with beta = 0): g at x + rho s/||s||, the norm over all the group's
    tensors; ``bug='unnormalised'`` perturbs by rho s."""

    def __init__(self, params: Any, lr: float = 1e-2, rho: float = 0.05, bug: str = "") -> None:
        super().__init__(params, lr=lr, rho=rho, bug=bug)

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        assert closure is not None
        for group in self.param_groups:
            ps = [p for p in group["params"] if p.grad is not None]
            s = [p.grad.detach().to(self.work_dtype(p)).clone() for p in ps]
            n = torch.sqrt(sum((v * v).sum() for v in s))
            scale = group["rho"] if group["bug"] == "unnormalised" else (group["rho"] / n if n > 0 else 0.0)
            x0 = [p.detach().to(self.work_dtype(p)).clone() for p in ps]
            for p, x, v in zip(ps, x0, s):
                p.copy_(x + scale * v)
            with torch.enable_grad():
                closure()
            for p, x in zip(ps, x0):
                p.copy_(x - group["lr"] * p.grad.to(x.dtype))
        return None


class NSGDM(_Base):
    """Normalized SGD with momentum (nsgdm Eqs. 2-3, m_1 = g_1): x - lr m/||m|| per tensor;
    ``bug='normalise-first'`` normalises the gradient before the momentum, d = EMA of g/||g||."""

    def __init__(self, params: Any, lr: float = 1e-2, beta: float = 0.9, bug: str = "") -> None:
        super().__init__(params, lr=lr, beta=beta, bug=bug)

    def init(self, x: torch.Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["m"] = torch.zeros_like(x)

    def update(self, x: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any], t: int,
               closure: Callable[[], Any] | None) -> torch.Tensor:
        b, m = group["beta"], state["m"]
        if group["bug"] == "normalise-first":
            n = g.norm()
            gn = g / n if n > 0 else g
            m.copy_(gn if t == 1 else b * m + (1 - b) * gn)
            return x - group["lr"] * m
        m.copy_(g if t == 1 else b * m + (1 - b) * g)
        n = m.norm()
        return x - group["lr"] * (m / n if n > 0 else m)


# --------------------------------------------------------------------------- the suites


@dataclass(frozen=True)
class Mutant:
    """A buggy optimizer and where the oracle must first see it, per dtype."""

    id: str
    make: Callable[[Any], torch.optim.Optimizer]
    algorithm: str
    hp: dict[str, Any]
    bug: str
    expected: dict[str, tuple[str, int, str] | str]   # dtype -> (stream, step, quantity) | why not detectable
    kwargs: dict[str, Any] = field(default_factory=dict)  # extra compare() arguments (none: default settings)


_UPDATE_ONLY_BF16 = ("the defect changes only the update, by less than bfloat16 parameters can represent at the "
                     "default lr (x is stored to 2^-9 |x|, the update lr d moves it by ~1e-3 |d|)")
_STATE_EXACT_32 = "in float32 the float32 state is what the implementation should keep: not a defect"

BUGGY: list[Mutant] = [
    Mutant("adam.bias-off-by-one", lambda ps: AdamBiasOffByOne(ps, lr=1e-3), "adam", {"lr": 1e-3},
           "bias corrections one step off (t + 1)",
           {"float64": ("heavy-tailed", 1, "update"), "float32": ("heavy-tailed", 1, "update"),
            "bfloat16": ("heavy-tailed", 1, "update")}),
    Mutant("adam.eps-inside", lambda ps: AdamEpsInside(ps, lr=1e-3), "adam", {"lr": 1e-3},
           "eps inside the square root",
           {"float64": ("heavy-tailed", 1, "update"), "float32": ("heavy-tailed", 1, "update"),
            # 0.5 % of the update where |g| ~ 1e-3: bfloat16 x shows it where |x| is small enough (x0 spans
            # three decades)
            "bfloat16": ("heavy-tailed", 1, "update")}),
    Mutant("adam.swapped-betas", lambda ps: AdamSwappedBetas(ps, lr=1e-3), "adam", {"lr": 1e-3},
           "beta1 and beta2 exchanged",
           {"float64": ("heavy-tailed", 1, "m"), "float32": ("heavy-tailed", 1, "m"),
            "bfloat16": ("heavy-tailed", 1, "m")}),
    Mutant("adamw.coupled", lambda ps: AdamWCoupled(ps, lr=1e-3, weight_decay=0.1), "adamw",
           {"lr": 1e-3, "weight_decay": 0.1}, "coupled instead of decoupled weight decay",
           {"float64": ("heavy-tailed", 1, "m"), "float32": ("heavy-tailed", 1, "m"),
            "bfloat16": ("heavy-tailed", 1, "m")}),
    Mutant("adam.float32-state", lambda ps: AdamFloat32State(ps, lr=1e-3), "adam", {"lr": 1e-3},
           "moments kept in float32 whatever the parameters' dtype",
           {"float64": ("heavy-tailed", 1, "m"), "float32": _STATE_EXACT_32,
            "bfloat16": "mixed precision keeps the state in float32: the intended behaviour"}),
    Mutant("adam.bias-off-after-50", lambda ps: AdamBiasOffAfter50(ps, lr=1e-3), "adam", {"lr": 1e-3},
           "bias corrections with t - 1 from step 51 on",
           {"float64": ("heavy-tailed", 51, "update"), "float32": ("heavy-tailed", 51, "update"),
            # ~1 % of the update from step 51; bfloat16 x first resolves it at step 73 (where a coordinate
            # is small enough that its rounding, 2^-9 |x|, falls below lr times that 1 %)
            "bfloat16": ("heavy-tailed", 73, "update")}),
    Mutant("adam.skips-zero-gradients", lambda ps: AdamSkipsZeroGradients(ps, lr=1e-3), "adam", {"lr": 1e-3},
           "moments not decayed where the gradient is exactly 0",
           {"float64": ("zeros", 6, "m"), "float32": ("zeros", 6, "m"), "bfloat16": ("zeros", 6, "m")}),
    Mutant("adam.float32-bias-correction", lambda ps: AdamBiasCorrectionFloat32(ps, lr=1e-3), "adam", {"lr": 1e-3},
           "bias corrections formed in float32 (two libraries did)",
           # 1 - fl32(0.999) is 1.3e-5 off: 6.4e-6 in d, 1.6 times one float32 step's bound (3.9e-6)
           {"float64": ("heavy-tailed", 1, "update"), "float32": ("heavy-tailed", 1, "update"),
            "bfloat16": _UPDATE_ONLY_BF16}),
    Mutant("amsgrad.no-max", lambda ps: AMSGradNoMax(ps, lr=1e-3), "amsgrad", {"lr": 1e-3},
           "the running maximum of v replaced by v",
           # v first decreases at step 7; its maximum then differs from v by ~1e-3 v on a small coordinate:
           # normwise below float32's bound, but ~5e-4 of that coordinate's update (float32 sees the update;
           # bfloat16 x hides it, and the float32 state shows it at step 11, once the gap has grown)
           {"float64": ("heavy-tailed", 7, "v_max"), "float32": ("heavy-tailed", 7, "update"),
            "bfloat16": ("heavy-tailed", 11, "v_max")}),
    Mutant("nadam.wrong-sign-decay", lambda ps: NAdamWrongSignDecay(ps, lr=1e-3, weight_decay=0.1), "nadam",
           {"lr": 1e-3, "weight_decay": 0.1}, "coupled weight decay with the wrong sign (found in a library)",
           {"float64": ("heavy-tailed", 1, "m"), "float32": ("heavy-tailed", 1, "m"),
            "bfloat16": ("heavy-tailed", 1, "m")}),
    Mutant("lion.sign0", lambda ps: LionSignZeroIsOne(ps, lr=1e-3), "lion", {"lr": 1e-3},
           "sign(0) = +1: a bug only on zero gradients",
           {"float64": ("zeros", 1, "update"), "float32": ("zeros", 1, "update"),
            "bfloat16": ("zeros", 1, "update")}),
    Mutant("lion.swapped-betas", lambda ps: LionSwappedBetas(ps, lr=1e-3), "lion", {"lr": 1e-3},
           "interpolation and momentum coefficients exchanged",
           {"float64": ("heavy-tailed", 1, "m"), "float32": ("heavy-tailed", 1, "m"),
            "bfloat16": ("heavy-tailed", 1, "m")}),
    Mutant("signum.heavy-ball-momentum", lambda ps: Signum(ps, lr=1e-3, momentum_form="sum"), "signum",
           {"lr": 1e-3, "beta": 0.9}, "momentum m <- b m + g instead of the EMA (the sign hides it at first)",
           {"float64": ("heavy-tailed", 1, "m"), "float32": ("heavy-tailed", 1, "m"),
            "bfloat16": ("heavy-tailed", 1, "m")}),
    Mutant("sgd.nesterov-buffer", lambda ps: SGDNesterov(ps, bug="buffer"), "sgdm",
           {"lr": 1e-2, "beta": 0.9, "convention": "torch", "nesterov": True},
           "Nesterov SGD stepping with the buffer m instead of g + b m",
           {"float64": ("heavy-tailed", 1, "update"), "float32": ("heavy-tailed", 1, "update"),
            "bfloat16": ("heavy-tailed", 1, "update")}),
    Mutant("adan.no-first-step", lambda ps: Adan(ps, bug="first"), "adan", {"lr": 1e-3},
           "the first step makes no update (found in a library)",
           {"float64": ("heavy-tailed", 1, "update"), "float32": ("heavy-tailed", 1, "update"),
            "bfloat16": ("heavy-tailed", 1, "update")}),
    Mutant("sam.unnormalised", lambda ps: SAM(ps, bug="unnormalised"), "sam", {"lr": 1e-2, "rho": 0.05},
           "SAM's perturbation rho g instead of rho g/||g||",
           {"float64": ("heavy-tailed", 1, "update"), "float32": ("heavy-tailed", 1, "update"),
            "bfloat16": "the gradient changes by kappa rho |g| |1 - 1/||g||| <= 0.05 |g| (kappa <= 1, rho = 0.05): "
                        "the size of R9's bound for bfloat16 evaluation points and gradients (A 2 calls 2^-8 = "
                        "0.047); every stream stays below it (largest ratio 0.98)"}),
    Mutant("nsgdm.normalise-first", lambda ps: NSGDM(ps, bug="normalise-first"), "normalized_sgdm",
           {"lr": 1e-2, "beta": 0.9}, "NSGD-M normalising the gradient before the momentum",
           {"float64": ("heavy-tailed", 1, "m"), "float32": ("heavy-tailed", 1, "m"),
            "bfloat16": ("heavy-tailed", 1, "m")}),
]
"""Buggy optimizers (>= 15).  The stream-dependent first steps (a zero meeting a non-zero moment: step 6;
the first decrease of v: step 5) are derived from the streams themselves in tests/oracle/test_mutations.py."""


@dataclass(frozen=True)
class Correct:
    """A correct implementation written differently from the reference (``pure``: it keeps its state in
    the parameters' dtype, checked as pure low precision in bfloat16)."""

    id: str
    make: Callable[[Any], torch.optim.Optimizer]
    algorithm: str
    hp: dict[str, Any]
    how: str
    pure: bool = False


CORRECT: list[Correct] = [
    Correct("adam.plain", lambda ps: Adam(ps, lr=1e-3), "adam", {"lr": 1e-3}, "the textbook EMA form"),
    Correct("adam.lerp", lambda ps: AdamLerp(ps, lr=1e-3), "adam", {"lr": 1e-3}, "moments with lerp"),
    Correct("adam.torch-form", lambda ps: AdamTorchForm(ps, lr=1e-3), "adam", {"lr": 1e-3},
            "lr/c1 m/(sqrt(v)/sqrt(c2) + eps)"),
    Correct("adamw.decay-inside", lambda ps: AdamWDecayInsideStep(ps, lr=1e-3, weight_decay=0.1), "adamw",
            {"lr": 1e-3, "weight_decay": 0.1}, "x - lr (d + wd x)"),
    Correct("adam.torch-foreach", lambda ps: torch.optim.Adam(ps, lr=1e-3, foreach=True), "adam", {"lr": 1e-3},
            "torch's multi-tensor (foreach) kernel", pure=True),
    Correct("adam.torch-fused", lambda ps: torch.optim.Adam(ps, lr=1e-3, fused=True), "adam", {"lr": 1e-3},
            "torch's fused kernel", pure=True),
    Correct("amsgrad.plain", lambda ps: AMSGrad(ps, lr=1e-3), "amsgrad", {"lr": 1e-3}, "torch's form written out"),
    Correct("lion.where-lerp", lambda ps: LionWhere(ps, lr=1e-3, weight_decay=0.1), "lion",
            {"lr": 1e-3, "weight_decay": 0.1}, "torch.where sign, lerp interpolation, decay inside the step"),
    Correct("signum.plain", lambda ps: Signum(ps, lr=1e-3), "signum", {"lr": 1e-3, "beta": 0.9}, "in place EMA"),
    Correct("sgd.nesterov", lambda ps: SGDNesterov(ps), "sgdm",
            {"lr": 1e-2, "beta": 0.9, "convention": "torch", "nesterov": True}, "torch's form written out"),
    Correct("adan.plain", lambda ps: Adan(ps), "adan", {"lr": 1e-3}, "the official form written out"),
    Correct("sam.plain", lambda ps: SAM(ps), "sam", {"lr": 1e-2, "rho": 0.05}, "closure-based SAM"),
    Correct("nsgdm.plain", lambda ps: NSGDM(ps), "normalized_sgdm", {"lr": 1e-2, "beta": 0.9}, "per tensor"),
]
"""Correct implementations (>= 5) that must match everywhere."""
