"""Pruning of a transformers decoder-only LM, in place on the eager model, before ``torch.export``.

Pure torch and runtime-neutral: every target lowers the pruned model as it would the original one.

Methods (:data:`METHODS`):

- ``magnitude`` (unstructured): in every ``nn.Linear`` of the decoder layers (attention and MLP, not the
  embeddings or the output layer) the ``amount`` fraction of the weights with the smallest ``|w|`` is set
  to zero, each layer on its own. The tensors keep their shapes: a ``.pte`` is neither smaller nor faster
  (XNNPACK's fp32 and quantized linears are dense), only better compressible.
- ``2:4`` (semi-structured): in every group of 4 consecutive input weights of the same linears the 2 with
  the smallest ``|w|`` are set to zero. ``amount`` must be ``None`` or ``0.5``. Same size caveat.
- ``ffn`` (structured): the same number of intermediate channels removed from every decoder layer's MLP
  (``gate_proj``/``up_proj``/``down_proj``, or Phi-3's fused ``gate_up_proj``/``down_proj``); the linears
  are rebuilt smaller and ``config.intermediate_size`` updated.
- ``heads`` (structured): the same number of KV groups (one KV head and the query heads that share it)
  removed from every layer's attention; ``num_attention_heads``/``num_key_value_heads`` updated,
  ``head_dim`` kept (and written to the config).
- ``layers`` (structured): whole decoder layers removed; the survivors' ``layer_idx`` renumbered (the static
  KV cache indexes by it), ``num_hidden_layers`` and ``layer_types`` updated.

Structured methods choose what to remove, per layer, by an importance score measured on ``calibration``
(token id sequences, each at most :data:`MAX_CALIBRATION_TOKENS` long), and keep the survivors in their
original order. Scores: ``ffn``, a channel's mean ``|input of down_proj|`` over the calibration tokens times
the L2 norm of its ``down_proj`` column; ``heads``, the mean L2 norm of a KV group's share of ``o_proj``'s
output; ``layers``, the mean ``1 - cosine(layer input, layer output)``. Counts are ``round(amount * n)``
with halves rounded up (so with 2 KV heads any ``amount`` in ``[0.25, 0.75)`` removes one: half the heads);
``ffn`` then rounds the kept count (see :func:`ffn_keep_count`). The result saves with ``save_pretrained``
and loads back with the same class. Prune before quantizing and before
:func:`sdkgen.compress.low_rank.factorize` (they replace the ``nn.Linear`` layers this module rebuilds).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from sdkgen.errors import ConfigError

METHODS = ("magnitude", "2:4", "ffn", "heads", "layers")
STRUCTURED = ("ffn", "heads", "layers")
MAX_CALIBRATION_TOKENS = 128
#: ``ffn`` rounds the kept channel count to a multiple of this (the 4-bit quantizers' usual group size).
FFN_MULTIPLE = 32


def prune(model: Any, method: str, amount: float | None, calibration: list[list[int]] | None = None) -> dict[str, Any]:
    """Prune ``model`` (a transformers ``*ForCausalLM``) in place with ``method`` and return a JSON-able summary:
    ``method``, ``amount``, ``params_before``/``params_after`` (unique parameters, tied weights once), the
    config fields changed, and per layer what was removed with the importance scores used.

    ``amount`` is the fraction to remove: ``magnitude`` accepts ``[0, 1)``, the structured methods ``(0, 1)``,
    ``2:4`` only ``None`` or ``0.5``. ``calibration`` is required by the structured methods.

    Raises :class:`~sdkgen.errors.ConfigError` (a ``ValueError``) for an unknown method, a bad amount, a
    missing or malformed calibration set, an architecture the method does not apply to, or an amount that
    would remove nothing or everything.
    """
    import torch

    if method not in METHODS:
        raise ConfigError(f"unknown pruning method {method!r}", choices=METHODS, hint="pick one of the methods")
    amount = _check_amount(method, amount)
    layers = decoder_layers(model)
    before = parameter_count(model)
    seqs = _check_calibration(model, calibration, method) if method in STRUCTURED else []
    with torch.no_grad():
        if method == "magnitude":
            details = _magnitude(layers, amount)
        elif method == "2:4":
            details = _two_four(layers)
        elif method == "ffn":
            details = _ffn(model, layers, amount, seqs)
        elif method == "heads":
            details = _heads(model, layers, amount, seqs)
        else:
            details = _layers(model, layers, amount, seqs)
    return {
        "method": method,
        "amount": amount,
        "params_before": before,
        "params_after": parameter_count(model),
        **details,
    }


def decoder_layers(model: Any) -> Any:
    """The ``nn.ModuleList`` of decoder layers of a transformers causal LM (``model.model.layers``)."""
    import torch

    layers = getattr(getattr(model, "model", None), "layers", None)
    if not isinstance(layers, torch.nn.ModuleList) or len(layers) == 0:
        raise ConfigError(
            f"{type(model).__name__} has no decoder layer list at model.model.layers",
            hint="pruning and low-rank factorisation apply to transformers decoder LMs (Llama, Qwen, Gemma, Phi-3)",
        )
    return layers


def parameter_count(model: Any) -> int:
    """Unique parameters of ``model`` (a tied embedding and output layer count once)."""
    return sum(p.numel() for p in model.parameters())


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def _check_amount(method: str, amount: float | None) -> float:
    if method == "2:4":
        if amount is not None and amount != 0.5:
            raise ConfigError(
                f"2:4 pruning always removes half of the weights; amount = {amount} does not apply",
                hint="leave amount unset or set it to 0.5; use magnitude pruning for another fraction",
            )
        return 0.5
    low_ok = method == "magnitude"
    if amount is None or not (0.0 <= amount < 1.0) or (amount == 0.0 and not low_ok):
        raise ConfigError(
            f"{method} pruning amount must be in {'[0, 1)' if low_ok else '(0, 1)'}, got {amount!r}",
            hint="amount is the fraction removed, e.g. 0.25",
        )
    return float(amount)


def _check_calibration(model: Any, calibration: list[list[int]] | None, method: str) -> list[Any]:
    import torch

    if not calibration:
        raise ConfigError(
            f"{method} pruning needs calibration token sequences to score what it removes; none were given",
            hint="set compress.calibration to text representative of the app's prompts",
        )
    vocab = model.get_input_embeddings().num_embeddings
    device = next(model.parameters()).device
    seqs = []
    for i, seq in enumerate(calibration):
        if not 0 < len(seq) <= MAX_CALIBRATION_TOKENS:
            raise ConfigError(
                f"calibration sequence {i} has {len(seq)} tokens; each must have 1 to {MAX_CALIBRATION_TOKENS}",
                hint=f"split the calibration text into windows of at most {MAX_CALIBRATION_TOKENS} tokens",
            )
        bad = [t for t in seq if not 0 <= int(t) < vocab]
        if bad:
            raise ConfigError(
                f"calibration sequence {i} holds token ids outside the vocabulary [0, {vocab}): {bad[:5]}",
                hint="encode the calibration text with the model's own tokenizer",
            )
        seqs.append(torch.tensor([list(seq)], dtype=torch.long, device=device))
    return seqs


def _run_calibration(model: Any, seqs: list[Any]) -> None:
    was_training = model.training
    model.eval()
    try:
        for ids in seqs:
            model(input_ids=ids, use_cache=False)
    finally:
        model.train(was_training)


def _hooked(handles: list[Any], fn: Callable[[], None]) -> None:
    try:
        fn()
    finally:
        for h in handles:
            h.remove()


def _scores(t: Any) -> list[float]:
    return [float(f"{v:.6g}") for v in t.tolist()]


def _linear(weight: Any, bias: Any | None, like: Any) -> Any:
    """A new ``nn.Linear`` holding ``weight``/``bias`` (copies), with ``like``'s dtype, device and grad flag."""
    import torch

    new = torch.nn.Linear(
        weight.shape[1], weight.shape[0], bias=bias is not None, device=weight.device, dtype=weight.dtype
    )
    new.weight.copy_(weight)
    if bias is not None:
        new.bias.copy_(bias)
    new.requires_grad_(like.weight.requires_grad)
    return new


