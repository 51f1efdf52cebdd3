"""Hostile names, labels, texts and file names against the SDK generators, and templates as data.

A fixed corpus and hypothesis strategies over the dangerous characters (quotes, backslashes, ``$``, ``\\(``,
``*/``, ``/*``, ``../``, line breaks, NUL, bidirectional controls, Markdown and shell syntax, 10k-character
strings) are put into ModelSpecs (model name, labels, texts, prompts, tensor names, artifact and tokenizer file
names) and configs. Each rendered SDK is checked: every hostile string comes back byte for byte from a plain
Kotlin or Swift string literal (:mod:`tests.reliability.hostile_lex`, which lexes like the compilers), every
source ends outside comments and strings, comments, README text and the shell script stay one line of inert
text, JSON parses, and no file is written outside the SDK folder. Invalid names and paths are refused before
anything is written. One hostile spec is compiled and run per language (labels printed as code points). User
template overrides are sandboxed: reaching Python internals fails with an error naming the template.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sdkgen.check.kotlin import compile_kotlin, find_kotlin_compiler
from sdkgen.check.swift import find_swift
from sdkgen.config import parse_config
from sdkgen.errors import ConfigError, StageError
from sdkgen.sdk import android, ios
from sdkgen.sdk.android import naming as kt
from sdkgen.sdk.common import engines_for
from sdkgen.sdk.ios import naming as sw
from sdkgen.sdk.naming import comment_text, markdown_table_code, markdown_text
from sdkgen.sdk.render import TEMPLATES_ROOT
from sdkgen.spec import ModelSpec, TensorCase, TensorValue
from tests.conftest import STUBS, fake_files, load_spec
from tests.reliability.hostile_lex import LexError, string_literals
from tests.sdk.test_generate import _codepoints

LONG = "long " * 2000  # 10,000 characters

#: Strings that break generated code when a generator forgets to escape them.
CORPUS = [
    'say "hi"',
    "back\\slash \\n \\u0041 \\",
    "$price ${x} $ {y}",
    "\\(x) \\(",
    "*/ close",
    "/* open",
    "/** doc */",
    "../../etc/passwd",
    "line\nbreak\r\nand\ttab",
    "nul\x00byte \x01\x1f\x7f\x85",
    "\u2028sep\u2029",
    "bidi \u202eevil\u202c \u2066x\u2069",
    '"""triple""" \'single\'',
    "`tick` ``double``",
    "<script>alert(1)</script> &amp; | pipe | # hash ![img](x) [link](y) ~~s~~ $m$",
    "$(rm -rf ~) `id` ; && || > /dev/null",
    "{{ jinja }} {% raw %} {# c #}",
    "%s %d {0} %n",
    "mañana cafe\u0301 日本語 العربية 👩🏽‍💻",
    "trailing space ",
    "",
    LONG,
    "\\u{41} \\0 \\\\(",
]
#: A model name that is hostile but one valid path segment (it becomes the Android asset folder and part of
#: every artifact's file name, so no '/' and no '\\').
NAME = "we\"ird $x ${y} *_ `t` <b>|p|# ~s~ 'q' é 🤖"
#: Names and file names that are not one file name inside a folder: each must be refused.
BAD_NAMES = ["../evil", "a/b", "a\\b", "..", ".", "", "nul\x00", "line\nbreak", "x" * 300]

HOSTILE_CHARS = [*"\"'\\$(){}*/.\n\r\t\x00\u2028\u202e`|<>#&!~[]_ %", "\\(", "${", "*/", "/*", "../"]
hostile_text = st.lists(st.sampled_from(HOSTILE_CHARS) | st.characters(), max_size=40).map("".join)

GENERATORS: dict[str, Callable[..., object]] = {"android": android.generate, "ios": ios.generate}
LANGUAGE = {".kt": "kotlin", ".kts": "kotlin", ".swift": "swift"}


# -- building hostile specs ---------------------------------------------------------------------------------


def _rename_tensors(case: TensorCase, names: dict[str, str]) -> TensorCase:
    def ren(v: TensorValue) -> TensorValue:
        return dataclasses.replace(v, name=names.get(v.name, v.name))

    return TensorCase(tuple(map(ren, case.inputs)), tuple(map(ren, case.outputs)))


def hostile_image_spec(labels: list[str], name: str = NAME) -> ModelSpec:
    """The nasty-labels spec (image classification; ExecuTorch, LiteRT, Core ML) with ``labels`` (as many as
    its outputs), a hostile model name (so hostile artifact file names) and hostile tensor names."""
    spec = load_spec("nasty-labels")
    assert len(labels) == len(spec.labels)
    tensors = {"image": 'im"age */ /* $x \\(y)\nz', "output": "out`put` ${q} \x00"}
    methods = tuple(
        dataclasses.replace(
            m,
            inputs=tuple(dataclasses.replace(t, name=tensors.get(t.name, t.name)) for t in m.inputs),
            outputs=tuple(dataclasses.replace(t, name=tensors.get(t.name, t.name)) for t in m.outputs),
        )
        for m in spec.methods
    )
    artifacts = tuple(dataclasses.replace(a, file=a.file.replace(spec.name, name, 1)) for a in spec.artifacts)
    return dataclasses.replace(
        spec,
        name=name,
        labels=tuple(labels),
        methods=methods,
        artifacts=artifacts,
        tensor_golden=tuple(_rename_tensors(c, tensors) for c in spec.tensor_golden),
    )


def _corpus_labels(n: int) -> list[str]:
    return [CORPUS[i % len(CORPUS)] + ("" if i < len(CORPUS) else f" #{i}") for i in range(n)]


def hostile_text_spec() -> ModelSpec:
    """text-classifier with hostile labels, golden texts and tokenizer file name."""
    spec = load_spec("text-classifier")
    assert spec.tokenizer is not None
    labels = ['sp"orts $x', "wea\\ther \\(y)", "fo*/od\n", "tech\x00 ${z}"]
    texts = tuple(CORPUS[i % len(CORPUS)] for i in range(len(spec.texts)))
    tok = dataclasses.replace(spec.tokenizer, file="vo\"cab $x `y` 'z'.txt")
    return dataclasses.replace(spec, name=NAME, labels=tuple(labels), texts=texts, tokenizer=tok)


def hostile_llm_spec() -> ModelSpec:
    """tiny-llm with hostile golden prompts and continuations."""
    spec = load_spec("tiny-llm")
    golden = tuple(
        dataclasses.replace(g, prompt=CORPUS[i % len(CORPUS)], output_text=CORPUS[(i + 7) % len(CORPUS)])
        for i, g in enumerate(spec.golden)
    )
    return dataclasses.replace(spec, name=NAME, golden=golden)


def _files(spec: ModelSpec, platform: str) -> list[tuple[str, object]]:
    return [(a.file, a) for a, _ in engines_for(spec, platform)]


def render(spec: ModelSpec, platform: str, tmp: Path, *, stand_ins: bool = False, **kwargs: object) -> Path:
    """Render into ``tmp/sandbox/out`` (model files under ``tmp/files``); ``tmp/sandbox`` must hold
    nothing but ``out`` afterwards. ``stand_ins``: every model file is one stand-in file, whatever its name
    (for names no file system takes)."""
    if stand_ins:
        (tmp / "files").mkdir(parents=True, exist_ok=True)
        (tmp / "files" / "stand-in").write_bytes(b"fake\n")
        names = [a.file for a in spec.artifacts] + ([spec.tokenizer.file] if spec.tokenizer else [])
        files = dict.fromkeys(names, tmp / "files" / "stand-in")
    else:
        files = fake_files(spec, tmp / "files")
    out = tmp / "sandbox" / "out"
    out.parent.mkdir(parents=True, exist_ok=True)
    GENERATORS[platform](spec, files, out, **kwargs)
    return out


# -- checking a rendered SDK --------------------------------------------------------------------------------


def _sources(out: Path) -> dict[Path, list[str]]:
    """Every Kotlin, Gradle Kotlin DSL and Swift file of ``out`` with its plain string literals."""
    return {
        f: string_literals(f.read_text(encoding="utf-8"), LANGUAGE[f.suffix])
        for f in sorted(out.rglob("*"))
        if f.suffix in LANGUAGE
    }


def check_sdk(out: Path, platform: str, expected_literals: list[str], name: str) -> None:
    """The invariants every rendered SDK keeps, whatever went into it (see the module docstring)."""
    # (b) nothing outside the SDK folder
    outside = [p for p in out.parent.rglob("*") if not p.is_relative_to(out)]
    assert outside == [], f"written outside the SDK folder: {outside}"
    for p in out.rglob("*"):
        assert p.resolve().is_relative_to(out.resolve()) and not p.is_symlink(), p
    # (a) every source lexes cleanly, and each hostile string is a plain literal somewhere, byte for byte
    sources = _sources(out)
    literals = {v for values in sources.values() for v in values}
    missing = [s for s in expected_literals if s not in literals]
    assert not missing, f"not found as a plain string literal: {[m[:40] for m in missing]}"
    # comments: a name holding a quote appears unescaped only in comment lines (literals escape the quote)
    if '"' in name and len(name) > 10:
        for f in sources:
            for line in f.read_text(encoding="utf-8").split("\n"):
                if name in line:
                    assert re.match(r"\s*(//|\*|/\*\*|#)", line), f"{f.name}: {line[:120]}"
    # (c) JSON and JSON lines parse
    for f in out.rglob("*.json"):
        json.loads(f.read_text(encoding="utf-8"))
    for f in out.rglob("*.jsonl"):
        for line in f.read_text(encoding="utf-8").splitlines():
            json.loads(line)
    # README: the description is escaped Markdown on one line, the file table keeps its columns
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert markdown_text(f"The {name} model") in readme
    if "<b>" in name:  # no HTML outside code spans (inside them it is literal text)
        assert "<b>" not in re.sub(r"(`+)(.+?)(?<!`)\1(?!`)", "", readme)
    for row in (line for line in readme.splitlines() if line.startswith("| ")):
        assert len(re.findall(r"(?<!\\)\|", row)) == 7, row
    # the shell script stays valid, with the name in comments only
    script = out / "Scripts" / "sdkgen-build-phase.sh"
    if script.exists():
        text = script.read_text(encoding="utf-8")
        assert "\x00" not in text
        assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
        for line in text.splitlines():
            if name and name in line:
                assert line.startswith("#"), line


def _labels_jsonl(out: Path) -> list[str]:
    path = next(out.rglob("labels.jsonl"))
    return [json.loads(line)["label"] for line in path.read_text(encoding="utf-8").splitlines()]


# -- escaping primitives, property-based --------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_kotlin_and_swift_literals_round_trip(s: str) -> None:
    src_kt = f"val x = {kt.string_literal(s)}\n"
    src_sw = f"let x = {sw.string_literal(s)}\n"
    assert string_literals(src_kt, "kotlin") == [s]
    assert string_literals(src_sw, "swift") == [s]


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_comment_text_stays_one_inert_line(s: str) -> None:
    for doc in (kt.doc_text(s), sw.doc_text(s), comment_text(s)):
        assert "\n" not in doc and "\r" not in doc and "\x00" not in doc and "\u2028" not in doc
        assert "\u202e" not in doc
    assert "*/" not in kt.doc_text(s) and "/*" not in kt.doc_text(s)
    # the KDoc block still closes where the template closes it
    assert string_literals(f'/** {kt.doc_text(s)} */\nval x = "ok"\n', "kotlin") == ["ok"]


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_markdown_text_is_literal(s: str) -> None:
    md = markdown_text(s)
    assert re.sub(r"\\(.)", r"\1", md) == comment_text(s)
    assert not re.search(r"(?<!\\)[<>`*_\[\]|&]", re.sub(r"\\\\", "", md))
    code = markdown_table_code(s)
    assert "\n" not in code and not re.search(r"(?<!\\)\|", code)


# -- hostile specs, rendered ---------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["android", "ios"])
def test_hostile_image_spec_renders_escaped(platform: str, tmp_path: Path) -> None:
    labels = _corpus_labels(23)
    spec = hostile_image_spec(labels)
    out = render(spec, platform, tmp_path)
    # Android names the asset folder with a literal of the model name; iOS looks resources up by file name.
    named = [spec.name] if platform == "android" else [f.rsplit(".", 1)[0] for f, _ in _files(spec, platform)]
    check_sdk(out, platform, [*labels, *named], spec.name)
    assert _labels_jsonl(out) == labels
    shipped = {p.name for p in out.rglob("*") if p.is_file()}
    assert {a.file for a, _ in engines_for(spec, platform)} <= shipped


@pytest.mark.parametrize("platform", ["android", "ios"])
def test_hostile_text_spec_renders_escaped(platform: str, tmp_path: Path) -> None:
    spec = hostile_text_spec()
    assert spec.tokenizer is not None
    out = render(spec, platform, tmp_path)
    tok = f"{spec.name}/{spec.tokenizer.file}" if platform == "android" else spec.tokenizer.file
    check_sdk(out, platform, [*spec.labels, *spec.texts, tok], spec.name)
    assert spec.tokenizer.file in {p.name for p in out.rglob("*")}


@pytest.mark.parametrize("platform", ["android", "ios"])
def test_hostile_prompts_render_escaped(platform: str, tmp_path: Path) -> None:
    spec = hostile_llm_spec()
    out = render(spec, platform, tmp_path)
    strings = [s for g in spec.golden for s in (g.prompt, g.output_text)]
    check_sdk(out, platform, strings, spec.name)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(labels=st.lists(hostile_text, min_size=23, max_size=23))
def test_any_labels_render_escaped(labels: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("labels")
    out = render(hostile_image_spec(labels), "android", tmp)
    check_sdk(out, "android", labels, NAME)
    assert _labels_jsonl(out) == labels


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile_text)
def test_any_model_name_is_escaped_or_refused(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A model name either renders an SDK that keeps every invariant, or is refused before anything is
    written; it never leaves a file outside the SDK folder."""
    tmp = tmp_path_factory.mktemp("name")
    spec = hostile_image_spec(list(load_spec("nasty-labels").labels), name=name)
    try:
        out = render(spec, "android", tmp, stand_ins=True)
    except ConfigError as e:
        assert "model spec:" in str(e) and "hint:" in str(e)
        assert not (tmp / "sandbox" / "out").exists()
        return
    check_sdk(out, "android", [name], name)


