"""``sdkgen compress --sweep``: build a model with each ``[[sweep.recipes]]`` entry, run every artifact on
this host, and write a table and a plot of size, latency and quality against the uncompressed model, with
the Pareto front (smallest size for a given quality) marked.

Every number comes from running the artifact: its size on disk, its latency here (:mod:`.bench`: every
artifact timed in the same interleaved rounds once all are built), and the
task's quality measured on it by the build's verification (held-out perplexity, cosine similarity to the
fp32 embeddings, held-out accuracy). A recipe that breaks a quality gate or parity is kept in the table,
marked, so the sweep shows what each recipe costs. Output: ``<out>/<name>-sweep/`` with ``sweep.json``,
``sweep.md``, ``sweep.png`` and ``sweep.html`` (written in a temporary folder and moved into place).
"""

from __future__ import annotations

import base64
import html
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sdkgen.config import BuildConfig, SweepRecipe, parse_config
from sdkgen.errors import ConfigError, SdkgenError, VerificationFailed
from sdkgen.output import swap_into_place
from sdkgen.stages import Log

#: task -> (quality check name, its number, lower is better, column title)
QUALITY = {
    "text-generation": ("perplexity", "perplexity", True, "held-out perplexity"),
    "text-embedding": ("cosine", "mean_cosine", False, "mean cosine to fp32"),
    "image-classification": ("accuracy", "accuracy", False, "held-out accuracy"),
    # Needs verify.eval_data (without it the check is label-agreement, and the rows have no quality number).
    "text-classification": ("accuracy", "accuracy", False, "held-out accuracy"),
    "tensor": ("outputs", "max_relative_error", True, "max relative output error"),
}


@dataclass
class Row:
    """One recipe on one target."""

    label: str
    target: str
    recipe: dict[str, Any]
    #: passed | failed (a gate or parity check failed) | error (the build stopped) | not executed (this host
    #: cannot run the artifact: Core ML) | skipped (the target cannot express the recipe)
    status: str
    detail: str = ""
    bytes: int = 0
    delegated_bytes: int | None = None
    quality: float | None = None
    latency: dict[str, float] = field(default_factory=dict)
    pareto: bool = False
    ratios: dict[str, float] = field(default_factory=dict)


@dataclass
class SweepResult:
    output: Path
    rows: list[Row]


def run_sweep(config: BuildConfig, out_root: Path, *, cache_root: Path | None, log: Log) -> SweepResult:
    """Build, measure and tabulate every recipe of ``config.sweep``."""
    from sdkgen.pipeline import build

    if config.sweep is None:
        raise ConfigError(
            f"{config.root / 'sdkgen.toml'} has no [sweep] table",
            hint='add [[sweep.recipes]] entries, e.g. label = "int4-g32", recipe = "8da4w", group_size = 32',
        )
    task = config.model.task
    if task == "text-generation" and not config.verify.heldout_text:
        raise ConfigError(
            "a text-generation sweep measures held-out perplexity: verify.heldout_text is not set",
            hint='set verify.heldout_text = "heldout.txt"',
        )
    targets = config.sweep.targets or [config.targets[0]]
    rows: list[Row] = []
    probes: list[tuple[Row, Any]] = []
    with tempfile.TemporaryDirectory(prefix=f".{config.name}-sweep-work-", dir=_mkdir(out_root)) as work:
        for item in config.sweep.recipes:
            # One build per target: each runtime maps the recipe onto its own mechanism, or cannot express it
            # (a "skipped" row naming why); the stages they share come from the cache.
            for target in targets:
                try:
                    variant = _variant(config, item, target)
                except ConfigError as e:
                    recipe = item.to_recipe("none" if item.embeddings == "auto" else item.embeddings).as_dict()
                    rows.append(Row(item.label, target, recipe, "skipped", e.message))
                    continue
                recipe = variant.declared_recipe().as_dict()
                log(f"[sweep] {item.label} on {target}: {recipe['description']}")
                where = Path(work) / f"{item.label}-{target.replace(':', '-')}"
                try:
                    result = build(variant, where, cache_root=cache_root, log=lambda m: None, sdks=False)
                    report, output = result.report, result.output
                except VerificationFailed as e:
                    report = e.report  # type: ignore[attr-defined,assignment]
                    output = where / f"{variant.name}.rejected"
                except SdkgenError as e:
                    rows.append(Row(item.label, target, recipe, "error", e.message))
                    continue
                except Exception as e:  # a runtime's own failure on one recipe must not end the sweep
                    rows.append(Row(item.label, target, recipe, "error", f"{type(e).__name__}: {e}"))
                    continue
                for art in report["artifacts"]:
                    row = _measure(item.label, recipe, art, report, output / art["file"], task)
                    rows.append(row)
                    probe = artifact_probe(output / art["file"], art["target"], task, output)
                    if probe is not None:
                        probes.append((row, probe))
        # Timed after every recipe is built, in the same interleaved rounds (artifacts still on disk).
        log(f"[sweep] timing {len(probes)} artifacts in interleaved rounds")
        from sdkgen.compress.bench import interleaved

        for (row, _), latency in zip(probes, interleaved([p for _, p in probes]), strict=True):
            row.latency = latency
    _mark(rows, task)
    return SweepResult(_write(config, rows, out_root), rows)


