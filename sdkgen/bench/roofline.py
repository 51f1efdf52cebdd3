"""The memory roofline of decoding: this host's measured bandwidth, the bytes a decode step reads, and the
resulting upper bound on decode tokens per second.

A decode step of a language model multiplies one token's activations by every weight matrix: it is bound by
memory traffic, not arithmetic. Its least traffic is modelled as (:class:`Traffic`):

- **weights**: every constant the artifact stores for the decode step (weight tensors with their scales and
  zero points, delegate payloads), read once. The token-embedding table is the exception: a step looks up
  one row of it. When the table is stored apart from the output projection (an fp32 ``aten::embedding``
  table next to a 4-bit output layer in the XNNPACK delegate) only that row counts; when the artifact keeps
  one tensor for both (a tied embedding LiteRT feeds to ``EMBEDDING_LOOKUP`` and ``FULLY_CONNECTED``) the
  output projection reads all of it, so it counts once, in full.
- **KV cache**: the keys and values of every layer for each position the new token attends to (positions
  ``0..p`` at position ``p``). A static cache whose attention reads all ``max_seq_len`` rows and masks the
  rest moves more (:attr:`Traffic.kv_bytes_per_position` times ``max_seq_len``); the bound counts only the
  rows attention needs, so it stays an upper bound for any implementation.

Activations, the written KV row and the logits are left out (kilobytes against megabytes). Over a run of
``prompt_len`` prompt tokens and ``decode_tokens`` decoded ones the bound uses the mean bytes per decode step.

Bandwidth (:func:`measure_bandwidth`) is measured STREAM-style with numpy over arrays several times the
last-level cache: ``copy`` (``b = a``, 2 arrays moved), ``triad`` (``a = b + s*c`` in cache-sized blocks, so
3 arrays move through memory) and ``read`` (an OR-reduction of ``a``, 1 array), best of ``repeats``, on one thread and
on every core (numpy releases the GIL in these loops; each thread streams its own slice). A decode step runs
on the runtime's thread pool (XNNPACK's and LiteRT's use every core by default), so the all-core figure is
the one it can reach; the bound takes the largest figure measured, all-core or single-thread (on a shared
memory controller one thread can measure more than all of them), so it stays an upper bound.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sdkgen.errors import ModelLoadError

KERNELS = ("copy", "triad", "read")
#: Arrays moved through memory per element, per kernel (STREAM's counting: no write-allocate traffic).
_ARRAYS_MOVED = {"copy": 2, "triad": 3, "read": 1}


# --------------------------------------------------------------------------------------------- bandwidth


def last_level_cache_bytes() -> int:
    """The largest CPU cache this host reports (sysfs), or 32 MiB when it reports none."""
    sizes = []
    for f in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):
        text = f.read_text().strip().upper()
        scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
        digits = text.rstrip("KMG")
        if digits.isdigit():
            sizes.append(int(digits) * scale)
    return max(sizes, default=32 << 20)


def host_threads() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def measure_bandwidth(*, threads: int = 1, array_bytes: int | None = None, repeats: int = 5) -> dict[str, float]:
    """GB/s (10^9 bytes/s) of each of :data:`KERNELS` on ``threads`` threads, best of ``repeats``, over
    float64 arrays of ``array_bytes`` each (default: 8x the last-level cache, at least 64 MiB)."""
    import numpy as np

    size = array_bytes or max(8 * last_level_cache_bytes(), 64 << 20)
    n = size // 8
    a, b, c = np.ones(n), np.full(n, 2.0), np.full(n, 0.5)
    bounds = [(n * i // threads, n * (i + 1) // threads) for i in range(threads)]
    block = max(1, (256 << 10) // 8)  # a triad block and its temporary stay in L2

    def copy(lo: int, hi: int) -> None:
        np.copyto(b[lo:hi], a[lo:hi])

    def triad(lo: int, hi: int) -> None:
        tmp = np.empty(block)
        for i in range(lo, hi, block):
            j = min(i + block, hi)
            t = tmp[: j - i]
            np.multiply(c[i:j], 3.0, out=t)
            np.add(b[i:j], t, out=a[i:j])

    bits = a.view(np.uint64)

    def read(lo: int, hi: int) -> None:
        np.bitwise_or.reduce(bits[lo:hi])  # vectorised and light: a float sum is compute-bound on one core

    kernels: dict[str, Callable[[int, int], None]] = {"copy": copy, "triad": triad, "read": read}
    best = {k: float("inf") for k in KERNELS}
    for _ in range(repeats):
        for name in KERNELS:
            best[name] = min(best[name], _timed(kernels[name], bounds))
    return {k: round(_ARRAYS_MOVED[k] * n * 8 / best[k] / 1e9, 3) for k in KERNELS}


def _timed(kernel: Callable[[int, int], None], bounds: list[tuple[int, int]]) -> float:
    if len(bounds) == 1:
        t0 = time.perf_counter()
        kernel(*bounds[0])
        return time.perf_counter() - t0
    start = threading.Barrier(len(bounds) + 1)

    def work(lo: int, hi: int) -> None:
        start.wait()
        kernel(lo, hi)

    workers = [threading.Thread(target=work, args=b) for b in bounds]
    for w in workers:
        w.start()
    start.wait()
    t0 = time.perf_counter()
    for w in workers:
        w.join()
    return time.perf_counter() - t0


def host_bandwidth(*, array_bytes: int | None = None, repeats: int = 5) -> dict[str, Any]:
    """Single-thread and all-core bandwidth, and the figure that bounds a decode step (``bound_gb_s``: the
    largest figure measured, named by ``bound_kernel``)."""
    threads = host_threads()
    single = measure_bandwidth(threads=1, array_bytes=array_bytes, repeats=repeats)
    multi = measure_bandwidth(threads=threads, array_bytes=array_bytes, repeats=repeats) if threads > 1 else single
    figures = {(k, 1): v for k, v in single.items()} | {(k, threads): v for k, v in multi.items()}
    kernel, n = max(figures, key=lambda key: figures[key])
    return {
        "single_thread_gb_s": single,
        "all_cores_gb_s": multi,
        "threads": threads,
        "array_mib": round((array_bytes or max(8 * last_level_cache_bytes(), 64 << 20)) / (1 << 20), 1),
        "last_level_cache_mib": round(last_level_cache_bytes() / (1 << 20), 1),
        "repeats": repeats,
        "bound_gb_s": figures[(kernel, n)],
        "bound_kernel": f"{kernel}, {n} thread{'s' if n > 1 else ''}",
    }


def host_info() -> dict[str, Any]:
    """Python, platform, CPU model, cores and memory of this host (recorded next to its measurements)."""
    from sdkgen import toolchain

    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        cpu = next(
            (ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines() if ln.startswith("model name")), ""
        )
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    return toolchain.host() | {"cpu": cpu, "cores": host_threads(), "memory_gib": round(mem / (1 << 30), 1)}


# ------------------------------------------------------------------------------------------- bytes/token


@dataclass(frozen=True)
class Traffic:
    """What one decode step of an artifact reads (see the module docstring).

    ``weight_bytes``: every constant the decode step's graph holds; ``embedding_bytes``: the token-embedding
    table (with its scales) when stored apart from the output projection, else 0; ``embedding_rows``: its
    rows (the vocabulary); ``kv_bytes_per_position``: keys and values of every layer for one position;
    ``max_seq_len``: the cache's length."""

    weight_bytes: int
    embedding_bytes: int
    embedding_rows: int
    kv_bytes_per_position: int
    max_seq_len: int

    @property
    def weights_read(self) -> int:
        """Weight bytes one step reads: all of them, but one row of a separately stored embedding table."""
        row = self.embedding_bytes // self.embedding_rows if self.embedding_rows else 0
        return self.weight_bytes - self.embedding_bytes + row

    def step_bytes(self, position: int) -> int:
        """Bytes read by the decode step that writes ``position`` (it attends to ``position + 1`` rows)."""
        return self.weights_read + self.kv_bytes_per_position * (position + 1)

    def mean_step_bytes(self, prompt_len: int, decode_tokens: int) -> float:
        """Mean bytes per decode step over ``decode_tokens`` steps after a ``prompt_len``-token prompt."""
        steps = [self.step_bytes(prompt_len + i) for i in range(decode_tokens)]
        return sum(steps) / len(steps)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"weights_read": self.weights_read}


