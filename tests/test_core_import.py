"""The core (config, spec, templates, CLI) must work without torch or any runtime installed, and a build
that needs a missing runtime must name the extra to install.

Here the runtimes are hidden from this interpreter (``sys.modules[name] = None``); tests/test_packaging.py runs
the same scenarios (:data:`DOCTOR`, :func:`build_code`, :func:`check_doctor`, :func:`check_build`) through an
installed wheel in a virtual environment that has only the core dependencies, where they are truly absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "tiny-llm"

BLOCK = (
    "import sys\n"
    "for m in ('torch', 'executorch', 'transformers', 'torchao', 'tokenizers'):\n"
    "    sys.modules[m] = None\n"
)

DOCTOR = (
    "import sdkgen.cli, sdkgen.config, sdkgen.pipeline, sdkgen.sdk.android, sdkgen.sdk.ios\n"
    "from sdkgen.config import load_config\n"
    f"load_config({str(SAMPLE)!r})\n"
    "raise SystemExit(sdkgen.cli.main(['doctor']))\n"
)


def build_code(out: Path) -> str:
    return f"import sdkgen.cli\nraise SystemExit(sdkgen.cli.main(['build', {str(SAMPLE)!r}, '--out', {str(out)!r}]))\n"


def check_doctor(r: subprocess.CompletedProcess[str]) -> None:
    assert r.returncode == 0, r.stderr
    assert "python packages" in r.stdout and "compilers" in r.stdout and "system packages" in r.stdout


def check_build(r: subprocess.CompletedProcess[str], out: Path) -> None:
    assert r.returncode == 4, r.stderr
    assert "hint: pip install 'sdkgen[executorch]'" in r.stderr
    assert not any(out.iterdir())


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK + code], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_core_imports_and_doctor_run_without_runtimes() -> None:
    check_doctor(_run(DOCTOR))


def test_build_without_runtime_names_the_extra(tmp_path: Path) -> None:
    check_build(_run(build_code(tmp_path)), tmp_path)
