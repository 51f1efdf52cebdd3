"""The ``sdkgen`` command line. Thin: parses arguments, calls the library, maps errors to exit codes.

Exit codes (:data:`sdkgen.errors.EXIT_CODES`, also in ``sdkgen --help``): 0 success · 1 a stage failed ·
2 bad config, output path or arguments · 3 verification failed (host or device) · 4 a needed toolchain is
missing · 5 a quality gate failed · 6 a device failed (boot timeout, install) · 7 bad model or data files ·
8 output folder locked by another build · 9 too little memory · 10 runtime version mismatch. Errors print
their message and a ``hint:`` line to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdkgen import __version__
from sdkgen.errors import EXIT_CODES, SdkgenError, VerificationFailed
from sdkgen.interrupt import Interrupted, handle_signals

DEFAULT_CONFIG = Path("samples/tiny-llm")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    restore_signals = handle_signals()
    try:
        return int(args.func(args))
    except VerificationFailed as e:
        print(f"error: {e}", file=sys.stderr)
        if getattr(args, "json", False) and getattr(e, "report", None):
            print(json.dumps(e.report, indent=2, ensure_ascii=False))
        return e.exit_code
    except SdkgenError as e:
        print(f"error: {e}", file=sys.stderr)
        if getattr(args, "check", False):
            _write_error_junit(args, e)
        return e.exit_code
    except KeyboardInterrupt as e:
        signum = e.signum if isinstance(e, Interrupted) else signal.SIGINT
        print(
            f"interrupted ({signal.Signals(signum).name}): the output folder holds what the last finished build "
            "wrote; the stage cache keeps only complete stages",
            file=sys.stderr,
        )
        return 128 + signum
    finally:
        restore_signals()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sdkgen",
        description="Build verified on-device models and their mobile SDKs.",
        epilog="exit codes:\n" + "\n".join(f"  {code:<4} {what}" for code, what in EXIT_CODES.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"sdkgen {__version__}")
    sub = p.add_subparsers(dest="command")

    b = sub.add_parser("build", help="build artifacts and SDKs from a sdkgen.toml")
    b.add_argument(
        "config",
        nargs="?",
        type=Path,
        default=DEFAULT_CONFIG,
        help="sdkgen.toml or a folder holding one (default: samples/tiny-llm)",
    )
    b.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist)")
    b.add_argument("--targets", nargs="+", metavar="TARGET", help="build only these targets (runtime:delegate)")
    b.add_argument("--cache-dir", type=Path, help="stage cache (default: $SDKGEN_CACHE_DIR or ~/.cache/sdkgen)")
    b.add_argument("--json", action="store_true", help="print the report as JSON to stdout")
    b.add_argument(
        "--lock-timeout",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="when another build is writing the same output folder, wait this long for it before failing "
        "with exit 8 (default: 0, fail at once)",
    )
    b.add_argument(
        "--check",
        action="store_true",
        help="CI gate: print a short summary of every check and write JUnit XML; exits 3 on a failed "
        "verification, 5 on a failed quality gate",
    )
    b.add_argument(
        "--junit",
        type=Path,
        metavar="FILE",
        help="with --check: where to write JUnit XML (default: <out>/<name>.junit.xml)",
    )
    b.set_defaults(func=_build)

    c = sub.add_parser("compress", help="compare compression recipes: size, host latency and quality per recipe")
    c.add_argument("config", nargs="?", type=Path, default=DEFAULT_CONFIG, help="sdkgen.toml or its folder")
    c.add_argument("--sweep", action="store_true", required=True, help="build and measure every [[sweep.recipes]]")
    c.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist)")
    c.add_argument("--cache-dir", type=Path, help="stage cache (default: $SDKGEN_CACHE_DIR or ~/.cache/sdkgen)")
    c.set_defaults(func=_compress)

    e = sub.add_parser(
        "bench", help="measure a build's artifacts here: load, prefill, decode, first token, memory, roofline"
    )
    e.add_argument("build", nargs="?", type=Path, default=Path("dist/tiny-llm"), help="a `sdkgen build` output folder")
    e.add_argument("--targets", nargs="+", metavar="TARGET", help="measure only these targets (default: all)")
    e.add_argument("--rounds", type=int, default=5, help="interleaved rounds; medians are kept (default: 5)")
    e.add_argument("--prompt-len", type=int, default=64, help="text generation: prompt tokens (default: 64)")
    e.add_argument("--decode-tokens", type=int, default=64, help="text generation: decoded tokens (default: 64)")
    e.set_defaults(func=_bench)

    n = sub.add_parser("init", help="write a commented sdkgen.toml for a checkpoint folder")
    n.add_argument("model", type=Path, help="a Hugging Face checkpoint folder")
    n.add_argument("--out", type=Path, default=Path("sdkgen.toml"), help="where to write (default: ./sdkgen.toml)")
    n.add_argument("--force", action="store_true", help="overwrite an existing file")
    n.set_defaults(func=_init)

    i = sub.add_parser("inspect", help="show the methods, inputs, outputs, delegates and size of an artifact")
    i.add_argument("artifact", type=Path)
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=_inspect)

    t = sub.add_parser(
        "test", help="run a built SDK's golden tests on an Android emulator/device or an iOS simulator/device"
    )
    tsub = t.add_subparsers(dest="platform", required=True)
    from sdkgen.devices import android, arm64, ios

    android.add_arguments(tsub.add_parser("android", help="instrumented golden tests on an emulator or device"))
    ios.add_arguments(tsub.add_parser("ios", help="XCTest golden tests on a simulator or device (needs Xcode)"))
    arm64.add_arguments(
        tsub.add_parser("arm64", help="golden vectors through the aarch64 runtimes under qemu-user (ARM kernels)")
    )

    g = sub.add_parser("ci", help="write CI configuration that runs sdkgen as the team's build step")
    gsub = g.add_subparsers(dest="provider", required=True)
    from sdkgen.ci import github

    github.add_arguments(gsub.add_parser("github", help="a GitHub Actions workflow: build, Android and iOS jobs"))

    d = sub.add_parser("doctor", help="show which runtimes, toolchains and SDKs are available")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=_doctor)
    return p


def _build(args: argparse.Namespace) -> int:
    from sdkgen.config import load_config
    from sdkgen.pipeline import build

    config = load_config(args.config)
    try:
        result = build(
            config, args.out, targets=args.targets, cache_root=args.cache_dir, lock_timeout=args.lock_timeout
        )
    except VerificationFailed as e:
        if args.check and e.report is not None:
            _check_summary(args, e.report, args.junit or args.out / f"{config.name}.junit.xml")
        raise
    r = result.report
    if args.check:
        _check_summary(args, r, args.junit or args.out / f"{config.name}.junit.xml")
    if args.json:
        print(json.dumps(r, indent=2, ensure_ascii=False))
    else:
        print(
            f"built {r['name']} -> {result.output}  (status: {r['status']}; "
            f"{r['cache']['reused']} stages reused from cache, {r['cache']['ran']} ran)"
        )
        for a in r["artifacts"]:
            runtime = a["target"].split(":")[0]
            print(f"  {a['file']}: {a['bytes'] / 1e6:.2f} MB, {a['target']}, {runtime} {a['runtime_version']}")
        for n in r["not_executed"]:
            print(f"  not executed here: {n['check']}")
    return 0


def _seconds(text: str) -> float:
    """``--lock-timeout``: a number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more, e.g. 0, 30, 600)")
    return value


