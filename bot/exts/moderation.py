"""Moderator review in Discord: the ``/missed`` group and ``/faq-reload``.

Why it looks like this:

* Guild isolation is done by passing ``str(interaction.guild_id)`` to every
  store call; the store answers "not found" for another guild's ids, and this
  cog words that exactly like a non-existent id, so ids cannot be probed.
* Every command carries ``default_permissions(manage_messages)`` (hidden from
  members by default) **and** the run-time ``moderator_only`` check, because
  server admins can override default permissions. The check raises
  ``NotModerator`` (a ``CheckFailure`` whose text reveals nothing); the global
  handler in ``bot.exts.errors`` sends that text ephemerally, once. Storage
  errors likewise go to that handler (apology with an error id).
* Every reply is ephemeral: the queue holds members' questions.
* ``resolve`` teaches the live engine (``bot.learn``) right after the store
  commits, so the same question is answered at once, for this guild only, and
  other bot processes sharing the database learn it too.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.content import limits
from bot.engine import Learned
from bot.engine.text import clip
from bot.storage import MissedGroup, MissedRow, StorageError
from bot.storage.export import CSV_NAME, SNIPPET_NAME, build_export, open_groups
from bot.utils.checks import is_moderator, moderator_only

if TYPE_CHECKING:
    from bot.config import Config
    from bot.content import Entry, Knowledge
    from bot.engine import Engine
    from bot.storage import Store

__all__ = ["Moderation", "setup"]

log = logging.getLogger(__name__)

Status = Literal["open", "resolved", "dismissed", "all"]
#: "missed": the FAQ had no answer; "language": not English (the FAQ is English only).
Kind = Literal["missed", "language", "all"]
KIND_LABELS = {"language": "not English"}
PER_PAGE = 10
LIST_VIEW_TIMEOUT = 600.0
CONTENT_MAX = limits.MESSAGE_CONTENT
QUESTION_CLIP = 180
SHOW_QUESTION_CLIP = 1500
FIELD_MAX = limits.EMBED_FIELD_VALUE
UNAVAILABLE = "The question log is unavailable right now; nothing was changed. Try again shortly."
NOT_YOURS = (
    "These buttons belong to the moderator who ran the command; run `/missed list` yourself."
)


class ModerationBot(Protocol):
    """What this cog needs from ``bot.client.FAQBot`` (kept structural on purpose)."""

    @property
    def config(self) -> Config: ...
    @property
    def store(self) -> Store: ...
    @property
    def engine(self) -> Engine: ...
    @property
    def knowledge(self) -> Knowledge: ...
    async def reload_content(self) -> list[str]: ...
    async def learn(self, learned: Learned) -> bool: ...


# -- formatting (pure) ---------------------------------------------------------------------------


def quote(text: str, limit: int) -> str:
    """Member text made inert: one line, markdown and mentions escaped, clipped."""
    flat = " ".join(text.split())
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(clip(flat, limit)))
    return clip(escaped, limit + 40)


def not_found(missed_id: int) -> str:
    """Same words whether the id never existed or belongs to another server."""
    return f"No question #{missed_id} in this server's queue."


def _when(moment: Any) -> str:
    return discord.utils.format_dt(moment, "R")


def _candidate_line(knowledge: Knowledge | None, entry_id: str, score: float) -> str:
    entry = knowledge.entries.get(entry_id) if knowledge is not None else None
    title = f" — {quote(entry.title, 80)}" if entry is not None else " (no longer in the content)"
    return f"`{clip(entry_id, 60)}`{title}: {score:.3f}"


def list_embed(
    groups: Sequence[MissedGroup],
    status: str,
    page: int,
    pages: int,
    total: int,
    kind: str | None = None,
) -> discord.Embed:
    """One page of grouped questions: id, count, when, kind, question, best candidate."""
    what = f", {KIND_LABELS.get(kind, kind)}" if kind else ""
    title = f"Unanswered questions: {status}{what} (page {page}/{max(pages, 1)})"
    embed = discord.Embed(title=title, colour=discord.Colour.orange())
    if not groups:
        embed.description = f"No {'' if status == 'all' else status + ' '}questions here."
        return embed
    lines = []
    for g in groups:
        count = f" ×{g.count}" if g.count > 1 else ""
        top = f" → `{clip(g.top_candidates[0][0], 40)}`" if g.top_candidates else ""
        state = f" [{g.status}]" if status == "all" else ""
        if g.kind != "missed" and kind is None:
            state += f" [{KIND_LABELS.get(g.kind, g.kind)}]"
        lines.append(
            f"**#{g.latest_id}**{count}{state} {_when(g.last_at)}\n"
            f"> {quote(g.question, QUESTION_CLIP)}{top}"
        )
    embed.description = "\n".join(lines)
    embed.set_footer(
        text=f"{total} group(s). Identical questions are grouped; the id is the newest one. "
        "Use /missed show id: for details."
    )
    return embed


def show_embed(row: MissedRow, knowledge: Knowledge | None) -> discord.Embed:
    """One logged question with its top candidates and its review state."""
    embed = discord.Embed(
        title=f"Question #{row.id}",
        description=quote(row.question, SHOW_QUESTION_CLIP),
        colour=discord.Colour.orange() if row.status == "open" else discord.Colour.dark_grey(),
    )
    reason = "nothing matched" if row.reason == "no_answer" else "marked Not helpful"
    embed.add_field(name="Asked", value=f"{_when(row.created_at)} in <#{row.channel_id}>")
    embed.add_field(name="Why logged", value=reason)
    state = row.status
    if row.entry_id:
        state += f" → `{clip(row.entry_id, 80)}`"
    if row.changed_at is not None:
        state += f"\n{row.action or 'changed'} by a moderator {_when(row.changed_at)}"
    if row.note:
        state += f"\nNote: {quote(row.note, 300)}"
    embed.add_field(name="Status", value=clip(state, FIELD_MAX), inline=False)
    if row.shown_entry_id:
        embed.add_field(
            name="Answer shown", value=clip(f"`{row.shown_entry_id}`", FIELD_MAX), inline=False
        )
    candidates = [_candidate_line(knowledge, e, s) for e, s in row.candidates[:5]]
    embed.add_field(
        name="Top candidates",
        value=clip("\n".join(candidates) or "none scored", FIELD_MAX),
        inline=False,
    )
    embed.set_footer(
        text="/missed resolve id: entry: teaches the bot; /missed dismiss id: drops it"
    )
    return embed


def stats_embed(stats: Any) -> discord.Embed:
    """Counts by status and week, the most-asked open questions, and feedback."""
    embed = discord.Embed(title="Question log: this server", colour=discord.Colour.blurple())
    by_status = "\n".join(f"{name}: **{count}**" for name, count in stats.by_status.items())
    embed.add_field(name="By status", value=by_status or "none")
    weeks = "\n".join(f"{label}: {count}" for label, count in stats.by_week)
    embed.add_field(name="Logged per week", value=weeks or "none")
    embed.add_field(
        name="Feedback",
        value=f"Helpful: **{stats.feedback_helpful}**\n"
        f"Not helpful: **{stats.feedback_not_helpful}**",
    )
    top = [f"**#{g.latest_id}** ×{g.count} {quote(g.question, 80)}" for g in stats.top_open[:10]]
    embed.add_field(
        name="Most-asked open questions",
        value=clip("\n".join(top) or "none: the queue is empty", FIELD_MAX),
        inline=False,
    )
    return embed


def find_entry(knowledge: Knowledge, text: str) -> Entry | None:
    """The entry named by id, or by exact title (case-insensitive), else None."""
    text = text.strip()
    entry = knowledge.entries.get(text)
    if entry is not None:
        return entry
    folded = text.casefold()
    for candidate in knowledge.entries.values():
        if candidate.id.casefold() == folded or candidate.title.casefold() == folded:
            return candidate
    return None


def entry_choices(knowledge: Knowledge, current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 entries whose id or title contains ``current`` (names <= 100 chars)."""
    needle = current.strip().casefold()
    scored: list[tuple[int, str, Entry]] = []
    for entry in knowledge.entries.values():
        hay_id, hay_title = entry.id.casefold(), entry.title.casefold()
        if not needle:
            rank = 2
        elif hay_id.startswith(needle) or hay_title.startswith(needle):
            rank = 0
        elif needle in hay_id or needle in hay_title:
            rank = 1
        else:
            continue
        scored.append((rank, entry.title.casefold(), entry))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [
        app_commands.Choice(name=clip(f"{e.title} ({e.id})", 100), value=e.id[:100])
        for _, _, e in scored[:25]
    ]


