"""Property-based fuzzing of the config loader: whatever ``sdkgen.toml`` holds, :func:`sdkgen.config.load_config`
and :func:`sdkgen.config.parse_config` return a :class:`~sdkgen.config.BuildConfig` or raise an
:class:`~sdkgen.errors.SdkgenError` with a hint; never any other exception.

Three sources of documents: arbitrary bytes and text; arbitrary TOML documents (random tables, keys and
values, the keys often the config's own so validation goes deep); and the samples' own ``sdkgen.toml`` with
keys dropped or misspelt and values replaced by other types or by strings holding control characters.
Derandomized, so CI runs the same examples every time.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sdkgen.config import BuildConfig, load_config, parse_config
from sdkgen.errors import ConfigError, SdkgenError

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p.parent for p in (ROOT / "samples").glob("*/sdkgen.toml"))

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def _field_names(model: type[BaseModel] = BuildConfig) -> set[str]:
    """Every key of the config schema, at any depth (so random documents often use real keys)."""
    names = set()
    for name, field in model.model_fields.items():
        names.add(name)
        for ann in (field.annotation, *getattr(field.annotation, "__args__", ())):
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                names |= _field_names(ann)
            for inner in getattr(ann, "__args__", ()):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    names |= _field_names(inner)
    return names


KEYS = sorted(_field_names())
#: Strings a config holds: any text, control characters included, very long ones (a file name longer than
#: the file system allows), path-like ones, and values the schema knows.
STRINGS = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1),
    st.builds(lambda part, n: part * n, st.text(min_size=1, max_size=3), st.integers(100, 3000)),
    st.lists(st.sampled_from(["..", ".", "", "model", "a.keras", "x.h5", "~", "/", "C:", "\\"]), max_size=5).map(
        "/".join
    ),
    st.sampled_from(
        ["executorch:xnnpack", "coreml:ane", "litert:cpu", "8da4w", "none", "model", "model:make", "../..", "pkg:x/y"]
    ),
)
SCALARS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
    STRINGS,
    st.datetimes(),
    st.dates(),
    st.times(),
)
KEY = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=20))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEY, inner, max_size=5)),
    max_leaves=20,
)


def _section(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """A table of ``model``'s section: mostly its own keys, any values."""
    own = st.sampled_from(sorted(model.model_fields))
    return st.dictionaries(st.one_of(own, own, own, own, own, KEY), VALUES, max_size=6)


def _table_type(name: str) -> type[BaseModel] | None:
    ann = BuildConfig.model_fields[name].annotation
    for a in (ann, *getattr(ann, "__args__", ())):
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
    return None


#: The smallest valid config; shaped documents start from it so validation reaches the later checks.
MINIMAL = {"model": {"source": "model"}, "android": {"package": "com.example.fuzz"}, "ios": {"module": "Fuzz"}}


def _overlay(tables: dict[str, Any], keep: dict[str, bool]) -> dict[str, Any]:
    doc: dict[str, Any] = {k: dict(v) for k, v in MINIMAL.items() if keep.get(k, True)}
    for name, table in tables.items():
        doc[name] = {**doc[name], **table} if isinstance(doc.get(name), dict) and isinstance(table, dict) else table
    return doc


#: Documents shaped like a config: the minimal one with random tables of the schema's own keys laid over it
#: (and now and then a required table dropped), and random targets.
SHAPED = st.builds(
    _overlay,
    st.fixed_dictionaries(
        {},
        optional={
            "targets": st.one_of(
                st.lists(st.one_of(st.sampled_from(["executorch:xnnpack", "coreml:ane", "litert:cpu"]), STRINGS)),
                VALUES,
            ),
            **{name: _section(t) for name in BuildConfig.model_fields if (t := _table_type(name)) is not None},
        },
    ),
    st.fixed_dictionaries({k: st.booleans() | st.just(True) for k in MINIMAL}),
)
DOCUMENTS = st.one_of(st.dictionaries(KEY, VALUES, max_size=8), SHAPED)


