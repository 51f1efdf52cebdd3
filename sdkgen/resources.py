"""Host resources a text-generation build needs, estimated before any stage runs.

A build that runs out of memory is killed by the kernel half-way, after minutes of work, with no message
of ours. :func:`check_resources` refuses it up front instead (:class:`InsufficientResources`, exit 9).

The memory model is linear in the checkpoint's fp32 parameter bytes ``B`` (the loader always holds the
model in float32): a build of one target peaks at about ``base + k * B``, with ``base`` and ``k`` fitted
per lowering path (:data:`FOOTPRINTS`) from peaks measured by ``benchmarks/resources.py`` (the figures are
in ``docs/reliability.md`` and ``tests/reliability/data/measured.json``). Targets of one build run
one after another in one process and the eager model stays loaded, so a build needs its largest target's
estimate plus what the others add above the shared base (:func:`required_memory`).

Environment:

- ``SDKGEN_MEMORY_LIMIT``: the memory to assume available (``6G``, ``512MiB``, bytes), instead of what the
  host reports (``MemAvailable`` and the cgroup's ``memory.max``); for CI runners and tests.
- ``SDKGEN_SKIP_RESOURCE_CHECK=1``: skip the memory and disk checks (a build may then be killed).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sdkgen.config import BuildConfig
from sdkgen.errors import ConfigError, InsufficientResources
from sdkgen.models.hf import CheckpointInfo
from sdkgen.runtimes import TARGETS

GiB = 1024**3
MiB = 1024**2

#: Multiplies every fitted estimate: the fits cover the measured builds; this covers what they did not
#: vary (other architectures, longer prompts and caches, allocator fragmentation).
MARGIN = 1.25

#: Disk the output and cache folders need: each artifact is written to the stage cache, copied into the
#: staging folder, and the previous output stays until the swap.
DISK_COPIES = 3


@dataclass(frozen=True)
class Footprint:
    """Peak resident memory of a one-target build: ``base + per_byte * fp32 parameter bytes``."""

    base: int
    per_byte: float

    def peak(self, param_bytes: int) -> int:
        return int(self.base + self.per_byte * param_bytes)


#: Fitted with ``benchmarks/resources.py fit`` to the peaks in tests/reliability/data/measured.json (one-target
#: builds of 2M, 20M and 52M-parameter Llamas, export.max_seq_len 128): the least-squares slope, then the
#: smallest base that puts every measured peak on or under the line. Where a path has fewer than two model
#: sizes measured, the slope is borrowed (said on the line) and the base is its one measurement's.
#: Keys: :func:`footprint_key`.
FOOTPRINTS: dict[str, Footprint] = {
    # torchao 8da4w (or another recipe) on the eager model, torch.export, XNNPACK lowering: 2 sizes.
    "executorch:quantized": Footprint(base=585 * MiB, per_byte=2.76),
    # fp32 export and lowering hold about eight copies of the weights at the lowering's peak: 3 sizes.
    "executorch:fp32": Footprint(base=550 * MiB, per_byte=7.98),
    # litert-torch's conversion (TensorFlow loaded): 3 sizes.
    "litert": Footprint(base=1244 * MiB, per_byte=6.01),
    # coremltools' conversion: 2 sizes.
    "coreml": Footprint(base=1147 * MiB, per_byte=4.64),
    # ExecuTorch's Core ML delegate converts the checkpoint with coremltools: unmeasured; the larger base and
    # slope of Core ML's and ExecuTorch fp32's.
    "executorch:coreml": Footprint(base=1147 * MiB, per_byte=7.98),
}


def footprint_key(config: BuildConfig, target: str) -> str:
    """Which lowering path ``target`` takes in this build (a key of :data:`FOOTPRINTS`)."""
    ti = TARGETS.get(target)
    if ti.runtime == "executorch":
        if "text-generation" in ti.converts_checkpoint:
            return "executorch:coreml"
        # The ExecuTorch delegates that lower the exported program share its export and quantization.
        return "executorch:fp32" if config.recipe().name == "none" else "executorch:quantized"
    return "litert" if ti.runtime == "litert" else "coreml"


def parameter_bytes(info: CheckpointInfo) -> int:
    """The model's size in float32 (how the loader holds it): from the safetensors header, or for a
    ``pytorch_model.bin`` from its file size and ``config.json``'s dtype."""
    n = info.parameter_count
    if n:
        return 4 * n
    dtype = str(info.config.get("torch_dtype") or info.config.get("dtype") or "float32")
    per_param = 2 if dtype in ("float16", "bfloat16") else 4
    return info.weights.stat().st_size * 4 // per_param


