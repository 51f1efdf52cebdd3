"""Resource checks: the memory estimate, and the refusal (exit 9) before any stage runs."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest

from sdkgen import resources
from sdkgen.cli import main
from sdkgen.config import BuildConfig, load_config
from sdkgen.errors import ConfigError, InsufficientResources
from sdkgen.models.hf import CheckpointInfo, inspect_checkpoint
from tests.conftest import ROOT

TINY = ROOT / "samples" / "tiny-llm"
#: Peaks measured by benchmarks/resources.py (docs/reliability.md).
MEASURED = json.loads((Path(__file__).parent / "data" / "measured.json").read_text())


@pytest.fixture(autouse=True)
def _host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SDKGEN_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("SDKGEN_SKIP_RESOURCE_CHECK", raising=False)


def write_checkpoint(folder: Path, parameters: int, shape: dict[str, int | None]) -> Path:
    """A checkpoint folder that passes inspect_checkpoint: tiny-llm's config with ``shape`` over it, and a
    sparse model.safetensors of one float32 tensor of ``parameters`` values (no disk or memory spent)."""
    folder.mkdir(parents=True)
    cfg = json.loads((TINY / "model" / "config.json").read_text())
    cfg.update({k: v for k, v in shape.items() if v is not None})
    (folder / "config.json").write_text(json.dumps(cfg))
    shutil.copy(TINY / "model" / "tokenizer.json", folder / "tokenizer.json")
    header = json.dumps({"w": {"dtype": "F32", "shape": [parameters], "data_offsets": [0, 4 * parameters]}}).encode()
    with (folder / "model.safetensors").open("wb") as f:
        f.write(struct.pack("<Q", len(header)) + header)
        f.truncate(8 + len(header) + 4 * parameters)
    return folder


def write_config(folder: Path, model: Path, targets: list[str], recipe: str, max_seq_len: int = 128) -> BuildConfig:
    """A one-model config like the measured builds': ``recipe`` for XNNPACK, fp32 for the other targets."""
    others = ", ".join(f'"{t}" = "none"' for t in targets if t != "executorch:xnnpack")
    (folder / "sdkgen.toml").write_text(
        f"targets = {json.dumps(targets)}\n"
        f'[model]\nsource = "{model}"\ntask = "text-generation"\nname = "res"\n'
        f'[compress]\nrecipe = "{recipe}"\ngroup_size = 32\n' + (f"targets = {{ {others} }}\n" if others else "") + ""
        f"[export]\nmax_seq_len = {max_seq_len}\nprefill_len = 32\n"
        '[android]\npackage = "com.example.res"\n[ios]\nmodule = "ResKit"\nminimum_ios = "18.0"\n'
    )
    return load_config(folder)


def _build(tmp_path: Path, parameters: int, shape: dict[str, int | None], targets: list[str], recipe: str, **kw: int):
    d = tmp_path / f"p{parameters}-{'-'.join(t.replace(':', '_') for t in targets)}-{recipe}-{kw}"
    model = write_checkpoint(d / "model", parameters, shape)
    # What inspect_checkpoint returns, without hashing gigabytes of (sparse) zeros.
    config = json.loads((model / "config.json").read_text())
    info = CheckpointInfo(
        model, "LlamaForCausalLM", "llama", config, model / "model.safetensors", model / "tokenizer.json", "-"
    )
    return write_config(d, model, targets, recipe, **kw), info


ONE_TARGET = sorted({(r["target"], r["recipe"]) for r in MEASURED if "," not in r["target"]})


@pytest.mark.parametrize(("target", "recipe"), ONE_TARGET)
def test_the_estimate_grows_with_the_model(tmp_path: Path, target: str, recipe: str) -> None:
    shape = MEASURED[0]["config"]
    sizes = [2_000_000, 20_000_000, 200_000_000, 2_000_000_000]
    got = [resources.estimate(*_build(tmp_path, n, shape, [target], recipe))[target] for n in sizes]
    assert got == sorted(got) and len(set(got)) == len(got)
    # The static KV cache counts too: a longer export.max_seq_len needs more.
    longer = resources.estimate(*_build(tmp_path, sizes[0], shape, [target], recipe, max_seq_len=512))[target]
    assert longer > got[0]


@pytest.mark.parametrize("row", MEASURED, ids=lambda r: f"{r['parameters']}-{r['target']}-{r['recipe']}")
def test_the_estimate_is_above_every_measured_peak(tmp_path: Path, row: dict) -> None:
    targets = row["target"].split(",")
    config, info = _build(tmp_path, row["parameters"], row["config"], targets, row["recipe"])
    assert info.parameter_count == row["parameters"]
    estimates = resources.estimate(config, info)
    need = resources.required_memory(estimates)
    assert need >= row["peak_bytes"], f"estimated {need / 2**20:.0f} MiB, measured {row['peak_bytes'] / 2**20:.0f} MiB"
    # ... and not absurdly so: within 2x of what the build really took.
    assert need <= 2 * row["peak_bytes"]


