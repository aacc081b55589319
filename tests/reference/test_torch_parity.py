"""External oracle: the reference agrees with torch.optim (CPU, float64) to <= 1e-12 relative.

Each case is a configuration in which the paper/reference definition and torch's coincide.
Both are driven with the same random gradient stream for 60 steps and compared after every
step.  The tolerance 1e-12 is the issue's bound: float64 rounding (~1.1e-16 per operation)
accumulated over ~20 chained operations a step and 60 steps stays below 1e-13, and Adam-like
maps are contracting in the gradients, so errors do not compound exponentially.
"""

from __future__ import annotations

import numpy as np
import pytest

import reference as R

torch = pytest.importorskip("torch")

STEPS = 60
RTOL = 1e-12

# (reference factory, reference kwargs, torch class, torch kwargs)
CASES = {
    "adam": (R.adam, dict(lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8),
             torch.optim.Adam, dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8)),
    "adam_l2": (R.adam, dict(lr=1e-2, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.1),
                torch.optim.Adam, dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    "adamw": (R.adamw, dict(lr=1e-2, weight_decay=0.05),
              torch.optim.AdamW, dict(lr=1e-2, weight_decay=0.05)),
    "amsgrad": (R.amsgrad, dict(lr=1e-2, beta1=0.9, beta2=0.99, weight_decay=0.01),
                torch.optim.Adam, dict(lr=1e-2, betas=(0.9, 0.99), amsgrad=True, weight_decay=0.01)),
    "amsgradw": (R.amsgrad, dict(lr=1e-2, weight_decay=0.05, decoupled_weight_decay=True),
                 torch.optim.AdamW, dict(lr=1e-2, amsgrad=True, weight_decay=0.05)),
    "nadam": (R.nadam, dict(lr=1e-2), torch.optim.NAdam, dict(lr=1e-2)),
    "nadam_wd": (R.nadam, dict(lr=1e-2, weight_decay=0.1, momentum_decay=1e-2),
                 torch.optim.NAdam, dict(lr=1e-2, weight_decay=0.1, momentum_decay=1e-2)),
    "nadamw": (R.nadam, dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True),
               torch.optim.NAdam, dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True)),
    "sgd": (R.sgdm, dict(lr=0.1, beta=0.0, convention="torch"), torch.optim.SGD, dict(lr=0.1)),
    "sgdm": (R.sgdm, dict(lr=0.1, beta=0.9, convention="torch", weight_decay=0.01),
             torch.optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    "sgdm_dampening": (R.sgdm, dict(lr=0.1, beta=0.9, convention="torch", dampening=0.3),
                       torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.3)),
    "nesterov": (R.sgdm, dict(lr=0.1, beta=0.9, convention="torch", nesterov=True),
                 torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    "rmsprop": (R.rmsprop, dict(lr=1e-2), torch.optim.RMSprop, dict(lr=1e-2)),
    "rmsprop_full": (R.rmsprop, dict(lr=1e-2, beta2=0.9, momentum=0.5, centered=True, weight_decay=0.01),
                     torch.optim.RMSprop, dict(lr=1e-2, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
}


def _torch_trajectory(cls, kwargs, x0, grads):
    # torch keeps scalar state (NAdam's mu_product, the step count) in the default dtype:
    # float64 makes its definition the same as the reference's.
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        p = torch.nn.Parameter(torch.tensor(x0, dtype=torch.float64))
        opt = cls([p], **kwargs)
        out = []
        for g in grads:
            p.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            out.append(p.detach().numpy().copy())
    finally:
        torch.set_default_dtype(previous)
    return np.stack(out)


def _stream(seed: int, d: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # heterogeneous scales per coordinate and occasional sign flips, as in real training
    scale = 10.0 ** rng.uniform(-3, 1, size=d)
    grads = rng.normal(size=(STEPS, d)) * scale + 0.3 * scale
    return rng.normal(size=d), grads


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_torch_every_step(case: str, seed: int) -> None:
    make, kw, cls, tkw = CASES[case]
    x0, grads = _stream(seed)
    ours = R.replay(make(**kw), grads, x0=x0).x[1:]
    theirs = _torch_trajectory(cls, tkw, x0, grads)
    err = np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300)
    assert err.max() <= RTOL, f"{case}: max relative error {err.max():.3e} at step {np.unravel_index(err.argmax(), err.shape)[0] + 1}"


@pytest.mark.parametrize("case", ["adam", "nadam", "sgdm", "rmsprop"])
def test_parity_check_detects_a_perturbed_hyperparameter(case: str) -> None:
    """Negative control: the same comparison fails when one reference hyperparameter is perturbed."""
    make, kw, cls, tkw = CASES[case]
    x0, grads = _stream(0)
    key = {"adam": "beta2", "nadam": "beta1", "sgdm": "beta", "rmsprop": "beta2"}[case]
    bad = dict(kw, **{key: kw.get(key, R.defaults(make.__name__)[key]) * (1 - 1e-6)})
    ours = R.replay(make(**bad), grads, x0=x0).x[1:]
    theirs = _torch_trajectory(cls, tkw, x0, grads)
    err = np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300)
    assert err.max() > RTOL
