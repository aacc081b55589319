"""Every gpu optimizer on sharded DTensor parameters == unsharded, per step (gloo, CPU processes).

One spawn per world size runs ``dist_worker`` (every optimizer x for-loop/foreach path, float64;
float32 for an elementwise and a norm-based method; negative controls).  World 2: FSDP2's layout
(``Shard(0)`` on a 1-D mesh); world 4: a 2 x 2 mesh with ``(Shard(0), Shard(1))`` and
``(Replicate(), Shard(0))`` parameters, uneven and empty shards.  Blocks of BlockwiseAdam straddle
the shard boundaries.

Tolerances (``gpu.tolerances``): float64 ``F64_RTOL`` per step, normwise relative.  float32:
sharded and unsharded are each within ``float32_bound(alg, t, n)`` of the float64 reference, so
they are within ``2 float32_bound`` of each other (triangle inequality); ``n`` is the longest
reduction (the group's 34 elements).  The only sharded-vs-unsharded difference is the summation
order of the reductions (local sums, then the all-reduce), R6.

FSDP2 (world 2): a small MLP trained through ``fully_shard`` (forward/backward on the sharded
model, closures for SAM/NIGT) against the unsharded model, within ``F64_RTOL`` per step; a
``torch.distributed.checkpoint`` round trip of the optimizer state (S3, SAM, NIGT, NormalizedSGDM,
AdaSGD, BlockwiseAdam) resumes bit-identically.

Negative controls: with shard-local reductions (``gpu.distributed.reduce_sums`` replaced by the
identity) NormalizedSGDM, BlockwiseAdam and SAM leave these bounds by orders of magnitude.
"""

from __future__ import annotations

import json
import socket

import pytest

torch = pytest.importorskip("torch")
tdist = pytest.importorskip("torch.distributed")
if not tdist.is_available() or not tdist.is_gloo_available():  # pragma: no cover - torch build
    pytest.skip("torch.distributed with gloo is not available in this torch build", allow_module_level=True)

import torch.multiprocessing as mp  # noqa: E402

import dist_worker as W  # noqa: E402
from gpu import tolerances as TOL  # noqa: E402

N_LONGEST = sum(int(torch.tensor(s).prod()) for s in W.SHAPES)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=[2, 4], ids=["world2", "world4"])
def results(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, float]]:
    """Per run label and quantity: the worst error over all ranks and steps."""
    world = request.param
    out = tmp_path_factory.mktemp(f"world{world}")
    mp.spawn(W.main, args=(world, _free_port(), str(out)), nprocs=world, join=True)
    merged: dict[str, dict[str, float]] = {}
    for r in range(world):
        for label, errs in json.loads((out / f"rank{r}.json").read_text()).items():
            m = merged.setdefault(label, {})
            for k, v in errs.items():
                m[k] = max(m.get(k, 0.0), v)
    return merged


def _bound(label: str) -> float:
    if label.startswith("float32:"):
        alg = label.split(":")[1].split("/")[0]
        return 2 * TOL.float32_bound(alg, W.STEPS, N_LONGEST)
    return TOL.F64_RTOL


def test_every_optimizer_and_path_ran(results: dict[str, dict[str, float]]) -> None:
    import gpu

    ran = {label.split("/")[0] for label in results if ":" not in label}
    assert {name for lab, name, _, _ in W.CASES if lab in ran} == set(gpu.OPTIMIZERS)
    for label in ran:
        assert {f"{label}/single", f"{label}/foreach"} <= set(results)
        assert any(k.endswith(".x") for k in results[f"{label}/single"])


def test_sharded_equals_unsharded(results: dict[str, dict[str, float]]) -> None:
    bad = {label: {k: v for k, v in errs.items() if not v <= _bound(label)}
           for label, errs in results.items() if not label.startswith("control:")}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"sharded != unsharded beyond gpu.tolerances: {bad}"


def test_state_buffers_compared(results: dict[str, dict[str, float]]) -> None:
    # the comparison covers the state, not only the parameters (e.g. BlockwiseAdam's per-block v)
    assert {"0.m", "0.v", "2.v"} <= set(results["blockwise_adam/single"])
    assert {"0.m", "0.s"} <= set(results["s3/foreach"])


def test_fsdp2_training_and_checkpoint_round_trip(results: dict[str, dict[str, float]],
                                                   request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params["results"] != 2:
        assert not any(k.startswith("fsdp:") for k in results)  # FSDP2 runs on the 2-rank world
        return
    for name, _, _ in W.FSDP_CASES:
        errs = results[f"fsdp:{name}"]
        assert errs["x"] <= TOL.F64_RTOL, f"FSDP2 {name}: {errs}"
        if name in W.DCP_CASES:  # resumed from the checkpoint: bit-identical to the uninterrupted run
            assert errs["dcp_x"] == 0.0 and errs["dcp_state"] == 0.0, f"DCP round trip {name}: {errs}"


@pytest.mark.parametrize("label", ["normalized_sgdm", "blockwise_adam", "sam"])
def test_negative_control_shard_local_reduction_detected(results: dict[str, dict[str, float]], label: str) -> None:
    errs = results[f"control:{label}/single"]
    assert max(errs.values()) > 1e3 * TOL.F64_RTOL, f"shard-local reduction of {label} went undetected: {errs}"
