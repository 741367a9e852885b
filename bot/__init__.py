"""Spasm FAQ bot: answers questions about muscle spasms and cramps from curated content."""

__version__ = "0.1.0"