def bound(
    traffic: Traffic, bandwidth_gb_s: float, *, prompt_len: int, decode_tokens: int, cache_bytes: int | None = None
) -> dict[str, Any]:
    """The roofline of ``traffic`` at ``bandwidth_gb_s``: mean bytes per decode step and the tok/s bound.

    ``fits_in_cache`` is set when a step's bytes fit in the last-level cache (``cache_bytes``, default this
    host's): the weights then stay in cache between steps and memory bandwidth does not bound the step (a
    tiny test model can run above the "bound")."""
    per_token = traffic.mean_step_bytes(prompt_len, decode_tokens)
    llc = last_level_cache_bytes() if cache_bytes is None else cache_bytes
    return {
        "bytes_per_token": round(per_token),
        "kv_bytes_per_token": round(per_token - traffic.weights_read),
        "bandwidth_gb_s": bandwidth_gb_s,
        "bound_tok_s": round(bandwidth_gb_s * 1e9 / per_token, 1),
        "fits_in_cache": per_token <= llc,
    }


def forward_floor_ms(weight_bytes: int, bandwidth_gb_s: float) -> float:
    """The shortest forward of a tensor-shaped model: reading its weights once at ``bandwidth_gb_s``."""
    return round(weight_bytes / (bandwidth_gb_s * 1e9) * 1e3, 6)


