"""Sentence embeddings for the semantic layer: all-MiniLM-L6-v2 without torch.

The reference is a plain numpy forward pass: the whole of BERT that sentence-transformers
runs for this model (embeddings, 6 post-norm encoder layers with exact GELU, mean pooling
over real tokens, L2 normalisation). For speed, when scripts/fetch_model.py has also
written ``model-int8.onnx`` (the same graph, built by scripts/export_onnx.py, with weights
quantised per channel) and onnxruntime is installed, that graph runs instead: about 2x
faster per question, with vectors within cosine 0.97 of the float32 ones (0.99 on
average). ``tokenizers`` reads the model's own tokenizer.json, so word pieces are
exactly the upstream ones.

Texts the engine indexes (titles, phrasings, learned phrasings) are cached on disk in
one ``.npz`` per model file hash, keyed by the text's sha256, so start-up and reloads
only embed texts never seen before. A cache that cannot be read is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]
#: Intermediate activations (numpy's typing widens float32 arithmetic to "floating").
Array = npt.NDArray[Any]

MODEL_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "config.json"
ONNX_FILE = "model-int8.onnx"
SUMS_FILE = "SHA256SUMS"
CACHE_DIR = "embedding-cache"
FETCH_HINT = "run python scripts/fetch_model.py"
#: sentence-transformers' max_seq_length for this model.
MAX_TOKENS = 256
#: Rows kept in the on-disk cache at most (texts of older content versions drop out first).
CACHE_MAX_ROWS = 50_000


class ModelUnavailable(Exception):
    """The model folder is missing a file or cannot be read; the message says which."""


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _erf(x: Array) -> Array:
    """Vectorised erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7): numpy has none."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    out: Array = sign * (1.0 - poly * np.exp(-a * a))
    return out


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    out: Array = centred / np.sqrt(var + eps) * weight + bias
    return out


class _Layer:
    """One BERT encoder layer's weights, transposed once for ``x @ W``."""

    def __init__(self, w: dict[str, Matrix], prefix: str) -> None:
        def get(name: str) -> Matrix:
            return np.ascontiguousarray(w[f"{prefix}.{name}"], dtype=np.float32)

        att = "attention.self"
        self.qkv = np.ascontiguousarray(
            np.concatenate(
                [get(f"{att}.query.weight"), get(f"{att}.key.weight"), get(f"{att}.value.weight")]
            ).T
        )
        self.qkv_bias = np.concatenate(
            [get(f"{att}.query.bias"), get(f"{att}.key.bias"), get(f"{att}.value.bias")]
        )
        self.out = np.ascontiguousarray(get("attention.output.dense.weight").T)
        self.out_bias = get("attention.output.dense.bias")
        self.ln1 = (
            get("attention.output.LayerNorm.weight"),
            get("attention.output.LayerNorm.bias"),
        )
        self.up = np.ascontiguousarray(get("intermediate.dense.weight").T)
        self.up_bias = get("intermediate.dense.bias")
        self.down = np.ascontiguousarray(get("output.dense.weight").T)
        self.down_bias = get("output.dense.bias")
        self.ln2 = (get("output.LayerNorm.weight"), get("output.LayerNorm.bias"))


