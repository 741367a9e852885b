"""The line finder behind every "file:line" in a content issue (bot.content.source)."""

from __future__ import annotations

from pathlib import Path

from bot.content.source import Source

TEXT = """\
# a comment
[topic]   # trailing comment
id = "extra"
"name" = 'Extra'
summary = \"\"\"First line of text
second line\"\"\"

[[entries]]
id = "a"
questions = ["heat or ice"]

[[ entries ]]  # spaced header
id = "b"
"""
SRC = Source(Path("x.toml"), TEXT)


def test_headers_with_spaces_and_comments_are_found() -> None:
    assert SRC.header_line("topic") == 2
    assert SRC.header_line("missing") is None
    assert SRC.block_starts("entries") == [8, 12]
    assert SRC.block_starts("topic") == []  # [topic] is not an array of tables


def test_a_block_ends_before_the_next_header_or_at_the_end() -> None:
    assert SRC.block_end(2) == 7  # the blank line before [[entries]] still belongs to [topic]
    assert SRC.block_end(8) == 11
    assert SRC.block_end(12) == len(SRC.lines)
    assert SRC.block_end(None) == len(SRC.lines)


def test_keys_are_found_bare_or_quoted_and_only_inside_the_bounds() -> None:
    assert SRC.key_line("name", 2, 7) == 4  # "name" = ...
    assert SRC.key_line("id", 2, 7) == 3
    assert SRC.key_line("id", 8, 11) == 9
    assert SRC.key_line("id", 12, None) == 13
    assert SRC.key_line("questions", 12, None) is None
    assert SRC.key_line("second line", None) is None  # text, not an assignment


def test_a_value_is_found_by_its_first_line_else_the_block_start_is_given() -> None:
    assert SRC.value_line("heat or ice", 8, 11) == 10
    assert SRC.value_line("First line of text\nsecond line", 2, 7) == 5
    assert SRC.value_line("not in the file", 8, 11) == 8
    assert SRC.value_line("   ", 8, 11) == 8
    assert SRC.value_line("heat or ice", 12, None) == 12  # outside the bounds


def test_find_clamps_its_bounds_to_the_file() -> None:
    assert SRC.find("id =", 0, 1000) == 3
    assert SRC.find("id =", 4) == 9
    assert SRC.find("nowhere") is None
    assert Source(Path("empty.toml"), "").block_end(1) == 0