def _mkdir(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def _variant(config: BuildConfig, item: SweepRecipe, target: str) -> BuildConfig:
    """``config`` with ``item``'s recipe and ``target`` alone (no ``compress.targets`` overrides: the row
    measures the item's recipe on that target). Raises :class:`ConfigError` when the target cannot express
    it."""
    raw = config.model_dump(mode="python", exclude={"root", "sweep"}, exclude_none=True)
    fields = item.model_dump(mode="python", exclude={"label"}, exclude_none=True)
    raw["compress"] = {**fields, **_calibration(config)}
    raw["targets"] = [target]
    return parse_config(raw, root=config.root)


def _calibration(config: BuildConfig) -> dict[str, str]:
    return {"calibration": config.compress.calibration} if config.compress.calibration else {}


def _measure(
    label: str, recipe: dict[str, Any], art: dict[str, Any], report: dict[str, Any], path: Path, task: str
) -> Row:
    checks = {c["name"]: c for c in report["verification"].get(art["target"], [])}
    failed = [f"{n}: {c['detail']}" for n, c in checks.items() if c["status"] == "failed"]
    name, number, _, _ = QUALITY[task]
    check = checks.get(name, {})
    quality = check.get("data", {}).get(number)
    status, detail = ("failed", "; ".join(failed)) if failed else ("passed", "")
    if not failed and check.get("status") == "not_executed":
        status, detail = "not executed", check["detail"]
    row = Row(
        label,
        art["target"],
        recipe,
        status,
        detail,
        bytes=art["bytes"],
        quality=None if quality is None else float(quality),
    )
    if path.suffix == ".pte":
        from sdkgen.runtimes.executorch.lower import delegated_bytes

        row.delegated_bytes = delegated_bytes(path)
    return row


def artifact_probe(
    path: Path, target: str, task: str, output: Path, *, prompt_len: int = 32, decode_tokens: int = 32
) -> Any:
    """A latency probe of the artifact at ``path`` on this host (:mod:`.bench`; ``output`` is its build
    folder, whose ``model-spec.json`` holds the tensor tasks' inputs), or ``None`` when the host cannot run
    it (:func:`runs_here`)."""
    from sdkgen.compress.bench import runner_probe, step_probe

    runtime = target.split(":")[0]
    if not runs_here(target):
        return None
    if task == "text-generation":
        if runtime == "executorch":
            from sdkgen.runtimes.executorch.verify import pte_step

            return step_probe(pte_step(path)[1], prompt_len=prompt_len, decode_tokens=decode_tokens)
        from sdkgen.runtimes.litert.generative import litert_step

        return step_probe(litert_step(path), prompt_len=prompt_len, decode_tokens=decode_tokens)
    import numpy as np

    from sdkgen.runtimes import TARGETS
    from sdkgen.stages import backend

    run = backend(TARGETS.get(target)).open_runner(path)
    if isinstance(run, str):
        return None
    case = json.loads((output / "model-spec.json").read_text())["tensor_golden"][0]["inputs"]
    return runner_probe(run, [np.asarray(v["values"], dtype=v["dtype"]).reshape(v["shape"]) for v in case])


def runs_here(target: str) -> bool:
    """Whether this host runs ``target``'s artifacts: ExecuTorch XNNPACK and LiteRT (its GPU target falls back
    to the CPU here); not Core ML (macOS and iOS only) nor other delegates (their devices)."""
    return target in ("executorch:xnnpack", "litert:cpu", "litert:gpu")


def _mark(rows: list[Row], task: str) -> None:
    """Ratios to the baseline (the first float32 recipe without transforms, else the first row) and the
    Pareto front of (size, quality) among rows that passed, per target."""
    _, _, lower_better, _ = QUALITY[task]
    for target in {r.target for r in rows}:
        mine = [r for r in rows if r.target == target and r.status not in ("error", "skipped")]
        base = next(
            (r for r in mine if r.recipe.get("recipe") == "none" and len(r.recipe) == 2), mine[0] if mine else None
        )
        if base is None:
            continue
        for r in mine:
            r.ratios["size"] = round(r.bytes / base.bytes, 4)
            if r.delegated_bytes and base.delegated_bytes:
                r.ratios["delegated_weights"] = round(r.delegated_bytes / base.delegated_bytes, 4)
            for k in ("decode_tok_s", "prefill_tok_s"):
                if k in r.latency and k in base.latency:
                    r.ratios[k] = round(r.latency[k] / base.latency[k], 4)
            if "forward_ms" in r.latency and "forward_ms" in base.latency:
                r.ratios["speedup"] = round(base.latency["forward_ms"] / r.latency["forward_ms"], 4)
            if r.quality is not None and base.quality is not None and base.quality:
                r.ratios["quality"] = round(r.quality / base.quality, 6)
        ok = [r for r in mine if r.status == "passed" and r.quality is not None]
        for r in ok:
            better = [
                o
                for o in ok
                if o is not r
                and o.bytes <= r.bytes
                and (o.quality <= r.quality if lower_better else o.quality >= r.quality)  # type: ignore[operator]
                and (o.bytes < r.bytes or o.quality != r.quality)
            ]
            r.pareto = not better


def _write(config: BuildConfig, rows: list[Row], out_root: Path) -> Path:
    final = out_root / f"{config.name}-sweep"
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.staging-", dir=_mkdir(out_root)))
    try:
        task = config.model.task
        data = {"name": config.name, "task": task, "quality": QUALITY[task][3], "rows": [asdict(r) for r in rows]}
        (staging / "sweep.json").write_text(json.dumps(data, indent=2))
        (staging / "sweep.md").write_text(_markdown(config, rows))
        png = _plot(config, rows, staging / "sweep.png")
        (staging / "sweep.html").write_text(_html(config, rows, png))
        swap_into_place(staging, final)  # a reader sees the previous table or this one, never neither
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return final


def _columns(task: str) -> list[str]:
    speed = ["prefill tok/s", "decode tok/s"] if task == "text-generation" else ["forward ms"]
    return [
        "recipe",
        "target",
        "status",
        "size MB",
        "x size",
        "delegated MB",
        QUALITY[task][3],
        "x quality",
        *speed,
        "Pareto",
    ]


def _cells(r: Row, task: str) -> list[str]:
    def num(v: float | None, fmt: str) -> str:
        return "" if v is None else format(v, fmt)

    speed = (
        [num(r.latency.get("prefill_tok_s"), ".0f"), num(r.latency.get("decode_tok_s"), ".0f")]
        if task == "text-generation"
        else [num(r.latency.get("forward_ms"), ".3f")]
    )
    return [
        r.label,
        r.target,
        r.status,
        num(r.bytes / 1e6, ".3f"),
        num(r.ratios.get("size"), ".3f"),
        num(r.delegated_bytes / 1e6 if r.delegated_bytes else None, ".3f"),
        num(r.quality, ".4f"),
        num(r.ratios.get("quality"), ".4f"),
        *speed,
        "*" if r.pareto else "",
    ]


def _markdown(config: BuildConfig, rows: list[Row]) -> str:
    task = config.model.task
    cols = _columns(task)
    lines = [
        f"# Compression sweep: {config.name}",
        "",
        f"Every number was measured by running the artifact on this host. Quality: {QUALITY[task][3]}. "
        "`x` columns are ratios to the uncompressed recipe; `*` marks the Pareto front (no other passing recipe "
        "is at most as large and at least as good).",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
        *("| " + " | ".join(_cells(r, task)) + " |" for r in rows if r.status != "skipped"),
        "",
    ]
    problems = [f"- {r.label} ({r.target}): {r.status}: {r.detail}" for r in rows if r.status in ("failed", "error")]
    if problems:
        lines += ["## Failed gates and errors", "", *problems, ""]
    unrun = [f"- {r.label} ({r.target}): {r.detail}" for r in rows if r.status == "not executed"]
    if unrun:
        lines += ["## Not executed here", "", *unrun, ""]
    skipped = [f"- {r.label} ({r.target}): {r.detail}" for r in rows if r.status == "skipped"]
    if skipped:
        lines += ["## Recipes a target cannot express", "", *skipped, ""]
    described = dict.fromkeys(f"- {r.label}: {r.recipe.get('description', '')}" for r in rows)
    lines += ["## Recipes", "", *described, ""]
    return "\n".join(lines)


def _plot(config: BuildConfig, rows: list[Row], path: Path) -> bytes | None:
    """Size against quality (left) and speed against quality (right); ``None`` without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    task = config.model.task
    speed_key = "decode_tok_s" if task == "text-generation" else "forward_ms"
    speed_title = "decode tokens/s" if task == "text-generation" else "forward ms"
    targets = sorted({r.target for r in rows if r.status != "skipped"})
    colours = {t: f"C{i}" for i, t in enumerate(targets)}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, xkey, xtitle in ((axes[0], "size", "artifact MB"), (axes[1], speed_key, speed_title)):
        for r in rows:
            if r.quality is None:
                continue
            x = r.bytes / 1e6 if xkey == "size" else r.latency.get(xkey)
            if x is None:
                continue
            # Colour: the target; filled circle: on its Pareto front; hollow: passed; cross: failed a gate.
            colour = colours[r.target]
            if r.status != "passed":
                ax.plot(x, r.quality, "x", color=colour)
            else:
                ax.plot(x, r.quality, "o", color=colour, mfc=colour if r.pareto else "none")
            ax.annotate(r.label, (x, r.quality), fontsize=7, xytext=(3, 3), textcoords="offset points")
        for target in targets:
            front = sorted((r.bytes / 1e6, r.quality) for r in rows if r.pareto and r.target == target)
            if xkey == "size" and front:
                xs, ys = [f[0] for f in front], [f[1] for f in front]
                ax.step(xs, ys, where="post", color=colours[target], lw=1, label=f"{target} (Pareto front)")  # type: ignore[arg-type]
        if xkey == "size" and any(r.pareto for r in rows):
            ax.legend(fontsize=8)
        ax.set_xlabel(xtitle)
        ax.set_ylabel(QUALITY[task][3])
        ax.grid(alpha=0.3)
    fig.suptitle(f"{config.name}: compression sweep (measured on this host)")
    fig.tight_layout()
    # A fixed date keeps the PNG byte-identical between runs of the same numbers.
    fig.savefig(path, dpi=110, metadata={"Software": None, "Date": None} if path.suffix == ".png" else None)
    plt.close(fig)
    return path.read_bytes()


def _html(config: BuildConfig, rows: list[Row], png: bytes | None) -> str:
    task = config.model.task
    head = "".join(f"<th>{html.escape(c)}</th>" for c in _columns(task))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(r, task)) + "</tr>"
        for r in rows
        if r.status != "skipped"
    )
    img = f'<img alt="sweep plot" src="data:image/png;base64,{base64.b64encode(png).decode()}">' if png else ""
    title = html.escape(f"Compression sweep: {config.name}")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style></head>"
        f"<body><h1>{title}</h1><p>Quality: {html.escape(QUALITY[task][3])}. Measured by running each artifact "
        f"on this host; * marks the Pareto front.</p><table><tr>{head}</tr>{body}</table>{img}</body></html>\n"
    )
