"""The one judge: evidence -> verdict, under the single threshold policy (:mod:`proofs_check.tolerances`).

Rules, by kind of evidence (every number compared with comes from the policy):

* :class:`~proofs_check.evidence.Bound` -- a case *violates* the statement when ``value`` exceeds
  ``bound`` by more than rounding (``|bound| gamma_ops``) plus ``z_mc`` standard errors (reversed for
  ``sense="lower"``); it *attains* the bound when it is within that margin of it.  A certified case
  uses its re-verified bracket ``[lower, upper]``: violated when ``lower`` exceeds the bound, attained
  when the bracket reaches it (or straddles it while narrower than ``search_rel |bound|``: the
  certificate resolves the equality to the policy's agreement threshold), undecided (inconclusive)
  when a wider bracket straddles it; a certificate that names its ``instance`` must name the case's
  (shared input keys, equal values), else the evidence is inconclusive.  An :class:`Exact`
  method's sympy proof steps are re-checked and a certificate that does not verify makes the evidence
  inconclusive: it never becomes a number.  Verdict: any violation -> ``refuted``; attained, or
  approached along ``approach`` -> ``tight``; otherwise ``loose`` when the supremum is known or searched
  for (Exact, Certified, Searched) and ``verified`` when only instances were evaluated.
* :class:`~proofs_check.evidence.Identity` -- agree under the error model -> ``verified``, else
  ``refuted``.
* :class:`~proofs_check.evidence.SearchAgreement` -- a search above its closed form beyond rounding ->
  ``refuted``; below it by more than ``search_rel`` -> ``inconclusive``; else ``verified``.
* :class:`~proofs_check.evidence.Derivation` -- printed equal to derived (and homogeneous, when units
  are declared) -> ``verified``; else ``erratum``, provided our corrected statement (when given) equals
  the derivation and is homogeneous; otherwise ``inconclusive``.
* :class:`~proofs_check.evidence.Rate` -- fitted by :func:`proofs_check.rates.fit_rate`; ``refuted`` when
  the exponent or the last slope exceeds the claim by more than ``z_mc`` bootstrap standard errors
  (``sense="exact"``: also when it falls below it by as much); ``inconclusive`` when the claimed term does
  not dominate the fit at the end of the window or a 95 % interval is wider than ``max_ci_width``; else
  ``verified``.

A check that returns several pieces of evidence gets the most informative verdict (:func:`combine`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .evidence import (
    Bound, Case, Certified, Derivation, Evidence, Exact, Exactly, Identity, Instances, MonteCarlo, Rate, Rounding,
    SearchAgreement, Searched, Symbolic,
)
from .symbolic import equal, homogeneous, proof_holds
from .tolerances import POLICY, Policy
from .verdict import Verdict, combine

__all__ = ["Judgement", "judge", "judge_all", "rate_verdict"]


@dataclass(frozen=True)
class Judgement:
    """The judge's reading of one piece of evidence."""

    verdict: Verdict
    stated: str
    measured: str
    stated_value: float | None = None
    measured_value: float | None = None
    reason: str = ""
    numbers: Mapping[str, Any] = field(default_factory=dict)


def _g(x: float, digits: int = 6) -> str:
    return f"{x:.{digits}g}"


def _fmt_inputs(inputs: Mapping[str, Any], limit: int = 4) -> str:
    parts = []
    for k, v in inputs.items():
        if k.endswith("_digest"):  # names an instance for a certificate (evidence.Certificate), not for a reader
            continue
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            parts.append(f"{k}={_g(float(v), 4)}")
        elif isinstance(v, (str, bool)):
            parts.append(f"{k}={v}")
        if len(parts) >= limit:
            break
    return ", ".join(parts)


def _other_instance(instance: Mapping[str, Any] | None, inputs: Mapping[str, Any]) -> str:
    """Why a certificate's ``instance`` is not its case's (``""`` when it is, or when the certificate
    names no instance): no key in common, or a shared key whose values differ (arrays exactly)."""
    if instance is None:
        return ""
    shared = [k for k in instance if k in inputs]
    if not shared:
        return f"no input in common (certificate: {sorted(instance)}, case: {sorted(inputs)})"
    for k in shared:
        a, b = instance[k], inputs[k]
        same = (np.array_equal(np.asarray(a), np.asarray(b)) if isinstance(a, (np.ndarray, list, tuple))
                or isinstance(b, (np.ndarray, list, tuple)) else a == b)
        if not same:
            return f"{k} differs"
    return ""


