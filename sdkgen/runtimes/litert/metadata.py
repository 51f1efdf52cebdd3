"""TFLite metadata for the image classifier, the text embedder and the text classifier, written with
tflite-support.

The metadata (a flatbuffer in the model plus a zip of associated files appended to it) is what Android
Studio's ML Model Binding and the TFLite Task Library read: the classifier gets its input normalisation,
colour space and label file; the embedder gets its BERT WordPiece tokenizer and ``vocab.txt``; the text
classifier gets both, the BERT tokenizer on its input and a label file on its probabilities (what
tflite-support's ``bert_nl_classifier`` writer writes). The graph is unchanged, so every output check of the
artifact still holds. The Task Library's ``TextEmbedder`` and ``BertNLClassifier`` also want a third
``segment_ids`` input for a BERT model; sdkgen's models take two (``ids``, ``mask``), so those two classes do
not load them.

tflite-support 0.4.4 declares ``protobuf<4`` (its Task Library protos) while LiteRT needs protobuf 5+;
the metadata writers use flatbuffers only and work with either, so the package is installed without
its dependencies (``pip install --no-deps tflite-support==0.4.4``; its metadata extension links
``libusb-1.0``) and imported below ``tensorflow_lite_support.metadata`` (``tflite_support/__init__``
imports the Task Library protos).

``task`` is the dict :func:`sdkgen.tasks.tensor.task_metadata` makes: ``task``, ``name``, ``version``,
and ``labels``, ``mean``, ``std``, ``channels`` (image classification), ``vocab_file``, ``dimension``
(text embedding) or ``labels``, ``vocab_file`` (text classification).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sdkgen.system import install_command
from sdkgen.toolchain import package_version
from sdkgen.verify import Check

TASKS = ("image-classification", "text-embedding", "text-classification")
INSTALL_HINT = (
    "pip install --no-deps tflite-support==0.4.4 (its protobuf<4 pin conflicts with LiteRT; the metadata "
    f"writers do not need it) and install libusb-1.0 ({install_command('libusb-1.0-0')})"
)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def writer_version() -> str | None:
    """The tflite-support version whose writers can run here, or ``None`` with the reason in :func:`problem`."""
    return None if problem() else package_version("tflite-support")


def problem() -> str | None:
    """Why the metadata writers cannot run here, or ``None``."""
    try:
        from tensorflow_lite_support.metadata.python.metadata_writers import metadata_writer  # noqa: F401
    except ImportError as e:
        return f"tflite-support's metadata writers are not importable ({e})"
    return None


def write_metadata(artifact: Path, task: dict[str, Any]) -> dict[str, Any]:
    """Populate ``artifact`` in place with the metadata of ``task``; returns what was written."""
    from tensorflow_lite_support.metadata import metadata_schema_py_generated as fb
    from tensorflow_lite_support.metadata.python.metadata_writers import metadata_info as mi
    from tensorflow_lite_support.metadata.python.metadata_writers import metadata_writer, writer_utils

    buf = bytearray(artifact.read_bytes())
    inputs, outputs = writer_utils.get_input_tensor_names(buf), writer_utils.get_output_tensor_names(buf)
    general = mi.GeneralMd(name=task["name"], version=task["version"], description=_DESCRIPTIONS[task["task"]])
    with tempfile.TemporaryDirectory() as tmp:
        if task["task"] == "image-classification":
            labels = Path(tmp, "labels.txt")
            labels.write_text("".join(f"{label}\n" for label in task["labels"]), encoding="utf-8")
            input_md: list[Any] = [
                mi.InputImageTensorMd(
                    name="image",
                    description="Channels-last image; each channel is normalised (pixel - mean) / std.",
                    # (pixel / 255 - mean) / std  ==  (pixel - 255 mean) / (255 std)
                    norm_mean=[255.0 * m for m in task["mean"]],
                    norm_std=[255.0 * s for s in task["std"]],
                    color_space_type=fb.ColorSpaceType.GRAYSCALE if task["channels"] == 1 else fb.ColorSpaceType.RGB,
                    tensor_type=writer_utils.get_input_tensor_types(buf)[0],
                )
            ]
            output_md: list[Any] = [
                mi.ClassificationTensorMd(
                    name="probability",
                    description="Probability of each label.",
                    label_files=[mi.LabelFileMd(str(labels))],
                    tensor_type=writer_utils.get_output_tensor_types(buf)[0],
                )
            ]
            files, process_units = [str(labels)], None
        else:
            vocab = Path(tmp, "vocab.txt")
            vocab.write_bytes(Path(task["vocab_file"]).read_bytes())
            input_md = [
                mi.TensorMd(name="ids", description="WordPiece token ids, [CLS] ... [SEP] then padding."),
                mi.TensorMd(name="mask", description="1 for real tokens, 0 for padding."),
            ][: len(inputs)]
            files, process_units = [str(vocab)], [mi.BertTokenizerMd(str(vocab)).create_metadata()]
            if task["task"] == "text-classification":
                labels = Path(tmp, "labels.txt")
                labels.write_text("".join(f"{label}\n" for label in task["labels"]), encoding="utf-8")
                output_md = [
                    mi.ClassificationTensorMd(
                        name="probability",
                        description="Probability of each label.",
                        label_files=[mi.LabelFileMd(str(labels))],
                        tensor_type=writer_utils.get_output_tensor_types(buf)[0],
                    )
                ]
                files.append(str(labels))
            else:
                output_md = [
                    mi.TensorMd(name="embedding", description=f"{task['dimension']}-dimensional sentence embedding.")
                ]
        model_md = general.create_metadata()
        in_md = [m.create_metadata() for m in input_md]
        out_md = [m.create_metadata() for m in output_md]
        writer = metadata_writer.MetadataWriter.create_from_metadata(
            buf, model_md, in_md, out_md, files, input_process_units=process_units
        )
        populated = writer.populate()
    artifact.write_bytes(_fixed_zip_times(bytes(populated)))
    return {
        "writer": f"tflite-support {package_version('tflite-support')}",
        "inputs": inputs,
        "outputs": outputs,
        "associated_files": [Path(f).name for f in files],
    }


def read_metadata(artifact: Path) -> dict[str, Any] | None:
    """The metadata JSON and associated file names read back from ``artifact`` (``None``: it has none)."""
    from tensorflow_lite_support.metadata.python import metadata

    try:
        shown = metadata.MetadataDisplayer.with_model_file(str(artifact))
    except ValueError:
        return None
    return {"metadata": json.loads(shown.get_metadata_json()), "files": sorted(shown.get_packed_associated_file_list())}


def check_metadata(artifact: Path, task: dict[str, Any]) -> Check:
    """Read the metadata back with tflite-support's displayer and compare it with ``task``."""
    if task.get("task") not in TASKS:
        return Check("tflite-metadata", "not_executed", f"task {task.get('task')!r} carries no TFLite metadata")
    why = problem()
    if why is not None:
        return Check("tflite-metadata", "not_executed", f"{why}; {INSTALL_HINT}")
    found = read_metadata(artifact)
    if found is None:
        return Check("tflite-metadata", "failed", "the .tflite has no metadata", {})
    sub = found["metadata"]["subgraph_metadata"][0]
    if task["task"] == "image-classification":
        norm = sub["input_tensor_metadata"][0]["process_units"][0]["options"]
        with zipfile.ZipFile(artifact) as zf:
            labels = zf.read("labels.txt").decode("utf-8").splitlines()
        want_mean, want_std = [255.0 * m for m in task["mean"]], [255.0 * s for s in task["std"]]
        ok = labels == list(task["labels"]) and _close(norm["mean"], want_mean) and _close(norm["std"], want_std)
        detail = f"{len(labels)} labels, normalisation mean {norm['mean']} std {norm['std']}"
    else:
        unit = sub["input_process_units"][0]
        with zipfile.ZipFile(artifact) as zf:
            vocab = zf.read("vocab.txt")
        ok = unit["options_type"] == "BertTokenizerOptions" and vocab == Path(task["vocab_file"]).read_bytes()
        detail = f"{unit['options_type']} with vocab.txt ({len(vocab.splitlines())} tokens)"
        if task["task"] == "text-classification":
            with zipfile.ZipFile(artifact) as zf:
                labels = zf.read("labels.txt").decode("utf-8").splitlines()
            ok = ok and labels == list(task["labels"])
            detail += f", {len(labels)} labels"
    return Check(
        "tflite-metadata",
        "passed" if ok else "failed",
        f"read back with tflite-support: {detail}; packed files {found['files']}",
    )


_DESCRIPTIONS = {
    "image-classification": "Classifies an image into one of the labels.",
    "text-embedding": "Embeds a text as a fixed-size vector (BERT WordPiece tokens in).",
    "text-classification": "Classifies a text into one of the labels (BERT WordPiece tokens in).",
}


def _close(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= 1e-4 * max(1.0, abs(y)) for x, y in zip(a, b, strict=True))


def _fixed_zip_times(model: bytes) -> bytes:
    """Re-pack the appended zip with a fixed timestamp: the writer stamps each file with the current time,
    which would make every build's ``.tflite`` differ."""
    with zipfile.ZipFile(io.BytesIO(model)) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    start = min(info.header_offset for info, _ in entries)
    out = io.BytesIO(model[:start])
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a") as zf:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type, fixed.external_attr = info.compress_type, info.external_attr
            zf.writestr(fixed, data)
    return out.getvalue()
