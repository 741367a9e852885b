#!/usr/bin/env bash
# Regenerate requirements.lock from pyproject.toml: every package CI installs
# (runtime + the dev extra), pinned with hashes. Re-run after adding or changing a
# dependency in pyproject.toml, and commit both files together.
# Needs pip-tools (in the dev extra): .venv/bin/pip install -e ".[dev]"
set -euo pipefail
cd "$(dirname "$0")/.."
PIP_COMPILE="${PIP_COMPILE:-.venv/bin/pip-compile}"
"$PIP_COMPILE" --quiet --extra dev --generate-hashes --strip-extras --allow-unsafe \
    --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml
# The dev extra names the project itself ("spasm-faq-bot[test]"); drop that
# unhashable self-reference: CI installs the work tree with pip install --no-deps -e .
python3 - <<'PY'
from pathlib import Path

path = Path("requirements.lock")
out, skip = [], False
for line in path.read_text().splitlines():
    if line.startswith("# WARNING: pip install will require") or line.startswith(
        "# Consider using a hashable URL"
    ):
        continue
    if line.startswith("spasm-faq-bot @ "):
        skip = True
        continue
    if skip and line.startswith("    "):
        continue
    skip = False
    out.append(line)
path.write_text("\n".join(out).rstrip() + "\n")
PY
echo "wrote requirements.lock"
