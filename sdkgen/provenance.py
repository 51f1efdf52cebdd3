"""What a build was made from and what it made, as sha256 digests for the report.

Inputs: the config file and the effective config (after ``--targets``), every model file (a checkpoint
folder's files, a factory's Python module, a Keras file or SavedModel folder), and every data file the
config names (labels, calibration, evaluation data, held-out text). Outputs: every file of the output
folder (``report.json`` and ``report.md`` aside: they hold the digests), one tree digest per folder
artifact and per SDK. Digests of folders are :func:`sdkgen.cache.path_digest` (relative paths and file
digests in sorted order), so two outputs with equal tree digests are equal file for file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sdkgen.cache import _file_sha256, path_digest
from sdkgen.config import FACTORY_SOURCE, BuildConfig

#: The config keys that name data files, read by the build.
DATA_KEYS = (
    ("model.labels", lambda c: c.model.labels),
    ("image.labels", lambda c: c.image.labels if c.image else None),
    ("compress.calibration", lambda c: c.compress.calibration),
    ("verify.eval_data", lambda c: c.verify.eval_data),
    ("verify.heldout_text", lambda c: c.verify.heldout_text),
)

#: Files of the output folder that are not in its manifest: they hold it.
REPORT_FILES = ("report.json", "report.md")


def _file_entry(path: Path, name: str) -> dict[str, Any]:
    if path.is_dir():
        sha, size = path_digest(path)
        return {"file": name, "sha256": sha, "bytes": size, "kind": "folder"}
    return {"file": name, "sha256": _file_sha256(path).hexdigest(), "bytes": path.stat().st_size}


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def model_files(config: BuildConfig) -> list[dict[str, Any]]:
    """Digests of the model's files: each file of a checkpoint folder, a factory's module file, a Keras file or
    SavedModel folder. A factory's own reads (weights it loads) are covered by the load stage's fingerprint
    of the module's weights, not listed here."""
    source = config.model.source
    if FACTORY_SOURCE.fullmatch(source):
        module = config.root / (source.split(":")[0].replace(".", "/") + ".py")
        return [_file_entry(module, _relative(module, config.root))] if module.is_file() else []
    path = config.model_source
    if path.is_file():
        return [_file_entry(path, _relative(path, config.root))]
    if (path / "saved_model.pb").is_file():
        return [_file_entry(path, _relative(path, config.root))]
    if not path.is_dir():
        return []
    return [_file_entry(f, _relative(f, config.root)) for f in sorted(path.rglob("*")) if f.is_file()]


def inputs(config: BuildConfig, versions: Mapping[str, str | None]) -> dict[str, Any]:
    """The ``inputs`` section of the report: config, model files, data files and the tool versions' digest."""
    effective = json.dumps(config.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    config_file = config.file
    data = []
    for key, get in DATA_KEYS:
        value = get(config)
        if value:
            path = config.path(value)
            if path.exists():
                data.append({"key": key, **_file_entry(path, _relative(path, config.root))})
    return {
        "config": {
            **(_file_entry(config_file, config_file.name) if config_file and config_file.is_file() else {}),
            "effective_sha256": hashlib.sha256(effective.encode()).hexdigest(),
        },
        "model": model_files(config),
        "data": data,
        "versions_sha256": hashlib.sha256(json.dumps(versions, sort_keys=True).encode()).hexdigest(),
    }


def outputs(folder: Path, sdks: list[str], artifacts: list[str]) -> dict[str, Any]:
    """The ``outputs`` section of the report: one entry per file of ``folder`` (the build output being
    assembled, report files aside), and tree digests of each SDK folder and folder artifact."""
    files = [
        _file_entry(p, p.relative_to(folder).as_posix())
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() not in REPORT_FILES
    ]
    trees = {
        name: {"sha256": sha, "bytes": size}
        for name in (*sdks, *artifacts)
        if (folder / name).is_dir()
        for sha, size in [path_digest(folder / name)]
    }
    h = hashlib.sha256()
    for f in files:
        h.update(f["file"].encode() + b"\0" + bytes.fromhex(f["sha256"]))
    return {"sha256": h.hexdigest(), "trees": trees, "files": files}
