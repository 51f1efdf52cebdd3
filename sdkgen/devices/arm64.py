"""``sdkgen test arm64``: the host's golden vectors through the aarch64 builds of the runtimes, under
``qemu-aarch64`` user-mode emulation, so the ARM kernels phones run (XNNPACK's NEON paths) are exercised
on an x86 build machine.

What runs: every artifact whose runtime has an aarch64 wheel in the sysroot (LiteRT's ``ai-edge-litert``)
and whose outputs the host verification checked. Each one is loaded by the sysroot's CPython 3.11 under
``qemu-aarch64 -cpu cortex-a76 -L SYSROOT`` in its own process (:mod:`sdkgen.devices.arm64_runner`, a
standalone script; inputs and outputs travel as ``.npz`` files), fed the golden inputs the host used, and
its outputs are compared on the host with :func:`sdkgen.verify.compare_outputs` (``max |out - golden| /
max |golden|`` per output) against the tolerance the host verification applied. ExecuTorch artifacts are
skipped with the reason (see :data:`UNAVAILABLE`). The run is recorded like a device run
(:func:`sdkgen.devices.record`: ``<build>/device-tests/arm64/junit.xml`` and ``device_tests.arm64`` in the
report).

The sysroot is built by ``sdkgen test arm64 --prepare`` (:func:`prepare`): Debian's arm64 packages of
CPython 3.11 and its libraries (downloaded with apt into a private apt state, so the host's dpkg
configuration is left alone, and unpacked with ``dpkg-deb -x``) plus the pinned aarch64 wheels (:data:`WHEELS`,
installed with the host's pip for the ``manylinux_*_aarch64`` platforms). The wheels are pinned exactly;
the Debian packages are pinned by name and suite (the archive keeps only a suite's current versions, so
exact pins would break at each point release) and the versions fetched are recorded in the sysroot's
manifest and in the run's notes. A fake ``/proc/cpuinfo`` for a Cortex-A76 sits in the sysroot: qemu-user
7.2 passes the host's x86 one through, on which the runtimes' CPU detection (cpuinfo) crashes; ``-L`` makes
the guest read the sysroot's copy.

Exit codes: 0 every artifact that ran matched, 3 an artifact's outputs on aarch64 were off (naming it, the
output, its error and the first mismatching value), 4 no ``qemu-aarch64`` or no prepared sysroot (with the
command that installs it), 2 a bad build folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdkgen import devices
from sdkgen.errors import StageError, ToolchainMissing
from sdkgen.junit import TestCase, summary
from sdkgen.system import install_command

QEMU = "qemu-aarch64"
QEMU_INSTALL = f"{install_command('qemu-user')}  (Debian/Ubuntu; the binary is qemu-aarch64)"
#: A phone core: ARMv8.2 with dot product and fp16 arithmetic, no SVE (qemu's default "max" CPU has SVE2
#: and SME, which XNNPACK would pick and few phones have). The fake /proc/cpuinfo names the same core.
QEMU_CPU = "cortex-a76"
CPUINFO_PART = "0xd0b"
CPUINFO_FEATURES = "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp"

#: Debian (bookworm) arm64 packages of the sysroot: CPython 3.11 and the libraries it and the wheels load.
DEBS = (
    "python3.11-minimal",
    "libpython3.11-minimal",
    "libpython3.11-stdlib",
    "libc6",
    "libstdc++6",
    "libgcc-s1",
    "zlib1g",
    "libffi8",
    "libssl3",
    "libexpat1",
    "libbz2-1.0",
    "liblzma5",
    "libsqlite3-0",
    "libncursesw6",
    "libtinfo6",
    "libuuid1",
    "libcrypt1",
)
#: aarch64 wheels, with every dependency pinned (installed without resolving): the runtime versions the
#: host builds with (pyproject.toml), so an artifact runs on the runtime that wrote it.
WHEELS = {
    "ai-edge-litert": "2.3.0",
    "numpy": "2.4.6",
    "ml-dtypes": "0.6.0",
    "flatbuffers": "25.12.19",
    "protobuf": "7.36.2",
    "tqdm": "4.70.1",
    "typing-extensions": "4.16.0",
    "backports-strenum": "1.2.8",
}
PYTHON_VERSION = "3.11"
PLATFORMS = ("manylinux2014_aarch64", *(f"manylinux_2_{v}_aarch64" for v in range(17, 37)))
#: runtime (``ArtifactSpec.runtime``) -> the wheel that provides it in the sysroot.
RUNTIME_WHEELS = {"litert": "ai-edge-litert"}
#: Runtimes sdkgen builds for that cannot run under this emulation, and why.
UNAVAILABLE = {
    "executorch": (
        "no aarch64 ExecuTorch here: its pybindings link libtorch, and torch's aarch64 wheel on PyPI is the CUDA "
        "build (427 MB; libtorch_cpu itself needs libcudart and libcupti from several GB of CUDA 13 wheels)"
    ),
    "coreml": "Core ML runs on Apple devices only (`sdkgen test ios`)",
}

PYTHON = "usr/bin/python3.11"
SITE = "usr/lib/python3/dist-packages"  # on Debian's CPython path, relative to its prefix
MANIFEST = "sdkgen-arm64.json"
RUNNER = Path(__file__).with_name("arm64_runner.py")
SYSROOT_ENV = "SDKGEN_ARM64_SYSROOT"


def default_sysroot() -> Path:
    """``$SDKGEN_ARM64_SYSROOT``, else ``~/.cache/sdkgen/arm64-sysroot`` (``$XDG_CACHE_HOME`` honoured)."""
    env = os.environ.get(SYSROOT_ENV)
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sdkgen" / "arm64-sysroot"


def prepare_command(sysroot: Path) -> str:
    flag = "" if sysroot == default_sysroot() else f" --sysroot {sysroot}"
    return f"sdkgen test arm64 --prepare{flag}"


@dataclass(frozen=True)
class Sysroot:
    path: Path
    manifest: dict[str, Any]

    @property
    def python(self) -> Path:
        return self.path / PYTHON

    def runtimes(self) -> dict[str, str]:
        """runtime -> its version installed in the sysroot."""
        wheels = self.manifest.get("wheels", {})
        return {rt: wheels[w] for rt, w in RUNTIME_WHEELS.items() if w in wheels}

    def describe(self) -> str:
        return f"CPython {self.manifest.get('python', '?')} aarch64"


def open_sysroot(path: Path) -> Sysroot:
    """The prepared sysroot at ``path``; :class:`ToolchainMissing` (exit 4) naming the command that prepares
    it when it is absent, incomplete or prepared with other pins."""
    manifest_file = path / MANIFEST
    hint = f"prepare it (about 200 MB, under a minute): `{prepare_command(path)}`"
    if not manifest_file.is_file() or not (path / PYTHON).is_file():
        raise ToolchainMissing(f"no prepared aarch64 sysroot at {str(path)!r}", hint=hint)
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    if manifest.get("wheels") != WHEELS or manifest.get("qemu_cpu") != QEMU_CPU:
        raise ToolchainMissing(
            f"the aarch64 sysroot at {str(path)!r} was prepared with other pins ({manifest.get('wheels')})",
            hint=f"prepare it again: `{prepare_command(path)}`",
        )
    return Sysroot(path, manifest)


def find_qemu() -> tuple[str, str]:
    """``qemu-aarch64``'s path and version line, or :class:`ToolchainMissing` with the install command."""
    exe = shutil.which(QEMU)
    if exe is None:
        raise ToolchainMissing(
            f"{QEMU} (QEMU user-mode emulation) is not on PATH; `sdkgen test arm64` runs the aarch64 runtimes under it",
            hint=QEMU_INSTALL,
        )
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False).stdout
    first = out.strip().splitlines()[0] if out.strip() else QEMU
    return exe, re.sub(r"\s*\(.*\)$", "", first).replace(" version ", " ")


