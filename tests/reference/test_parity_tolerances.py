"""The one dtype -> tolerance table (reference/tolerances.py), shared by gpu and reference.oracle."""

from __future__ import annotations

import pytest

import reference as R
from reference import tolerances as TOL

from reference.registry import declarations

NOT_DERIVED = {d.name for d in declarations() if d.roundings is not None}


def test_every_algorithm_has_a_rounding_count_except_the_documented_ones() -> None:
    assert set(TOL.ROUNDINGS) == set(R.ALGORITHMS) - NOT_DERIVED
    for d in declarations():
        assert d.roundings is None or "not covered" in d.roundings, d.name  # the reason is documented
    for alg in TOL.ROUNDINGS:
        assert TOL.roundings(alg, 1) >= 2
        assert TOL.roundings(alg, 1000) >= TOL.roundings(alg, 1)  # reductions only add


@pytest.mark.parametrize("alg", sorted(TOL.ROUNDINGS))
def test_parity_bound_per_dtype(alg: str) -> None:
    assert TOL.parity_bound(alg, "float64", 1) == TOL.F64_RTOL  # the project's float64 bound ...
    long = TOL.parity_bound(alg, "float64", 10**5)
    assert long == 2 * TOL.A * TOL.roundings(alg) * TOL.U64 * 10**5 > TOL.F64_RTOL  # ... derived beyond it
    assert TOL.parity_bound(alg, "float32", 7, 5) == TOL.float32_bound(alg, 7, 5)
    assert TOL.parity_bound(alg, "float32", 1) > 1e3 * TOL.parity_bound(alg, "float64", 1)
    assert TOL.UNIT_ROUNDOFF["float32"] == TOL.U32 and TOL.UNIT_ROUNDOFF["float64"] == TOL.U64
    assert f"K({alg}, n=1) = {TOL.roundings(alg)}" in TOL.provenance(alg, "float64")


def test_parity_bound_rejects_what_it_does_not_cover() -> None:
    for alg in NOT_DERIVED:
        with pytest.raises(KeyError, match=f"no rounding count K derived for '{alg}'"):
            TOL.parity_bound(alg, "float64", 1)
    with pytest.raises(ValueError, match="no normwise bound for dtype 'bfloat16'"):
        TOL.parity_bound("s3", "bfloat16", 1)


def test_gpu_tolerances_is_the_same_table() -> None:
    pytest.importorskip("torch")
    from gpu import tolerances as G

    assert G.ROUNDINGS is TOL.ROUNDINGS and G.float32_bound is TOL.float32_bound and G.F64_RTOL == TOL.F64_RTOL


def test_reference_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = "import sys, reference, reference.tolerances, reference.oracle; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
