"""`sdkgen compress --sweep` on a tiny random Llama for ExecuTorch and LiteRT: every row is built, run and
measured here; the table, the plot and the Pareto front are written; the int4 weights are under 0.3x the fp32
linear layers; LiteRT maps the same recipes onto its own quantizer and cannot take a structured prune."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sdkgen.cli import main
from tests.models.tiny import SAMPLE, make_checkpoint

CONFIG = """
targets = ["executorch:xnnpack", "litert:cpu"]

[model]
source = "ckpt"
name = "tiny-sweep"

[compress]
recipe = "none"
calibration = "calibration.txt"

[export]
max_seq_len = 64

[android]
package = "com.example.sweep"

[ios]
module = "Sweep"

[verify]
prompts = ["The list"]
max_new_tokens = 4
heldout_text = "heldout.txt"
max_perplexity_increase = 0.5

[sweep]
targets = ["executorch:xnnpack", "litert:cpu"]
recipes = [
    { label = "fp32", recipe = "none" },
    { label = "int4-g32", recipe = "8da4w", group_size = 32 },
    { label = "ffn50", recipe = "none", prune = { method = "ffn", amount = 0.5 } },
]
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    make_checkpoint("llama", root / "ckpt")
    for name in ("heldout.txt", "calibration.txt"):
        shutil.copyfile(SAMPLE.parent / name, root / name)
    (root / "sdkgen.toml").write_text(CONFIG)
    assert main(["compress", "--sweep", str(root), "--out", str(root / "dist"), "--cache-dir", str(root / "c")]) == 0
    return root / "dist" / "tiny-sweep-sweep"


def test_every_row_is_measured_by_running_the_artifact(swept: Path) -> None:
    data = json.loads((swept / "sweep.json").read_text())
    rows = {r["label"]: r for r in data["rows"] if r["target"] == "executorch:xnnpack"}
    assert list(rows) == ["fp32", "int4-g32", "ffn50"]
    for r in rows.values():
        assert r["quality"] > 1.0  # a perplexity, measured on the .pte
        assert r["latency"]["decode_tok_s"] > 0 and r["latency"]["prefill_tok_s"] > 0
        assert r["bytes"] > 0 and r["delegated_bytes"] > 0
    assert rows["fp32"]["ratios"]["size"] == 1.0 and rows["fp32"]["ratios"]["quality"] == 1.0
    # 4-bit group-32 weights: the XNNPACK delegate's weight data against the fp32 one.
    assert rows["int4-g32"]["ratios"]["delegated_weights"] <= 0.3
    # Structured pruning makes the artifact physically smaller.
    assert rows["ffn50"]["bytes"] < rows["fp32"]["bytes"]
    assert rows["ffn50"]["recipe"]["prune"] == {"method": "ffn", "amount": 0.5}
    assert any(r["pareto"] for r in rows.values())
    failed = [r for r in rows.values() if r["status"] == "failed"]
    assert all("perplexity" in r["detail"] for r in failed)  # only the perplexity gate may fail a row


def test_litert_rows_use_its_own_quantizer(swept: Path) -> None:
    data = json.loads((swept / "sweep.json").read_text())
    rows = {r["label"]: r for r in data["rows"] if r["target"] == "litert:cpu"}
    assert list(rows) == ["fp32", "int4-g32", "ffn50"]
    for label in ("fp32", "int4-g32"):
        assert rows[label]["quality"] > 1.0  # the .tflite's perplexity, run here
        assert rows[label]["latency"]["decode_tok_s"] > 0
    # litert-torch's dynamic int4 in blocks of 32: a much smaller file than its float32 conversion.
    assert rows["int4-g32"]["ratios"]["size"] < 0.5
    # It converts the checkpoint itself, so it cannot take the pruned model: the row says why.
    assert rows["ffn50"]["status"] == "skipped" and "converts the checkpoint itself" in rows["ffn50"]["detail"]
    md = (swept / "sweep.md").read_text()
    assert "## Recipes a target cannot express" in md and "| ffn50 | litert:cpu |" not in md


def test_table_plot_and_html(swept: Path) -> None:
    md = (swept / "sweep.md").read_text()
    assert "| recipe | target | status | size MB |" in md and "| int4-g32 | executorch:xnnpack |" in md
    assert (swept / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (swept / "sweep.html").read_text()
    assert "<table>" in page and "data:image/png;base64," in page
    assert not list(swept.parent.glob(".*"))  # no staging or work folders left behind


def test_a_config_without_a_sweep_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sdkgen.toml").write_text(CONFIG.split("[sweep]")[0])
    assert main(["compress", "--sweep", str(tmp_path), "--out", str(tmp_path / "dist")]) == 2
    err = capsys.readouterr().err
    assert "has no [sweep] table" in err and "hint:" in err
