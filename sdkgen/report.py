"""The build report: ``report.json`` (machine-readable) and ``report.md`` (for people).

It records tool versions, artifact sizes and hashes, every verification and check result (passed, failed
or not executed with the reason), stage timings and cache use, and what was not executed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sdkgen import toolchain
from sdkgen.config import BuildConfig
from sdkgen.errors import ConfigError
from sdkgen.spec import ModelSpec
from sdkgen.verify import Check, summarize

REPORT_VERSION = 1


def build_report(
    *,
    spec: ModelSpec,
    config: BuildConfig,
    versions: Mapping[str, str | None],
    stages: Sequence[Any],
    verify: dict[str, list[Check]],
    checks: dict[str, list[Check]],
    compression_effect: dict[str, Any],
    coverage: dict[str, dict[str, Any]],
    output_files: list[str],
    inputs: dict[str, Any] | None = None,
    outputs: dict[str, Any] | None = None,
    compatibility: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The report as a dict. ``inputs`` and ``outputs`` are the digests of :mod:`sdkgen.provenance` (what the
    build read: config, model and data files, tool versions; what it wrote: every file, one tree digest per
    SDK and folder artifact); ``compatibility`` the runtime pins checked per platform
    (:func:`sdkgen.runtimes.compat.check_sdk`)."""
    every = [c for cs in (*verify.values(), *checks.values()) for c in cs]
    return {
        "report_version": REPORT_VERSION,
        "name": spec.name,
        "task": spec.task,
        "status": summarize(every),
        "targets": list(config.targets),
        "compression": spec.compression,
        "artifacts": [
            {
                "target": a.target,
                "file": a.file,
                "bytes": a.size,
                "sha256": a.sha256,
                "runtime_version": a.runtime_version,
                "recipe": a.recipe,
                "delegates": list(a.delegates),
                "coverage": coverage.get(a.target, {}),
            }
            for a in spec.artifacts
        ],
        "verification": {t: [c.as_dict() for c in cs] for t, cs in verify.items()},
        "sdk_checks": {p: [c.as_dict() for c in cs] for p, cs in checks.items()},
        "not_executed": [
            {"check": f"{where}: {c.name}", "reason": c.detail}
            for where, cs in (*verify.items(), *checks.items())
            for c in cs
            if c.status == "not_executed"
        ],
        "compression_effect": compression_effect,
        "stages": [{"name": s.name, "status": s.status, "seconds": s.seconds, "key": s.key} for s in stages],
        "cache": {
            "reused": sum(s.status == "cached" for s in stages),
            "ran": sum(s.status == "ran" for s in stages),
        },
        "versions": dict(sorted(versions.items())),
        "host": toolchain.host(),
        "files": output_files,
        "inputs": inputs or {},
        "outputs": outputs or {},
        "runtime_compatibility": compatibility or {},
    }


