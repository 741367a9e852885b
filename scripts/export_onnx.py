"""Write the encoder as an int8-quantised ONNX graph beside its weights, for speed.

The graph is built node by node from the safetensors weights with the ``onnx`` helper
(no torch): exactly the computation of bot/engine/semantic.py's numpy forward pass, mean
pooling and L2 normalisation included. Its weights are then quantised to int8 per output
channel by onnxruntime's dynamic quantisation, which halves the time per question
(float32 in onnxruntime gives the numpy pass's vectors to 1e-6 but is ~2x slower).
scripts/fetch_model.py runs this after verifying the weights.

Usage: python scripts/export_onnx.py [MODEL_DIR]
"""

from __future__ import annotations

import json
import logging
import math
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.config import DEFAULT_MODEL_PATH  # noqa: E402

INT8_FILE = "model-int8.onnx"


def build(model_dir: Path) -> onnx.ModelProto:
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    w = load_file(str(model_dir / "model.safetensors"))
    dim, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    width = dim // heads
    eps = float(config.get("layer_norm_eps", 1e-12))
    inits: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value, name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs: object) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def linear(x: str, prefix: str, out: str) -> str:
        weight = const(f"{prefix}.wT", np.ascontiguousarray(w[f"{prefix}.weight"].T))
        bias = const(f"{prefix}.b", w[f"{prefix}.bias"])
        return node("Add", [node("MatMul", [x, weight], f"{out}.mm"), bias], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        gamma = const(f"{prefix}.g", w[f"{prefix}.weight"])
        beta = const(f"{prefix}.beta", w[f"{prefix}.bias"])
        return node("LayerNormalization", [x, gamma, beta], out, axis=-1, epsilon=eps)

    const("word", w["embeddings.word_embeddings.weight"])
    const("pos", w["embeddings.position_embeddings.weight"])
    const("type0", w["embeddings.token_type_embeddings.weight"][0])
    const("zero", np.array([0], dtype=np.int64))
    const("one", np.array([1], dtype=np.int64))
    const("qkv_shape", np.array([0, 0, 3, heads, width], dtype=np.int64))
    const("ctx_shape", np.array([0, 0, dim], dtype=np.int64))
    const("scale", np.array(1.0 / math.sqrt(width), dtype=np.float32))
    const("neg", np.array(-1e4, dtype=np.float32))
    const("onef", np.array(1.0, dtype=np.float32))
    const("half", np.array(0.5, dtype=np.float32))
    const("rsqrt2", np.array(1.0 / math.sqrt(2.0), dtype=np.float32))
    const("tiny", np.array(1e-12, dtype=np.float32))
    const("axis1", np.array([1], dtype=np.int64))

    # Embeddings: word + position + token type 0, then LayerNorm.
    node("Shape", ["input_ids"], "ids_shape")
    const("two", np.array([2], dtype=np.int64))
    node("Slice", ["ids_shape", "one", "two"], "seq_len_1")  # [L]
    node("Slice", ["pos", "zero", "seq_len_1"], "pos_used")
    node("Gather", ["word", "input_ids"], "word_emb")
    node("Add", ["word_emb", "pos_used"], "emb1")
    node("Add", ["emb1", "type0"], "emb2")
    x = layer_norm("emb2", "embeddings.LayerNorm", "x0")
    # Attention bias from the mask: (1 - mask) * -1e4, shaped (n, 1, 1, L).
    node("Cast", ["attention_mask"], "maskf", to=TensorProto.FLOAT)
    node("Sub", ["onef", "maskf"], "inv_mask")
    node("Mul", ["inv_mask", "neg"], "bias2d")
    node("Unsqueeze", ["bias2d", "axis1"], "bias3d")
    node("Unsqueeze", ["bias3d", "axis1"], "att_bias")
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}"
        att = f"{p}.attention.self"
        qkv_w = np.concatenate(
            [w[f"{att}.query.weight"], w[f"{att}.key.weight"], w[f"{att}.value.weight"]]
        )
        qkv_b = np.concatenate(
            [w[f"{att}.query.bias"], w[f"{att}.key.bias"], w[f"{att}.value.bias"]]
        )
        const(f"{p}.qkv.wT", np.ascontiguousarray(qkv_w.T))
        const(f"{p}.qkv.b", qkv_b)
        node("MatMul", [x, f"{p}.qkv.wT"], f"{p}.qkv.mm")
        node("Add", [f"{p}.qkv.mm", f"{p}.qkv.b"], f"{p}.qkv")
        node("Reshape", [f"{p}.qkv", "qkv_shape"], f"{p}.qkv5")
        node("Transpose", [f"{p}.qkv5"], f"{p}.qkvT", perm=[2, 0, 3, 1, 4])
        nodes.append(
            helper.make_node(
                "Split", [f"{p}.qkvT"], [f"{p}.q5", f"{p}.k5", f"{p}.v5"], axis=0, num_outputs=3
            )
        )
        for name in ("q", "k", "v"):
            node("Squeeze", [f"{p}.{name}5", "zero"], f"{p}.{name}")
        node("Transpose", [f"{p}.k"], f"{p}.kT", perm=[0, 1, 3, 2])
        node("MatMul", [f"{p}.q", f"{p}.kT"], f"{p}.qk")
        node("Mul", [f"{p}.qk", "scale"], f"{p}.qk_s")
        node("Add", [f"{p}.qk_s", "att_bias"], f"{p}.scores")
        node("Softmax", [f"{p}.scores"], f"{p}.probs", axis=-1)
        node("MatMul", [f"{p}.probs", f"{p}.v"], f"{p}.ctx4")
        node("Transpose", [f"{p}.ctx4"], f"{p}.ctxT", perm=[0, 2, 1, 3])
        node("Reshape", [f"{p}.ctxT", "ctx_shape"], f"{p}.ctx")
        attn = linear(f"{p}.ctx", f"{p}.attention.output.dense", f"{p}.attn")
        node("Add", [attn, x], f"{p}.res1")
        x1 = layer_norm(f"{p}.res1", f"{p}.attention.output.LayerNorm", f"{p}.x1")
        up = linear(x1, f"{p}.intermediate.dense", f"{p}.up")
        node("Mul", [up, "rsqrt2"], f"{p}.up_s")
        node("Erf", [f"{p}.up_s"], f"{p}.erf")
        node("Add", [f"{p}.erf", "onef"], f"{p}.erf1")
        node("Mul", [up, f"{p}.erf1"], f"{p}.g1")
        node("Mul", [f"{p}.g1", "half"], f"{p}.gelu")
        down = linear(f"{p}.gelu", f"{p}.output.dense", f"{p}.down")
        node("Add", [down, x1], f"{p}.res2")
        x = layer_norm(f"{p}.res2", f"{p}.output.LayerNorm", f"{p}.x2")
    # Mean pooling over real tokens, then L2 normalisation.
    node("Unsqueeze", ["maskf", "minus1"], "mask3")
    const("minus1", np.array([-1], dtype=np.int64))
    node("Mul", [x, "mask3"], "masked")
    node("ReduceSum", ["masked", "axis1"], "summed", keepdims=0)
    node("ReduceSum", ["maskf", "axis1"], "count", keepdims=1)
    node("Max", ["count", "onef"], "count1")
    node("Div", ["summed", "count1"], "pooled")
    node("ReduceL2", ["pooled", "minus1"], "norm", keepdims=1)
    node("Max", ["norm", "tiny"], "norm1")
    node("Div", ["pooled", "norm1"], "embedding")
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["n", "L"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["n", "L"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["n", dim])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.checker.check_model(model)
    return model


def export(model_dir: Path) -> Path:
    """Build, quantise and write ``model-int8.onnx`` (atomically) in ``model_dir``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Weights only, per output channel; the two attention products multiply activations by
    # activations and stay float32 (quantising them costs far more accuracy than time).
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    attention_products = [
        f"encoder.layer.{i}.{name}"
        for i in range(int(config["num_hidden_layers"]))
        for name in ("qk", "ctx4")
    ]
    logging.disable(logging.WARNING)  # quantize_dynamic's advice on the root logger
    with tempfile.TemporaryDirectory(dir=model_dir) as tmp:
        fp32, int8 = Path(tmp) / "model.onnx", Path(tmp) / INT8_FILE
        onnx.save(build(model_dir), str(fp32))
        quantize_dynamic(
            str(fp32),
            str(int8),
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_exclude=attention_products,
        )
        int8.replace(model_dir / INT8_FILE)
    logging.disable(logging.NOTSET)
    return model_dir / INT8_FILE


def main() -> int:
    model_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MODEL_PATH
    print(f"wrote {export(model_dir)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