# -- preparation -------------------------------------------------------------------------------------------


def _call(command: Sequence[str | os.PathLike[str]], what: str, cwd: Path | None = None) -> str:
    proc = subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=cwd, check=False)
    if proc.returncode != 0:
        raise StageError(
            f"{what} failed (exit {proc.returncode}): {' '.join(str(c) for c in command[:6])} ...\n"
            + (proc.stderr or proc.stdout).strip()[-2000:],
            hint="check the network to the Debian archive and PyPI; the partial sysroot was left out",
        )
    return proc.stdout


def _cpuinfo(cores: int = 2) -> str:
    block = (
        "processor\t: {i}\nBogoMIPS\t: 50.00\nFeatures\t: {features}\nCPU implementer\t: 0x41\n"
        "CPU architecture: 8\nCPU variant\t: 0x4\nCPU part\t: {part}\nCPU revision\t: 0\n"
    )
    return "\n".join(block.format(i=i, features=CPUINFO_FEATURES, part=CPUINFO_PART) for i in range(cores))


def prepare(sysroot: Path, log: Callable[[str], None] = print) -> Sysroot:
    """Build the sysroot at ``sysroot`` (replacing an older one; reused when its manifest has the current
    pins): Debian's arm64 packages (:data:`DEBS`) unpacked, the aarch64 wheels (:data:`WHEELS`) in its
    ``dist-packages``, the fake ``/proc/cpuinfo`` and the manifest. Needs ``apt-get`` and ``dpkg-deb`` (a
    Debian-family host whose apt sources carry arm64, as Debian's do) and pip; not root. When
    ``qemu-aarch64`` is present the result is checked by importing the runtimes under it."""
    try:
        ready = open_sysroot(sysroot)
    except ToolchainMissing:
        pass
    else:
        log(f"arm64: sysroot at {sysroot} is prepared ({ready.describe()}, {_wheel_list(ready.manifest)})")
        return ready
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise ToolchainMissing(
                f"{tool} is not on PATH: the aarch64 sysroot is made of Debian arm64 packages",
                hint="prepare it on a Debian or Ubuntu host (or pass --sysroot to one prepared elsewhere)",
            )
    started = time.perf_counter()
    sysroot.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{sysroot.name}-", dir=sysroot.parent))
    try:
        root, apt, debs = work / "root", work / "apt", work / "debs"
        for d in (apt / "state" / "lists" / "partial", apt / "cache" / "archives" / "partial", debs, root):
            d.mkdir(parents=True)
        (apt / "state" / "status").touch()
        options = [
            "-q",
            "-o", "APT::Architecture=arm64",
            "-o", "APT::Architectures::=arm64",
            "-o", f"Dir::State={apt / 'state'}",
            "-o", f"Dir::State::status={apt / 'state' / 'status'}",
            "-o", f"Dir::Cache={apt / 'cache'}",
            "-o", "Debug::NoLocking=1",
            "-o", "APT::Sandbox::User=root",
        ]  # fmt: skip
        log("arm64: apt-get update (arm64 package lists, private apt state)")
        _call(["apt-get", *options, "update"], "apt-get update")
        log(f"arm64: apt-get download {len(DEBS)} Debian arm64 packages")
        _call(["apt-get", *options, "download", *DEBS], "apt-get download", cwd=debs)
        packages = {}
        for deb in sorted(debs.glob("*.deb")):
            name, version = _call(["dpkg-deb", "-f", deb, "Package", "Version"], "dpkg-deb -f").split("\n")[:2]
            packages[name.split(":", 1)[1].strip()] = version.split(":", 1)[1].strip()
            _call(["dpkg-deb", "-x", deb, root], f"dpkg-deb -x {deb.name}")
        if not (root / PYTHON).is_file():
            raise StageError(f"the Debian packages did not provide {PYTHON}: {sorted(packages)}")
        log(f"arm64: pip install {len(WHEELS)} aarch64 wheels into {SITE}")
        pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--only-binary=:all:", "--no-compile"]
        pip += ["--python-version", PYTHON_VERSION, "--implementation", "cp", "--target", str(root / SITE)]
        pip += [f"--platform={p}" for p in PLATFORMS]
        _call([*pip, *(f"{n}=={v}" for n, v in WHEELS.items())], "pip install (aarch64 wheels)")
        (root / "proc").mkdir()
        (root / "proc" / "cpuinfo").write_text(_cpuinfo(), encoding="utf-8")
        manifest = {
            "python": packages.get("python3.11-minimal", "?").split("-")[0],
            "debs": dict(sorted(packages.items())),
            "wheels": WHEELS,
            "qemu_cpu": QEMU_CPU,
        }
        (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if shutil.which(QEMU):
            log(f"arm64: importing the runtimes under {QEMU} (also writes the sysroot's bytecode)")
            probe = "import numpy, ai_edge_litert.interpreter, json, platform; print(platform.machine())"
            machine = _call(_guest(shutil.which(QEMU) or QEMU, root, ["-c", probe]), "the import check").strip()
            if machine != "aarch64":
                raise StageError(f"the emulated Python reports machine {machine!r}, not aarch64")
        if sysroot.exists():
            shutil.rmtree(sysroot)
        (root).rename(sysroot)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ready = open_sysroot(sysroot)
    size = sum(f.stat().st_size for f in sysroot.rglob("*") if f.is_file() and not f.is_symlink())
    log(
        f"arm64: prepared {sysroot} in {time.perf_counter() - started:.0f} s, {size / 1e6:.0f} MB "
        f"({ready.describe()}, {_wheel_list(ready.manifest)})"
    )
    return ready


def _wheel_list(manifest: dict[str, Any]) -> str:
    wheels = manifest.get("wheels", {})
    return ", ".join(f"{w} {wheels[w]}" for w in (*RUNTIME_WHEELS.values(), "numpy") if w in wheels)


# -- running -----------------------------------------------------------------------------------------------


def _guest(qemu: str, sysroot: Path, args: Sequence[str]) -> list[str]:
    """The command line running the sysroot's Python (isolated: no PYTHON* variables, no user site)."""
    return [qemu, "-cpu", QEMU_CPU, "-L", str(sysroot), str(sysroot / PYTHON), "-I", *args]


@dataclass(frozen=True)
class Artifact:
    """One artifact of the build and what the host verification did with it."""

    target: str
    file: str
    runtime: str
    cases: tuple[Any, ...]  # sdkgen.spec.TensorCase
    tolerance: float
    host_error: float | None  # the host's max relative error, None when the host did not run it
    skip: str  # why it is not run here ("" to run it)


def _cases(items: Sequence[dict[str, Any]]) -> tuple[Any, ...]:
    from sdkgen.spec import TensorCase, TensorValue

    def values(vs: Sequence[dict[str, Any]]) -> tuple[TensorValue, ...]:
        return tuple(TensorValue(v["name"], v["dtype"], tuple(v["shape"]), tuple(v["values"])) for v in vs)

    return tuple(TensorCase(values(c["inputs"]), values(c["outputs"])) for c in items)


def plan(spec: dict[str, Any], report: dict[str, Any], runtimes: dict[str, str]) -> list[Artifact]:
    """Each artifact of ``spec`` with the golden cases and tolerance the host verified it with (an artifact
    checked against the float32 model's outputs, ``golden_reference``, uses those), or why it is skipped."""
    out = []
    for a in spec.get("artifacts", []):
        target, runtime = a["target"], a["runtime"]
        host = next((c for c in report.get("verification", {}).get(target, []) if c["name"] == "outputs"), None)
        data = (host or {}).get("data", {})
        golden = spec.get("tensor_golden", [])
        if a.get("golden_reference") and spec.get("reference_tensor_golden"):
            golden = spec["reference_tensor_golden"]
        tolerance = float(data.get("tolerance") or a.get("golden_tolerance") or spec.get("output_tolerance") or 0.0)
        skip = ""
        if runtime not in runtimes:
            skip = UNAVAILABLE.get(runtime, f"no aarch64 {runtime} runtime in the sysroot")
        elif not golden:
            skip = f"no tensor golden vectors (task {spec.get('task')}): only tensor-shaped tasks run here"
        elif host is None or host["status"] not in ("passed", "failed"):
            why = (host or {}).get("detail", "no outputs check in the report")
            skip = f"the host verification did not run it ({why}), so there is nothing to compare with"
        elif a.get("runtime_version") and a["runtime_version"] != runtimes[runtime]:
            skip = (
                f"written by {runtime} {a['runtime_version']}, the sysroot has {runtimes[runtime]}: rebuild with "
                f"the pinned runtime or prepare a matching sysroot"
            )
        host_error = data.get("max_relative_error") if host is not None else None
        out.append(Artifact(target, a["file"], runtime, _cases(golden), tolerance, host_error, skip))
    return out


class _RunFailed(Exception):
    pass


def run_artifact(
    qemu: str, sysroot: Sysroot, artifact: Path, runtime: str, cases: Sequence[Any], timeout: float
) -> tuple[list[list[Any]], dict[str, Any]]:
    """Run ``cases`` through ``artifact`` in the emulated Python: the outputs per case and the runner's
    report (runtime version, load and per-case seconds). :class:`_RunFailed` with the process's output when
    it crashed, timed out or wrote no outputs."""
    import numpy as np

    from sdkgen.verify.tensor import case_arrays

    with tempfile.TemporaryDirectory(prefix="sdkgen-arm64-") as tmp:
        inputs, outputs, request = Path(tmp) / "inputs.npz", Path(tmp) / "outputs.npz", Path(tmp) / "request.json"
        arrays = {f"c{i}_i{j}": a for i, c in enumerate(cases) for j, a in enumerate(case_arrays(c))}
        np.savez(inputs, **arrays)  # type: ignore[arg-type]
        request.write_text(
            json.dumps(
                {
                    "runtime": runtime,
                    "artifact": str(artifact.resolve()),
                    "inputs": str(inputs),
                    "outputs": str(outputs),
                    "cases": len(cases),
                }
            ),
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        command = _guest(qemu, sysroot.path, [str(RUNNER), str(request)])
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired as e:
            raise _RunFailed(f"timed out after {timeout:.0f} s under {QEMU}") from e
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines or not outputs.is_file():
            signal = f" (signal {-proc.returncode})" if proc.returncode < 0 else ""
            tail = (proc.stderr.strip() or proc.stdout.strip())[-3000:]
            raise _RunFailed(f"the aarch64 runtime exited with {proc.returncode}{signal}:\n{tail}")
        info = json.loads(lines[-1])
        with np.load(outputs) as got:
            per_case = [
                [got[f"c{i}_o{k}"] for k in range(sum(1 for n in got.files if n.startswith(f"c{i}_o")))]
                for i in range(len(cases))
            ]
    return per_case, info


def _first_mismatch(cases: Sequence[Any], outputs: Sequence[Sequence[Any]]) -> str:
    """The worst output value: which case, output and index, the value on aarch64 and the golden one."""
    import numpy as np

    worst: tuple[float, str] = (-1.0, "")
    for i, (case, got) in enumerate(zip(cases, outputs, strict=True)):
        for expected, actual in zip(case.outputs, got, strict=False):
            ref = np.asarray(expected.values, dtype=np.float64).reshape(expected.shape)
            act = np.asarray(actual, dtype=np.float64).reshape(expected.shape)
            if not ref.size:
                continue
            diff = np.abs(act - ref)
            idx = np.unravel_index(int(np.argmax(diff)), ref.shape)
            err = float(diff[idx]) / max(float(np.max(np.abs(ref))), 1e-6)
            if err > worst[0]:
                at = ",".join(str(int(x)) for x in idx)
                worst = (err, f"case {i}, {expected.name}[{at}]: {act[idx]:.6g} on aarch64, golden {ref[idx]:.6g}")
    return worst[1]


def check_artifact(
    build: Path, name: str, art: Artifact, qemu: str, sysroot: Sysroot, timeout: float
) -> tuple[TestCase, float | None]:
    """One artifact as a test case (and its max relative error on aarch64, None when it did not run)."""
    from sdkgen.verify import compare_outputs

    suite, classname = f"{name}.device.arm64", f"{name}.arm64"
    if art.skip:
        return TestCase(suite, classname, art.target, "skipped", message=art.skip), None
    started = time.perf_counter()
    try:
        outputs, info = run_artifact(qemu, sysroot, build / art.file, art.runtime, art.cases, timeout)
    except _RunFailed as e:
        seconds = time.perf_counter() - started
        first = str(e).splitlines()[0]
        return TestCase(suite, classname, art.target, "failed", first, str(e), seconds), None
    seconds = time.perf_counter() - started
    it = iter(outputs)
    check = compare_outputs(art.cases, lambda _case: next(it), art.tolerance, f"{Path(art.file).suffix[1:]} on aarch64")
    error = float(check.data["max_relative_error"])
    host = f"{art.host_error:.2e}" if art.host_error is not None else "n/a"
    detail = (
        f"{check.detail}; host {host}; {art.runtime} {info['runtime_version']} on {info['machine']}, load "
        f"{info['load_seconds']:.2f} s, {len(art.cases)} cases {sum(info['case_seconds']):.2f} s under {QEMU}"
    )
    if check.status == "passed":
        return TestCase(suite, classname, art.target, "passed", detail=detail, seconds=seconds), error
    message = f"{check.detail}; worst: {_first_mismatch(art.cases, outputs)}"
    return TestCase(suite, classname, art.target, "failed", message, detail, seconds), error


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "build",
        nargs="?",
        type=Path,
        help="a `sdkgen build` output folder (default: dist/tiny-llm; none with --prepare)",
    )
    p.add_argument(
        "--sysroot",
        type=Path,
        help=f"the aarch64 sysroot (default: ${SYSROOT_ENV} or ~/.cache/sdkgen/arm64-sysroot)",
    )
    p.add_argument(
        "--prepare",
        action="store_true",
        help="build the sysroot (Debian arm64 CPython 3.11 + the pinned aarch64 runtime wheels) if it is missing "
        "or stale, then run BUILD if one is given",
    )
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per artifact under emulation (default 900)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    sysroot_path: Path = (args.sysroot or default_sysroot()).expanduser().absolute()
    if args.prepare:
        prepare(sysroot_path, log=_say)
        if args.build is None:
            return 0
    build: Path = args.build or Path("dist/tiny-llm")
    from sdkgen.report import read_build_output

    report, spec = read_build_output(build)
    qemu, qemu_version = find_qemu()
    sysroot = open_sysroot(sysroot_path)
    name = str(report.get("name", spec.get("name", "sdkgen")))
    device = f"{qemu_version} -cpu {QEMU_CPU}, {sysroot.describe()}"
    run_ = devices.DeviceRun(platform="arm64", device=device)
    run_.notes.append(
        "user-mode emulation checks the ARM kernels' results, not phone speed; seconds are emulated time "
        f"on {platform.machine()}"
    )
    run_.notes.append(f"sysroot {sysroot.path}: {_wheel_list(sysroot.manifest)}")
    rows = []
    started = time.perf_counter()
    for art in plan(spec, report, sysroot.runtimes()):
        if not art.skip:
            _say(f"{art.target}: {len(art.cases)} golden cases through {art.file} under {QEMU}")
        case, error = check_artifact(build, name, art, qemu, sysroot, args.timeout)
        run_.cases.append(case)
        rows.append((art, case, error))
    run_.timings["test"] = time.perf_counter() - started
    devices.record(build, run_)
    _print_table(run_, rows, build)
    devices.raise_for(run_)
    return 0


def _say(message: str) -> None:
    print(f"arm64: {message}" if not message.startswith("arm64:") else message, file=sys.stderr, flush=True)


def _print_table(run_: devices.DeviceRun, rows: list[tuple[Artifact, TestCase, float | None]], build: Path) -> None:
    n = summary(run_.cases)
    passed = n["tests"] - n["failures"] - n["skipped"]
    print(
        f"arm64: {run_.status} · {passed} passed, {n['failures']} failed, {n['skipped']} skipped on {run_.device}"
        f" · test {run_.timings['test']:.1f} s"
    )
    header = ("target", "file", "cases", "aarch64 err", "host err", "tolerance", "seconds", "status")
    table = [header]
    for art, case, error in rows:
        table.append(
            (
                art.target,
                art.file,
                str(len(art.cases)) if not art.skip else "-",
                f"{error:.2e}" if error is not None else "-",
                f"{art.host_error:.2e}" if art.host_error is not None else "-",
                f"{art.tolerance:g}" if not art.skip else "-",
                f"{case.seconds:.2f}" if not art.skip else "-",
                case.status,
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    for art, case, _ in rows:
        if case.status != "passed":
            print(f"  {case.status.upper()} {art.target}: {case.message}")
    print(f"  JUnit XML: {devices.run_folder(build, 'arm64') / 'junit.xml'}")
