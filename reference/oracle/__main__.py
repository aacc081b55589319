"""``python -m reference.oracle``: check an optimizer against the reference from the command line.

::

    python -m reference.oracle torch:lion_pytorch:Lion --as lion --hp lr=1e-3,beta1=0.9,beta2=0.99
    python -m reference.oracle optax:optax.adan --as adan --hp lr=1e-3 --impl-kw eps_root=0 --stream zeros
    python -m reference.oracle torch:torch.optim.AdamW --as adamw --hp lr=1e-3,weight_decay=0.1 \\
        --group 'params=[(64,32),(32,)]' --group 'params=[(32,)],weight_decay=0' --dtype bfloat16 --ci
    python -m reference.oracle torch:pytorch_optimizer:SAM --as sam --hp lr=0.01,rho=0.05 \\
        --impl-kw base_optimizer=@torch.optim.SGD --json sam.json --rows 20
    python -m reference.oracle --known 'optax.*'       # the documented third-party conformance cases

Prints the summary first (verdict, first divergence, reproducer), then what was passed, left at
the implementation's defaults and compared; the per-step table only with ``--rows N`` (N rows,
always with the divergent step; ``--rows all``).  ``--json`` is written (atomically) before anything
is printed.  ``--ci``: every stream (``--stream all``), the summary only.

Values: numbers, ``true``/``false``, ``none``, ``[0,0,1]`` / ``(0.9,0.99)``, ``@module.attr`` (an
object, e.g. a base optimizer class), anything else a string.  Shapes: ``7``, ``4,3``, several
tensors ``4,3;5``.  State map values: a reference field, ``field|transform``
(``v_max|bias_corrected(beta2)``, ``m|-lr_scaled``) or ``none``.

Exit status: 0 the verdict is ``match`` (``--known``: every case has its documented verdict);
1 a divergence or ``cannot configure`` (``--known``: some case has another verdict);
2 a usage error (bad argument, unknown algorithm or hyperparameter, unwritable output path,
``--known`` pattern that matches no case), with a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from typing import Any, NoReturn

from .adapters import load
from .compare import DTYPES, MAX_STEPS
from .layout import MAX_PARAMETERS
from .streams import ALL, STREAMS

__all__ = ["main", "build_parser", "parse_pairs", "parse_value", "split_pairs", "parse_shapes"]


class UsageError(Exception):
    """A user error: exit 2 with a one-line message."""


def split_pairs(text: str, sep: str = ",") -> list[str]:
    """Split ``a=1,b=(1,2),c=[3,4]`` at the separators outside brackets."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return [p.strip() for p in out if p.strip()]


