"""`sdkgen bench` on real small builds (a tiny random Llama for ExecuTorch, LiteRT and Core ML; the tensor-mlp
sample), and the roofline's bytes-per-token model against descriptions computed from tensor shapes.

No timing is asserted: only that every number is there, positive and finite, that Core ML is reported as not
executed with its reason, and that each bound is the measured bandwidth divided by the modelled bytes."""

from __future__ import annotations

import json
import math
import runpy
import shutil
from pathlib import Path
from typing import Any

import pytest

from sdkgen.bench import roofline
from sdkgen.bench.run import columns, value
from sdkgen.cli import main
from sdkgen.config import load_config, parse_config
from sdkgen.pipeline import build
from tests.models.tiny import make_checkpoint

ROOT = Path(__file__).resolve().parents[2]
MAX_SEQ_LEN = 48
#: Small bandwidth arrays keep the tests quick; the CLI's default is 8x the last-level cache.
ARRAY_BYTES = 16 << 20

CONFIG = {
    "targets": ["executorch:xnnpack", "litert:cpu", "coreml:ane"],
    "model": {"source": "ckpt", "name": "tiny-bench", "task": "text-generation"},
    "compress": {"recipe": "8da4w", "group_size": 32, "targets": {"litert:cpu": "none", "coreml:ane": "none"}},
    "export": {"max_seq_len": MAX_SEQ_LEN, "prefill_len": 16},
    "android": {"package": "com.example.bench"},
    "ios": {"module": "Bench"},
    "verify": {"prompts": ["The list"], "max_new_tokens": 4},
}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bench")
    make_checkpoint("llama", root / "ckpt")
    cache = root / "cache"
    llm = build(parse_config(CONFIG, root=root), root / "dist", cache_root=cache, log=lambda m: None, sdks=False)
    mlp = build(
        load_config(ROOT / "samples" / "tensor-mlp"), root / "dist", cache_root=cache, log=lambda m: None, sdks=False
    )
    return {"llm": llm.output, "mlp": mlp.output, "ckpt": root / "ckpt"}