def _check_summary(args: argparse.Namespace, report: dict[str, Any], junit_file: Path) -> None:
    """``--check``: one line per group of checks, the failed ones by name, and the JUnit XML file."""
    from sdkgen import junit

    cases = junit.from_report(report)
    junit.write(junit_file, cases, name=report["name"])
    out = sys.stderr if args.json else sys.stdout
    n = junit.summary(cases)
    print(
        f"check: {report['status']} · {n['tests'] - n['failures'] - n['skipped']} passed, {n['failures']} failed, "
        f"{n['skipped']} not executed here · JUnit XML: {junit_file}",
        file=out,
    )
    for c in cases:
        if c.status == "failed":
            print(f"  FAILED {c.suite}: {c.name}: {c.message}", file=out)


def _write_error_junit(args: argparse.Namespace, error: SdkgenError) -> None:
    """``--check`` on a build that stopped before its report: one failed case, so CI shows why."""
    from sdkgen import junit

    # The build's name is unknown when its config did not load: the default file is then sdkgen.junit.xml.
    path = getattr(args, "junit", None) or Path(getattr(args, "out", Path("dist"))) / "sdkgen.junit.xml"
    case = junit.TestCase("sdkgen.build", "sdkgen.build", type(error).__name__, "failed", error.message, str(error))
    with contextlib.suppress(OSError):  # the error itself (often an unwritable --out) is what gets reported
        junit.write(path, [case], name="sdkgen")