# -- refused names and paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_NAMES)
@pytest.mark.parametrize("field", ["name", "artifact", "tokenizer"])
def test_path_like_names_are_refused(bad: str, field: str, tmp_path: Path) -> None:
    spec = load_spec("text-classifier")
    assert spec.tokenizer is not None
    if field == "name":
        spec = dataclasses.replace(spec, name=bad)
    elif field == "artifact":
        spec = dataclasses.replace(
            spec, artifacts=(dataclasses.replace(spec.artifacts[0], file=bad), *spec.artifacts[1:])
        )
    else:
        spec = dataclasses.replace(spec, tokenizer=dataclasses.replace(spec.tokenizer, file=bad))
    with pytest.raises(ConfigError) as e:
        render(spec, "android", tmp_path, stand_ins=True)
    assert "model spec:" in str(e.value) and "hint:" in str(e.value)
    assert list((tmp_path / "sandbox").iterdir()) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("package", 'com.example"; val x = 1; "'),
        ("package", "com.example.fun"),
        ("package", "com.example\n.x"),
        ("group", 'com.example"x'),
        ("artifact", "lib$(id)"),
        ("version", '1.0"\nrootProject.name="x'),
        ("module", 'Kit"), .target(name: "Evil'),
        ("minimum_ios", '17.0"), .macOS("1'),
        ("runtime_version", '1.5.1"\nimplementation("evil:evil:1'),
    ],
)
def test_syntax_fields_are_refused(field: str, value: str, tmp_path: Path) -> None:
    spec = load_spec("nasty-labels")
    if field in ("package", "group", "artifact", "version"):
        spec = dataclasses.replace(spec, android=dataclasses.replace(spec.android, **{field: value}))
    elif field in ("module", "minimum_ios"):
        spec = dataclasses.replace(spec, ios=dataclasses.replace(spec.ios, **{field: value}))
    else:
        spec = dataclasses.replace(
            spec, artifacts=tuple(dataclasses.replace(a, runtime_version=value) for a in spec.artifacts)
        )
    with pytest.raises(ConfigError, match="model spec: "):
        render(spec, "ios" if field in ("module", "minimum_ios") else "android", tmp_path)
    assert list((tmp_path / "sandbox").iterdir()) == []