def _slice_linear(lin: Any, *, rows: Any | None = None, cols: Any | None = None) -> Any:
    w = lin.weight.detach()
    b = lin.bias.detach() if lin.bias is not None else None
    if rows is not None:
        w = w[rows]
        b = b[rows] if b is not None else None
    if cols is not None:
        w = w[:, cols]
    return _linear(w, b, lin)


def _decoder_linears(layers: Any) -> list[tuple[str, Any]]:
    import torch

    return [
        (f"layers.{i}.{name}", m)
        for i, layer in enumerate(layers)
        for name, m in layer.named_modules()
        if isinstance(m, torch.nn.Linear)
    ]


# -- unstructured and 2:4 ------------------------------------------------------------------------------------


def _magnitude(layers: Any, amount: float) -> dict[str, Any]:
    import torch

    rows = []
    for name, lin in _decoder_linears(layers):
        w = lin.weight.data
        k = _round_half_up(amount * w.numel())
        # Stable sort: among equal magnitudes the lower flat index goes first, so the result is deterministic.
        order = torch.argsort(w.detach().abs().flatten().float(), stable=True)
        w.view(-1)[order[:k]] = 0
        rows.append({"name": name, "shape": list(w.shape), "zeroed": k, "sparsity": round(k / w.numel(), 6)})
    return _sparsity_summary(layers, rows)


