"""Moderator review end to end: the real FAQBot against FakeDiscord.

Two guilds, A and B. ``mod_both`` moderates both (Manage Messages role in
each); ``rolemod`` holds only the configured ``[moderation] role_ids`` role in
A; ``member`` has no rights anywhere. Every test ends with the fake server's
``violations`` empty (each request body validated against Discord's spec).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
import tomllib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import pytest_asyncio

from bot.client import FAQBot
from bot.config import ContentSettings, DiscordSettings, ModerationSettings
from bot.storage import MissedRecord, SQLiteStore
from bot.utils.checks import REFUSAL
from tests.e2e.harness import make_config, running_bot
from tests.fakediscord import FakeDiscord, FakeInteraction, Guild, User

pytestmark = pytest.mark.asyncio

REPO = Path(__file__).resolve().parents[2]
MANAGE_MESSAGES = 1 << 13
EPHEMERAL = 1 << 6
UNANSWERED = "tell me about elbow stuff"
RESOLVE_TO = "spasm-vs-twitch"
NOT_FOUND_A = "No question #{} in this server's queue."


@dataclass
class World:
    server: FakeDiscord
    bot: FAQBot
    store: SQLiteStore
    content: Path
    guild_a: Guild
    guild_b: Guild
    chan_a: Any
    chan_b: Any
    mod_a: User
    mod_both: User
    rolemod: User
    member: User


@pytest_asyncio.fixture
async def world(server: FakeDiscord, tmp_path: Path) -> AsyncIterator[World]:
    """Two guilds and the bot (harness ``running_bot``), on a copy of the content."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    guild_a, guild_b = server.add_guild("Guild A"), server.add_guild("Guild B")
    mods_a = guild_a.add_role("mods", permissions=MANAGE_MESSAGES)
    mods_b = guild_b.add_role("mods", permissions=MANAGE_MESSAGES)
    helpers_a = guild_a.add_role("faq helpers", permissions=0)
    mod_a, mod_both = server.add_user("mod-a"), server.add_user("mod-both")
    rolemod, member = server.add_user("rolemod"), server.add_user("member")
    guild_a.add_member(mod_a, roles=[mods_a])
    guild_a.add_member(mod_both, roles=[mods_a])
    guild_b.add_member(mod_both, roles=[mods_b])
    guild_a.add_member(rolemod, roles=[helpers_a])
    guild_a.add_member(member)
    guild_b.add_member(member)
    chan_a, chan_b = guild_a.add_channel("general"), guild_b.add_channel("general")
    base = make_config(tmp_path, server)
    config = dataclasses.replace(
        base,
        discord=DiscordSettings(
            api_base_url=server.api_base_url,
            gateway_url=server.gateway_url,
            dev_guild_ids=(int(guild_a.id), int(guild_b.id)),
        ),
        content=ContentSettings(path=content),
        moderation=ModerationSettings(role_ids=(int(helpers_a.id),)),
    )
    async with running_bot(tmp_path, server, config=config) as bot:
        await bot.tree.sync()  # global too, so /forget-me exists in DMs
        yield World(
            server,
            bot,
            cast(SQLiteStore, bot.store),
            content,
            guild_a,
            guild_b,
            chan_a,
            chan_b,
            mod_a,
            mod_both,
            rolemod,
            member,
        )


# -- helpers -------------------------------------------------------------------------------------


async def invoke(
    w: World, user: User, channel: Any, name: str, sub: str | None = None, **options: Any
) -> tuple[FakeInteraction, dict[str, Any]]:
    inter = await w.server.invoke_command(
        name, user=user, channel=channel, options=options or None, subcommand=sub
    )
    return inter, await w.server.wait_for_interaction_response(inter.id)


def text_of(resp: dict[str, Any]) -> str:
    parts = [resp.get("content") or ""]
    for embed in resp.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


