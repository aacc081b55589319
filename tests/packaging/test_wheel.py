"""The distribution: what the wheel holds, that it installs into a clean venv, and a torch-free report."""

from __future__ import annotations

import email.parser
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import gpu  # noqa: F401  (the suite's environment has torch)
import proofs_check
import reference

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PACKAGES = ("reference", "proofs_check", "gpu")
SCRIPTS = {"s3-oracle-verify": "proofs_check.__main__:main", "s3-oracle-compare": "reference.oracle.__main__:main"}
HEAVY = ("torch", "triton", "jax", "optax", "pytest", "hypothesis", "IPython")


def _env() -> dict[str, str]:
    """The environment without anything that would point a child at this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "MPLBACKEND")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(ROOT), "-w", str(out)],
                   check=True, env=_env(), timeout=300)
    (whl,) = out.glob("s3_oracle-*.whl")
    return whl


def test_version_is_pyprojects() -> None:
    assert reference.__version__ == proofs_check.__version__ == gpu.__version__ == PROJECT["version"]


def test_wheel_holds_license_typing_markers_and_scripts(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    dist = f"s3_oracle-{PROJECT['version']}.dist-info"
    assert wheel.name.startswith(f"s3_oracle-{PROJECT['version']}-py3-none-any")
    assert f"{dist}/licenses/LICENSE" in names
    with zipfile.ZipFile(wheel) as z:
        assert z.read(f"{dist}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        assert b"Apache License" in z.read(f"{dist}/licenses/LICENSE")[:200]
        meta = email.parser.Parser().parsestr(z.read(f"{dist}/METADATA").decode())
        entry_points = z.read(f"{dist}/entry_points.txt").decode()
    assert {f"{p}/py.typed" for p in PACKAGES} <= names
    assert {n.split("/")[0] for n in names} == {*PACKAGES, dist}  # no tests/, notebooks/, benchmarks/
    assert meta["License-Expression"] == "Apache-2.0" and meta["Version"] == PROJECT["version"]
    assert "Typing :: Typed" in meta.get_all("Classifier")
    assert set(meta.get_all("Requires-Dist")) >= {"numpy>=1.26", "scipy>=1.11", "sympy>=1.12", "matplotlib>=3.7"}
    assert not [r for r in meta.get_all("Requires-Dist") if "torch" in r and "extra ==" not in r]
    assert {"torch", "oracle", "notebooks", "test"} <= set(meta.get_all("Provides-Extra"))
    section = entry_points.split("[console_scripts]")[1]
    pairs = {k.strip(): v.strip() for k, _, v in (ln.partition("=") for ln in section.splitlines() if "=" in ln)}
    assert pairs == SCRIPTS


def test_the_report_imports_no_torch() -> None:
    """`make verify` installs no torch: the report's modules must not import it (or test tools)."""
    code = ("import sys, proofs_check, proofs_check.__main__, proofs_check.report, proofs_check.plots, "
            "reference, reference.oracle\n"
            f"bad = sorted(set({HEAVY!r}) & set(sys.modules))\n"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), check=True, timeout=120)


def test_a_claim_runs_with_torch_unimportable() -> None:
    """A claim's check runs where `import torch` fails (the light `make verify` environment)."""
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            f"        if name.split('.')[0] in {HEAVY!r}: raise ImportError('blocked: ' + name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "from proofs_check.__main__ import main\n"
            "sys.exit(main(['--only', 's3.thm1.limit']))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "1/1 claims have their expected verdict" in out.stdout


@pytest.mark.slow
def test_wheel_installs_into_a_clean_venv(wheel: Path, tmp_path: Path) -> None:
    """pip install of the wheel alone (base dependencies from the index) gives typed, importable packages
    and console scripts that exit with main's status."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, env=_env(), timeout=120)
    py, bindir = venv / "bin" / "python", venv / "bin"
    # this pip installs into the venv (pip >= 22.3); without byte-compiling: 15 s instead of 45 s
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-compile", str(wheel)],
                   check=True, env=_env(), timeout=600)
    code = ("import sys, pathlib, reference, proofs_check\n"
            "for m in (reference, proofs_check):\n"
            "    root = pathlib.Path(m.__file__).parent\n"
            "    assert 'site-packages' in root.parts, root\n"
            "    assert (root / 'py.typed').is_file(), root\n"
            f"assert reference.__version__ == proofs_check.__version__ == {PROJECT['version']!r}\n"
            "assert 'torch' not in sys.modules\n"
            "try:\n"
            "    import gpu\n"
            "except ImportError as e:\n"
            "    assert 'needs PyTorch' in str(e), e\n"
            "else:\n"
            "    raise AssertionError('gpu imported without torch')\n")
    subprocess.run([str(py), "-c", code], cwd=tmp_path, check=True, env=_env(), timeout=120)

    (tmp_path / "mysteps.py").write_text(MYSTEPS)

    def script(name: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(bindir / name), *args], cwd=tmp_path, env=_env() | {"PYTHONPATH": str(tmp_path)},
                              capture_output=True, text=True, timeout=300)

    listed = script("s3-oracle-verify", "--list")
    assert listed.returncode == 0 and "s3.thm1" in listed.stdout
    assert script("s3-oracle-verify", "--only", "no.such.claim").returncode == 2
    ran = script("s3-oracle-verify", "--only", "s3.thm1.limit")
    assert ran.returncode == 0 and "1/1 claims have their expected verdict" in ran.stdout
    match = script("s3-oracle-compare", "numpy:mysteps:lion", "--as", "lion", "--hp", "lr=1e-3")
    assert match.returncode == 0 and "verdict: match" in match.stdout
    differ = script("s3-oracle-compare", "numpy:mysteps:sgd", "--as", "lion", "--hp", "lr=1e-3")
    assert differ.returncode == 1 and "diverges" in differ.stdout
    assert script("s3-oracle-compare", "--no-such-option").returncode == 2
    assert script("s3-oracle-compare", "numpy:no_such_module:f", "--as", "lion").returncode == 2


MYSTEPS = """
import reference as R

_LION = R.lion(lr=1e-3)


def lion(x, g, state):
    if state is None:
        state = _LION.init(x)
    return _LION.step(x, state, lambda _x: g)


def sgd(x, g, state):
    return x - 1e-3 * g, state
"""