class Encoder:
    """Texts to L2-normalised 384-d sentence vectors, as sentence-transformers computes them."""

    def __init__(self, model_path: Path, *, prefer_onnx: bool = True) -> None:
        self.path = model_path
        for name in (MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE):
            if not (model_path / name).is_file():
                raise ModelUnavailable(f"model not found at {model_path} (no {name})")
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are declared dependencies
            raise ModelUnavailable(f"{exc.name} is not installed") from None
        try:
            config = json.loads((model_path / CONFIG_FILE).read_text(encoding="utf-8"))
            self.tokenizer = Tokenizer.from_file(str(model_path / TOKENIZER_FILE))
        except (OSError, ValueError, Exception) as exc:
            raise ModelUnavailable(f"cannot read the model at {model_path} ({exc})") from None
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dim = int(config["hidden_size"])
        self.sha256 = _model_sha(model_path)
        self._lock = threading.Lock()
        self._session: Any = None
        self.backend = "numpy"
        if prefer_onnx and (model_path / ONNX_FILE).is_file():
            self._session = _onnx_session(model_path / ONNX_FILE)
            if self._session is not None:
                # The float32 weights are not needed then: 90 MB less resident memory.
                self.backend = "onnx-int8"
                self.layers: list[_Layer] = []
                return
        try:
            weights = load_file(str(model_path / MODEL_FILE))
        except (OSError, ValueError, Exception) as exc:
            raise ModelUnavailable(f"cannot read the model at {model_path} ({exc})") from None
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self.word = weights[f"{prefix}embeddings.word_embeddings.weight"]
        self.position = weights[f"{prefix}embeddings.position_embeddings.weight"]
        self.token_type = weights[f"{prefix}embeddings.token_type_embeddings.weight"][0]
        self.ln = (
            weights[f"{prefix}embeddings.LayerNorm.weight"],
            weights[f"{prefix}embeddings.LayerNorm.bias"],
        )
        self.layers = [
            _Layer(weights, f"{prefix}encoder.layer.{i}")
            for i in range(int(config["num_hidden_layers"]))
        ]

    # -- inference -----------------------------------------------------------------------------

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids with [CLS] and [SEP], at most MAX_TOKENS each."""
        return [list(e.ids) for e in self.tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Matrix:
        """One unit vector per text (rows in the order given)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self.token_ids(texts)
        if self._session is not None:
            # Dynamic int8 quantisation scales activations per batch, so a text's vector
            # would depend on its batch companions: one text per run keeps it a function
            # of the text alone (and cached vectors equal freshly computed ones).
            batch_size = 1
        # Similar lengths together, so a batch pads little.
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> Matrix:
        n, length = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        if self._session is not None:
            feed = {"input_ids": ids, "attention_mask": mask.astype(np.int64)}
            vectors: Matrix = self._session.run(None, feed)[0].astype(np.float32)
            return vectors
        return self._forward_numpy(ids, mask)

    def _forward_numpy(self, ids: npt.NDArray[np.int64], mask: Matrix) -> Matrix:
        n, length = ids.shape
        x = self.word[ids] + self.position[:length] + self.token_type
        x = _layer_norm(x, *self.ln, self.eps)
        heads, width = self.heads, self.dim // self.heads
        scale = np.float32(1.0 / math.sqrt(width))
        # Padding gets a large negative score so softmax gives it no weight.
        attention_bias = ((1.0 - mask) * np.float32(-1e4))[:, None, None, :]
        for layer in self.layers:
            qkv = x @ layer.qkv + layer.qkv_bias  # (n, L, 3*dim)
            qkv = qkv.reshape(n, length, 3, heads, width).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # (n, heads, L, width)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + attention_bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, self.dim)
            x = _layer_norm(context @ layer.out + layer.out_bias + x, *layer.ln1, self.eps)
            h = x @ layer.up + layer.up_bias
            h = 0.5 * h * (1.0 + _erf(h * np.float32(1 / math.sqrt(2))))
            x = _layer_norm(h @ layer.down + layer.down_bias + x, *layer.ln2, self.eps)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)[:, None]
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Matrix = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return result

    # -- cached embeddings of indexed texts ----------------------------------------------------

    @property
    def cache_file(self) -> Path:
        return self.path / CACHE_DIR / f"{self.sha256[:16]}-{self.backend}.npz"

    def embed_cached(self, texts: Sequence[str]) -> Matrix:
        """Vectors for ``texts``, reading and extending the on-disk cache (thread-safe)."""
        with self._lock:
            cache = self._read_cache()
            keys = [text_key(t) for t in texts]
            missing = list(dict.fromkeys(k for k in keys if k not in cache))
            if missing:
                by_key = {k: t for k, t in zip(keys, texts, strict=True)}
                vectors = self.encode([by_key[k] for k in missing])
                cache.update(zip(missing, vectors, strict=True))
                self._write_cache(cache, keep=set(keys))
            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            for row, key in enumerate(keys):
                out[row] = cache[key]
            return out

    def _read_cache(self) -> dict[str, Matrix]:
        path = self.cache_file
        if not path.exists():
            return {}
        try:
            with np.load(path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
                if (
                    vectors.ndim != 2
                    or vectors.shape != (len(keys), self.dim)
                    or vectors.dtype != np.float32
                ):
                    raise ValueError(f"unexpected shape {vectors.shape}")
                return {str(k): v for k, v in zip(keys.tolist(), vectors, strict=True)}
        except Exception as exc:  # a truncated or foreign file: rebuild it, never fail
            log.warning("embedding cache %s unreadable (%s); rebuilding it", path, exc)
            return {}

    def _write_cache(self, cache: dict[str, Matrix], keep: set[str]) -> None:
        rows = list(cache.items())
        if len(rows) > CACHE_MAX_ROWS:
            rows = [(k, v) for k, v in rows if k in keep] + [
                (k, v) for k, v in rows if k not in keep
            ]
            rows = rows[:CACHE_MAX_ROWS]
        path = self.cache_file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    keys=np.array([k for k, _ in rows], dtype="U64"),
                    vectors=np.stack([v for _, v in rows]).astype(np.float32),
                )
            Path(tmp).replace(path)
        except OSError as exc:  # a read-only model folder: embed again next start
            log.warning("cannot write the embedding cache %s (%s)", path, exc)


def _model_sha(model_path: Path) -> str:
    """The weights' sha256: from the sums fetch_model.py verified, else computed."""
    sums = model_path / SUMS_FILE
    if sums.is_file():
        for line in sums.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if name.strip() == MODEL_FILE and len(digest) == 64:
                return digest
    digest_obj = hashlib.sha256()
    with (model_path / MODEL_FILE).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest_obj.update(block)
    return digest_obj.hexdigest()


def _onnx_session(path: Path) -> Any:
    """An onnxruntime session on one thread (steadier latency on a shared 2-core host)."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # a damaged export: the numpy pass still gives the answer
        log.warning("cannot load %s (%s); using the numpy encoder", path, exc)
        return None


@lru_cache(maxsize=4)
def load_encoder(model_path: Path) -> Encoder | None:
    """The process's encoder for ``model_path``, or None with one log line saying why.

    Cached, so every engine (and every content reload) shares one copy of the weights,
    and a missing model is reported once, not at each reload.
    """
    try:
        return Encoder(model_path)
    except ModelUnavailable as exc:
        log.warning("semantic layer off: %s; %s", exc, FETCH_HINT)
        return None
