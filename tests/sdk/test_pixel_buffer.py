"""The Swift core's pixel conversion (``ImagePreprocessor.rgba(from:width:height:bytesPerRow:format:)``, what
``classify(_: CVPixelBuffer)`` reads a camera frame with), run on this machine against a Python reference.

The core template is rendered and compiled with a driver that reads one buffer per line
(``<format> <width> <height> <bytesPerRow> <hex bytes>``) and prints the packed RGBA in hex, or ``nil``. The
buffers are synthetic: every 32-bit layout, rows padded past ``width * 4`` (the padding holds bytes that must
not leak into the output), a buffer that ends right after the last row's pixels, and sizes that must be
refused.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from sdkgen.check.swift import build_swift_package, find_swift
from sdkgen.sdk.render import TEMPLATES_ROOT, environment

CORE = "ios/core/image-classification/Sources/{{ module }}/ImageClassification.swift.jinja"

#: Byte order of each layout, first byte first (Core Video's kCVPixelFormatType_32BGRA, _32ARGB, ...).
LAYOUTS = {"bgra": "BGRA", "argb": "ARGB", "rgba": "RGBA", "abgr": "ABGR"}

DRIVER = r"""
import Foundation

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func unhex(_ text: Substring) -> [UInt8] {
    var out: [UInt8] = []
    var i = text.startIndex
    while i < text.endIndex {
        let j = text.index(i, offsetBy: 2)
        out.append(UInt8(text[i..<j], radix: 16)!)
        i = j
    }
    return out
}

let lines = try String(contentsOfFile: CommandLine.arguments[1], encoding: .utf8).split(separator: "\n")
for line in lines {
    let f = line.split(separator: " ", omittingEmptySubsequences: false)
    let bytes = unhex(f[4])
    let rgba = bytes.withUnsafeBytes { buffer in
        ImagePreprocessor.rgba(
            from: buffer, width: Int(f[1])!, height: Int(f[2])!, bytesPerRow: Int(f[3])!,
            format: PixelFormat(rawValue: String(f[0]))!)
    }
    print(rgba.map(hex) ?? "nil")
}
"""

MANIFEST = """// swift-tools-version:6.0
import PackageDescription

let package = Package(name: "PixelCheck", targets: [.executableTarget(name: "PixelDriver")])
"""


def reference_rgba(data: bytes, fmt: str, width: int, height: int, bytes_per_row: int) -> bytes | None:
    """Packed RGBA of ``height`` rows of ``width`` pixels in layout ``fmt``, rows ``bytes_per_row`` apart."""
    if width < 1 or height < 1 or bytes_per_row < width * 4 or len(data) < bytes_per_row * (height - 1) + width * 4:
        return None
    order = LAYOUTS[fmt]
    out = bytearray()
    for y in range(height):
        for x in range(width):
            pixel = data[y * bytes_per_row + x * 4 : y * bytes_per_row + x * 4 + 4]
            out += bytes(pixel[order.index(channel)] for channel in "RGBA")
    return bytes(out)


def buffers() -> list[tuple[str, int, int, int, bytes]]:
    """(format, width, height, bytesPerRow, bytes): every layout at several sizes and paddings, plus refusals."""
    rng = random.Random(5)
    cases: list[tuple[str, int, int, int, bytes]] = []

    def frame(width: int, height: int, bytes_per_row: int, size: int | None = None) -> bytes:
        rows = bytearray()
        for _ in range(height):
            rows += bytes(rng.randrange(256) for _ in range(width * 4)) + b"\xee" * (bytes_per_row - width * 4)
        return bytes(rows[: size if size is not None else len(rows)])

    for fmt in LAYOUTS:
        cases.append((fmt, 1, 1, 4, bytes([0x11, 0x22, 0x33, 0x44])))
        for width, height, pad in [(3, 2, 0), (3, 2, 4), (5, 3, 12), (7, 4, 64), (16, 9, 0), (17, 5, 15)]:
            cases.append((fmt, width, height, width * 4 + pad, frame(width, height, width * 4 + pad)))
        # Core Video may end the buffer right after the last row's pixels, without that row's padding.
        cases.append((fmt, 4, 3, 32, frame(4, 3, 32, 32 * 2 + 16)))
    cases += [
        ("bgra", 4, 3, 12, frame(4, 3, 16)),  # bytesPerRow below width * 4
        ("bgra", 4, 3, 16, frame(4, 3, 16, 16 * 2 + 15)),  # one byte short
        ("argb", 0, 3, 16, frame(4, 3, 16)),  # no columns
        ("rgba", 4, 0, 16, b""),  # no rows
    ]
    return cases


def test_reference_is_what_core_video_layouts_mean() -> None:
    """The reference itself, on one pixel whose red, green, blue and alpha are 1, 2, 3, 4 in each layout."""
    for fmt, order in LAYOUTS.items():
        pixel = bytes("RGBA".index(channel) + 1 for channel in order)
        assert reference_rgba(pixel, fmt, 1, 1, 4) == bytes([1, 2, 3, 4])


def test_swift_pixel_conversion_matches_the_reference(tmp_path: Path) -> None:
    if find_swift() is None:
        pytest.skip("no Swift toolchain found (swift on PATH, $SWIFT_HOME or /opt/swift)")
    cases = buffers()
    vectors = tmp_path / "buffers.txt"
    vectors.write_text("".join(f"{f} {w} {h} {bpr} {data.hex()}\n" for f, w, h, bpr, data in cases), encoding="utf-8")
    target = tmp_path / "pkg" / "Sources" / "PixelDriver"
    target.mkdir(parents=True)
    core = environment(TEMPLATES_ROOT).get_template(CORE).render(sdkgen_version="test")
    (target / "ImageClassification.swift").write_text(core, encoding="utf-8")
    (target / "main.swift").write_text(DRIVER, encoding="utf-8")
    (tmp_path / "pkg" / "Package.swift").write_text(MANIFEST, encoding="utf-8")
    result = build_swift_package(tmp_path / "pkg", build_tests=False, scratch_dir=tmp_path / "build")
    assert result.ok, result.output[-5000:]
    run = subprocess.run(
        [str(tmp_path / "build" / "debug" / "PixelDriver"), str(vectors)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    got = run.stdout.splitlines()
    expected = [(r.hex() if (r := reference_rgba(d, f, w, h, bpr)) is not None else "nil") for f, w, h, bpr, d in cases]
    assert sum(e == "nil" for e in expected) == 4 and len(expected) == len(cases) == 36
    mismatches = [(case[:4], g, e) for case, g, e in zip(cases, got, expected, strict=True) if g != e]
    assert not mismatches, mismatches[:5]
