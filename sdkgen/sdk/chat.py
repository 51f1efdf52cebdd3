"""A model's Hugging Face chat template, reduced at build time to a :class:`ChatFormat` the SDKs apply
without a Jinja engine.

The template is rendered here (with the sandboxed Jinja settings Hugging Face uses) on probe conversations
whose contents are unique markers. Where the markers land gives each role's prefix and suffix, the text
before the first message, a default system message the template inserts when the conversation has none,
whether contents are trimmed (``| trim``, Python's ``str.strip``), and the generation prompt. The guess is
then checked on every probe conversation (system or not, user and assistant turns in any order up to four,
with and without the generation prompt, contents with whitespace at both ends and non-ASCII text): each must
render to exactly what the format produces. A template that does not (one that reorders messages, changes
contents beyond trimming, or depends on tools or dates) is refused with the reason, and the SDK simply gets
no chat API.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sdkgen.spec import TokenizerSpec
    from sdkgen.verify import Check

ROLES = ("system", "user", "assistant")

#: Python's whitespace (``str.isspace``), which ``| trim`` strips; the SDK cores carry the same set.
PYTHON_WHITESPACE = tuple(c for c in range(0x110000) if chr(c).isspace())


class ChatTemplateRefused(ValueError):
    """The template does not reduce to per-role prefix/suffix strings; the message says why."""


@dataclass(frozen=True)
class ChatFormat:
    """``begin`` + (``default_system`` unless the first message is a system one) + for each message
    ``prefix[role]`` + content (stripped when ``trim``) + ``suffix[role]`` + ``generation_prompt`` (when asked)."""

    begin: str
    prefix: tuple[tuple[str, str], ...]  # (role, text) for each of ROLES
    suffix: tuple[tuple[str, str], ...]
    generation_prompt: str
    default_system: str | None
    trim: bool

    def format(self, messages: Sequence[dict[str, str]], add_generation_prompt: bool = True) -> str:
        prefix, suffix = dict(self.prefix), dict(self.suffix)
        out = [self.begin]
        if self.default_system is not None and (not messages or messages[0]["role"] != "system"):
            out.append(self.default_system)
        for m in messages:
            content = m["content"].strip() if self.trim else m["content"]
            out += [prefix[m["role"]], content, suffix[m["role"]]]
        if add_generation_prompt:
            out.append(self.generation_prompt)
        return "".join(out)


def render(template: str, messages: Sequence[dict[str, str]], add_generation_prompt: bool, **tokens: str) -> str:
    """``template`` rendered as ``transformers`` renders chat templates (sandboxed, ``trim_blocks``,
    ``lstrip_blocks``, ``raise_exception``, ``tojson``)."""
    import json

    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise jinja2.TemplateError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = lambda x, indent=None, **_: json.dumps(x, ensure_ascii=False, indent=indent)
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template).render(
        messages=list(messages), add_generation_prompt=add_generation_prompt, **tokens
    )


def _marker(i: int) -> str:
    return f"\ue000{i}\ue001"


def _split(text: str, contents: Sequence[str], what: str) -> list[str]:
    """The text around each content of a rendering: len(contents) + 1 pieces."""
    pieces, rest = [], text
    for c in contents:
        if text.count(c) != 1:
            raise ChatTemplateRefused(f"{what}: a message's content appears {text.count(c)} times in the rendering")
        if c not in rest:
            raise ChatTemplateRefused(f"{what}: the messages are not rendered in order")
        before, rest = rest.split(c, 1)
        pieces.append(before)
    return [*pieces, rest]


def _conversations() -> list[list[str]]:
    """Role sequences of the probes: an optional system message, then one to four user/assistant turns."""
    seqs: list[list[str]] = []
    for n in range(1, 5):
        for turns in itertools.product(("user", "assistant"), repeat=n):
            seqs += [list(turns), ["system", *turns]]
    return [["system"], *seqs]


_PROBE_TEXTS = [
    "Hello",
    "  padded \t",
    "\n\nline one\nline two\n",
    "ünïcödé ✓ 😀 日本語",
    'a {{ b }} {% c %} $x \\ "q"',
]


def reduce_chat_template(template: str, bos_token: str = "", eos_token: str = "") -> ChatFormat:
    """Reduces ``template``; raises :class:`ChatTemplateRefused` when it does not reduce."""
    tokens = {"bos_token": bos_token, "eos_token": eos_token}

    def run(roles: Sequence[str], contents: Sequence[str], gen: bool) -> str:
        msgs = [{"role": r, "content": c} for r, c in zip(roles, contents, strict=True)]
        try:
            return render(template, msgs, gen, **tokens)
        except Exception as e:  # a template may raise for any reason; the reason goes into the refusal
            raise ChatTemplateRefused(f"rendering {list(roles)} failed: {e}") from e

    m = [_marker(i) for i in range(3)]
    a, s_after = _split(run(["system"], m[:1], False), m[:1], "system")
    _, su, u_after = _split(run(["system", "user"], m[:2], False), m[:2], "system, user")
    _, _, ua, a_after = _split(run(["system", "user", "assistant"], m[:3], False), m[:3], "system, user, assistant")
    suffix = {"system": s_after, "user": u_after, "assistant": a_after}
    if not su.startswith(s_after) or not ua.startswith(u_after):
        raise ChatTemplateRefused("the text between two messages does not start with the first one's suffix")
    prefix = {"user": su[len(s_after) :], "assistant": ua[len(u_after) :]}
    no_gen = run(["system", "user"], m[:2], False)
    with_gen = run(["system", "user"], m[:2], True)
    if not with_gen.startswith(no_gen):
        raise ChatTemplateRefused("add_generation_prompt changes the conversation's text instead of appending to it")
    generation_prompt = with_gen[len(no_gen) :]
    b_u, _ = _split(run(["user"], m[:1], False), m[:1], "user")
    default_system: str | None = None
    if b_u.endswith(prefix["user"]) and a.startswith(b_u[: len(b_u) - len(prefix["user"])]):
        begin = b_u[: len(b_u) - len(prefix["user"])]
        prefix["system"] = a[len(begin) :]
    elif b_u.endswith(prefix["user"]):
        # The template inserts a system message of its own when the conversation has none.
        begin, prefix["system"] = "", a
        default_system = b_u[: len(b_u) - len(prefix["user"])]
    else:
        raise ChatTemplateRefused("a user message's prefix differs when it opens the conversation")
    padded = " \t\ue0050\ue006\n "
    trim = padded not in run(["system", "user"], [m[0], padded], False)
    fmt = ChatFormat(
        begin=begin,
        prefix=tuple((r, prefix[r]) for r in ROLES),
        suffix=tuple((r, suffix[r]) for r in ROLES),
        generation_prompt=generation_prompt,
        default_system=default_system,
        trim=trim,
    )
    checked = 0
    for roles in _conversations():
        variants = [
            [_PROBE_TEXTS[(i + k) % len(_PROBE_TEXTS)] for i in range(len(roles))] for k in range(len(_PROBE_TEXTS))
        ]
        for texts in [[_marker(i) for i in range(len(roles))], *variants]:
            msgs = [{"role": r, "content": c} for r, c in zip(roles, texts, strict=True)]
            for gen in (False, True):
                try:
                    want = render(template, msgs, gen, **tokens)
                except Exception:  # e.g. "roles must alternate": such conversations are not checked
                    continue
                if want != fmt.format(msgs, gen):
                    raise ChatTemplateRefused(
                        f"the template renders {roles} (add_generation_prompt={gen}) differently from per-role "
                        f"prefix/suffix strings: {want[:160]!r}"
                    )
                checked += 1
    if checked < 2 * len(ROLES):
        raise ChatTemplateRefused(f"the template rendered only {checked} probe conversations")
    return fmt


def chat_format_for(template: str | None, bos_token: str, eos_token: str) -> tuple[ChatFormat | None, str]:
    """The format of ``template`` (None when there is no template or it was refused) and a sentence for the
    build report."""
    if template is None:
        return None, "the checkpoint has no chat template (tokenizer_config.json); the SDK has no chat API"
    try:
        fmt = reduce_chat_template(template, bos_token, eos_token)
    except ChatTemplateRefused as e:
        return None, f"not executed: chat template refused, so the SDK has no chat API: {e}"
    return fmt, "chat template reduced to per-role prefix/suffix strings; the SDK has generate(messages)"


def chat_check(tokenizer: TokenizerSpec) -> Check | None:
    """The build report's word on the chat API: ``passed`` when the template reduced, ``not_executed`` with
    the reason when it was refused (a warning: the SDK is built without a chat API), None without a template."""
    from sdkgen.verify import Check

    if tokenizer.chat_template is None:
        return None
    fmt, note = chat_format_for(tokenizer.chat_template, tokenizer.bos_token, tokenizer.eos_token)
    return Check("chat-template", "passed", note) if fmt is not None else Check("chat-template", "not_executed", note)


def view_fields(
    fmt: ChatFormat, runtime_bos: str, literal: Callable[[str], str], case: Callable[[str], str], null: str
) -> dict[str, Any]:
    """The template fields of ``fmt`` for one platform: strings as its literals (``literal``), role cases
    (``case``), ``null`` for no default system message. ``runtime_bos`` is dropped from the front of a chat
    prompt (the runtime adds BOS as a token) when the format begins with it."""
    prefix, suffix = dict(fmt.prefix), dict(fmt.suffix)
    return {
        "begin": literal(fmt.begin),
        "roles": [
            {"role": r, "case": case(r), "prefix": literal(prefix[r]), "suffix": literal(suffix[r])} for r in ROLES
        ],
        "generation_prompt": literal(fmt.generation_prompt),
        "default_system": null if fmt.default_system is None else literal(fmt.default_system),
        "trim": "true" if fmt.trim else "false",
        "runtime_bos": literal(runtime_bos if runtime_bos and fmt.begin.startswith(runtime_bos) else ""),
        "whitespace": ", ".join(f"0x{c:x}" for c in PYTHON_WHITESPACE),
    }