def parse_value(text: str) -> Any:
    """A command-line value: bool, None, ``@object``, a Python literal, or the string itself."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    if text.startswith("@"):
        try:
            return load(text[1:])
        except Exception as exc:  # noqa: BLE001 - any import failure is the user's value
            raise ValueError(f"cannot load {text!r}: {type(exc).__name__}: {_one_line(str(exc))}") from None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def parse_pairs(items: list[str] | None, what: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        for pair in split_pairs(item):
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"{what}: expected key=value, got {pair!r}")
            out[key.strip()] = parse_value(value.strip())
    return out


def parse_shapes(text: str) -> Any:
    """``7`` -> (7,); ``4,3`` -> (4, 3); ``4,3;5`` -> [(4, 3), (5,)] (bounded by MAX_PARAMETERS)."""
    shapes = []
    for part in text.split(";"):
        try:
            dims = tuple(int(s) for s in split_pairs(part))
        except ValueError:
            raise ValueError(f"--shape: expected sizes like 7, 4,3 or 4,3;5, got {text!r}") from None
        if not dims or any(s < 1 for s in dims):
            raise ValueError(f"--shape: sizes must be positive integers, got {text!r}")
        total = 1
        for s in dims:
            total *= s
            if total > MAX_PARAMETERS:
                raise ValueError(f"--shape {text}: more than {MAX_PARAMETERS} coordinates")
        shapes.append(dims)
    return shapes[0] if len(shapes) == 1 else shapes


def _integer(lo: int, hi: int | None = None, *, also: str | None = None) -> Callable[[str], int | None]:
    """An argparse type: an integer in ``[lo, hi]`` (``hi=None``: no upper end), or the word ``also``
    (then ``None``)."""
    allowed = (f"an integer in [{lo}, {hi}]" if hi is not None else {0: "a non-negative integer",
               1: "a positive integer"}.get(lo, f"an integer >= {lo}")) + (f" or {also!r}" if also else "")

    def parse(text: str) -> int | None:
        if also is not None and text == also:
            return None
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {allowed}, got {text!r}") from None
        if v < lo or (hi is not None and v > hi):
            raise argparse.ArgumentTypeError(f"expected {allowed}, got {v}")
        return v
    return parse


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="python -m reference.oracle", description=__doc__,
                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("impl", nargs="?", help="torch:module:Class | optax:optax.name | keras:keras.optimizers.Name | "
                    "functional:torchopt.name | numpy:module:function")
    ap.add_argument("--as", dest="algorithm", help="the reference algorithm (e.g. lion, adan, sam)")
    ap.add_argument("--hp", action="append", help="reference hyperparameters k=v,... (repeatable)")
    ap.add_argument("--impl-kw", action="append", help="extra keyword arguments of the implementation k=v,...")
    ap.add_argument("--state-map", action="append",
                    help="their_buffer=reference_field[|transform],... (none: do not compare it)")
    ap.add_argument("--steps", type=_integer(1, MAX_STEPS), default=None, help=f"steps per stream, 1..{MAX_STEPS} "
                    "(default 100; 1000 for --stream long)")
    ap.add_argument("--shape", default=None, help="parameter shape(s): 7, 4,3 or several tensors 4,3;5 (default 7)")
    ap.add_argument("--group", action="append", help="a param group instead of --shape: "
                    "params=[(4,3),(5,)],lr=1e-2,... (repeatable)")
    ap.add_argument("--dtype", default="float64", choices=DTYPES)
    ap.add_argument("--state-dtype", default=None, choices=DTYPES,
                    help="bfloat16/float16 parameters: float32 (mixed precision, default) or their own dtype")
    ap.add_argument("--norm-scope", default=None, choices=("tensor", "group", "global"),
                    help="norm-based methods: per tensor, per group or over all (default: the declaration's)")
    ap.add_argument("--hp-form", default=None, help="a hyperparameter form of the declaration (Adan: official, "
                    "paper, as-given)")
    ap.add_argument("--seed", type=_integer(0), default=0)
    ap.add_argument("--stream", default=None, choices=(*STREAMS, ALL), help="default heavy-tailed; --ci: all")
    ap.add_argument("--ci", action="store_true", help="every stream (unless --stream), print the summary only")
    ap.add_argument("--rows", type=_integer(1, also="all"), default=0, metavar="N",
                    help="print the per-step table with N rows (always the divergent step; 'all': every step)")
    ap.add_argument("--json", metavar="PATH", help="write the full record (or --known's records) as JSON")
    ap.add_argument("--known", nargs="?", const="*", metavar="PATTERN",
                    help="run the documented third-party conformance cases (glob on their ids)")
    ap.add_argument("--markdown", metavar="PATH", help="with --known: write the conformance table as Markdown")
    return ap


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _check_output(path: str | None, flag: str) -> None:
    """An output path must be a file we can create or replace (checked before running)."""
    if path is None:
        return
    if not path or os.path.isdir(path):
        raise UsageError(f"{flag} {path!r} is a directory, not a file")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise UsageError(f"{flag} {path!r}: directory {parent!r} does not exist")
    if not os.access(parent, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise UsageError(f"{flag} {path!r} is not writable")


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename."""
    parent = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".oracle-", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _known(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    import fnmatch

    from .conformance import CASES, markdown_table, run_case

    chosen = [c for c in CASES if fnmatch.fnmatch(c.id, args.known)]
    if not chosen:
        raise UsageError(f"--known {args.known!r} matches no conformance case (ids such as {CASES[0].id!r})")
    lines, rows, records, bad = [], [], [], 0
    for case in chosen:
        outcome = run_case(case)
        if outcome.result is None:
            lines.append(f"{case.id:<40} skipped: {outcome.skipped}")
            continue
        ok = outcome.result.verdict == case.expected
        bad += not ok
        lines.append(f"{case.id:<40} {outcome.result.verdict:<24} "
                     f"{'as documented' if ok else 'EXPECTED ' + case.expected}")
        rows.append(outcome)
        records.append({"case": case.id, "library": case.library, "version": outcome.version,
                        "documented": case.expected, **outcome.result.to_dict()})
    if args.markdown:
        write_atomic(args.markdown, markdown_table(rows) + "\n")
    if args.json:
        write_atomic(args.json, json.dumps(records, indent=1))
    out(f"{len(rows)} cases run, {bad} with a verdict other than the documented one")
    for line in lines:
        out(line)
    return 1 if bad else 0


def _run(argv: list[str] | None, out: Callable[[str], None]) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    _check_output(args.json, "--json")
    _check_output(args.markdown, "--markdown")
    if args.known is not None:
        return _known(args, out)
    if args.markdown:
        raise UsageError("--markdown goes with --known")
    if not args.impl or not args.algorithm:
        raise UsageError("give an implementation spec and --as ALGORITHM (or --known); see --help")
    from .compare import plan, run_plan

    try:
        hp = parse_pairs(args.hp, "--hp")
        impl_kw = parse_pairs(args.impl_kw, "--impl-kw")
        pairs = parse_pairs(args.state_map, "--state-map")
        state_map = {k: (None if v is None else str(v)) for k, v in pairs.items()} or None
        groups = None
        if args.group:
            if args.shape is not None:
                raise ValueError("give either --shape or --group")
            groups = []
            for text in args.group:
                g = parse_pairs([text], "--group")
                if "params" not in g:
                    raise ValueError(f"--group {text!r}: give params=[(shape), ...]")
                groups.append(g)
        shape = parse_shapes(args.shape) if args.shape is not None else None
        stream = args.stream or (ALL if args.ci else "heavy-tailed")
        p = plan(args.impl, args.algorithm, hp, steps=args.steps, shape=shape, groups=groups, dtype=args.dtype,
                 state_dtype=args.state_dtype, seed=args.seed, stream=stream, impl_kwargs=impl_kw,
                 state_map=state_map, norm_scope=args.norm_scope, hp_form=args.hp_form)
    except (ValueError, TypeError, KeyError) as exc:
        raise UsageError(str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)) from None
    result = run_plan(p)
    if args.json:
        write_atomic(args.json, json.dumps(result.to_dict(), indent=1))
    out(result.summary() if args.ci else str(result))
    if args.rows != 0:
        out("")
        out(result.table(args.rows))
    return 0 if result.matches else 1


class _Out:
    """Print lines; once the reader has gone away (``| head``), drop the rest silently."""

    def __init__(self) -> None:
        self.closed = False

    def __call__(self, text: str) -> None:
        if self.closed:
            return
        try:
            print(text, flush=True)
        except BrokenPipeError:
            self.closed = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            with contextlib.suppress(OSError):
                os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(argv, _Out())
    except UsageError as exc:
        with contextlib.suppress(BrokenPipeError):
            print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
