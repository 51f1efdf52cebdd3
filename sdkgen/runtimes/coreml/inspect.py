"""Read the versions inside a ``.mlpackage`` without coremltools: the Core ML specification version (and so
the lowest iOS that loads it) and the coremltools metadata of the model spec."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Core ML specification version -> the first iOS whose Core ML reads it (coremltools 9.0's
#: ``_SPECIFICATION_VERSION_IOS_*`` constants).
SPEC_VERSION_IOS = {4: "13.0", 5: "14.0", 6: "15.0", 7: "16.0", 8: "17.0", 9: "18.0", 10: "26.0"}


def root_spec_file(package: Path) -> Path:
    """The serialized model spec (``*.mlmodel``) that ``Manifest.json`` names as the package's root model."""
    manifest = json.loads((package / "Manifest.json").read_text())
    item = manifest["itemInfoEntries"][manifest["rootModelIdentifier"]]
    return package / "Data" / item["path"]


def spec_versions(package: Path) -> dict[str, Any]:
    """``specification_version``, ``minimum_ios`` (``None`` for a version this table does not know) and the
    ``coremltools`` version and ``source`` (the framework it converted from) that the package's metadata records."""
    data = root_spec_file(package).read_bytes()
    version = _field1_varint(data)
    metadata = _user_metadata(data)
    return {
        "specification_version": version,
        "minimum_ios": SPEC_VERSION_IOS.get(version),
        "coremltools": metadata.get("com.github.apple.coremltools.version"),
        "source": metadata.get("com.github.apple.coremltools.source"),
    }


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        b = data[pos]
        value |= (b & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
        if b < 0x80:
            return value, pos


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    """The top-level (field number, wire type, value) of a protobuf message: varints as ints, length-delimited
    fields as bytes (other wire types are skipped over)."""
    out: list[tuple[int, int, Any]] = []
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        value: Any
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        elif wire in (1, 5):
            value, pos = None, pos + (8 if wire == 1 else 4)
        else:
            raise ValueError(f"protobuf wire type {wire} is not expected in a Core ML model spec")
        out.append((number, wire, value))
    return out


def _field1_varint(data: bytes) -> int:
    """``Model.specificationVersion`` (field 1); protobuf writes fields in number order, so it comes first."""
    tag, pos = _varint(data, 0)
    if tag != 0x08:
        raise ValueError("not a Core ML model spec: it does not start with specificationVersion")
    return _varint(data, pos)[0]


def _user_metadata(data: bytes) -> dict[str, str]:
    """``Model.description`` (2) -> ``metadata`` (100) -> ``userDefined`` (100): a string map."""
    found: dict[str, str] = {}
    for number, _, description in _fields(data):
        if number != 2:
            continue
        for n, _, metadata in _fields(description):
            if n != 100:
                continue
            for m, _, entry in _fields(metadata):
                if m == 100:
                    kv = {k: v for k, _, v in _fields(entry)}
                    found[bytes(kv.get(1, b"")).decode()] = bytes(kv.get(2, b"")).decode()
    return found