def artifact_traffic(path: Path) -> Traffic:
    """:class:`Traffic` read from a ``.pte`` or ``.tflite`` file itself: its constants, its embedding
    lookup and whether the output projection shares that table, and its KV cache tensors (none for a model
    without a cache)."""
    if path.suffix == ".pte":
        return _pte_traffic(path)
    if path.suffix == ".tflite":
        return _tflite_traffic(path)
    raise ModelLoadError(
        f"{str(path)!r}: no roofline model for this artifact",
        choices=[".pte", ".tflite"],
        hint="the roofline reads ExecuTorch .pte and LiteRT .tflite files (Core ML does not run here)",
    )


def _pte_traffic(path: Path) -> Traffic:
    from executorch.exir._serialize._program import deserialize_pte_binary

    pte = deserialize_pte_binary(path.read_bytes())
    program = pte.program
    named = pte.named_data
    constants = sum(len(b.storage) for b in program.constant_buffer)
    delegated = sum(len(b.data) for b in program.backend_delegate_data)
    if named is not None:
        delegated += sum(len(getattr(b, "buffer", b)) for b in named.buffers)
    plans = {p.name: p for p in program.execution_plan}
    plan = plans["forward"] if "forward" in plans else program.execution_plan[0]
    max_seq = _pte_constant(plans.get("get_max_seq_len"))

    def tensor(i: int) -> Any:
        v = plan.values[i].val
        return v if type(v).__name__ == "Tensor" else None

    def nbytes(t: Any) -> int:
        return len(program.constant_buffer[t.data_buffer_idx].storage)

    calls = [
        (plan.operators[ins.instr_args.op_index].name, list(ins.instr_args.args))
        for chain in plan.chains
        for ins in chain.instructions
        if type(ins.instr_args).__name__ == "KernelCall"
    ]
    table: list[int] = []  # the largest embedding lookup's constant arguments (value indices)
    caches: dict[tuple[int, int, int], int] = {}
    for name, args in calls:
        consts = [i for i in args if (t := tensor(i)) is not None and t.data_buffer_idx > 0]
        if (
            "embedding" in name
            and consts
            and sum(nbytes(tensor(i)) for i in consts) > sum(nbytes(tensor(i)) for i in table)
        ):
            table = consts
        cache_args = next((at for op, at in _CACHE_ARGS.items() if op in name), ())
        if max_seq and cache_args:
            for i in (args[k] for k in cache_args if k < len(args)):
                t = tensor(i)
                if t is not None and t.allocation_info is not None and len(t.sizes) == 4 and max_seq in t.sizes:
                    info = t.allocation_info
                    caches[(info.memory_id, info.memory_offset_low, info.memory_offset_high)] = _numel(t.sizes) * (
                        _ELEMENT_BYTES.get(int(t.scalar_type), 4)
                    )
    buffers = {tensor(i).data_buffer_idx for i in table}
    shared = any(
        name
        and "embedding" not in name
        and any((t := tensor(i)) is not None and t.data_buffer_idx in buffers for i in a)
        for name, a in calls
    )
    emb = 0 if shared else sum(nbytes(tensor(i)) for i in table)
    rows = max((tensor(i).sizes[0] for i in table), default=0)
    return Traffic(
        weight_bytes=constants + delegated,
        embedding_bytes=emb,
        embedding_rows=int(rows) if emb else 0,
        kv_bytes_per_position=sum(caches.values()) // max_seq if max_seq else 0,
        max_seq_len=max_seq,
    )


