"""The core (config, spec, templates, CLI) must work without torch or any runtime installed, and a build
that needs a missing runtime must name the extra to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BLOCK = (
    "import sys\n"
    "for m in ('torch', 'executorch', 'transformers', 'torchao', 'tokenizers'):\n"
    "    sys.modules[m] = None\n"
)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK + code], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_core_imports_and_doctor_run_without_runtimes() -> None:
    r = _run(
        "import sdkgen.cli, sdkgen.config, sdkgen.pipeline, sdkgen.sdk.android, sdkgen.sdk.ios\n"
        "from sdkgen.config import load_config\n"
        "load_config('samples/tiny-llm')\n"
        "raise SystemExit(sdkgen.cli.main(['doctor']))\n"
    )
    assert r.returncode == 0, r.stderr
    assert "python packages" in r.stdout and "compilers" in r.stdout


def test_build_without_runtime_names_the_extra(tmp_path: Path) -> None:
    r = _run(
        "import sdkgen.cli\n"
        f"raise SystemExit(sdkgen.cli.main(['build', 'samples/tiny-llm', '--out', {str(tmp_path)!r}]))\n"
    )
    assert r.returncode == 4, r.stderr
    assert "hint: pip install 'sdkgen[executorch]'" in r.stderr
    assert not any(tmp_path.iterdir())
