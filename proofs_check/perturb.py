"""Negative controls as declared perturbations, applied by the framework (never by the check).

A check declares its inputs as :class:`Params` (the hyperparameters, constants and algorithm options
it uses) and one :class:`Perturbation`; the registry runs the check once as declared and once
perturbed, and the test suite asserts that the perturbed verdict differs (and is decisive).  Kinds:

* :class:`ScaleBound` -- multiply the statement's bound (every :class:`~proofs_check.evidence.Bound`
  case, or the closed form of a :class:`~proofs_check.evidence.SearchAgreement`) by a factor;
* :class:`ShiftClaim` -- shift a :class:`~proofs_check.evidence.Rate`'s claimed exponent;
* :class:`SetParam` -- change one declared input: a hyperparameter, a constant of the statement, or a
  term of the algorithm (``what`` says which), the check then runs on the perturbed inputs;
* :class:`UseCorrected` -- put our corrected statement in place of the printed one in a
  :class:`~proofs_check.evidence.Derivation` (it must then agree with the proof: this exercises the
  derivation code, since the corrected statement is transcribed separately from the derivation).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .evidence import Bound, Derivation, Evidence, Rate, SearchAgreement

__all__ = ["Params", "Perturbation", "ScaleBound", "ShiftClaim", "SetParam", "UseCorrected"]


class Params(Mapping[str, Any]):
    """A check's declared inputs: an immutable mapping with attribute access (``p.beta1``)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None, **kw: Any) -> None:
        object.__setattr__(self, "_data", dict(data or {}, **kw))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(f"no declared parameter {key!r} (declared: {sorted(self._data)})") from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("Params are immutable; declare a SetParam perturbation instead")

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Params({self._data!r})"

    def replace(self, **changes: Any) -> Params:
        unknown = set(changes) - set(self._data)
        if unknown:
            raise KeyError(f"unknown parameter(s) {sorted(unknown)}; declared: {sorted(self._data)}")
        return Params({**self._data, **changes})


class Perturbation:
    """Base class: a perturbation changes the inputs, the evidence, or both."""

    def params(self, p: Params) -> Params:
        return p

    def evidence(self, e: Evidence) -> Evidence:
        return e

    def describe(self) -> str:
        raise NotImplementedError

    def validate(self, params: Params) -> None:
        """Raise if this perturbation cannot apply to a check with these declared inputs."""


@dataclass(frozen=True)
class ScaleBound(Perturbation):
    """The statement's bound times ``factor`` (e.g. 0.99: a bound 1 % smaller must fail where it is
    attained; 1.01 for a lower bound)."""

    factor: float

    def evidence(self, e: Evidence) -> Evidence:
        if isinstance(e, Bound):
            return dataclasses.replace(e, cases=tuple(dataclasses.replace(c, bound=c.bound * self.factor)
                                                      for c in e.cases))
        if isinstance(e, SearchAgreement):
            return dataclasses.replace(e, closed_form=tuple(v * self.factor for v in e.closed_form))
        return e

    def describe(self) -> str:
        return f"the stated bound times {self.factor:g}"


@dataclass(frozen=True)
class ShiftClaim(Perturbation):
    """The claimed rate exponent plus ``delta`` (e.g. -0.25: claim a faster decay)."""

    delta: float

    def evidence(self, e: Evidence) -> Evidence:
        if isinstance(e, Rate):
            return dataclasses.replace(e, claimed=e.claimed + self.delta)
        return e

    def describe(self) -> str:
        return f"the claimed exponent shifted by {self.delta:+g}"


@dataclass(frozen=True)
class SetParam(Perturbation):
    """One declared input set to ``value``; ``what`` is "hyperparameter", "constant" (of the
    statement), "algorithm" (a term or option of the algorithm) or "input" (the instance)."""

    name: str
    value: Any
    what: Literal["hyperparameter", "constant", "algorithm", "input"] = "hyperparameter"
    why: str = ""

    def params(self, p: Params) -> Params:
        return p.replace(**{self.name: self.value})

    def validate(self, params: Params) -> None:
        if self.name not in params:
            raise KeyError(f"SetParam({self.name!r}): not a declared parameter (declared: {sorted(params)})")
        if params[self.name] == self.value:
            raise ValueError(f"SetParam({self.name!r}): the perturbed value equals the declared one")

    def describe(self) -> str:
        why = f" ({self.why})" if self.why else ""
        return f"{self.what} {self.name} = {self.value!r}{why}"


@dataclass(frozen=True)
class UseCorrected(Perturbation):
    """The corrected statement in place of the printed one (a Derivation must carry ``corrected``)."""

    def evidence(self, e: Evidence) -> Evidence:
        if isinstance(e, Derivation):
            if e.corrected is None:
                raise ValueError("UseCorrected: the derivation carries no corrected statement")
            return dataclasses.replace(e, printed=e.corrected)
        return e

    def describe(self) -> str:
        return "our corrected statement in place of the printed one"


def declared(params: Mapping[str, Any] | Params | None) -> Params:
    return params if isinstance(params, Params) else Params(params or {})