def _note(text: str, note: str) -> str:
    return f"{text}; {note}" if note else text


# --------------------------------------------------------------------------- bounds


def _method_name(m: Any) -> str:
    if isinstance(m, Exact):
        return f"exact supremum ({m.argument})"
    if isinstance(m, Certified):
        return "certified" + (f" ({m.argument})" if m.argument else "")
    if isinstance(m, Searched):
        return f"searched over {', '.join(f'{k} in {v}' for k, v in m.domain.items())} ({m.budget})"
    return "instances" + (f" ({m.description})" if getattr(m, "description", "") else "")


def _bound_case(c: Case, sense: str, policy: Policy, bracket: tuple[float, float] | None) -> tuple[bool, bool, bool]:
    """(violated, attained, undecided) for one case."""
    slack = abs(c.bound if c.scale is None else c.scale) * policy.gamma(c.ops) + policy.z_mc * c.se
    lo, hi = bracket if bracket is not None else (c.value, c.value)
    # a certified bracket that contains the bound and is narrower than the search agreement threshold
    # attains it (to within that threshold): an SDP certifies an equality no better than its gap
    resolved = bracket is not None and hi - lo <= policy.search_rel * abs(c.bound)
    if sense == "upper":
        if lo - c.bound > slack:
            return True, False, False
        if hi - c.bound > slack:  # the certified bracket straddles the bound
            return (False, True, False) if resolved else (False, False, True)
        return False, c.bound - hi <= slack, False
    if c.bound - hi > slack:
        return True, False, False
    if c.bound - lo > slack:
        return (False, True, False) if resolved else (False, False, True)
    return False, lo - c.bound <= slack, False


def _approached(cases: Sequence[Case], key: str, sense: str, policy: Policy) -> tuple[bool, list[float]]:
    pts = sorted((c for c in cases if key in c.inputs), key=lambda c: float(c.inputs[key]))
    if len(pts) < 2:
        return False, []
    sign = 1.0 if sense == "upper" else -1.0
    gaps = [sign * (c.bound - c.value) / abs(c.bound) if c.bound != 0 else math.inf for c in pts]
    shrinking = all(b <= a + policy.gamma(max(c.ops, 1)) for a, b, c in zip(gaps, gaps[1:], pts[1:]))
    return bool(shrinking and gaps[-1] <= policy.approach_rel), gaps


