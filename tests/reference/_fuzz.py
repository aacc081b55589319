"""Shared data of the fuzz suites (tests/reference/test_fuzz.py, tests/gpu/test_gpu_fuzz.py): values of
every type and range for hyperparameters, and the accurate domains the README states."""

from __future__ import annotations

import math
import pathlib
import re

import numpy as np
from hypothesis import strategies as st

import reference as R

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def readme_domains() -> dict[str, dict[str, tuple[int, int]]]:
    """name -> dtype -> (lo, hi) exponents of the README's accurate-domain table."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for line in README.read_text().splitlines():
        m = re.match(r"\| `(\w+)` \| (.+?) \| (.+?) \|$", line)
        if not m or m.group(1) not in R.ALGORITHMS:
            continue
        cells = {}
        for dt, cell in (("float32", m.group(2)), ("float64", m.group(3))):
            r = re.match(r"([0-9.e+-]+) \.\. ([0-9.e+-]+)", cell)
            if r:
                lo, hi = float(r.group(1)), float(r.group(2))
                cells[dt] = (round(math.log2(lo)) + 1, round(math.log2(hi)) - 1)  # |g| = 2^j u, u in [1/2, 2)
        out[m.group(1)] = cells
    return out


DOMAINS = readme_domains()


ANY_VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-2.0, 2.0), st.floats(0.0, 1.0, exclude_max=True),
    st.integers(-(10**400), 10**400), st.integers(-3, 3), st.booleans(), st.none(), st.text(max_size=4),
    st.complex_numbers(allow_nan=False, max_magnitude=2.0), st.just([0.5]), st.just((0.9, 0.99)),
    st.just(np.float32(0.5)), st.just(np.float64(1e-300)), st.just(np.array(0.5)), st.just(np.array([0.1, 0.2])),
    st.just(np.int64(2)), st.just(np.bool_(True)), st.just(object()), st.just(lambda t: 0.1), st.just(lambda t: -1.0),
    st.just(lambda t: float("nan")), st.sampled_from(["official", "paper", "I", "torch", "ema", "v_hat", "gradient"]),
)
