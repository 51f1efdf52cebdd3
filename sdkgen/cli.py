"""The ``sdkgen`` command line. Thin: parses arguments, calls the library, maps errors to exit codes.

Exit codes: 0 success · 1 a stage failed · 2 bad input (config, model, output path) · 3 verification
failed · 4 a needed toolchain is missing. Errors print their message and a ``hint:`` line to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sdkgen import __version__
from sdkgen.errors import SdkgenError, VerificationFailed

DEFAULT_CONFIG = Path("samples/tiny-llm")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except VerificationFailed as e:
        print(f"error: {e}", file=sys.stderr)
        if getattr(args, "json", False) and getattr(e, "report", None):
            print(json.dumps(e.report, indent=2, ensure_ascii=False))
        return e.exit_code
    except SdkgenError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted; nothing was moved into the output folder", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sdkgen", description="Build verified on-device models and their mobile SDKs.")
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
    b.set_defaults(func=_build)

    c = sub.add_parser("compress", help="compare compression recipes: size, host latency and quality per recipe")
    c.add_argument("config", nargs="?", type=Path, default=DEFAULT_CONFIG, help="sdkgen.toml or its folder")
    c.add_argument("--sweep", action="store_true", required=True, help="build and measure every [[sweep.recipes]]")
    c.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist)")
    c.add_argument("--cache-dir", type=Path, help="stage cache (default: $SDKGEN_CACHE_DIR or ~/.cache/sdkgen)")
    c.set_defaults(func=_compress)

    n = sub.add_parser("init", help="write a commented sdkgen.toml for a checkpoint folder")
    n.add_argument("model", type=Path, help="a Hugging Face checkpoint folder")
    n.add_argument("--out", type=Path, default=Path("sdkgen.toml"), help="where to write (default: ./sdkgen.toml)")
    n.add_argument("--force", action="store_true", help="overwrite an existing file")
    n.set_defaults(func=_init)

    i = sub.add_parser("inspect", help="show the methods, inputs, outputs, delegates and size of an artifact")
    i.add_argument("artifact", type=Path)
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=_inspect)

    d = sub.add_parser("doctor", help="show which runtimes, toolchains and SDKs are available")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=_doctor)
    return p


def _build(args: argparse.Namespace) -> int:
    from sdkgen.config import load_config
    from sdkgen.pipeline import build

    config = load_config(args.config)
    result = build(config, args.out, targets=args.targets, cache_root=args.cache_dir)
    r = result.report
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


def _compress(args: argparse.Namespace) -> int:
    from sdkgen.compress.sweep import run_sweep
    from sdkgen.config import load_config

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    result = run_sweep(load_config(args.config), args.out, cache_root=args.cache_dir, log=log)
    print((result.output / "sweep.md").read_text())
    print(f"wrote {result.output}/sweep.{{json,md,png,html}}")
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
    for m in info["methods"]:
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
        "compilers": toolchain.compilers(),
        "device SDKs": toolchain.device_sdks(),
        "targets": toolchain.targets(),
    }
    if args.json:
        print(
            json.dumps(
                {g: [t.as_dict() for t in ts] for g, ts in groups.items()} | {"host": toolchain.host()}, indent=2
            )
        )
        return 0
    for g, ts in groups.items():
        print(g)
        for t in ts:
            mark = "ok " if t.available else "-- "
            line = f"  {mark}{t.name:<22} {t.version or '':<12} {t.detail}"
            if t.install:
                line += f"\n       install: {t.install}"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
