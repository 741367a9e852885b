#!/usr/bin/env bash
# Issue 15, phase 2: pure moves and renames, run by the integrator AFTER merging
# the parallel branches (so no branch has to rebase over a move). Re-runnable:
# every move is skipped once done and the import rewrite is idempotent.
#
#   bash scripts/restructure.sh && .venv/bin/ruff check --fix . && .venv/bin/ruff format . \
#     && .venv/bin/mypy && .venv/bin/python -m pytest -q
#
# What moves (old -> new module):
#   bot/missed_cli.py            -> bot/cli/missed.py        (bot/cli.py -> bot/cli/__init__.py)
#   bot/checks.py                -> bot/utils/checks.py      (as python-discord keeps it)
#   bot/coordination_bot.py      -> bot/runtime/coordination.py
#   bot/storage/migrate.py       -> bot/storage/schema_upgrade.py   (precheck + apply SQL files)
#   bot/storage/migrate_sqlite.py-> bot/storage/sqlite_to_postgres.py (the migrate-sqlite copy)
#   tests/test_*.py              -> tests/{engine,storage,exts,content,cli,...}/test_*.py
# Not done here (needs code surgery, see the report of branch `house`): splitting
# bot/client.py and bot/content/loader.py into smaller modules.
set -euo pipefail
cd "$(dirname "$0")/.."

move() {  # move SRC DST: git mv once; a no-op when SRC is gone and DST exists
    local src=$1 dst=$2
    if [ -e "$src" ] && [ ! -e "$dst" ]; then
        mkdir -p "$(dirname "$dst")"
        git mv "$src" "$dst"
    elif [ -e "$src" ] && [ -e "$dst" ]; then
        echo "restructure: both $src and $dst exist; merge them by hand" >&2
        exit 1
    fi
}

package() {  # package DIR DOC: an __init__.py with a one-line docstring, once
    if [ ! -e "$1/__init__.py" ]; then
        mkdir -p "$1"
        printf '"""%s"""\n' "$2" > "$1/__init__.py"
        git add "$1/__init__.py"
    fi
}

# -- bot/ -------------------------------------------------------------------------------------
move bot/cli.py bot/cli/__init__.py
move bot/missed_cli.py bot/cli/missed.py
package bot/utils "Helpers shared by several extensions and the UI (kept out of any one cog)."
move bot/checks.py bot/utils/checks.py
package bot/runtime "The running bot's process-level pieces: cross-process coordination."
move bot/coordination_bot.py bot/runtime/coordination.py
move bot/storage/migrate_sqlite.py bot/storage/sqlite_to_postgres.py
move bot/storage/migrate.py bot/storage/schema_upgrade.py

# -- tests/ mirror the tree -------------------------------------------------------------------
while read -r dir file; do
    [ -n "$dir" ] || continue
    move "tests/$file" "tests/$dir/$file"
done <<'LIST'
engine test_engine.py
engine test_triage_vocabulary.py
engine test_eval_gate.py
content test_content.py
storage test_storage.py
storage test_storage_backends.py
storage test_migrate_sqlite.py
ui test_ui.py
exts test_checks.py
exts test_moderation_format.py
cli test_cli.py
cli test_missed_cli.py
cli test_config.py
cli test_config_example.py
runtime test_runner_backends.py
runtime test_runner_exit.py
content test_sources.py
engine test_dosing.py
engine test_language.py
engine test_message.py
engine test_segment.py
engine test_semantic.py
exts test_surfaces.py
runtime test_health.py
scripts test_fetch_model.py
LIST

# -- rewrite imports and references -----------------------------------------------------------
python3 - <<'PY'
import re
import subprocess
from pathlib import Path

MODULES = [  # longest first, so bot.storage.migrate_sqlite is not seen as bot.storage.migrate
    ("bot.storage.migrate_sqlite", "bot.storage.sqlite_to_postgres"),
    ("bot.storage.migrate", "bot.storage.schema_upgrade"),
    ("bot.coordination_bot", "bot.runtime.coordination"),
    ("bot.missed_cli", "bot.cli.missed"),
    ("bot.checks", "bot.utils.checks"),
]
TESTS = {
    "test_engine": "engine", "test_triage_vocabulary": "engine", "test_eval_gate": "engine",
    "test_content": "content", "test_storage": "storage", "test_storage_backends": "storage",
    "test_migrate_sqlite": "storage", "test_ui": "ui", "test_checks": "exts",
    "test_moderation_format": "exts", "test_cli": "cli", "test_missed_cli": "cli",
    "test_config": "cli", "test_config_example": "cli", "test_runner_backends": "runtime", "test_runner_exit": "runtime",
    "test_sources": "content", "test_dosing": "engine", "test_language": "engine",
    "test_message": "engine", "test_segment": "engine", "test_semantic": "engine",
    "test_surfaces": "exts", "test_health": "runtime", "test_fetch_model": "scripts",
}
RELATIVE = {  # inside bot/storage/: from .migrate import ...
    "bot/storage": [(r"from \.migrate_sqlite\b", "from .sqlite_to_postgres"),
                    (r"from \.migrate\b(?!_)", "from .schema_upgrade"),
                    (r"from \. import migrate\b(?!_)", "from . import schema_upgrade"),
                    (r"(?<![\w.])migrate\.(?=[A-Za-z_])", "schema_upgrade.")],
}

rules: list[tuple[re.Pattern[str], str]] = []
for old, new in MODULES:
    rules.append((re.compile(rf"\b{re.escape(old)}\b(?![_\w])"), new))
    rules.append((re.compile(rf"\b{re.escape(old.replace('.', '/'))}\.py\b"), new.replace(".", "/") + ".py"))
for name, folder in TESTS.items():
    rules.append((re.compile(rf"\btests\.{name}\b"), f"tests.{folder}.{name}"))
    rules.append((re.compile(rf"(?<![\w/])tests/{name}\.py\b"), f"tests/{folder}/{name}.py"))
# The client and runner name the CLI module as "bot.cli" already; nothing to do there.

files = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
for name in files:
    path = Path(name)
    if path.suffix not in {".py", ".md", ".toml", ".sh", ".cfg", ".yaml", ".txt"} and name not in {".ci/run", "Procfile"}:
        continue
    if not path.is_file() or name == "scripts/restructure.sh" or "holdout" in name:
        continue
    text = path.read_text(encoding="utf-8")
    new = text
    for pattern, repl in rules:
        new = pattern.sub(repl, new)
    for folder, subs in RELATIVE.items():
        if name.startswith(folder + "/"):
            for pattern, repl in subs:
                new = re.sub(pattern, repl, new)
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"rewrote {name}")

# Moved tests live one folder deeper: fix paths built from __file__.
for name, folder in TESTS.items():
    path = Path("tests") / folder / f"{name}.py"
    if not path.exists():
        continue
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"Path\(__file__\)\.resolve\(\)\.parents\[1\]", "Path(__file__).resolve().parents[2]", text)
    new = re.sub(r"Path\(__file__\)\.parents\[1\]", "Path(__file__).parents[2]", new)
    new = re.sub(r"Path\(__file__\)\.resolve\(\)\.parent(?![\w.])", "Path(__file__).resolve().parent.parent", new)
    new = re.sub(r"Path\(__file__\)\.parent(?=\s*/)", "Path(__file__).parent.parent", new)
    new = new.replace('Path(__file__).with_name("data")', 'Path(__file__).parent.parent / "data"')
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"re-rooted {path}")
PY
echo "restructure: done; now run ruff --fix, ruff format, mypy and pytest"
