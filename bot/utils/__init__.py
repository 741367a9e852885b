"""Helpers shared by several extensions and the UI (kept out of any one cog, as pydis does)."""