def kv_cache_bytes(config: BuildConfig, info: CheckpointInfo) -> int:
    """The static KV cache of ``export.max_seq_len`` positions, in float32."""
    hf = info.config.get("text_config", info.config)
    heads = int(hf.get("num_attention_heads", 1))
    kv_heads = int(hf.get("num_key_value_heads") or heads)
    head_dim = int(hf.get("head_dim") or int(hf["hidden_size"]) // heads)
    return 2 * int(hf["num_hidden_layers"]) * kv_heads * head_dim * config.export.max_seq_len * 4


def estimate(config: BuildConfig, info: CheckpointInfo) -> dict[str, int]:
    """Peak host memory (bytes) a build of each of ``config.targets`` alone needs, margin included.

    The KV cache counts like weights (the eager model, the exported program and the lowered artifact each
    hold a copy); the measured builds' caches were too small to fit it separately."""
    size = parameter_bytes(info) + kv_cache_bytes(config, info)
    return {t: int(MARGIN * FOOTPRINTS[footprint_key(config, t)].peak(size)) for t in config.targets}


def required_memory(estimates: dict[str, int]) -> int:
    """What a build of all these targets needs: the largest, plus each other target's share above the
    shared base (the process, its libraries and the eager model stay loaded between targets)."""
    if not estimates:
        return 0
    ordered = sorted(estimates.values(), reverse=True)
    base = int(MARGIN * min(f.base for f in FOOTPRINTS.values()))
    return ordered[0] + sum(max(0, e - base) // 2 for e in ordered[1:])


def parse_size(text: str, *, name: str) -> int:
    """``"6G"``, ``"6GiB"``, ``"512M"``, ``"1.5g"``, ``"123456"`` -> bytes (binary units)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not m:
        raise ConfigError(
            f"{name} = {text!r} is not a size",
            hint=f"write it as bytes or with a unit, e.g. {name}=6G or {name}=512M",
        )
    unit = {"": 1, "k": 1024, "m": MiB, "g": GiB, "t": 1024 * GiB}[m.group(2).lower()]
    return int(float(m.group(1)) * unit)


def _meminfo_available(meminfo: Path) -> int | None:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _cgroup_available(cgroup_root: Path, proc_cgroup: Path) -> int | None:
    """``memory.max - memory.current`` of this process's cgroup v2 and its ancestors (the smallest); cgroup
    v1's ``memory.limit_in_bytes`` likewise. ``None`` when no limit is set."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    best: int | None = None
    for line in lines:
        _, controllers, rel = line.split(":", 2)
        if controllers == "":
            folder, limit_file, usage_file = cgroup_root, "memory.max", "memory.current"
        elif "memory" in controllers.split(","):
            folder, limit_file, usage_file = cgroup_root / "memory", "memory.limit_in_bytes", "memory.usage_in_bytes"
        else:
            continue
        d = folder / rel.lstrip("/")
        while True:
            try:
                raw = (d / limit_file).read_text().strip()
                if raw != "max" and int(raw) < 1 << 60:  # v1 writes "no limit" as a huge number
                    used = int((d / usage_file).read_text().strip())
                    free = max(0, int(raw) - used)
                    best = free if best is None else min(best, free)
            except (OSError, ValueError):
                pass
            if d == folder or d.parent == d:
                break
            d = d.parent
    return best


def available_memory(
    meminfo: Path = Path("/proc/meminfo"),
    cgroup_root: Path = Path("/sys/fs/cgroup"),
    proc_cgroup: Path = Path("/proc/self/cgroup"),
) -> tuple[int | None, str]:
    """The memory a build may use (bytes) and where the figure came from; ``None`` when the host says
    nothing (not Linux): the check is then skipped."""
    env = os.environ.get("SDKGEN_MEMORY_LIMIT")
    if env:
        return parse_size(env, name="SDKGEN_MEMORY_LIMIT"), "SDKGEN_MEMORY_LIMIT"
    host = _meminfo_available(meminfo)
    group = _cgroup_available(cgroup_root, proc_cgroup)
    if group is not None and (host is None or group < host):
        return group, "the cgroup's memory.max"
    return host, "MemAvailable in /proc/meminfo"


def _gib(n: int) -> str:
    return f"{n / GiB:.1f} GiB"


def check_memory(config: BuildConfig, info: CheckpointInfo) -> dict[str, int]:
    """Raise :class:`InsufficientResources` when the build's estimated peak exceeds the available memory;
    return the per-target estimates otherwise."""
    estimates = estimate(config, info)
    need = required_memory(estimates)
    have, source = available_memory()
    if have is None or need <= have:
        return estimates
    largest = max(estimates, key=lambda t: estimates[t])
    what = f"building {largest}" if len(estimates) == 1 else f"building {', '.join(estimates)}"
    per_target = ", ".join(f"{t} {_gib(b)}" for t, b in estimates.items())
    fewer = (
        f"build fewer targets at once (--targets {largest}), "
        if len(estimates) > 1
        else f"build another target than {largest}, "
    )
    raise InsufficientResources(
        f"{what} needs about {_gib(need)} of memory, this host has {_gib(have)} available ({source}); "
        f"estimated per target from the model's {parameter_bytes(info) / 1e6:.0f} MB of fp32 weights: {per_target}",
        hint=f"{fewer}set a smaller export.max_seq_len (now {config.export.max_seq_len}), or run on a machine "
        "with more memory; SDKGEN_SKIP_RESOURCE_CHECK=1 skips this check at your own risk (the build may be "
        "killed half-way)",
    )


def _free_disk(path: Path) -> int:
    p = path.resolve()
    while not p.exists() and p.parent != p:
        p = p.parent
    return shutil.disk_usage(p).free


def check_disk(
    config: BuildConfig,
    info: CheckpointInfo,
    folders: list[Path],
    free: Callable[[Path], int] | None = None,
) -> None:
    """Raise :class:`InsufficientResources` when a folder's file system has less free space than
    :data:`DISK_COPIES` times the artifacts' size (each at most the fp32 weights)."""
    need = DISK_COPIES * parameter_bytes(info) * len(config.targets)
    for folder in folders:
        have = (free or _free_disk)(folder)
        if have < need:
            raise InsufficientResources(
                f"building {', '.join(config.targets)} needs about {_gib(need)} of free disk in "
                f"{str(folder)!r}, its file system has {_gib(have)} free",
                hint="free some space, point --out / --cache-dir (or SDKGEN_CACHE_DIR) at a larger disk, or "
                "build fewer targets; SDKGEN_SKIP_RESOURCE_CHECK=1 skips this check at your own risk",
            )


def check_resources(config: BuildConfig, info: CheckpointInfo, folders: list[Path]) -> None:
    """Memory and disk checks of a text-generation build, before any stage runs (see the module docstring)."""
    if os.environ.get("SDKGEN_SKIP_RESOURCE_CHECK", "") not in ("", "0"):
        return
    check_memory(config, info)
    check_disk(config, info, folders)
