"""Corpus and train/held-out split for the ``tiny-llm`` sample model.

This module is the single definition of the data used by ``train.py`` and
``evaluate.py``.  It needs nothing but the Python standard library.

Source text
-----------
Two kinds of text, both shipped with every CPython 3.11 installation and both
licensed under the PSF License Version 2 (nothing is downloaded):

1. **Topic documents** -- the English prose of the Python documentation
   "topics", ``Lib/pydoc_data/topics.py`` (the ``pydoc_data.topics.topics``
   dict; it backs ``help("assert")`` and friends).  One document per topic,
   topics in sorted key order.  These are split into train and held-out.
2. **Docstring documents** (training only) -- the docstrings of the standard
   library's top-level pure-Python modules: every ``<stdlib>/*.py`` file
   (``sysconfig.get_paths()["stdlib"]``, sorted by file name; sub-packages,
   ``site-packages`` and tests are not included), read with ``ast`` (nothing is
   imported).  One document per file: the module, class and function/method
   docstrings (``ast.get_docstring(clean=True)``) in source order, joined by
   blank lines.

The exact text differs slightly between CPython patch releases, so
:func:`corpus_fingerprint` hashes all documents; ``train.py`` records that
hash (and the Python version) in ``model/training_info.json`` and
``evaluate.py`` warns when it does not match.

De-duplication
--------------
The topics overlap a lot (e.g. ``compound`` repeats ``if``/``while``/``for``/
``try``/``with``/..., ``specialnames`` repeats ``customization``/
``numeric-types``/...).  Every document is split on blank lines, and a
paragraph of at least ``MIN_DEDUP_CHARS`` (40) characters (after stripping
surrounding whitespace) is dropped if an identical paragraph was already kept
earlier; topics are processed first (sorted key order), then the docstring
documents.  The kept paragraphs are re-joined with one blank line; documents
left empty are dropped.  So no paragraph of >= 40 characters occurs both in the
training part and in the held-out part.

Split
-----
With the de-duplicated *topic* documents indexed 0, 1, 2, ... in sorted-key
order, every 10th one starting with the first (``index % 10 == 0``) is held
out.  Everything else -- the other topic documents, then all docstring
documents -- is the training part (also used to train the tokenizer).

Token stream
------------
Each document is encoded on its own (``add_special_tokens=False``) and
preceded by ``<|endoftext|>``; one final ``<|endoftext|>`` closes the stream::

    <|endoftext|> doc0 <|endoftext|> doc1 ... <|endoftext|> docN <|endoftext|>

So ``<|endoftext|>`` serves both as BOS (start of a document) and EOS (the
model learns to emit it at the end of a document).
"""

from __future__ import annotations

import ast
import glob
import hashlib
import os
import re
import sys
import sysconfig
import tokenize
from typing import Callable, Iterable, List, Sequence, Tuple

EOT = "<|endoftext|>"
"""The single special token: BOS, EOS (and pad)."""

SEQ_LEN = 128
"""Training sequence length; evaluation uses non-overlapping windows of it."""

HELDOUT_EVERY = 10
MIN_DEDUP_CHARS = 40

_PARAGRAPH_SPLIT = re.compile(r"\n[ \t]*\n")

Document = Tuple[str, str]  # (topic name, text)


def raw_topics() -> dict:
    """The ``pydoc_data.topics.topics`` dict of the running interpreter."""
    from pydoc_data.topics import topics

    return topics


def _dedup(text: str, seen: set) -> str:
    kept = []
    for para in _PARAGRAPH_SPLIT.split(text):
        key = para.strip()
        if not key:
            continue
        if len(key) >= MIN_DEDUP_CHARS and key in seen:
            continue
        seen.add(key)
        # keep the leading indentation of a paragraph (code blocks, grammar)
        kept.append(para.strip("\n").rstrip())
    return "\n\n".join(kept)


def stdlib_dir() -> str:
    return sysconfig.get_paths()["stdlib"]


def _docstrings(path: str) -> List[str]:
    with tokenize.open(path) as f:  # honours PEP 263 coding cookies
        tree = ast.parse(f.read(), filename=path)
    out: List[str] = []

    def visit(node) -> None:
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=True)
            if doc and doc.strip():
                out.append(doc.strip())
        for child in ast.iter_child_nodes(node):  # source order
            visit(child)

    visit(tree)
    return out


def _load() -> Tuple[List[Document], List[Document]]:
    """(topic documents, docstring documents), both de-duplicated."""
    topics = raw_topics()
    seen: set = set()
    topic_docs: List[Document] = []
    for name in sorted(topics):
        text = _dedup(topics[name], seen)
        if text.strip():
            topic_docs.append((name, text))
    doc_docs: List[Document] = []
    for path in sorted(glob.glob(os.path.join(stdlib_dir(), "*.py"))):
        text = _dedup("\n\n".join(_docstrings(path)), seen)
        if text.strip():
            doc_docs.append(("stdlib:" + os.path.basename(path), text))
    return topic_docs, doc_docs


def load_documents() -> List[Document]:
    """All de-duplicated documents: topic documents (sorted), then docstring documents."""
    topic_docs, doc_docs = _load()
    return topic_docs + doc_docs


def split_documents(
    docs: Sequence[Document] | None = None,
) -> Tuple[List[Document], List[Document]]:
    """Return ``(train, heldout)``.

    Held out: every 10th topic document (index % 10 == 0 among the topic
    documents).  Train: the other topic documents, then all docstring documents.
    """
    if docs is None:
        docs = load_documents()
    topic_docs = [d for d in docs if not d[0].startswith("stdlib:")]
    doc_docs = [d for d in docs if d[0].startswith("stdlib:")]
    train = [d for i, d in enumerate(topic_docs) if i % HELDOUT_EVERY != 0] + doc_docs
    heldout = [d for i, d in enumerate(topic_docs) if i % HELDOUT_EVERY == 0]
    return train, heldout


def corpus_fingerprint(docs: Sequence[Document] | None = None) -> str:
    """SHA-256 over the documents (names and texts), to detect corpus drift."""
    if docs is None:
        docs = load_documents()
    h = hashlib.sha256()
    for name, text in docs:
        h.update(name.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return h.hexdigest()


def python_version() -> str:
    return "%d.%d.%d" % sys.version_info[:3]


def token_stream(
    docs: Iterable[Document],
    encode: Callable[[str], List[int]],
    eot_id: int,
) -> List[int]:
    """``<|endoftext|> doc0 <|endoftext|> doc1 ... docN <|endoftext|>`` as ids.

    ``encode`` must not add special tokens (e.g.
    ``lambda s: tok.encode(s, add_special_tokens=False)``).
    """
    ids: List[int] = []
    for _, text in docs:
        ids.append(eot_id)
        ids.extend(encode(text))
    ids.append(eot_id)
    return ids


if __name__ == "__main__":  # quick summary
    _docs = load_documents()
    _train, _held = split_documents(_docs)
    print("python", python_version(), "fingerprint", corpus_fingerprint(_docs))
    _n_doc = sum(1 for n, _ in _train if n.startswith("stdlib:"))
    print("stdlib:", stdlib_dir(), "(%d docstring documents)" % _n_doc)
    for label, part in (("train", _train), ("held-out", _held)):
        print(
            "%-8s %3d documents, %7d characters" % (label, len(part), sum(len(t) for _, t in part))
        )
    print("held-out topics:", ", ".join(n for n, _ in _held))