def card_titles(resp: dict[str, Any]) -> list[str]:
    """Titles of the answer cards (embeds) in a reply; no-answer replies have none of them."""
    return [e.get("title") or "" for e in resp.get("embeds") or []]


def ephemeral(inter: FakeInteraction, resp: dict[str, Any]) -> bool:
    callback = inter.callback or {}
    flags = int(resp.get("flags") or 0) | int((callback.get("data") or {}).get("flags") or 0)
    return bool(flags & EPHEMERAL)


async def seed(w: World, guild: Guild, channel: Any, question: str, n: int, **kw: Any) -> None:
    await w.store.log_missed(
        MissedRecord(
            source_id=f"seed-{guild.id}-{n}",
            guild_id=guild.id,
            channel_id=channel.id,
            author_id=kw.pop("author", 1),
            question=question,
            normalised=question.lower(),
            **kw,
        )
    )
    await w.store.writer.flush()


async def ids(w: World, guild: Guild, status: str = "all") -> list[int]:
    return [r.id for r in await w.store.list_rows(guild.id, status)]


MOD_CALLS: list[tuple[str, str | None, dict[str, Any]]] = [
    ("missed", "list", {}),
    ("missed", "show", {"id": 1}),
    ("missed", "resolve", {"id": 1, "entry": RESOLVE_TO}),
    ("missed", "dismiss", {"id": 1}),
    ("missed", "export", {}),
    ("missed", "stats", {}),
    ("faq-reload", None, {}),
]


# -- who may use the commands --------------------------------------------------------------------


async def test_commands_registered_hidden_and_guild_only(world: World) -> None:
    commands = {c["name"]: c for c in world.server.guild_commands[world.guild_a.id]}
    for name in ("missed", "faq-reload"):
        assert commands[name]["default_member_permissions"] == str(MANAGE_MESSAGES)
        assert commands[name].get("contexts") in ([0], None)
    subs = {o["name"]: o for o in commands["missed"]["options"]}
    assert set(subs) == {"list", "show", "resolve", "dismiss", "export", "stats"}
    assert [o["name"] for o in subs["resolve"]["options"]] == ["id", "entry"]
    assert subs["resolve"]["options"][1]["autocomplete"] is True
    assert commands["forget-me"].get("default_member_permissions") is None


@pytest.mark.parametrize(("name", "sub", "options"), MOD_CALLS)
async def test_non_moderator_is_refused_and_nothing_revealed(
    world: World, name: str, sub: str | None, options: dict[str, Any]
) -> None:
    await seed(world, world.guild_a, world.chan_a, "secret question", 1)
    [row_id] = await ids(world, world.guild_a)
    options = {k: (row_id if k == "id" else v) for k, v in options.items()}
    inter, resp = await invoke(world, world.member, world.chan_a, name, sub, **options)
    assert resp.get("content") == REFUSAL
    assert ephemeral(inter, resp)
    assert not resp.get("embeds") and not resp.get("attachments") and not resp.get("components")
    row = await world.store.get_missed(world.guild_a.id, row_id)
    assert row is not None and row.status == "open"


async def test_configured_role_counts_as_moderator(world: World) -> None:
    await seed(world, world.guild_a, world.chan_a, "role holder sees me", 1)
    inter, resp = await invoke(world, world.rolemod, world.chan_a, "missed", "list")
    assert "role holder sees me" in text_of(resp)
    assert ephemeral(inter, resp)


# -- each command for a moderator ----------------------------------------------------------------


async def test_list_groups_identical_questions_newest_first(world: World) -> None:
    w = world
    await seed(w, w.guild_a, w.chan_a, "older question", 1)
    await seed(w, w.guild_a, w.chan_a, "same question", 2)
    await seed(w, w.guild_a, w.chan_a, "Same question", 3)
    inter, resp = await invoke(w, w.mod_a, w.chan_a, "missed", "list")
    assert ephemeral(inter, resp)
    text = text_of(resp)
    assert "×2" in text
    assert text.index("ame question") < text.index("older question")
    newest = max(await ids(w, w.guild_a))
    assert f"#{newest}" in text
    assert not resp.get("components")  # one page: no buttons


