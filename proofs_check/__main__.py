"""``python -m proofs_check``: run the claim registry and print the verification report."""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
import time
from pathlib import Path

EPILOG = """exit status:
  0  every claim has its expected verdict
  1  some claim's verdict differs from its expectation, or a plugin failed to load
  2  usage error (bad argument, unwritable output path, no claim matches --only)

Each claim's re-run command (with its seed and profile) is in the JSON/Markdown report."""


class _UsageError(Exception):
    pass


def _output_path(value: str | None, flag: str) -> Path | None:
    """Validate an output path before any claim runs: not a directory, its directory creatable and writable."""
    if value is None:
        return None
    path = Path(value)
    if str(value).endswith(os.sep) or path.is_dir():
        raise _UsageError(f"{flag} {value}: is a directory, give a file path")
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _UsageError(f"{flag} {value}: cannot create its directory ({exc.strerror})") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise _UsageError(f"{flag} {value}: directory {parent} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise _UsageError(f"{flag} {value}: file is not writable")
    return path


def _seed(value: str) -> int:
    try:
        seed = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seed {value!r}: an integer in [0, 2**32)") from None
    if not 0 <= seed < 2**32:
        raise argparse.ArgumentTypeError(f"invalid seed {seed}: must be in [0, 2**32)")
    return seed


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    from .registry import Context
    ap = _Parser(prog="python -m proofs_check", description="Run the claim registry and print the verification report.",
                 epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", metavar="PATTERN", action="append",
                    help="run claims whose id matches this glob or prefix (repeatable), e.g. 's3.thm2*'")
    ap.add_argument("--full", action="store_true", help="larger sweeps than the default profile")
    ap.add_argument("--json", metavar="PATH", help="write the results (with run metadata) as JSON")
    ap.add_argument("--markdown", metavar="PATH", help="write a Markdown report with PNG plots")
    ap.add_argument("--seed", type=_seed, default=Context().seed, help="base seed of every check (0 <= seed < 2**32)")
    ap.add_argument("--list", action="store_true", help="list the registered claims by paper and exit")
    return ap


def _print(text: str = "", file=None) -> None:
    print(text, file=file or sys.stdout, flush=True)


def _run(argv: list[str] | None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    try:
        json_path = _output_path(args.json, "--json")
        md_path = _output_path(args.markdown, "--markdown")
    except _UsageError as exc:
        ap.error(str(exc))

    from . import REGISTRY, plugins
    from .registry import Context, run_claim
    from .report import run_metadata, table, to_json, to_markdown

    for name, err in plugins.ERRORS:
        print(f"proofs_check: plugin {name!r} failed to load: {err}", file=sys.stderr)
    claims = list(REGISTRY.values())
    if args.only:
        claims = [c for c in claims if any(fnmatch.fnmatch(c.id, p) or c.id.startswith(p) for p in args.only)]
        if not claims:
            ap.error(f"no claim matches {' '.join(args.only)} (see --list)")
    from .papers import PAPERS
    rank = {s: i for i, s in enumerate(PAPERS)}
    claims.sort(key=lambda c: rank.get(c.id.split(".", 1)[0], len(rank)))  # grouped by paper, stable within
    if args.list:
        shorts = dict.fromkeys([c.id.split(".", 1)[0] for c in claims])
        for short in [s for s in PAPERS if s in shorts] + [s for s in shorts if s not in PAPERS]:
            paper = PAPERS.get(short)
            _print(f"{short}: {paper.title}" + (f" (arXiv:{paper.arxiv})" if paper and paper.arxiv else "") if paper else short)
            for c in claims:
                if c.id.split(".", 1)[0] == short:
                    _print(f"  {c.id:<32} {c.expected.value:<12} {c.source}")
        return 1 if plugins.ERRORS else 0

    ctx = Context(full=args.full, seed=args.seed,
                  progress=lambda m: print(f"\n    {m}", end="", file=sys.stderr, flush=True))
    results = []
    start = time.perf_counter()
    for i, claim in enumerate(claims, 1):
        print(f"[{i}/{len(claims)}] {claim.id} ...", end="", file=sys.stderr, flush=True)
        res = run_claim(claim, ctx)
        print(f" {res.verdict.value} ({res.seconds:.1f} s)", file=sys.stderr, flush=True)
        results.append(res)
    wall = time.perf_counter() - start
    meta = run_metadata(ctx, argv if argv is not None else sys.argv[1:])
    meta["wall_seconds"] = round(wall, 2)
    command = "python -m proofs_check" + (" --full" if args.full else "") + f" --seed {args.seed}" + \
        "".join(f" --only '{p}'" for p in args.only or [])
    # files first: a reader piping the table to head still gets them
    if json_path:
        to_json(results, json_path, meta)
    if md_path:
        to_markdown(results, md_path, command, meta)
    code = 0 if all(r.ok for r in results) and not plugins.ERRORS else 1
    try:
        _print(table(results))
        _print(f"profile: {meta['profile']}, seed {args.seed}, wall {wall:.1f} s; re-run: {command}")
        if json_path:
            _print(f"wrote {json_path}")
        if md_path:
            _print(f"wrote {md_path}")
    except BrokenPipeError:
        _silence_stdout()
    return code


def _silence_stdout() -> None:
    """The reader went away (``| head``): send the rest of the output to /dev/null, no traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    """The CLI; returns the exit status (see ``--help``).  Safe when piped to ``head``."""
    try:
        return _run(argv)
    except BrokenPipeError:  # while listing: the verdicts were not the point
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