#: KV cache update / attention operators -> which of their arguments are the caches: sdkgen's static cache
#: (``aten::index_put``: self), ExecuTorch's llama export (``llama::update_cache``: value, cache, start pos;
#: ``llama::sdpa_with_kv_cache``: q, k, v, k cache, v cache, ...).
_CACHE_ARGS = {"index_put": (0,), "update_cache": (1,), "sdpa_with_kv_cache": (3, 4)}

#: ExecuTorch ScalarType codes -> bytes per element (the cache dtypes: float32, float16, bfloat16, int8).
_ELEMENT_BYTES = {0: 1, 1: 1, 2: 2, 3: 4, 4: 8, 5: 2, 6: 4, 7: 8, 15: 2}


def _numel(sizes: Any) -> int:
    n = 1
    for s in sizes:
        n *= int(s)
    return n


def _pte_constant(plan: Any) -> int:
    """The int a runner-metadata method (``get_max_seq_len``) returns, or 0."""
    if plan is None:
        return 0
    for v in plan.values:
        if type(v.val).__name__ == "Int":
            return int(v.val.int_val)
    return 0


def _tflite_traffic(path: Path) -> Traffic:
    import ai_edge_litert.schema_py_generated as fb

    data = path.read_bytes()
    model = fb.Model.GetRootAs(data, 0)
    names = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
    sigs = {
        model.SignatureDefs(i).SignatureKey().decode(): model.SignatureDefs(i)
        for i in range(model.SignatureDefsLength())
    }
    decode_key = next((k for k in sigs if "decode" in k), None)
    decode_sg = sigs[decode_key].SubgraphIndex() if decode_key else 0
    # The decode step runs its own subgraph and the ones it calls (composites); other signatures' entry
    # subgraphs (prefill) are not read by it.
    others = {s.SubgraphIndex() for k, s in sigs.items() if k != decode_key} - {decode_sg}

    def buffer_bytes(i: int) -> int:
        b = model.Buffers(i)
        return int(b.Size()) if b.Offset() > 1 else int(b.DataLength())

    used: set[int] = set()
    for g in range(model.SubgraphsLength()):
        if g in others:
            continue
        sg = model.Subgraphs(g)
        used |= {sg.Tensors(t).Buffer() for t in range(sg.TensorsLength()) if buffer_bytes(sg.Tensors(t).Buffer()) > 0}
    weight_bytes = sum(buffer_bytes(b) for b in used)

    sg = model.Subgraphs(decode_sg)
    table, table_rows, uses = -1, 0, dict[int, int]()
    for o in range(sg.OperatorsLength()):
        op = sg.Operators(o)
        code = model.OperatorCodes(op.OpcodeIndex())
        name = names.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "")
        ins = [op.Inputs(k) for k in range(op.InputsLength()) if op.Inputs(k) >= 0]
        for t in ins:
            buf = sg.Tensors(t).Buffer()
            uses[buf] = uses.get(buf, 0) + 1
        lookup = {"EMBEDDING_LOOKUP": 1, "GATHER": 0}.get(name)
        if lookup is not None and len(ins) > lookup:
            t = sg.Tensors(ins[lookup])
            if buffer_bytes(t.Buffer()) > (buffer_bytes(table) if table >= 0 else 0):
                table, table_rows = t.Buffer(), int(t.Shape(0))
    # One use: only the lookup reads the table; more: the output projection reads the same tensor in full.
    emb = buffer_bytes(table) if table >= 0 and uses.get(table, 0) == 1 else 0

    kv, max_seq = 0, 0
    if decode_key:
        sig = sigs[decode_key]
        for i in range(sig.InputsLength()):
            arg = sig.Inputs(i)
            t = sg.Tensors(arg.TensorIndex())
            if "kv" in arg.Name().decode() and t.ShapeLength() == 4:
                kv += _numel(t.ShapeAsNumpy()) * _TFLITE_BYTES.get(t.Type(), 4)
                max_seq = int(t.Shape(1))  # litert-torch's layout: [batch, sequence, kv heads, head dim]
    return Traffic(
        weight_bytes=weight_bytes,
        embedding_bytes=emb,
        embedding_rows=table_rows if emb else 0,
        kv_bytes_per_position=kv // max_seq if max_seq else 0,
        max_seq_len=max_seq,
    )


#: TFLite TensorType -> bytes per element (FLOAT32, FLOAT16, INT32, UINT8, INT64, INT16, INT8, BFLOAT16).
_TFLITE_BYTES = {0: 4, 1: 2, 2: 4, 3: 1, 4: 8, 7: 2, 9: 1, 16: 2}