def _config(tmp: Path, **sections: dict[str, object]) -> dict[str, object]:
    raw: dict[str, object] = {
        "targets": ["executorch:xnnpack"],
        "model": {"source": "model:make", "task": "tensor"},
        "compress": {"recipe": "none"},
        "android": {"package": "com.example.x"},
        "ios": {"module": "X"},
    }
    for k, v in sections.items():
        raw[k] = {**raw.get(k, {}), **v}  # type: ignore[dict-item]
    return raw


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("model", "name", "../evil"),
        ("model", "name", "a/b"),
        ("model", "name", "nul\x00"),
        ("model", "name", 'we"ird'),
        ("model", "name", "x" * 10_000),
        ("android", "package", 'com.example"x'),
        ("android", "artifact", "a/../b"),
        ("android", "group", "g\nh"),
        ("ios", "module", "Kit\x00"),
        ("ios", "module", "../Kit"),
        ("sdk", "templates", "../outside"),
        ("sdk", "templates", "/etc"),
        ("sdk", "templates", "t\x00"),
    ],
)
def test_hostile_config_values_are_refused(section: str, key: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        parse_config(_config(tmp_path, **{section: {key: value}}), root=tmp_path)
    text = str(e.value)
    assert f"{section}.{key}" in text and "hint:" in text


def test_default_name_from_a_hostile_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / 'my "model" $x'
    folder.mkdir()
    with pytest.raises(ConfigError, match=r"model\.name") as e:
        parse_config(_config(folder), root=folder)
    assert 'model.name = "my-model-x"' in str(e.value)


def test_templates_folder_must_stay_inside(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(ConfigError, match="leads outside"):
        parse_config(_config(cfg, sdk={"templates": "link"}), root=cfg)
    with pytest.raises(ConfigError, match="not a folder"):
        parse_config(_config(cfg, sdk={"templates": "missing"}), root=cfg)
    (cfg / "mine").mkdir()
    c = parse_config(_config(cfg, sdk={"templates": "mine"}), root=cfg)
    assert c.templates_dir == (cfg / "mine").resolve()


# -- templates are data --------------------------------------------------------------------------------------

README = Path("android/library/README.md.jinja")


def _override(tmp: Path, rel: Path | str, text: str) -> Path:
    root = tmp / "user-templates"
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")
    return root


def test_user_template_overrides_ours(tmp_path: Path) -> None:
    root = _override(tmp_path, README, "# {{ class_name }}: ours now\n")
    _override(tmp_path, "android/library/EXTRA.md.jinja", "{{ model_md }}\n")
    spec = load_spec("nasty-labels")
    out = render(spec, "android", tmp_path, user_templates=root)
    assert (out / "README.md").read_text() == "# ModelString: ours now\n"
    assert (out / "EXTRA.md").read_text() == "The string model (image-classification)\n"


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].system('touch pwned') }}",
    "{{ class_name.__class__ }}",
    "{% set x = engines.append(1) %}{{ x }}",
    "{% set _ = labels.update({}) %}",
    "{{ engines.__setitem__(0, 1) }}",
    "{{ self._TemplateReference__context }}",
    "{{ range(10**9)|list }}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_user_template_cannot_run_code(payload: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    root = _override(tmp_path, README, f"before\n{payload}\nafter\n")
    with pytest.raises(StageError) as e:
        render(load_spec("nasty-labels"), "android", tmp_path, user_templates=root)
    text = str(e.value)
    assert "user template" in text and "README.md.jinja" in text and "hint:" in text
    assert not (tmp_path / "sandbox" / "out").exists(), "a failing template must write nothing"
    assert not (tmp_path / "pwned").exists()