def _toml_string(s: str) -> str:
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return _toml_string(v)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{_toml_string(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"


def dumps(doc: dict[str, Any]) -> str:
    """A TOML document of ``doc``, every table inline (valid TOML 1.0 for any nesting)."""
    return "".join(f"{_toml_string(k)} = {_toml_value(v)}\n" for k, v in doc.items())


def _accepts_or_explains(load: Callable[[], BuildConfig]) -> None:
    try:
        config = load()
    except SdkgenError as e:
        assert e.hint, f"{type(e).__name__} without a hint: {e}"
        assert e.message.strip()
        return
    assert isinstance(config, BuildConfig)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def test_the_serializer_writes_toml_that_reads_back() -> None:
    doc = {"a b": {"c\n": [1, 2.5, 'x\x00"', dt.date(2024, 1, 2)], "d": {}}, "e": True}
    assert tomllib.loads(dumps(doc)) == doc


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_any_bytes(folder: Path, data: bytes) -> None:
    (folder / "sdkgen.toml").write_bytes(data)
    _accepts_or_explains(lambda: load_config(folder / "sdkgen.toml"))


@FUZZ
@given(doc=DOCUMENTS)
def test_any_toml_document(folder: Path, doc: dict[str, Any]) -> None:
    (folder / "sdkgen.toml").write_text(dumps(doc), encoding="utf-8")
    _accepts_or_explains(lambda: load_config(folder / "sdkgen.toml"))
    _accepts_or_explains(lambda: parse_config(doc, root=folder))


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key (and list index) path in ``doc``."""
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    out = []
    for k, v in items:
        out.append((*prefix, k))
        out += _paths(v, (*prefix, k))
    return out


def _misspell(data: st.DataObject, key: str) -> str:
    i = data.draw(st.integers(0, max(len(key) - 1, 0)))
    op = data.draw(st.sampled_from(["drop", "swap", "case", "text"]))
    if op == "drop" and len(key) > 1:
        return key[:i] + key[i + 1 :]
    if op == "swap" and len(key) > 1:
        j = min(i + 1, len(key) - 1)
        return key[:i] + key[j] + key[i] + key[j + 1 :] if i != j else key + "_"
    if op == "case":
        return key.upper()
    return data.draw(st.text(min_size=1, max_size=12))


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


#: What a string value is replaced with by the ``hostile`` mutation.
HOSTILE = ["a" * 300, "x/" * 2100, "a\0b", "../" * 40 + "etc/passwd", "\\\\?\\C:\\x", "$(touch /tmp/x)"]


def _mutate(data: st.DataObject, doc: dict[str, Any]) -> None:
    op = data.draw(st.sampled_from(["drop", "rename", "replace", "control", "hostile"]))
    paths = _paths(doc)
    strings = [p for p in paths if isinstance(_at(doc, p), str)]
    path = data.draw(st.sampled_from(strings if op in ("control", "hostile") and strings else paths))
    parent = _at(doc, path[:-1])
    last = path[-1]
    if op == "drop":
        del parent[last]
    elif op == "rename" and isinstance(parent, dict):
        parent[_misspell(data, last)] = parent.pop(last)
    elif op == "control" and isinstance(parent[last], str):
        s = parent[last]
        i = data.draw(st.integers(0, len(s)))
        parent[last] = s[:i] + data.draw(st.sampled_from(["\x00", "\n", "\x1b[31m", "\u202e", "\r\n", "\t"])) + s[i:]
    elif op == "hostile" and isinstance(parent[last], str):
        parent[last] = data.draw(st.sampled_from(HOSTILE))
    else:
        parent[last] = data.draw(VALUES)


@FUZZ
@given(sample=st.sampled_from(SAMPLES), data=st.data())
def test_mutated_sample_configs(folder: Path, sample: Path, data: st.DataObject) -> None:
    doc = tomllib.loads((sample / "sdkgen.toml").read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        if _paths(doc):
            _mutate(data, doc)
    _accepts_or_explains(lambda: parse_config(doc, root=sample))
    (folder / "sdkgen.toml").write_text(dumps(doc), encoding="utf-8")
    _accepts_or_explains(lambda: load_config(folder / "sdkgen.toml"))


@pytest.mark.parametrize("value", ["a" * 300, "x/" * 2100, "a\0b"], ids=["long-name", "long-path", "nul"])
@pytest.mark.parametrize(
    "key", ["model.source", "model.labels", "compress.calibration", "verify.eval_data", "verify.heldout_text"]
)
def test_paths_the_os_cannot_look_up(key: str, value: str) -> None:
    """Found by the fuzzer: an over-long model.source made the Keras/SavedModel probe raise OSError (File name
    too long) out of the loader. Every path-valued key is now checked for what the OS can look up."""
    doc = tomllib.loads((ROOT / "samples" / "text-classifier" / "sdkgen.toml").read_text(encoding="utf-8"))
    section, name = key.split(".")
    doc.setdefault(section, {})[name] = value
    with pytest.raises(ConfigError, match=f"{key} = .* is invalid: (a path|the path)") as e:
        parse_config(doc, root=ROOT / "samples" / "text-classifier")
    assert e.value.hint
    assert len(e.value.message) < 600


def test_the_samples_themselves_load() -> None:
    """The unmutated documents the fuzzer starts from are valid (so mutations, not the start, are judged)."""
    assert len(SAMPLES) >= 5
    for sample in SAMPLES:
        assert isinstance(load_config(sample), BuildConfig)