def _judge_bound(e: Bound, policy: Policy) -> Judgement:
    if not e.cases:
        return Judgement(Verdict.INCONCLUSIVE, e.stated, "no cases", reason="empty evidence")
    brackets: list[tuple[float, float] | None] = [None] * len(e.cases)
    m = e.method
    if isinstance(m, Exact):
        failed = [i for i, s in enumerate(m.proof) if not proof_holds(s)]
        if failed:
            return Judgement(Verdict.INCONCLUSIVE, e.stated,
                             f"the closed form's proof step {failed[0]} does not simplify: {m.proof[failed[0]]}",
                             reason="unproven closed form")
    if isinstance(m, Certified):
        if len(m.certificates) != len(e.cases):
            return Judgement(Verdict.INCONCLUSIVE, e.stated, "one certificate per case is required",
                             reason="missing certificates")
        for i, (cert, c) in enumerate(zip(m.certificates, e.cases)):
            other = _other_instance(getattr(cert, "instance", None), c.inputs)
            if other:
                return Judgement(Verdict.INCONCLUSIVE, e.stated,
                                 f"certificate of case {i} ({_fmt_inputs(c.inputs)}) certifies another instance: {other}",
                                 reason="certificate of another instance", numbers={"case": i})
            chk = cert.verify()
            rel = policy.gamma(max(c.ops, 1))
            inside = chk.lower - abs(chk.lower) * rel <= c.value <= chk.upper + abs(chk.upper) * rel
            if not chk.ok or not inside or not (chk.lower <= chk.upper * (1 + rel) + 1e-300):
                why = chk.reason or ("value outside the certified bracket" if not inside else "bracket inverted")
                return Judgement(Verdict.INCONCLUSIVE, e.stated,
                                 f"certificate of case {i} ({_fmt_inputs(c.inputs)}) does not verify: {why}",
                                 reason="certificate failed", numbers={"case": i, "lower": chk.lower,
                                                                       "upper": chk.upper, "value": c.value})
            brackets[i] = (chk.lower, chk.upper)
    flags = [_bound_case(c, e.sense, policy, b) for c, b in zip(e.cases, brackets)]
    ratios = [c.value / c.bound if c.bound != 0 else (math.inf if c.value > 0 else (0.0 if c.value == 0 else -math.inf))
              for c in e.cases]
    # the worst case: the largest excess over the bound (upper) or shortfall below it (lower), relative to
    # the bound's magnitude -- value/bound orders cases wrongly when bounds are negative
    sign = 1.0 if e.sense == "upper" else -1.0
    excess = [sign * (c.value - c.bound) / (abs(c.bound) if c.bound != 0 else max(abs(c.value), 1e-300)) for c in e.cases]
    worst = int(np.argmax(excess))
    positive = all(c.bound > 0 for c in e.cases)
    wc = e.cases[worst]
    violated = [i for i, f in enumerate(flags) if f[0]]
    undecided = [i for i, f in enumerate(flags) if f[2]]
    attained = [i for i, f in enumerate(flags) if f[1]]
    rel = "<=" if e.sense == "upper" else ">="
    how = _method_name(m)
    numbers = {"cases": len(e.cases), "worst_case": worst, "worst_ratio": ratios[worst], "worst_excess": excess[worst],
               "violations": len(violated),
               "attained": len(attained), "method": type(m).__name__}
    if violated:
        i = max(violated, key=lambda j: excess[j])
        c = e.cases[i]
        se = f" +- {_g(c.se, 3)} (SE)" if c.se else ""
        return Judgement(Verdict.REFUTED, e.stated,
                         _note(f"counterexample: {_g(c.value)}{se} vs bound {_g(c.bound)} (ratio {_g(ratios[i], 5)}) at "
                               f"{_fmt_inputs(c.inputs)}; {len(violated)} of {len(e.cases)} cases violate", e.note),
                         c.bound, c.value, "violated", {**numbers, "counterexample": i})
    if undecided:
        c = e.cases[undecided[0]]
        return Judgement(Verdict.INCONCLUSIVE, e.stated,
                         _note(f"certified bracket straddles the bound at {_fmt_inputs(c.inputs)}", e.note),
                         c.bound, c.value, "undecided", numbers)
    approached, gaps = (_approached(e.cases, e.approach, e.sense, policy) if e.approach else (False, []))
    if gaps:
        numbers["gaps_along_" + str(e.approach)] = gaps
    if positive:
        summary = f"{'max' if e.sense == 'upper' else 'min'} value/bound = {_g(ratios[worst], 8)} over {len(e.cases)} cases ({how})"
    else:  # some bound <= 0: the relative excess is the readable number
        summary = (f"{'max (value - bound)' if e.sense == 'upper' else 'max (bound - value)'}/|bound| = {_g(excess[worst], 6)} "
                   f"at value {_g(wc.value)}, bound {_g(wc.bound)} over {len(e.cases)} cases ({how})")
    if attained:
        verdict, reason = Verdict.TIGHT, f"attained (value {rel} bound within the policy margin) at {_fmt_inputs(e.cases[attained[0]].inputs)}"
    elif approached:
        verdict, reason = Verdict.TIGHT, f"approached along {e.approach}: relative gap {_g(gaps[-1], 3)}"
    elif isinstance(m, Instances):
        verdict, reason = Verdict.VERIFIED, "holds on every instance (no search for the supremum)"
    else:
        verdict, reason = Verdict.LOOSE, ("gap to the exact supremum" if isinstance(m, (Exact, Certified))
                                          else "gap to the best found")
    return Judgement(verdict, e.stated, _note(f"{summary}; {reason}", e.note), wc.bound, wc.value, reason, numbers)


# --------------------------------------------------------------------------- identities


def _as_array(x: Any) -> np.ndarray | None:
    try:
        a = np.asarray(x)
    except Exception:  # noqa: BLE001
        return None
    return a if a.dtype.kind in "fciub" else None


