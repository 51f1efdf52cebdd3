"""``bench.html``: a self-contained page (inline SVG, no scripts or external files) with one horizontal bar
chart per measurement and the roofline bound of each artifact drawn as a reference mark on its bar."""

from __future__ import annotations

import html
from typing import Any

from sdkgen.bench.run import columns, value

_BAR_H, _GAP, _LABEL_W, _PLOT_W = 18, 8, 190, 420

#: (title, entry key, reference key drawn as a mark, unit) per task kind
_PANELS: dict[str, list[tuple[str, str, str | None, str]]] = {
    "text-generation": [
        ("Decode (tokens/s; mark: roofline bound)", "decode_tok_s", "roofline.bound_tok_s", "tok/s"),
        ("Prefill (tokens/s)", "prefill_tok_s", None, "tok/s"),
        ("Time to first token, warm (ms)", "ttft_ms", None, "ms"),
        ("Load (ms)", "load_ms", None, "ms"),
        ("Peak memory (MB, peak resident set of the measuring process)", "peak_rss_mb", None, "MB"),
    ],
    "tensor": [
        ("Forward (ms; mark: floor of reading the weights once)", "forward_ms", "roofline.forward_floor_ms", "ms"),
        ("Load (ms)", "load_ms", None, "ms"),
        ("Peak memory (MB, peak resident set of the measuring process)", "peak_rss_mb", None, "MB"),
    ],
}


def _svg(rows: list[tuple[str, float | None, float | None]], unit: str) -> str:
    top = max([v for _, v, _ in rows if v] + [r for _, _, r in rows if r] + [1e-12])
    height = len(rows) * (_BAR_H + _GAP) + _GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_LABEL_W + _PLOT_W + 120}" height="{height}" '
        'font-family="sans-serif" font-size="12">'
    ]
    for i, (label, v, ref) in enumerate(rows):
        y = _GAP + i * (_BAR_H + _GAP)
        parts.append(f'<text x="{_LABEL_W - 6}" y="{y + 13}" text-anchor="end">{html.escape(label)}</text>')
        if v is None:
            parts.append(f'<text x="{_LABEL_W + 4}" y="{y + 13}" fill="#777">not executed here</text>')
            continue
        w = _PLOT_W * v / top
        parts.append(f'<rect x="{_LABEL_W}" y="{y}" width="{w:.1f}" height="{_BAR_H}" fill="#4c78a8"/>')
        text = f"{v:.4g} {unit}"
        if ref is not None:
            x = _LABEL_W + _PLOT_W * ref / top
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 3}" y2="{y + _BAR_H + 3}" stroke="#d62728" '
                f'stroke-width="2"><title>{ref:.4g} {unit}</title></line>'
            )
            text += f" (bound {ref:.4g})"
        parts.append(f'<text x="{_LABEL_W + max(w, 0) + 6}" y="{y + 13}">{html.escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _kernels(gb_s: dict[str, float]) -> str:
    return html.escape(", ".join(f"{k} {v}" for k, v in gb_s.items()))


def render_html(name: str, bench: dict[str, Any]) -> str:
    """The page for build ``name``'s ``bench`` section."""
    kind = "text-generation" if bench["task"] == "text-generation" else "tensor"
    targets = bench["targets"]
    panels = []
    for title, key, ref_key, unit in _PANELS[kind]:
        rows = [(t, value(e, key), value(e, ref_key) if ref_key else None) for t, e in targets.items()]
        panels.append(f"<h2>{html.escape(title)}</h2>{_svg(rows, unit)}")
    cols = columns(bench["task"])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ["target", "status", *(c[0] for c in cols)])
    body = "".join(
        "<tr>"
        + f"<td>{html.escape(t)}</td><td>{html.escape(e['status'])}</td>"
        + "".join(f"<td>{format(v, fmt) if (v := value(e, key)) is not None else ''}</td>" for _, key, fmt in cols)
        + "</tr>"
        for t, e in targets.items()
    )
    reasons = "".join(
        f"<li>{html.escape(t)}: {html.escape(str(e['reason']))}</li>" for t, e in targets.items() if "reason" in e
    )
    bw, host = bench["bandwidth"], bench["host"]
    settings = ", ".join(f"{k} {v}" for k, v in bench["settings"].items())
    title = html.escape(f"sdkgen bench: {name}")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}"
        "td:first-child,th:first-child{text-align:left}</style></head>"
        f"<body><h1>{title}</h1><p>Measured {html.escape(bench['date'])} on "
        f"{html.escape(str(host.get('cpu') or host['machine']))} ({host['cores']} cores); {html.escape(settings)}. "
        f"Memory bandwidth {bw['bound_gb_s']} GB/s ({html.escape(bw['bound_kernel'])}; GB/s on one thread: "
        f"{_kernels(bw['single_thread_gb_s'])}; on {bw['threads']} threads: {_kernels(bw['all_cores_gb_s'])}). "
        + (
            "The bound is bandwidth / bytes read per decoded token (the weights the step touches plus the KV "
            "cache rows it attends to)."
            if kind == "text-generation"
            else "The floor is the weights' bytes / bandwidth."
        )
        + "</p>"
        f"<table><tr>{head}</tr>{body}</table>"
        + (f"<h2>Not executed here</h2><ul>{reasons}</ul>" if reasons else "")
        + "".join(panels)
        + "</body></html>\n"
    )