async def test_list_paginates_and_only_the_invoker_can_page(world: World) -> None:
    w = world
    for n in range(12):
        await seed(w, w.guild_a, w.chan_a, f"distinct question number {n}", n)
    inter, resp = await invoke(w, w.mod_a, w.chan_a, "missed", "list")
    assert "page 1/2" in text_of(resp)
    assert "number 11" in text_of(resp) and "number 0" not in text_of(resp)
    message = inter.original_message
    assert message is not None
    buttons = {c["label"]: c for row in message["components"] for c in row["components"]}
    assert buttons["Previous"].get("disabled") is True
    other = await w.server.click(message, buttons["Next"]["custom_id"], user=w.mod_both)
    refused = await w.server.wait_for_interaction_response(other.id)
    assert "belong to the moderator" in refused["content"]
    click = await w.server.click(message, buttons["Next"]["custom_id"], user=w.mod_a)
    page2 = await w.server.wait_for_interaction_response(click.id)
    assert "page 2/2" in text_of(page2)
    assert "number 0" in text_of(page2)


async def test_list_status_filter(world: World) -> None:
    w = world
    await seed(w, w.guild_a, w.chan_a, "to be dismissed", 1)
    await seed(w, w.guild_a, w.chan_a, "still open", 2)
    first = min(await ids(w, w.guild_a))
    await w.store.dismiss(w.guild_a.id, first, moderator_id=1)
    _, resp = await invoke(w, w.mod_a, w.chan_a, "missed", "list", status="dismissed")
    assert "to be dismissed" in text_of(resp) and "still open" not in text_of(resp)
    _, resp = await invoke(w, w.mod_a, w.chan_a, "missed", "list", status="all")
    assert "to be dismissed" in text_of(resp) and "still open" in text_of(resp)


async def test_show_has_candidates_and_status(world: World) -> None:
    w = world
    await seed(
        w,
        w.guild_a,
        w.chan_a,
        "toe **wave** @everyone",
        1,
        candidates=[("spasm-vs-twitch", 0.31), ("eyelid-twitch", 0.2)],
    )
    [row_id] = await ids(w, w.guild_a)
    inter, resp = await invoke(w, w.mod_a, w.chan_a, "missed", "show", id=row_id)
    assert ephemeral(inter, resp)
    text = text_of(resp)
    assert f"Question #{row_id}" in text
    assert "spasm-vs-twitch" in text and "0.310" in text
    assert "open" in text
    assert "\\*\\*wave\\*\\*" in text  # member text is escaped


async def test_resolve_then_same_question_is_answered_at_once(world: World) -> None:
    w = world
    inter, resp = await invoke(w, w.member, w.chan_a, "ask", question=UNANSWERED)
    await w.store.writer.flush()
    [row_id] = await ids(w, w.guild_a)
    # autocomplete over entries
    ac = await w.server.autocomplete(
        "missed",
        user=w.mod_a,
        channel=w.chan_a,
        subcommand="resolve",
        options={"id": row_id, "entry": "twitch"},
        focused="entry",
    )
    choices = await w.server.wait_for_autocomplete(ac)
    assert RESOLVE_TO in [c["value"] for c in choices] and len(choices) <= 25
    # unknown entry: clear error, nothing changes
    _, resp = await invoke(w, w.mod_a, w.chan_a, "missed", "resolve", id=row_id, entry="nope")
    assert "Unknown entry" in resp["content"]
    assert (await w.store.get_missed(w.guild_a.id, row_id)).status == "open"  # type: ignore[union-attr]
    inter, resp = await invoke(
        w, w.mod_a, w.chan_a, "missed", "resolve", id=row_id, entry=RESOLVE_TO
    )
    assert ephemeral(inter, resp)
    assert f"Resolved #{row_id}" in resp["content"]
    row = await w.store.get_missed(w.guild_a.id, row_id)
    assert row is not None and row.status == "resolved" and row.entry_id == RESOLVE_TO
    title = w.bot.knowledge.entries[RESOLVE_TO].title
    _, again = await invoke(w, w.member, w.chan_a, "ask", question=UNANSWERED)
    assert title in card_titles(again)
    # learned in guild A only: guild B still gets the honest no-answer reply
    _, other = await invoke(w, w.member, w.chan_b, "ask", question=UNANSWERED)
    assert title not in card_titles(other)