def test_a_build_that_does_not_fit_is_refused_before_any_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SDKGEN_MEMORY_LIMIT", "256M")
    out, cache = tmp_path / "dist", tmp_path / "cache"
    code = main(["build", str(TINY), "--out", str(out), "--cache-dir", str(cache)])
    err = capsys.readouterr().err
    assert code == 9
    assert "error: building executorch:xnnpack, executorch:coreml, litert:cpu, coreml:ane needs about" in err
    assert "this host has 0.2 GiB available (SDKGEN_MEMORY_LIMIT)" in err
    hint = err.split("hint: ", 1)[1]
    for fix in ("--targets ", "export.max_seq_len (now 128)", "more memory", "SDKGEN_SKIP_RESOURCE_CHECK=1"):
        assert fix in hint
    assert not out.exists() and not cache.exists()


def test_one_target_names_it_and_the_estimate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, info = _build(tmp_path, 20_000_000, MEASURED[0]["config"], ["executorch:xnnpack"], "8da4w")
    need = resources.required_memory(resources.estimate(config, info))
    monkeypatch.setenv("SDKGEN_MEMORY_LIMIT", str(need - 1))
    with pytest.raises(InsufficientResources) as e:
        resources.check_resources(config, info, [tmp_path])
    assert e.value.exit_code == 9
    assert e.value.message.startswith(f"building executorch:xnnpack needs about {need / 2**30:.1f} GiB of memory")
    monkeypatch.setenv("SDKGEN_MEMORY_LIMIT", str(need))
    resources.check_resources(config, info, [tmp_path])
    monkeypatch.setenv("SDKGEN_MEMORY_LIMIT", "1")
    monkeypatch.setenv("SDKGEN_SKIP_RESOURCE_CHECK", "1")
    resources.check_resources(config, info, [tmp_path])


def test_a_bad_memory_limit_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SDKGEN_MEMORY_LIMIT", "lots")
    code = main(["build", str(TINY), "--out", str(tmp_path / "dist"), "--cache-dir", str(tmp_path / "cache")])
    err = capsys.readouterr().err
    assert code == 2
    assert "SDKGEN_MEMORY_LIMIT = 'lots' is not a size" in err and "hint: write it as bytes or with a unit" in err
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize(
    ("text", "value"), [("6G", 6 * 2**30), ("512MiB", 512 * 2**20), ("1.5g", 3 * 2**29), ("123", 123), ("4 kb", 4096)]
)
def test_sizes(text: str, value: int) -> None:
    assert resources.parse_size(text, name="X") == value
    with pytest.raises(ConfigError):
        resources.parse_size(text + "x", name="X")


def test_too_little_disk_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(resources, "_free_disk", lambda p: 1024)
    out = tmp_path / "dist"
    assert main(["build", str(TINY), "--out", str(out), "--cache-dir", str(tmp_path / "cache")]) == 9
    err = capsys.readouterr().err
    assert f"of free disk in {str(out)!r}, its file system has 0.0 GiB free" in err
    assert "hint: free some space, point --out / --cache-dir" in err
    assert not out.exists()


def test_the_cgroup_limit_counts_when_it_is_lower(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 32000000 kB\nMemAvailable: 16000000 kB\n")
    proc = tmp_path / "cgroup"
    proc.write_text("0::/ci/job\n")
    root = tmp_path / "fs"
    (root / "ci" / "job").mkdir(parents=True)
    (root / "ci" / "job" / "memory.max").write_text("max\n")
    (root / "ci" / "job" / "memory.current").write_text("100\n")
    (root / "ci" / "memory.max").write_text(f"{4 * 2**30}\n")
    (root / "ci" / "memory.current").write_text(f"{2**30}\n")
    assert resources.available_memory(meminfo, root, proc) == (3 * 2**30, "the cgroup's memory.max")
    (root / "ci" / "memory.max").write_text("max\n")
    assert resources.available_memory(meminfo, root, proc) == (16000000 * 1024, "MemAvailable in /proc/meminfo")
    # cgroup v1
    proc.write_text("7:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n")
    v1 = root / "memory" / "docker" / "abc"
    v1.mkdir(parents=True)
    (v1 / "memory.limit_in_bytes").write_text(f"{2 * 2**30}\n")
    (v1 / "memory.usage_in_bytes").write_text(f"{2**29}\n")
    assert resources.available_memory(meminfo, root, proc)[0] == 3 * 2**29


def test_the_samples_pass_the_check_on_this_host(tmp_path: Path) -> None:
    """The shipped text-generation sample builds here: the check must not refuse it."""
    config: BuildConfig = load_config(TINY)
    info: CheckpointInfo = inspect_checkpoint(config.model_source)
    estimates = resources.estimate(config, info)
    assert set(estimates) == set(config.targets)
    resources.check_resources(config, info, [tmp_path])


def test_doctor_shows_the_memory_a_build_may_use(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SDKGEN_MEMORY_LIMIT", "3G")
    assert main(["doctor", "--json"]) == 0
    host = json.loads(capsys.readouterr().out)["host"]
    assert host["memory_available_bytes"] == 3 * 2**30 and host["memory_source"] == "SDKGEN_MEMORY_LIMIT"
    assert main(["doctor"]) == 0
    assert "memory available to a build: 3.0 GiB (SDKGEN_MEMORY_LIMIT" in capsys.readouterr().out
