"""``references.toml``: the named, linked guidance that entries cite by id.

Loaded first, because entries resolve their ``guidance`` ids against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import limits
from .fields import Fields, read_tables
from .issues import Issues
from .models import Reference

__all__ = ["REFERENCES_FILE", "LoadedReferences", "load_references"]

REFERENCES_FILE = "references.toml"
REFERENCE_KEYS = {"id": True, "name": True, "url": True}
_URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[^\s<>\"'()\[\]]*)?$")


@dataclass
class LoadedReferences:
    """Valid references by id, and every id written down (valid or not).

    An entry citing an id that exists but is invalid is not reported again:
    one mistake gives one issue.
    """

    by_id: dict[str, Reference] = field(default_factory=dict)
    declared: set[str] = field(default_factory=set)


def load_references(root: Path, issues: Issues) -> LoadedReferences:
    """``references.toml`` (optional): named guidance with https links, by id."""
    loaded = LoadedReferences()
    path = root / REFERENCES_FILE
    if not path.exists():
        return loaded
    tables = read_tables(path, "references", issues)
    if tables is None:
        return loaded
    raw_refs, src, starts = tables
    refs = loaded.by_id
    for index, raw in enumerate(raw_refs or []):
        line = starts[index] if index < len(starts) else None
        raw_id = raw.get("id")
        what = f"reference '{raw_id}'" if isinstance(raw_id, str) else "reference"
        if isinstance(raw_id, str):
            loaded.declared.add(raw_id)
        f = Fields(issues, src, raw, what, line, src.block_end(line))
        f.check_keys(REFERENCE_KEYS)
        rid = f.get_str("id")
        if rid is not None and (not limits.SLUG_RE.match(rid) or rid in refs):
            f.report(f.at("id"), f"reference id '{rid}' must be a unique slug")
            rid = None
        name = f.get_str("name", max_len=limits.REFERENCE_NAME_MAX)
        if name is not None and not name.strip():
            f.report(f.at("name"), f"{what} has an empty name")
            name = None
        url = f.get_str("url", max_len=limits.REFERENCE_URL_MAX)
        if url is not None and not _URL_RE.match(url.strip()):
            f.report(
                f.at("url"),
                f"{what} 'url' must be a full https:// link without spaces, got {url!r}",
            )
            url = None
        if rid and name and url:
            refs[rid] = Reference(rid, " ".join(name.split()), url.strip())
    return loaded