async def test_resolve_answers_a_mention_at_once(world: World) -> None:
    w = world
    await seed(w, w.guild_a, w.chan_a, UNANSWERED, 1)
    [row_id] = await ids(w, w.guild_a)
    await invoke(w, w.mod_a, w.chan_a, "missed", "resolve", id=row_id, entry=RESOLVE_TO)
    bot_user = w.server.bot_user
    message = await w.server.send_message(
        w.chan_a, w.member, f"{w.server.mention(bot_user)} {UNANSWERED}", mentions=[bot_user]
    )
    reply = await w.server.wait_for_reply(message["id"])
    assert w.bot.knowledge.entries[RESOLVE_TO].title in card_titles(reply)


async def test_dismiss_with_reason(world: World) -> None:
    w = world
    await seed(w, w.guild_a, w.chan_a, "spam spam", 1)
    await seed(w, w.guild_a, w.chan_a, "spam spam", 2)
    newest = max(await ids(w, w.guild_a))
    inter, resp = await invoke(w, w.mod_a, w.chan_a, "missed", "dismiss", id=newest, reason="spam")
    assert ephemeral(inter, resp)
    assert f"Dismissed #{newest} and 1 identical" in resp["content"]
    rows = await w.store.list_rows(w.guild_a.id, "dismissed")
    assert len(rows) == 2 and {r.note for r in rows} == {"spam"}


async def test_export_attaches_csv_and_snippet(world: World) -> None:
    w = world
    await seed(
        w, w.guild_a, w.chan_a, "why do my toes curl", 1, candidates=[("night-leg-cramps", 0.3)]
    )
    await seed(w, w.guild_a, w.chan_a, "=cmd|' /C calc'!A0", 2)
    inter, resp = await invoke(w, w.mod_a, w.chan_a, "missed", "export")
    assert ephemeral(inter, resp)
    upload = await w.server.wait_for_request(lambda r: bool(r.files) and inter.id in r.path)
    files = {f.filename: f.data.decode("utf-8") for f in upload.files}
    assert set(files) == {"missed.csv", "missed-snippet.toml"}
    rows = list(csv.DictReader(io.StringIO(files["missed.csv"])))
    assert {r["question"] for r in rows} == {"why do my toes curl", "'=cmd|' /C calc'!A0"}
    snippet = tomllib.loads(files["missed-snippet.toml"])
    assert [e["title"] for e in snippet["entries"]] == ["=cmd|' /C calc'!A0"]
    assert "why do my toes curl" in files["missed-snippet.toml"]  # suggested phrasing


async def test_stats(world: World) -> None:
    w = world
    await seed(w, w.guild_a, w.chan_a, "asked twice", 1)
    await seed(w, w.guild_a, w.chan_a, "asked twice", 2)
    await seed(w, w.guild_a, w.chan_a, "asked once", 3)
    inter, resp = await invoke(w, w.mod_a, w.chan_a, "missed", "stats")
    assert ephemeral(inter, resp)
    text = text_of(resp)
    assert "open: **3**" in text and "resolved: **0**" in text
    assert "×2 asked twice" in text
    assert "Helpful: **0**" in text and "-W" in text


# -- guild isolation -----------------------------------------------------------------------------