def read_build_output(build_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report and model spec (as JSON) of a ``sdkgen build`` output folder, or a :class:`ConfigError`
    (exit 2) with a hint when the folder is not one: what ``sdkgen test`` and ``sdkgen bench`` read."""
    report_file, spec_file = build_dir / "report.json", build_dir / "model-spec.json"
    if not report_file.is_file() or not spec_file.is_file():
        raise ConfigError(
            f"{str(build_dir)!r} is not a sdkgen build output (no report.json and model-spec.json)",
            hint="pass the folder `sdkgen build` wrote, e.g. dist/<name>; build it first with `sdkgen build`",
        )
    return (
        json.loads(report_file.read_text(encoding="utf-8")),
        json.loads(spec_file.read_text(encoding="utf-8")),
    )


def write_report(report: dict[str, Any], folder: Path) -> None:
    (folder / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "report.md").write_text(render_markdown(report), encoding="utf-8")


def render_markdown(r: dict[str, Any]) -> str:
    lines = [
        f"# sdkgen report: {r['name']}",
        "",
        f"Status: **{r['status']}** · task `{r['task']}` · "
        f"compression: {r['compression'].get('description', r['compression'])}",
        "",
        "## Artifacts",
        "",
        "| target | file | recipe | size | sha256 | runtime | delegates | delegated calls "
        "| left on the portable CPU path |",
        "|---|---|---|---:|---|---|---|---:|---|",
    ]
    for a in r["artifacts"]:
        cov = a["coverage"]
        share = f"{cov['delegated_call_share']:.0%}" if "delegated_call_share" in cov else "n/a"
        left = ", ".join(f"{op} x{n}" for op, n in cov.get("portable_calls", {}).items()) or "none"
        lines.append(
            f"| `{a['target']}` | {a['file']} | {a.get('recipe', '')} | {a['bytes'] / 1e6:.2f} MB | "
            f"`{a['sha256'][:16]}…` | {a['runtime_version']} | {', '.join(a['delegates'])} | {share} | {_cell(left)} |"
        )
    lines += ["", "## Verification on this host", "", "| target | check | status | detail |", "|---|---|---|---|"]
    for t, cs in r["verification"].items():
        for c in cs:
            lines.append(f"| `{t}` | {c['name']} | {c['status']} | {_cell(c['detail'])} |")
    lines += ["", "## Generated SDK checks", "", "| platform | check | status | detail |", "|---|---|---|---|"]
    for p, cs in r["sdk_checks"].items():
        for c in cs:
            lines.append(f"| {p} | {c['name']} | {c['status']} | {_cell(c['detail'])} |")
    for platform, run in r.get("device_tests", {}).items():
        n = run["counts"]
        lines += [
            "",
            f"## Device tests: {platform} on {_cell(run['device'])}",
            "",
            f"Status: **{run['status']}** · {n['tests']} tests, {n['failures']} failed, {n['skipped']} skipped · "
            + ", ".join(f"{k} {v:.1f} s" for k, v in run["timings"].items()),
            "",
            "| test | status | seconds | message |",
            "|---|---|---:|---|",
        ]
        lines += [
            f"| {_cell(c['classname'] + '.' + c['name'])} | {c['status']} | {c['seconds']:.2f} | "
            f"{_cell(c['message'])} |"
            for c in run["cases"]
        ]
        lines += [f"- {_cell(note)}" for note in run.get("notes", [])]
    if "bench" in r:
        from sdkgen.bench.run import render_markdown as bench_markdown

        lines += bench_markdown(r["bench"])
    lines += ["", "## Not executed here", ""]
    lines += [f"- {n['check']}: {_cell(n['reason'])}" for n in r["not_executed"]] or ["- nothing"]
    ce = r["compression_effect"]
    lines += ["", "## Effect of compression (eager fp32 vs eager compressed)", ""]
    if "examples" in ce:
        lines += [ce["greedy_agreement_fp32_vs_compressed"], "", "| prompt | fp32 | compressed |", "|---|---|---|"]
        lines += [f"| {_cell(e['prompt'])} | {_cell(e['fp32'])} | {_cell(e['compressed'])} |" for e in ce["examples"]]
    else:
        lines += [f"- {k}: {v}" for k, v in ce.items()]
    lines += ["", "## Stages", "", "| stage | status | seconds |", "|---|---|---:|"]
    lines += [f"| {s['name']} | {s['status']} | {s['seconds']:.1f} |" for s in r["stages"]]
    lines += ["", f"Cache: {r['cache']['reused']} stages reused, {r['cache']['ran']} ran.", "", "## Versions", ""]
    lines += [f"- {k}: {v}" for k, v in r["versions"].items()]
    lines += [f"- host: {r['host']['platform']} (Python {r['host']['python']})", ""]
    lines += _provenance_markdown(r)
    return "\n".join(lines)


def _provenance_markdown(r: dict[str, Any]) -> list[str]:
    """The runtime pins checked, and the digests of the inputs and outputs (full lists in report.json)."""
    lines: list[str] = []
    pins = [(p, c) for p, cs in r.get("runtime_compatibility", {}).items() for c in cs]
    if pins:
        lines += [
            "## Runtime versions",
            "",
            "| platform | artifact | exported by | SDK pins | needs |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {p} | {_cell(c['artifact'])} | {c['exported_by']} | {_cell(c['pinned'])} ({c['file']}) | {c['needs']} |"
            for p, c in pins
        ]
        lines.append("")
    inputs, outputs = r.get("inputs") or {}, r.get("outputs") or {}
    if inputs or outputs:
        lines += ["## Digests (sha256)", "", "| what | file | sha256 |", "|---|---|---|"]
        cfg = inputs.get("config", {})
        if "file" in cfg:
            lines.append(f"| config | {_cell(cfg['file'])} | `{cfg['sha256']}` |")
        if "effective_sha256" in cfg:
            lines.append(f"| effective config | | `{cfg['effective_sha256']}` |")
        lines += [f"| model | {_cell(f['file'])} | `{f['sha256']}` |" for f in inputs.get("model", [])]
        lines += [f"| {f['key']} | {_cell(f['file'])} | `{f['sha256']}` |" for f in inputs.get("data", [])]
        if "versions_sha256" in inputs:
            lines.append(f"| tool versions | | `{inputs['versions_sha256']}` |")
        lines += [f"| output tree | {_cell(n)}/ | `{t['sha256']}` |" for n, t in outputs.get("trees", {}).items()]
        if "sha256" in outputs:
            lines.append(f"| every output file ({len(outputs['files'])}) | | `{outputs['sha256']}` |")
        lines.append("")
    return lines


def _cell(s: str) -> str:
    return " ".join(str(s).split()).replace("|", "\\|")[:300]
