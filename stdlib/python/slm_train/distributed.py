"""Data parallelism across the processes torchrun starts (SPEC.md section 2.2).

SageMaker's Hugging Face container launches train.py with torchrun when the
definition enables torch_distributed: one process per GPU on every instance,
with RANK, LOCAL_RANK and WORLD_SIZE in the environment. Every process reads
the whole (replicated) data, takes its share of each global batch, and the
gradients are summed across processes after each backward pass, so the
update equals one process training on the global batch. Only rank 0 prints
metric lines and writes checkpoints and the export.

Gradients are all-reduced by hand rather than through DistributedDataParallel:
LoRA's trainable parameters are few and small, the order is fixed, and the
result does not depend on DDP's bucketing, which keeps the equality with a
single process testable.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from typing import Any

import torch
import torch.distributed as dist


@dataclasses.dataclass(frozen=True)
class World:
    """This process's place among the training processes."""

    rank: int = 0
    local_rank: int = 0
    size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


SINGLE = World()


def init(environ: dict[str, str] | None = None) -> World:
    """Joins the process group torchrun set up; a single process without it."""
    env = os.environ if environ is None else environ
    size = int(env.get("WORLD_SIZE", "1"))
    if size <= 1:
        return SINGLE
    world = World(rank=int(env["RANK"]), local_rank=int(env.get("LOCAL_RANK", "0")), size=size)
    if not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        if backend == "nccl":
            torch.cuda.set_device(world.local_rank)
        dist.init_process_group(backend=backend)
    return world


def device(world: World) -> torch.device:
    if torch.cuda.is_available():
        return torch.device("cuda", world.local_rank)
    return torch.device("cpu")


def sum_gradients(params: Iterable[torch.nn.Parameter], world: World) -> None:
    """Sums each parameter's gradient over the processes (losses are pre-scaled)."""
    if world.size <= 1:
        return
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
        dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)


def sum_scalar(x: float, world: World, dev: torch.device) -> float:
    if world.size <= 1:
        return x
    t = torch.tensor([x], dtype=torch.float64, device=dev)
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return float(t.item())


def gather(obj: Any, world: World) -> list[Any]:
    """Every process's obj, by rank (a collective: all processes call it)."""
    if world.size <= 1:
        return [obj]
    out: list[Any] = [None] * world.size
    dist.all_gather_object(out, obj)
    return out


def barrier(world: World) -> None:
    if world.size > 1:
        dist.barrier()


def shutdown(world: World) -> None:
    if world.size > 1 and dist.is_initialized():
        dist.destroy_process_group()