def _bench(build_dir: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> dict[str, Any]:
    real = roofline.host_bandwidth
    monkeypatch.setattr(roofline, "host_bandwidth", lambda **kw: real(array_bytes=ARRAY_BYTES, repeats=2))
    assert main(["bench", str(build_dir), "--rounds", "2", *extra]) == 0
    return dict(json.loads((build_dir / "report.json").read_text())["bench"])


def _check_bandwidth(bw: dict[str, Any]) -> None:
    figures = [*bw["single_thread_gb_s"].values(), *bw["all_cores_gb_s"].values()]
    assert all(math.isfinite(f) and f > 0 for f in figures)
    assert set(bw["single_thread_gb_s"]) == set(bw["all_cores_gb_s"]) == set(roofline.KERNELS)
    assert bw["bound_gb_s"] == max(figures)


def _finite_positive(entry: dict[str, Any], keys: list[str]) -> None:
    for key in keys:
        v = value(entry, key)
        assert v is not None and math.isfinite(v) and v > 0, (key, entry)


@pytest.fixture(scope="module")
def llm_bench(builds: dict[str, Path]) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as mp:
        return _bench(builds["llm"], mp, "--prompt-len", "16", "--decode-tokens", "8")


def test_text_generation_bench_measures_every_runnable_target(llm_bench: dict[str, Any]) -> None:
    assert llm_bench["task"] == "text-generation"
    assert llm_bench["settings"] == {"rounds": 2, "prompt_len": 16, "decode_tokens": 8}
    _check_bandwidth(llm_bench["bandwidth"])
    targets = llm_bench["targets"]
    assert list(targets) == CONFIG["targets"]
    keys = [k for _, k, _ in columns("text-generation")] + ["prefill_ms", "decode_ms_per_token", "baseline_rss_mb"]
    for target in ("executorch:xnnpack", "litert:cpu"):
        e = targets[target]
        assert e["status"] == "measured", e
        _finite_positive(e, keys)
        roof = e["roofline"]
        # The bound is the measured bandwidth over the modelled bytes, and the fraction is decode over it.
        assert roof["bandwidth_gb_s"] == llm_bench["bandwidth"]["bound_gb_s"]
        assert roof["bound_tok_s"] == round(roof["bandwidth_gb_s"] * 1e9 / roof["bytes_per_token"], 1)
        assert roof["fraction_of_bound"] == round(e["decode_tok_s"] / roof["bound_tok_s"], 4)
        model = roofline.Traffic(**{k: v for k, v in roof["model"].items() if k != "weights_read"})
        assert roof["bytes_per_token"] == round(model.mean_step_bytes(16, 8))
        assert e["ttft_ms"] == e["prefill_ms"] and e["cold_ttft_ms"] >= e["load_ms"]
    coreml = targets["coreml:ane"]
    assert coreml["status"] == "not_executed" and "Core ML" in coreml["reason"]
    assert "decode_tok_s" not in coreml


def test_bench_is_written_into_the_report_and_the_html(builds: dict[str, Path], llm_bench: dict[str, Any]) -> None:
    out = builds["llm"]
    md = (out / "report.md").read_text()
    page = (out / "bench.html").read_text()
    assert "## Host benchmark (`sdkgen bench`)" in md
    for title, _, _ in columns("text-generation"):
        assert title in md and title in page
    for target, e in llm_bench["targets"].items():
        assert f"`{target}` | {e['status']}" in md
        assert target in page
        if e["status"] == "measured":
            assert f"{e['decode_tok_s']:.4g} tok/s (bound {e['roofline']['bound_tok_s']:.4g})" in page
    assert page.count("<svg") == 5 and "not executed here" in page
    assert "<script" not in page and "src=" not in page  # self-contained
    # The rest of the report is kept.
    report = json.loads((out / "report.json").read_text())
    assert report["artifacts"] and report["verification"] and report["bench"] == llm_bench


def test_tensor_bench_measures_forward_latency(builds: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _bench(builds["mlp"], monkeypatch)
    _check_bandwidth(bench["bandwidth"])
    targets = bench["targets"]
    for target in ("executorch:xnnpack", "litert:cpu"):
        e = targets[target]
        assert e["status"] == "measured", e
        _finite_positive(e, [k for _, k, _ in columns("tensor")])
        roof = e["roofline"]
        assert roof["forward_floor_ms"] == roofline.forward_floor_ms(
            roof["weight_bytes"], bench["bandwidth"]["bound_gb_s"]
        )
    for target in ("executorch:coreml", "coreml:ane"):
        assert targets[target]["status"] == "not_executed" and "Core ML" in targets[target]["reason"]
    assert (builds["mlp"] / "bench.html").read_text().count("<svg") == 3


def test_bad_input_exits_2_with_a_hint(
    builds: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", str(tmp_path)]) == 2
    assert "is not a sdkgen build output" in capsys.readouterr().err
    assert main(["bench", str(builds["llm"]), "--targets", "litert:npu"]) == 2
    err = capsys.readouterr().err
    assert "valid choices: coreml:ane, executorch:xnnpack, litert:cpu" in err and "hint:" in err
    assert main(["bench", str(builds["llm"]), "--prompt-len", str(MAX_SEQ_LEN), "--decode-tokens", "1"]) == 2
    assert f"{MAX_SEQ_LEN} positions" in capsys.readouterr().err


# ------------------------------------------------------------------------------------ the roofline model


def _llama_description(*, tied_in_storage: bool) -> tuple[roofline.Traffic, dict[str, int]]:
    """A SmolLM2-135M-shaped model at 8da4w group 32 (4-bit weights, one fp32 scale per 32 weights) with an
    fp32 embedding table, its bytes computed from the tensor shapes; and those parts."""
    hidden, layers, heads, kv_heads, ffn, vocab, max_seq = 576, 30, 9, 3, 1536, 49152, 256
    head_dim = hidden // heads

    def int4(rows: int, cols: int) -> int:
        return rows * cols // 2 + rows * cols // 32 * 4

    per_layer = (
        int4(hidden, hidden)  # q
        + 2 * int4(kv_heads * head_dim, hidden)  # k, v
        + int4(hidden, hidden)  # o
        + 2 * int4(ffn, hidden)  # gate, up
        + int4(hidden, ffn)  # down
        + 2 * hidden * 4  # RMSNorm weights, fp32
    )
    embedding = vocab * hidden * 4
    output = embedding if tied_in_storage else int4(vocab, hidden)
    weights = layers * per_layer + hidden * 4 + output + (0 if tied_in_storage else embedding)
    kv = 2 * layers * kv_heads * head_dim * 4
    traffic = roofline.Traffic(
        weight_bytes=weights,
        embedding_bytes=0 if tied_in_storage else embedding,
        embedding_rows=0 if tied_in_storage else vocab,
        kv_bytes_per_position=kv,
        max_seq_len=max_seq,
    )
    return traffic, {"layers": layers * per_layer + hidden * 4, "output": output, "row": hidden * 4, "kv": kv}


def test_bytes_per_token_counts_the_output_projection_once_and_one_embedding_row() -> None:
    separate, parts = _llama_description(tied_in_storage=False)
    # Apart: the 4-bit output projection in full, one fp32 row of the table, not the table.
    assert separate.weights_read == parts["layers"] + parts["output"] + parts["row"]
    shared, parts_shared = _llama_description(tied_in_storage=True)
    # Shared: the output projection reads the whole fp32 table, counted once.
    assert shared.weights_read == parts_shared["layers"] + parts_shared["output"]
    # The step at position p attends to p + 1 cached positions.
    assert separate.step_bytes(0) == separate.weights_read + parts["kv"]
    assert separate.step_bytes(99) == separate.weights_read + 100 * parts["kv"]
    # The 64+64 run: decode steps at positions 64..127, so a mean of 64 + 65/2 attended positions.
    assert separate.mean_step_bytes(64, 64) == pytest.approx(separate.weights_read + (64 + 65 / 2) * parts["kv"])
    b = roofline.bound(separate, 20.0, prompt_len=64, decode_tokens=64, cache_bytes=32 << 20)
    assert b["bound_tok_s"] == round(20e9 / separate.mean_step_bytes(64, 64), 1)
    assert b["kv_bytes_per_token"] == round((64 + 65 / 2) * parts["kv"]) and not b["fits_in_cache"]


def test_artifact_traffic_reads_the_shapes_of_the_built_artifacts(builds: dict[str, Path]) -> None:
    from safetensors.numpy import load_file

    config = json.loads((builds["ckpt"] / "config.json").read_text())
    hidden, vocab, layers = config["hidden_size"], config["vocab_size"], config["num_hidden_layers"]
    head_dim = config.get("head_dim") or hidden // config["num_attention_heads"]
    kv = 2 * layers * config["num_key_value_heads"] * head_dim * 4  # the caches are float32
    fp32_weights = sum(t.size * 4 for t in load_file(builds["ckpt"] / "model.safetensors").values())

    pte = builds["llm"] / "tiny-bench-xnnpack.pte"
    t = roofline.artifact_traffic(pte)
    # The embedding table (int4 blocks with their scales: compress.embeddings = "auto" for 8da4w) is a portable
    # constant apart from the delegate's 4-bit output projection.
    assert t.embedding_rows == vocab
    assert vocab * hidden // 2 <= t.embedding_bytes < vocab * hidden * 4 // 4
    assert (t.kv_bytes_per_position, t.max_seq_len) == (kv, MAX_SEQ_LEN)
    assert t.embedding_bytes < t.weight_bytes <= pte.stat().st_size
    assert t.weights_read < fp32_weights / 2  # 4-bit layers and one embedding row

    tflite = builds["llm"] / "tiny-bench-cpu.tflite"
    t = roofline.artifact_traffic(tflite)
    # LiteRT keeps one tensor for the tied embedding and the output projection: read once, in full.
    assert (t.embedding_bytes, t.embedding_rows) == (0, 0)
    assert (t.kv_bytes_per_position, t.max_seq_len) == (kv, MAX_SEQ_LEN)
    assert fp32_weights <= t.weight_bytes <= tflite.stat().st_size


def test_roofline_script_reads_builds_and_measurements(builds: dict[str, Path], tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    tflite = builds["llm"] / "tiny-bench-cpu.tflite"
    # Another benchmark's results name the artifact next to its decode tok/s.
    (results / "llm_litert.json").write_text(json.dumps({"sdkgen": {"tflite": str(tflite), "decode_tok_s": 1234.5}}))
    script = runpy.run_path(str(ROOT / "benchmarks" / "roofline.py"))
    pte = builds["llm"] / "tiny-bench-xnnpack.pte"
    argv = [str(builds["llm"]), "--measured", f"{pte.name}=99.5", "--results", str(results), "--array-mib", "16"]
    assert script["main"]([*argv, "--repeats", "1", "--prompt-len", "8", "--decode-tokens", "8"]) == 0
    data = json.loads((results / "roofline.json").read_text())
    _check_bandwidth(data["bandwidth"])
    rows = {Path(r["artifact"]).name: r for r in data["artifacts"]}
    assert set(rows) == {pte.name, tflite.name}  # the .mlpackage has no roofline here
    assert rows[pte.name]["measured_decode_tok_s"] == 99.5 and rows[pte.name]["measured_from"] == "--measured"
    assert rows[tflite.name]["measured_decode_tok_s"] == 1234.5
    for r in rows.values():
        assert r["bound_tok_s"] == round(data["bandwidth"]["bound_gb_s"] * 1e9 / r["bytes_per_token"], 1)
        assert r["fraction_of_bound"] == round(r["measured_decode_tok_s"] / r["bound_tok_s"], 4)
    assert "| bound tok/s |" in (results / "roofline.md").read_text()
    shutil.rmtree(results)