def _two_four(layers: Any) -> dict[str, Any]:
    import torch

    linears = _decoder_linears(layers)
    bad = [n for n, lin in linears if lin.in_features % 4]
    if bad:
        raise ConfigError(
            f"2:4 pruning needs input widths divisible by 4; {bad[0]} has {dict(linears)[bad[0]].in_features}",
            hint="use magnitude pruning for this model",
        )
    rows = []
    for name, lin in linears:
        w = lin.weight.data
        groups = w.view(w.shape[0], -1, 4)
        order = torch.argsort(groups.detach().abs().float(), dim=-1, stable=True)
        groups.scatter_(-1, order[..., :2], 0)
        rows.append({"name": name, "shape": list(w.shape), "zeroed": w.numel() // 2, "sparsity": 0.5})
    return _sparsity_summary(layers, rows)


def _sparsity_summary(layers: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    zeros = sum(int((lin.weight == 0).sum()) for _, lin in _decoder_linears(layers))
    total = sum(lin.weight.numel() for _, lin in _decoder_linears(layers))
    return {
        "removed": "individual weights set to zero (shapes unchanged)",
        "decoder_linear_weights": total,
        "decoder_linear_zeros": zeros,
        "linears": rows,
        "config_changes": {},
    }


# -- structured: FFN channels ----------------------------------------------------------------------------------


def _mlp_kind(mlp: Any) -> str:
    import torch

    def linear(name: str) -> bool:
        return isinstance(getattr(mlp, name, None), torch.nn.Linear)

    if linear("gate_proj") and linear("up_proj") and linear("down_proj"):
        return "split"
    if linear("gate_up_proj") and linear("down_proj"):
        return "fused"
    raise ConfigError(
        f"ffn pruning does not know the MLP {type(mlp).__name__} (expected nn.Linear gate_proj/up_proj/down_proj "
        "or gate_up_proj/down_proj)",
        hint="prune before quantizing or factorizing; other architectures are not supported yet",
    )


def ffn_keep_count(intermediate: int, amount: float) -> int:
    """Channels ``ffn`` pruning keeps of ``intermediate``: ``intermediate - round(amount * intermediate)``, then,
    when ``intermediate`` is a multiple of :data:`FFN_MULTIPLE`, rounded to the nearest multiple of it (ties
    keep more) and at least :data:`FFN_MULTIPLE`; otherwise not rounded, and at least 1."""
    keep = intermediate - _round_half_up(amount * intermediate)
    if intermediate % FFN_MULTIPLE == 0:
        return max(FFN_MULTIPLE, _round_half_up(keep / FFN_MULTIPLE) * FFN_MULTIPLE)
    return max(1, keep)


def _ffn(model: Any, layers: Any, amount: float, seqs: list[Any]) -> dict[str, Any]:
    import torch

    config = model.config.get_text_config()
    kinds = [_mlp_kind(layer.mlp) for layer in layers]
    sizes = {layer.mlp.down_proj.in_features for layer in layers}
    if len(sizes) != 1:
        raise ConfigError(f"ffn pruning needs one intermediate size in every layer; found {sorted(sizes)}")
    inter = sizes.pop()
    keep = ffn_keep_count(inter, amount)
    if keep >= inter:
        raise ConfigError(
            f"ffn pruning amount {amount} removes no channel of {inter} (the kept count is rounded to a multiple "
            f"of {FFN_MULTIPLE})",
            hint=f"use an amount of at least {(FFN_MULTIPLE / 2 + 0.5) / inter:.3g}",
        )

    sums = [torch.zeros(inter, dtype=torch.float64) for _ in layers]
    counts = [0] * len(layers)

    def hook(i: int) -> Callable[..., None]:
        def pre(_m: Any, args: tuple[Any, ...]) -> None:
            x = args[0].detach().reshape(-1, inter)
            sums[i] += x.abs().sum(0).double().cpu()
            counts[i] += x.shape[0]

        return pre

    handles = [layer.mlp.down_proj.register_forward_pre_hook(hook(i)) for i, layer in enumerate(layers)]
    _hooked(handles, lambda: _run_calibration(model, seqs))

    per_layer = []
    for i, (layer, kind) in enumerate(zip(layers, kinds, strict=True)):
        mlp = layer.mlp
        col_norm = mlp.down_proj.weight.detach().double().norm(dim=0).cpu()
        score = sums[i] / counts[i] * col_norm
        kept = torch.sort(torch.topk(score, keep).indices).values
        removed = sorted(set(range(inter)) - set(kept.tolist()))
        idx = kept.to(mlp.down_proj.weight.device)
        if kind == "split":
            mlp.gate_proj = _slice_linear(mlp.gate_proj, rows=idx)
            mlp.up_proj = _slice_linear(mlp.up_proj, rows=idx)
        else:
            mlp.gate_up_proj = _slice_linear(mlp.gate_up_proj, rows=torch.cat([idx, idx + inter]))
        mlp.down_proj = _slice_linear(mlp.down_proj, cols=idx)
        if hasattr(mlp, "intermediate_size"):
            mlp.intermediate_size = keep
        per_layer.append({"layer": i, "removed_channels": removed, "importance": _scores(score)})
    config.intermediate_size = keep
    return {
        "removed": f"{inter - keep} of {inter} FFN channels in each of {len(layers)} layers",
        "importance_score": "mean |input of down_proj| over the calibration tokens x L2 norm of down_proj's column",
        "config_changes": {"intermediate_size": [inter, keep]},
        "layers": per_layer,
    }


# -- structured: attention KV groups ---------------------------------------------------------------------------


def _attn_kind(attn: Any) -> str:
    import torch

    def linear(name: str) -> bool:
        return isinstance(getattr(attn, name, None), torch.nn.Linear)

    if all(linear(n) for n in ("q_proj", "k_proj", "v_proj", "o_proj")):
        return "split"
    if linear("qkv_proj") and linear("o_proj"):
        return "fused"
    raise ConfigError(
        f"heads pruning does not know the attention {type(attn).__name__} (expected nn.Linear "
        "q_proj/k_proj/v_proj/o_proj or qkv_proj/o_proj)",
        hint="prune before quantizing or factorizing; use ffn or layers pruning for this architecture",
    )


def _heads(model: Any, layers: Any, amount: float, seqs: list[Any]) -> dict[str, Any]:
    import torch

    config = model.config.get_text_config()
    n_heads, n_kv = (
        config.num_attention_heads,
        getattr(config, "num_key_value_heads", None) or config.num_attention_heads,
    )
    head_dim = layers[0].self_attn.head_dim
    kinds = [_attn_kind(layer.self_attn) for layer in layers]
    if n_heads % n_kv or any(layer.self_attn.o_proj.in_features != n_heads * head_dim for layer in layers):
        raise ConfigError(
            f"heads pruning needs {n_heads} query heads of width {head_dim} in {n_kv} equal KV groups in every layer",
            hint="use ffn or layers pruning for this architecture",
        )
    group = n_heads // n_kv
    drop = _round_half_up(amount * n_kv)
    if n_kv - drop < 1:
        raise ConfigError(
            f"heads pruning amount {amount} would remove {drop} of {n_kv} KV heads and leave none",
            hint=f"use an amount below {(n_kv - 0.5) / n_kv:.3g}" if n_kv > 1 else "this model has a single KV head",
        )
    if drop == 0:
        raise ConfigError(
            f"heads pruning amount {amount} removes no KV group of {n_kv} (round(amount x {n_kv}) = 0)",
            hint=f"use an amount of at least {0.5 / n_kv:.3g}",
        )
    width = group * head_dim

    sums = [torch.zeros(n_kv, dtype=torch.float64) for _ in layers]
    counts = [0] * len(layers)

    def hook(i: int, o_proj: Any) -> Callable[..., None]:
        def pre(_m: Any, args: tuple[Any, ...]) -> None:
            x = args[0].detach().reshape(-1, n_kv, width).float().transpose(0, 1)
            w = o_proj.weight.detach().float().reshape(-1, n_kv, width).permute(1, 2, 0)
            # Each group's share of o_proj's output, x_g @ W_g^T: [groups, tokens, hidden].
            contrib = torch.bmm(x, w)
            sums[i] += contrib.norm(dim=-1).sum(1).double().cpu()
            counts[i] += x.shape[1]

        return pre

    handles = [
        layer.self_attn.o_proj.register_forward_pre_hook(hook(i, layer.self_attn.o_proj))
        for i, layer in enumerate(layers)
    ]
    _hooked(handles, lambda: _run_calibration(model, seqs))

    keep = n_kv - drop
    per_layer = []
    for i, (layer, kind) in enumerate(zip(layers, kinds, strict=True)):
        attn = layer.self_attn
        score = sums[i] / counts[i]
        kept = sorted(torch.topk(score, keep).indices.tolist())
        dev = attn.o_proj.weight.device
        q_rows = torch.tensor([g * width + c for g in kept for c in range(width)], device=dev)
        kv_rows = torch.tensor([g * head_dim + c for g in kept for c in range(head_dim)], device=dev)
        if kind == "split":
            attn.q_proj = _slice_linear(attn.q_proj, rows=q_rows)
            attn.k_proj = _slice_linear(attn.k_proj, rows=kv_rows)
            attn.v_proj = _slice_linear(attn.v_proj, rows=kv_rows)
        else:
            q_size, kv_size = n_heads * head_dim, n_kv * head_dim
            attn.qkv_proj = _slice_linear(
                attn.qkv_proj, rows=torch.cat([q_rows, kv_rows + q_size, kv_rows + q_size + kv_size])
            )
        attn.o_proj = _slice_linear(attn.o_proj, cols=q_rows)
        for name, value in (
            ("num_heads", keep * group),
            ("num_attention_heads", keep * group),
            ("num_key_value_heads", keep),
        ):
            if isinstance(getattr(attn, name, None), int):
                setattr(attn, name, value)
        per_layer.append(
            {"layer": i, "removed_kv_groups": sorted(set(range(n_kv)) - set(kept)), "importance": _scores(score)}
        )
    # head_dim is written out: configs that derive it from hidden_size / num_attention_heads would change it.
    old_head_dim = getattr(config, "head_dim", None)
    config.head_dim = head_dim
    config.num_attention_heads = keep * group
    config.num_key_value_heads = keep
    changes: dict[str, Any] = {"num_attention_heads": [n_heads, keep * group], "num_key_value_heads": [n_kv, keep]}
    if old_head_dim != head_dim:
        changes["head_dim"] = [old_head_dim, head_dim]
    return {
        "removed": f"{drop} of {n_kv} KV groups ({drop * group} of {n_heads} query heads) in each of "
        f"{len(layers)} layers",
        "importance_score": "mean over calibration tokens of the L2 norm of the group's share of o_proj's output",
        "config_changes": changes,
        "layers": per_layer,
    }


# -- structured: decoder layers --------------------------------------------------------------------------------


def _layers(model: Any, layers: Any, amount: float, seqs: list[Any]) -> dict[str, Any]:
    import torch

    config = model.config.get_text_config()
    n = len(layers)
    drop = _round_half_up(amount * n)
    if drop == 0 or drop >= n:
        raise ConfigError(
            f"layers pruning amount {amount} removes {drop} of {n} decoder layers; it must remove at least one "
            "and keep at least one",
            hint=f"use an amount from {0.5 / n:.3g} up to (not including) {(n - 0.5) / n:.3g}"
            if n > 1
            else "this model has one layer",
        )
    types = getattr(config, "layer_types", None)
    if types is not None and len(types) != n:
        raise ConfigError(f"config.layer_types has {len(types)} entries for {n} decoder layers")

    sums = torch.zeros(n, dtype=torch.float64)
    counts = [0] * n

    def hook(i: int) -> Callable[..., None]:
        def post(_m: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> None:
            x = args[0] if args else kwargs["hidden_states"]
            y = out[0] if isinstance(out, tuple) else out
            cos = torch.nn.functional.cosine_similarity(x.detach().float(), y.detach().float(), dim=-1)
            sums[i] += float((1.0 - cos).sum())
            counts[i] += cos.numel()

        return post

    handles = [layer.register_forward_hook(hook(i), with_kwargs=True) for i, layer in enumerate(layers)]
    _hooked(handles, lambda: _run_calibration(model, seqs))

    score = sums / torch.tensor(counts, dtype=torch.float64)
    removed = sorted(torch.topk(score, drop, largest=False).indices.tolist())
    kept = [i for i in range(n) if i not in removed]
    survivors = [layers[i] for i in kept]
    for new_idx, layer in enumerate(survivors):
        for m in layer.modules():
            if isinstance(getattr(m, "layer_idx", None), int):
                m.layer_idx = new_idx
    model.model.layers = torch.nn.ModuleList(survivors)
    config.num_hidden_layers = len(kept)
    changes: dict[str, Any] = {"num_hidden_layers": [n, len(kept)]}
    if types is not None:
        config.layer_types = [types[i] for i in kept]
        changes["layer_types"] = [list(types), list(config.layer_types)]
    return {
        "removed": f"{drop} of {n} decoder layers: {removed}",
        "importance_score": "mean over calibration tokens of 1 - cosine(layer input, layer output)",
        "config_changes": changes,
        "removed_layers": removed,
        "kept_layers": kept,
        "importance": _scores(score),
    }