async def test_moderator_of_b_sees_nothing_of_a_even_by_id(world: World) -> None:
    w = world
    await seed(w, w.guild_a, w.chan_a, "guild A private question", 1)
    [a_id] = await ids(w, w.guild_a)
    for sub, options in (
        ("show", {"id": a_id}),
        ("resolve", {"id": a_id, "entry": RESOLVE_TO}),
        ("dismiss", {"id": a_id}),
    ):
        _, resp = await invoke(w, w.mod_both, w.chan_b, "missed", sub, **options)
        assert resp["content"] == NOT_FOUND_A.format(a_id)
    # an id that exists nowhere reads exactly the same
    _, resp = await invoke(w, w.mod_both, w.chan_b, "missed", "show", id=a_id + 1000)
    assert resp["content"] == NOT_FOUND_A.format(a_id + 1000)
    for sub in ("list", "export", "stats"):
        _, resp = await invoke(w, w.mod_both, w.chan_b, "missed", sub)
        assert "guild A private" not in text_of(resp)
        assert not resp.get("attachments")
    _, resp = await invoke(w, w.mod_both, w.chan_b, "missed", "stats")
    assert "open: **0**" in text_of(resp)
    row = await w.store.get_missed(w.guild_a.id, a_id)
    assert row is not None and row.status == "open"
    assert w.bot.engine.ask("guild A private question", guild_id=w.guild_b.id).entry is None


# -- content reload ------------------------------------------------------------------------------


async def test_faq_reload_success_and_broken_file_keeps_old_content(world: World) -> None:
    w = world
    inter, resp = await invoke(w, w.mod_a, w.chan_a, "faq-reload")
    assert ephemeral(inter, resp)
    assert resp["content"].startswith("Content reloaded. OK:")
    before = w.bot.engine
    broken = w.content / "topics" / "causes.toml"
    broken.write_text(
        broken.read_text(encoding="utf-8") + "\n[[entries]\nid = \n", encoding="utf-8"
    )
    inter, resp = await invoke(w, w.mod_a, w.chan_a, "faq-reload")
    assert ephemeral(inter, resp)
    assert "previous content is still live" in resp["content"]
    assert "causes.toml" in resp["content"]
    assert len(resp["content"]) <= 2000
    assert w.bot.engine is before
    # an entry of the broken file is still answered from the old content
    entry = next(e for e in w.bot.knowledge.entries.values() if e.file.name == "causes.toml")
    _, answer = await invoke(w, w.member, w.chan_a, "ask", question=entry.title)
    assert entry.title in card_titles(answer)


# -- /forget-me ----------------------------------------------------------------------------------


async def test_forget_me_deletes_rows_in_every_guild(world: World) -> None:
    w = world
    await seed(w, w.guild_a, w.chan_a, "mine in A", 1, author=int(w.member.id))
    await seed(w, w.guild_b, w.chan_b, "mine in B", 2, author=int(w.member.id))
    await seed(w, w.guild_a, w.chan_a, "someone else's", 3, author=12345)
    inter, resp = await invoke(w, w.member, w.chan_a, "forget-me")
    assert ephemeral(inter, resp)
    assert "deleted 2 stored row(s)" in resp["content"]
    assert [r.question for r in await w.store.list_rows(w.guild_a.id, "all")] == ["someone else's"]
    assert await w.store.list_rows(w.guild_b.id, "all") == []
    # again, from a DM: nothing left
    inter, resp = await invoke(w, w.member, w.server.dm_channel(w.member), "forget-me")
    assert ephemeral(inter, resp)
    assert "Nothing was stored about you" in resp["content"]


async def test_forget_me_includes_rows_still_queued(world: World) -> None:
    w = world
    await invoke(w, w.member, w.chan_a, "ask", question=UNANSWERED)  # queued, maybe unwritten
    _, resp = await invoke(w, w.member, w.chan_a, "forget-me")
    assert "deleted 1 stored row(s)" in resp["content"]
    assert await w.store.list_rows(w.guild_a.id, "all") == []