def reload_message(errors: Sequence[str], summary: str) -> str:
    """The ``/faq-reload`` reply, clipped to a message's 2,000 characters."""
    if not errors:
        return clip(f"Content reloaded. {summary}", CONTENT_MAX)
    head = f"Reload failed: {len(errors)} problem(s). The previous content is still live.\n```\n"
    tail = "\n```"
    body = "\n".join(errors).replace("```", "'''")
    return head + clip(body, CONTENT_MAX - len(head) - len(tail)) + tail


# -- the paginated list --------------------------------------------------------------------------


class MissedListView(discord.ui.View):
    """Previous / Next for one moderator's ``/missed list`` (nobody else may click)."""

    def __init__(
        self,
        store: Store,
        guild_id: str,
        status: str,
        page: int,
        pages: int,
        owner_id: int,
        kind: str | None = None,
    ) -> None:
        super().__init__(timeout=LIST_VIEW_TIMEOUT)
        self.store, self.guild_id, self.status, self.kind = store, guild_id, status, kind
        self.page, self.pages, self.owner_id = page, pages, owner_id
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 1
        self.next.disabled = self.page >= self.pages

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    async def _show(self, interaction: discord.Interaction[Any], page: int) -> None:
        try:
            groups, total = await self.store.list_groups(
                self.guild_id, self.status, page=max(page, 1), per_page=PER_PAGE, kind=self.kind
            )
        except StorageError:
            await interaction.response.send_message(UNAVAILABLE, ephemeral=True)
            return
        self.pages = max(math.ceil(total / PER_PAGE), 1)
        self.page = min(max(page, 1), self.pages)
        self._sync_buttons()
        embed = list_embed(groups, self.status, self.page, self.pages, total, self.kind)
        await interaction.response.edit_message(embed=embed, view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[MissedListView]
    ) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[MissedListView]
    ) -> None:
        await self._show(interaction, self.page + 1)


