"""Report (never assert) how triage does on tests/engine/triage_blind.txt.

The blind file was written before the triage rules were changed and is never tuned
against; this prints hits per tier so before/after figures can be compared.

Usage: python scripts/triage_blind.py [--verbose]
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import SHIPPED_CONTENT
from bot.content import load_content
from bot.engine import Engine

RANK = {"none": 0, "same-day": 1, "urgent": 1, "emergency": 2, "crisis": 3}
BLIND = Path(__file__).resolve().parents[1] / "tests/engine/triage_blind.txt"


def main() -> int:
    engine = Engine(load_content(SHIPPED_CONTENT))
    verbose = "--verbose" in sys.argv
    totals: dict[str, list[int]] = {}
    for line in BLIND.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        tier, rule, message = (part.strip() for part in line.split("|", 2))
        decision = engine.ask(message)
        got = decision.triage.severity if decision.triage else "none"
        got_rule = decision.triage.id if decision.triage else "-"
        ok = RANK[got] == 0 if tier == "none" else RANK[got] >= RANK[tier]
        hit = totals.setdefault(tier, [0, 0])
        hit[0] += ok
        hit[1] += 1
        if verbose and not ok:
            print(f"MISS {tier}/{rule} -> {got}/{got_rule}: {message}")
    for tier, (ok, n) in totals.items():
        print(f"{tier:10s} {ok}/{n} correct")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
