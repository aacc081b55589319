"""``python -m reference.oracle``: check an optimizer against the reference from the command line.

::

    python -m reference.oracle torch:lion_pytorch:Lion --as lion --hp lr=1e-3,beta1=0.9,beta2=0.99
    python -m reference.oracle optax:optax.adan --as adan --hp lr=1e-3 --impl-kw eps_root=0 --stream zeros
    python -m reference.oracle torch:pytorch_optimizer:SAM --as sam --hp lr=0.01,rho=0.05 \\
        --impl-kw base_optimizer=@torch.optim.SGD --json sam.json
    python -m reference.oracle --known                 # the documented third-party conformance cases

Prints the verdict, the first divergence and the per-step table; exits 0 iff the verdict is
``match`` (``--known``: iff every case has its documented verdict), 1 otherwise, 2 on bad input.
Values: numbers, ``true``/``false``, ``none``, ``[0,0,1]`` / ``(0.9,0.99)``, ``@module.attr``
(an object, e.g. a base optimizer class), anything else a string.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from typing import Any

from .adapters import load
from .compare import DTYPES, compare
from .streams import STREAMS


def split_pairs(text: str) -> list[str]:
    """Split ``a=1,b=(1,2),c=[3,4]`` at the commas outside brackets."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
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
        return load(text[1:])
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
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


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m reference.oracle", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("impl", nargs="?", help="torch:module:Class | optax:optax.name | numpy:module:function")
    ap.add_argument("--as", dest="algorithm", help="the reference algorithm (e.g. lion, adan, sam)")
    ap.add_argument("--hp", action="append", help="reference hyperparameters k=v,... (repeatable)")
    ap.add_argument("--impl-kw", action="append", help="extra keyword arguments of the implementation k=v,...")
    ap.add_argument("--state-map", action="append", help="their_buffer=reference_field,... (none: skip it)")
    ap.add_argument("--steps", type=int, default=None, help="steps (default 100; 1000 for --stream long)")
    ap.add_argument("--shape", default="7", help="parameter shape, e.g. 7 or 4,3 (default 7)")
    ap.add_argument("--dtype", default="float64", choices=DTYPES)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stream", default="heavy-tailed", choices=STREAMS)
    ap.add_argument("--rows", type=int, default=None, help="table rows (default: all steps up to 100)")
    ap.add_argument("--json", metavar="PATH", help="write the full record (or --known's records) as JSON")
    ap.add_argument("--known", nargs="?", const="*", metavar="PATTERN",
                    help="run the documented third-party conformance cases (glob on their ids)")
    ap.add_argument("--markdown", metavar="PATH", help="with --known: write the conformance table as Markdown")
    return ap


def _known(args: argparse.Namespace) -> int:
    from .conformance import CASES, markdown_table, run_case

    import fnmatch

    rows, records, bad = [], [], 0
    for case in CASES:
        if not fnmatch.fnmatch(case.id, args.known):
            continue
        outcome = run_case(case)
        if outcome.result is None:
            print(f"{case.id:<34} skipped: {outcome.skipped}")
            continue
        ok = outcome.result.verdict == case.expected
        bad += not ok
        print(f"{case.id:<34} {outcome.result.verdict:<22} {'as documented' if ok else 'EXPECTED ' + case.expected}")
        rows.append(outcome)
        records.append({"case": case.id, "library": case.library, "version": outcome.version,
                        "documented": case.expected, **outcome.result.to_dict()})
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(markdown_table(rows) + "\n")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(records, fh, indent=1)
    print(f"{len(rows)} cases run, {bad} with a verdict other than the documented one")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.known is not None:
        return _known(args)
    if not args.impl or not args.algorithm:
        ap.print_usage(sys.stderr)
        print("error: give an implementation spec and --as ALGORITHM (or --known)", file=sys.stderr)
        return 2
    try:
        hp = parse_pairs(args.hp, "--hp")
        impl_kw = parse_pairs(args.impl_kw, "--impl-kw")
        state_map = parse_pairs(args.state_map, "--state-map") or None
        shape = tuple(int(s) for s in split_pairs(args.shape))
        result = compare(args.impl, args.algorithm, hp, steps=args.steps, shape=shape, dtype=args.dtype,
                         seed=args.seed, stream=args.stream, impl_kwargs=impl_kw, state_map=state_map)
    except (ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result)
    if result.errors:
        print()
        print(result.table(args.rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result.to_dict(), fh, indent=1)
    return 0 if result.matches else 1


if __name__ == "__main__":
    sys.exit(main())