# -- the cog -------------------------------------------------------------------------------------


async def _reply(interaction: discord.Interaction[Any], content: str, **kwargs: Any) -> None:
    """Ephemeral reply, as a follow-up if the interaction was already answered."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)


class Moderation(commands.Cog):
    """Review of the unanswered-question queue and content reloads."""

    missed = app_commands.Group(
        name="missed",
        description="Review questions the bot could not answer (moderators)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_messages=True),
    )

    def __init__(self, bot: ModerationBot) -> None:
        self.bot = bot

    @staticmethod
    def _guild(interaction: discord.Interaction[Any]) -> str:
        # moderator_only guarantees a guild; the assert documents it for mypy.
        assert interaction.guild_id is not None
        return str(interaction.guild_id)

    # /missed list ------------------------------------------------------------------------------
    @missed.command(name="list", description="Logged questions, newest first, grouped")
    @app_commands.describe(
        status="Which questions (default: open)",
        page="Page number",
        kind="missed (no answer), language (not English) or all (default)",
    )
    @moderator_only()
    async def missed_list(
        self,
        interaction: discord.Interaction[Any],
        status: Status = "open",
        page: app_commands.Range[int, 1, 100_000] = 1,
        kind: Kind = "all",
    ) -> None:
        guild = self._guild(interaction)
        only = None if kind == "all" else kind
        groups, total = await self.bot.store.list_groups(
            guild, status, page=page, per_page=PER_PAGE, kind=only
        )
        pages = max(math.ceil(total / PER_PAGE), 1)
        if page > pages:  # past the end: show the last page instead of an empty one
            page = pages
            groups, total = await self.bot.store.list_groups(
                guild, status, page=page, per_page=PER_PAGE, kind=only
            )
        embed = list_embed(groups, status, page, pages, total, only)
        if pages > 1:
            view = MissedListView(
                self.bot.store, guild, status, page, pages, interaction.user.id, only
            )
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)

    # /missed show --------------------------------------------------------------------------------
    @missed.command(name="show", description="One logged question with its best candidates")
    @app_commands.rename(missed_id="id")
    @app_commands.describe(missed_id="The question's id (from /missed list)")
    @moderator_only()
    async def missed_show(self, interaction: discord.Interaction[Any], missed_id: int) -> None:
        row = await self.bot.store.get_missed(self._guild(interaction), missed_id)
        if row is None:
            await _reply(interaction, not_found(missed_id))
            return
        await interaction.response.send_message(
            embed=show_embed(row, self.bot.knowledge), ephemeral=True
        )

    # /missed resolve -----------------------------------------------------------------------------
    @missed.command(name="resolve", description="Teach the bot: this question means that entry")
    @app_commands.rename(missed_id="id")
    @app_commands.describe(missed_id="The question's id", entry="The FAQ entry that answers it")
    @moderator_only()
    async def missed_resolve(
        self, interaction: discord.Interaction[Any], missed_id: int, entry: str
    ) -> None:
        guild = self._guild(interaction)
        engine = self.bot.engine
        target = find_entry(engine.knowledge, entry)
        if target is None:
            await _reply(
                interaction,
                f"Unknown entry `{clip(discord.utils.escape_markdown(entry), 100)}`. "
                "Pick one from the suggestions (entry id or title). Nothing was changed.",
            )
            return
        learned = await self.bot.store.resolve(
            guild, missed_id, target.id, moderator_id=interaction.user.id
        )
        if learned is None:
            await _reply(interaction, not_found(missed_id))
            return
        live = await self.bot.learn(Learned(learned.phrasing, target.id, guild))
        note = (
            "The bot now answers this question with that entry in this server."
            if live
            else "Saved, but the entry vanished from the live content (a reload in between?)."
        )
        await _reply(
            interaction,
            f"Resolved #{missed_id} (and its identical open questions) → "
            f"**{quote(target.title, 150)}** (`{target.id}`). {note}",
        )

    @missed_resolve.autocomplete("entry")
    async def _entry_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        if not is_moderator(interaction, self.bot.config.moderation.role_ids):
            return []
        return entry_choices(self.bot.engine.knowledge, current)

    # /missed dismiss -----------------------------------------------------------------------------
    @missed.command(name="dismiss", description="Drop a logged question (and identical open ones)")
    @app_commands.rename(missed_id="id")
    @app_commands.describe(missed_id="The question's id", reason="Optional note for other mods")
    @moderator_only()
    async def missed_dismiss(
        self,
        interaction: discord.Interaction[Any],
        missed_id: int,
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        changed = await self.bot.store.dismiss(
            self._guild(interaction), missed_id, moderator_id=interaction.user.id, reason=reason
        )
        if not changed:
            await _reply(interaction, not_found(missed_id))
            return
        twins = f" and {changed - 1} identical open question(s)" if changed > 1 else ""
        await _reply(interaction, f"Dismissed #{missed_id}{twins}.")

    # /missed export ------------------------------------------------------------------------------
    @missed.command(name="export", description="CSV of open questions plus a content snippet")
    @app_commands.describe(kind="missed (no answer), language (not English) or all (default)")
    @moderator_only()
    async def missed_export(
        self, interaction: discord.Interaction[Any], kind: Kind = "all"
    ) -> None:
        only = None if kind == "all" else kind
        groups = await open_groups(self.bot.store, self._guild(interaction), kind=only)
        if not groups:
            await _reply(interaction, "No open questions to export in this server.")
            return
        titles = {e.id: e.title for e in self.bot.engine.knowledge.entries.values()}
        csv_text, snippet = build_export(groups, titles)
        files = [
            discord.File(io.BytesIO(csv_text.encode("utf-8")), filename=CSV_NAME),
            discord.File(io.BytesIO(snippet.encode("utf-8")), filename=SNIPPET_NAME),
        ]
        await interaction.response.send_message(
            f"{len(groups)} open question group(s). `{SNIPPET_NAME}` is ready to edit into a "
            "content pull request (see the moderator guide).",
            files=files,
            ephemeral=True,
        )

    # /missed stats -------------------------------------------------------------------------------
    @missed.command(name="stats", description="Counts by status and week, most-asked questions")
    @moderator_only()
    async def missed_stats(self, interaction: discord.Interaction[Any]) -> None:
        stats = await self.bot.store.stats(self._guild(interaction))
        await interaction.response.send_message(embed=stats_embed(stats), ephemeral=True)

    # /faq-reload ---------------------------------------------------------------------------------
    @app_commands.command(name="faq-reload", description="Reload the FAQ content from disk")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_messages=True)
    @moderator_only()
    async def faq_reload(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        errors = await self.bot.reload_content()
        summary = self.bot.knowledge.summary_line()
        log.info("content reload by a moderator: %s", "ok" if not errors else "failed")
        await interaction.followup.send(reload_message(errors, summary), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point (loaded by the bot's ``setup_hook``)."""
    await bot.add_cog(Moderation(cast(ModerationBot, bot)))