def test_our_templates_render_in_the_sandbox(tmp_path: Path) -> None:
    """Every shipped template renders in the sandbox (the snapshot tests compare their output)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from sdkgen.sdk.render import environment

    assert isinstance(environment(TEMPLATES_ROOT), ImmutableSandboxedEnvironment)
    out = render(load_spec("tiny-llm-all"), "ios", tmp_path)
    assert (out / "Package.swift").is_file()


@pytest.mark.parametrize(
    "rel",
    [
        "android/library/{{ '..' ~ '%c'|format(47) ~ '..' ~ '%c'|format(47) ~ 'escaped' }}.md.jinja",
        "android/library/{{ '%c'|format(47) ~ 'tmp' }}.md.jinja",
        "android/library/{{ '..' }}/x.md.jinja",
        "android/library/{{ 'a' ~ '%c'|format(92) ~ 'b' }}.md.jinja",
        "android/library/{{ 'nul' ~ '%c'|format(0) }}.md.jinja",
    ],
)
def test_template_paths_cannot_leave_the_sdk(rel: str, tmp_path: Path) -> None:
    root = _override(tmp_path, rel, "x\n")
    with pytest.raises(StageError, match="path of user template") as e:
        render(load_spec("nasty-labels"), "android", tmp_path, user_templates=root)
    assert "hint:" in str(e.value)
    assert not (tmp_path / "sandbox" / "out").exists()
    assert sorted(p.name for p in (tmp_path / "sandbox").iterdir()) == []


def test_links_in_user_templates_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret\n")
    root = _override(tmp_path, "android/library/ok.md", "ok\n")
    (root / "android" / "library" / "leak.md").symlink_to(secret)
    with pytest.raises(StageError, match="symbolic link"):
        render(load_spec("nasty-labels"), "android", tmp_path, user_templates=root)
    assert not (tmp_path / "sandbox" / "out").exists()


# -- (d) the hostile spec compiles and its labels survive at run time -----------------------------------------

KOTLIN = find_kotlin_compiler()
SWIFT = find_swift()
COMPILE_LABELS = _corpus_labels(23)


@pytest.mark.skipif(KOTLIN is None, reason="no Kotlin compiler")
def test_hostile_android_library_compiles_and_keeps_labels(tmp_path: Path) -> None:
    from tests.sdk.test_generate import kotlin_labels_at_run_time

    assert KOTLIN is not None
    spec = hostile_image_spec(COMPILE_LABELS)
    sdk = render(spec, "android", tmp_path)
    stubs = tmp_path / "stubs"
    r = compile_kotlin([STUBS / "android"], stubs, compiler=KOTLIN)
    assert r.ok, r.diagnostics
    sources = [sdk / "src/main/kotlin", sdk / "src/androidTest/kotlin"]
    got = kotlin_labels_at_run_time(
        sources, spec.android.package, kt.type_name(spec.name), tmp_path, stubs, timeout=300
    )
    assert got == _codepoints(COMPILE_LABELS)


@pytest.mark.skipif(SWIFT is None, reason="no Swift toolchain")
def test_hostile_swift_package_builds_and_keeps_labels(tmp_path: Path) -> None:
    from tests.sdk.test_generate import _with_apple_stubs, swift_labels_at_run_time

    spec = hostile_image_spec(COMPILE_LABELS)
    module = spec.ios.module
    sdk = _with_apple_stubs(render(spec, "ios", tmp_path), module, tmp_path / "pkg")
    scratch = tmp_path / "scratch"
    got = swift_labels_at_run_time(sdk, module, sw.type_name(spec.name), scratch, build_tests=True, timeout=300)
    assert got == _codepoints(COMPILE_LABELS)


def test_lexer_catches_an_injection() -> None:
    """The checker itself: an unescaped label is caught (not a plain literal, or a broken source)."""
    assert string_literals('val x = "$price"\n', "kotlin") == []
    assert string_literals('let x = "\\(y)"\n', "swift") == []
    with pytest.raises(LexError):
        string_literals('val x = "a"b"\n', "kotlin")
    with pytest.raises(LexError):
        string_literals("/** a /* b */\nval x = 1\n", "kotlin")