def _judge_identity(e: Identity, policy: Policy) -> Judgement:
    err = e.error
    names = f"{e.lhs_name} vs {e.rhs_name}"
    if isinstance(err, Symbolic):
        cmp = equal(e.lhs, e.rhs, err.domain, policy)
        if cmp.equal:
            return Judgement(Verdict.VERIFIED, e.stated, _note(f"{names}: equal ({cmp.how})", e.note), 0.0, 0.0)
        return Judgement(Verdict.REFUTED, e.stated, _note(f"{names} differ: {cmp.difference}", e.note),
                         reason="symbolic difference")
    if isinstance(err, Exactly):
        a, b = _as_array(e.lhs), _as_array(e.rhs)
        if a is not None and b is not None:
            same = a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f" and b.dtype.kind == "f"))
        else:
            same = e.lhs == e.rhs
        if same:
            return Judgement(Verdict.VERIFIED, e.stated, _note(f"{names}: identical", e.note), 0.0, 0.0)
        return Judgement(Verdict.REFUTED, e.stated, _note(f"{names} differ: {e.lhs!r:.120} vs {e.rhs!r:.120}", e.note),
                         reason="not identical")
    a = np.asarray(e.lhs, dtype=float)
    b = np.asarray(e.rhs, dtype=float)
    if a.shape != b.shape:
        try:
            a, b = np.broadcast_arrays(a, b)
        except ValueError:
            return Judgement(Verdict.REFUTED, e.stated, f"{names}: shapes {a.shape} vs {b.shape}", reason="shape")
    both_nan = np.isnan(a) & np.isnan(b)
    same_inf = np.isinf(a) & (a == b)
    ok_special = both_nan | same_inf
    with np.errstate(invalid="ignore"):
        diff = np.where(ok_special, 0.0, np.abs(a - b))
    if isinstance(err, Rounding):
        scale = np.abs(b) if err.scale is None else np.broadcast_to(np.abs(np.asarray(err.scale, dtype=float)), b.shape)
        allowed = policy.gamma(err.ops) * scale
        what = f"rounding gamma_{_g(err.ops, 4)}"
    elif isinstance(err, MonteCarlo):
        allowed = policy.z_mc * np.broadcast_to(np.asarray(err.se, dtype=float), b.shape)
        what = f"{policy.z_mc:g} SE"
    else:  # pragma: no cover - exhaustive over ErrorModel
        raise TypeError(f"unknown error model {err!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        units = np.where(diff == 0, 0.0, np.where(allowed > 0, diff / allowed, np.inf))
    units = np.where(np.isnan(units), np.inf, units)
    worst = float(np.max(units)) if units.size else 0.0
    max_err = float(np.max(diff)) if diff.size else 0.0
    numbers = {"max_abs_error": max_err, "max_error_in_tolerance_units": worst, "tolerance": what}
    if worst <= 1.0:
        return Judgement(Verdict.VERIFIED, e.stated,
                         _note(f"{names}: max |error| {_g(max_err, 3)} = {_g(worst, 3)} x the allowance ({what})", e.note),
                         0.0, max_err, "agree", numbers)
    idx = np.unravel_index(int(np.argmax(units)), units.shape) if units.ndim else ()
    return Judgement(Verdict.REFUTED, e.stated,
                     _note(f"{names}: max |error| {_g(max_err, 3)} = {_g(worst, 3)} x the allowance ({what}) at index "
                           f"{tuple(int(i) for i in idx)}", e.note), 0.0, max_err, "disagree", numbers)


def _judge_search(e: SearchAgreement, policy: Policy) -> Judgement:
    if not e.searched or len({len(e.searched), len(e.closed_form), len(e.inputs), len(e.ops)}) != 1:
        return Judgement(Verdict.INCONCLUSIVE, e.stated, "malformed search evidence", reason="malformed")
    ratios = [s / c if c != 0 else math.inf for s, c in zip(e.searched, e.closed_form)]
    above = [i for i, (s, c, n) in enumerate(zip(e.searched, e.closed_form, e.ops)) if s - c > abs(c) * policy.gamma(n)]
    short = [i for i, (s, c) in enumerate(zip(e.searched, e.closed_form)) if s < c - abs(c) * policy.search_rel]
    lo, hi = min(ratios), max(ratios)
    numbers = {"cases": len(ratios), "min_ratio": lo, "max_ratio": hi}
    domain = ", ".join(f"{k} in {v}" for k, v in e.domain.items())
    tail = f"search/closed form in [{_g(lo, 10)}, {_g(hi, 10)}] over {len(ratios)} cases ({domain}; {e.budget})"
    if above:
        i = max(above, key=lambda j: ratios[j])
        return Judgement(Verdict.REFUTED, e.stated,
                         _note(f"the search exceeds the closed form at {_fmt_inputs(e.inputs[i])}: {tail}", e.note),
                         e.closed_form[i], e.searched[i], "closed form is not the supremum", numbers)
    if short:
        i = min(short, key=lambda j: ratios[j])
        return Judgement(Verdict.INCONCLUSIVE, e.stated,
                         _note(f"the search stops short of the closed form by more than {policy.search_rel:g} at "
                               f"{_fmt_inputs(e.inputs[i])}: {tail}", e.note),
                         e.closed_form[i], e.searched[i], "search did not reach", numbers)
    i = int(np.argmin(ratios))
    return Judgement(Verdict.VERIFIED, e.stated, _note(f"agree: {tail}", e.note), e.closed_form[i], e.searched[i],
                     "agree", numbers)


# --------------------------------------------------------------------------- statement vs proof


def _parts(x: Any) -> list[Any]:
    import sympy as sp
    if isinstance(x, (tuple, list)):
        return [p for v in x for p in _parts(v)]
    x = sp.sympify(x)
    if isinstance(x, sp.core.relational.Relational):
        return [x.lhs, x.rhs]
    if isinstance(x, sp.Interval):
        return [x.start, x.end]
    return [x] if isinstance(x, sp.Expr) else []


def _units_ok(x: Any, units: Any) -> tuple[bool, list[str]]:
    dims: list[str] = []
    ok = True
    for part in _parts(x):
        if part.is_number:
            continue
        good, d = homogeneous(part, units.of, units.quantity)
        ok &= good
        dims += d
    return ok, dims


def _judge_derivation(e: Derivation, policy: Policy) -> Judgement:
    cmp = equal(e.printed, e.derived, e.domain, policy)
    numbers: dict[str, Any] = {"printed": str(e.printed), "derived": str(e.derived), "comparison": cmp.how}
    printed_units = derived_units = (True, [])
    if e.units is not None:
        printed_units = _units_ok(e.printed, e.units)
        derived_units = _units_ok(e.derived, e.units)
        numbers.update(printed_dimensions=printed_units[1], derived_dimensions=derived_units[1])
    if cmp.equal and printed_units[0]:
        return Judgement(Verdict.VERIFIED, e.stated, _note(f"the printed statement equals the derivation ({cmp.how})", e.note),
                         reason="agree", numbers=numbers)
    if e.corrected is not None:
        numbers["corrected"] = str(e.corrected)
        cc = equal(e.corrected, e.derived, e.domain, policy)
        if not cc.equal:
            return Judgement(Verdict.INCONCLUSIVE, e.stated,
                             _note(f"our corrected statement differs from the derivation: {cc.difference}", e.note),
                             reason="corrected statement unsupported", numbers=numbers)
        if e.units is not None and not _units_ok(e.corrected, e.units)[0]:
            return Judgement(Verdict.INCONCLUSIVE, e.stated, _note("our corrected statement is not homogeneous", e.note),
                             reason="corrected statement not homogeneous", numbers=numbers)
    if e.units is not None and not derived_units[0] and e.corrected is None:
        return Judgement(Verdict.INCONCLUSIVE, e.stated, _note("the derivation itself is not homogeneous", e.note),
                         reason="derivation not homogeneous", numbers=numbers)
    why = []
    if not cmp.equal:
        numbers["difference"] = cmp.difference
        why.append("the printed statement differs from what the proof derives")
    if not printed_units[0]:
        why.append(f"printed terms have dimensions {printed_units[1]}, not {e.units.quantity}")  # type: ignore[union-attr]
    return Judgement(Verdict.ERRATUM, e.stated, _note("; ".join(why), e.note), reason="statement differs from its proof",
                     numbers=numbers)


# --------------------------------------------------------------------------- rates


def rate_verdict(fit: Any, claimed: float, sense: str, policy: Policy = POLICY) -> tuple[Verdict, str]:
    """The rate rule (module docstring) on a :class:`proofs_check.rates.RateFit`; returns (verdict, what would
    change it).  Refutation needs the exponent or the last slope above the claim by more than ``z_mc``
    bootstrap standard errors (the Monte-Carlo policy: a tight rate, whose true exponent equals the claim,
    is refuted by chance for at most ~0.3 % of seeds); verification needs both 95 % intervals narrower
    than ``max_ci_width``."""
    z = policy.z_mc
    lo, hi = fit.ci
    llo, lhi = fit.last_slope_ci
    width = max(hi - lo, lhi - llo)
    low_a, low_l = fit.exponent - z * fit.se, fit.last_slope - z * fit.last_slope_se
    if fit.share > policy.dominance_share:
        return Verdict.INCONCLUSIVE, (f"the bound's other terms carry {fit.share:.2f} > {policy.dominance_share} of the fitted "
                                      "value at the end of the window: extend the window")
    if low_a > claimed or low_l > claimed:
        which = "exponent" if low_a > claimed else "last slope"
        return Verdict.REFUTED, (f"decays slower than claimed: the {which} minus {z:g} SE is {max(low_a, low_l):.3f} > "
                                 f"{claimed:.4g}")
    if sense == "exact":
        high_a, high_l = fit.exponent + z * fit.se, fit.last_slope + z * fit.last_slope_se
        if high_a < claimed or high_l < claimed:
            return Verdict.REFUTED, f"decays faster than the stated order: exponent or last slope + {z:g} SE < {claimed:.4g}"
    if width > policy.max_ci_width:
        return Verdict.INCONCLUSIVE, f"CI width {width:.3f} > {policy.max_ci_width}: more seeds or horizons"
    margin = claimed - max(low_a, low_l)
    return Verdict.VERIFIED, (f"refuted if the exponent or the last slope exceeded {claimed:.4g} by {z:g} SE "
                              f"(margin {margin:.3f})")


def _judge_rate(e: Rate, policy: Policy) -> Judgement:
    from .rates import fit_rate
    if e.sense == "exact" and e.log_power:
        raise ValueError("a Theta~ claim with hidden log factors is not supported: state sense='upper'")
    fit = fit_rate(e.horizons, e.values, log_power=e.log_power, other_terms=e.other_terms, min_horizon=e.min_horizon,
                   seed=e.seed, policy=policy)
    verdict, change = rate_verdict(fit, e.claimed, e.sense, policy)
    v = e.variable
    model = f"{v}^alpha" + (f" (log {v})^{_g(e.log_power, 3)}" if e.log_power else "") + \
        "".join(f" + D {v}^{_g(b, 3)}" for b in e.other_terms)
    measured = (f"exponent {fit.exponent:.3f}, {policy.ci_level:.0%} CI [{fit.ci[0]:.3f}, {fit.ci[1]:.3f}]; last slope CI "
                f"[{fit.last_slope_ci[0]:.3f}, {fit.last_slope_ci[1]:.3f}]; model {model} on {v} in "
                f"[{_g(fit.window[0], 6)}, {_g(fit.window[1], 6)}]" + (f", other terms' share {fit.share:.2f}" if e.other_terms else ""))
    numbers = {"exponent": fit.exponent, "ci": list(fit.ci), "se": fit.se, "last_slope": fit.last_slope,
               "last_slope_se": fit.last_slope_se,
               "last_slope_ci": list(fit.last_slope_ci), "share": fit.share, "window": list(fit.window),
               "model": model, "coefficients": list(fit.coefficients), "local_slopes": fit.local_slopes.tolist(),
               "what_would_change_the_verdict": change}
    return Judgement(verdict, e.stated, _note(measured, e.note) + f" [{change}]", e.claimed, fit.exponent, change, numbers)


# --------------------------------------------------------------------------- entry points


_JUDGES = {Bound: _judge_bound, Identity: _judge_identity, SearchAgreement: _judge_search,
           Derivation: _judge_derivation, Rate: _judge_rate}


def judge(evidence: Evidence, policy: Policy = POLICY) -> Judgement:
    """The verdict on one piece of evidence."""
    try:
        fn = _JUDGES[type(evidence)]
    except KeyError:
        raise TypeError(f"not evidence: {type(evidence).__name__}") from None
    return fn(evidence, policy)  # type: ignore[operator]


def judge_all(evidence: Sequence[Evidence], policy: Policy = POLICY) -> tuple[Verdict, tuple[Judgement, ...]]:
    """Judge each piece; the combined verdict is the most informative one (:func:`combine`)."""
    js = tuple(judge(e, policy) for e in evidence)
    return combine(j.verdict for j in js), js
