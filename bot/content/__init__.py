"""Curated knowledge base: data model, TOML loader and validation (no Discord)."""

from . import limits
from .cleaning import collapse
from .loader import ContentError, ContentIssue, load_content
from .models import (
    SEVERITY_ORDER,
    Entry,
    Knowledge,
    Reference,
    ScopeRule,
    Texts,
    Topic,
    TriageExamples,
    TriageLexicon,
    TriageRule,
)

__all__ = [
    "SEVERITY_ORDER",
    "ContentError",
    "ContentIssue",
    "Entry",
    "Knowledge",
    "Reference",
    "ScopeRule",
    "Texts",
    "Topic",
    "TriageExamples",
    "TriageLexicon",
    "TriageRule",
    "collapse",
    "limits",
    "load_content",
]