def _compress(args: argparse.Namespace) -> int:
    from sdkgen.compress.sweep import run_sweep
    from sdkgen.config import load_config

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    result = run_sweep(load_config(args.config), args.out, cache_root=args.cache_dir, log=log)
    print((result.output / "sweep.md").read_text())
    print(f"wrote {result.output}/sweep.{{json,md,png,html}}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from sdkgen.bench.run import render_markdown, run_bench

    bench = run_bench(
        args.build,
        targets=args.targets,
        rounds=args.rounds,
        prompt_len=args.prompt_len,
        decode_tokens=args.decode_tokens,
        log=lambda m: print(m, file=sys.stderr, flush=True),
    )
    print("\n".join(render_markdown(bench)).strip())
    print(f"wrote {args.build}/report.{{json,md}} (bench) and {args.build}/bench.html")
    return 0


def _init(args: argparse.Namespace) -> int:
    from sdkgen.init import init_config

    out = init_config(args.model, args.out, force=args.force)
    print(f"wrote {out}; build it with: sdkgen build {out}")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from sdkgen.inspect import inspect_artifact

    info = inspect_artifact(args.artifact)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"{info['path']}: {info['format']}, {info['bytes']} bytes, sha256 {info['sha256'][:16]}…")
    if info.get("runtime"):
        print(f"  runtime: {info['runtime']}")
    if info.get("versions"):
        print("  versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items() if v is not None))
    # A .mlpackage is described by its Core ML functions, with the same inputs/outputs fields.
    methods = info.get("methods") or [{"name": n, **f} for n, f in info.get("functions", {}).items()]
    for m in methods:
        print(f"  method {m['name']}")
        for t in m.get("inputs", []):
            print(f"    in  {t['dtype']}{t['shape']}")
        for t in m.get("outputs", []):
            print(f"    out {t['dtype']}{t['shape']}")
        if m.get("value") is not None:
            print(f"    = {m['value']}")
        if m.get("delegates"):
            print(f"    delegates: {', '.join(f'{k} x{v}' for k, v in m['delegates'].items())}")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from sdkgen import toolchain

    groups = {
        "python packages": toolchain.python_packages(),
        "system packages": toolchain.system_packages(),
        "compilers": toolchain.compilers(),
        "device SDKs": toolchain.device_sdks(),
        "targets": toolchain.targets(),
    }
    from sdkgen.resources import available_memory

    memory, source = available_memory()
    if args.json:
        host = toolchain.host() | {"memory_available_bytes": memory, "memory_source": source}
        print(json.dumps({g: [t.as_dict() for t in ts] for g, ts in groups.items()} | {"host": host}, indent=2))
        return 0
    for g, ts in groups.items():
        print(g)
        for t in ts:
            mark = "ok " if t.available else "-- "
            line = f"  {mark}{t.name:<22} {t.version or '':<12} {t.detail}"
            if t.install:
                line += f"\n       install: {t.install}"
            print(line)
    if memory is not None:
        print(f"memory available to a build: {memory / 2**30:.1f} GiB ({source}; sdkgen build checks its estimate)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
