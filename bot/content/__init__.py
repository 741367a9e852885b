"""Curated knowledge base: data model, TOML loader and validation (no Discord)."""

from . import limits
from .cleaning import collapse
from .loader import ContentError, ContentIssue, load_content
from .models import Entry, Knowledge, Reference, ScopeRule, Texts, Topic, TriageRule

__all__ = [
    "ContentError",
    "ContentIssue",
    "Entry",
    "Knowledge",
    "Reference",
    "ScopeRule",
    "Texts",
    "Topic",
    "TriageRule",
    "collapse",
    "limits",
    "load_content",
]
