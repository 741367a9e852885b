"""The moderator check: permissions, configured roles, DMs, and the decorator."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.utils.checks import REFUSAL, NotModerator, is_moderator, member_role_ids, moderator_only

MOD_ROLE = 555


def fake_interaction(
    *,
    guild_id: int | None = 1,
    perms: discord.Permissions | None = None,
    roles: tuple[int, ...] = (),
    cached_roles: bool = True,
    config_roles: tuple[int, ...] = (MOD_ROLE,),
) -> Any:
    """Just the attributes the check reads, as discord.py exposes them."""
    user = SimpleNamespace(
        id=7,
        roles=[SimpleNamespace(id=r) for r in roles] if cached_roles else [],
        _roles=list(roles),
    )
    config = SimpleNamespace(moderation=SimpleNamespace(role_ids=config_roles))
    return SimpleNamespace(
        guild_id=guild_id,
        permissions=perms if perms is not None else discord.Permissions.none(),
        user=user,
        client=SimpleNamespace(config=config),
    )


@pytest.mark.parametrize(
    ("perms", "expected"),
    [
        (discord.Permissions(manage_messages=True), True),
        (discord.Permissions(administrator=True), True),
        (discord.Permissions(send_messages=True, kick_members=True, manage_guild=True), False),
        (discord.Permissions.none(), False),
    ],
)
def test_permissions_decide(perms: discord.Permissions, expected: bool) -> None:
    assert is_moderator(fake_interaction(perms=perms), ()) is expected


def test_configured_role_makes_a_moderator() -> None:
    assert is_moderator(fake_interaction(roles=(MOD_ROLE,)), (MOD_ROLE,))
    assert not is_moderator(fake_interaction(roles=(MOD_ROLE + 1,)), (MOD_ROLE,))
    # no roles configured: holding some role is not enough
    assert not is_moderator(fake_interaction(roles=(MOD_ROLE,)), ())


def test_role_found_without_role_cache() -> None:
    inter = fake_interaction(roles=(MOD_ROLE,), cached_roles=False)
    assert member_role_ids(inter.user) == {MOD_ROLE}
    assert is_moderator(inter, [MOD_ROLE])


def test_nobody_is_a_moderator_in_dms() -> None:
    inter = fake_interaction(
        guild_id=None, perms=discord.Permissions(administrator=True), roles=(MOD_ROLE,)
    )
    assert not is_moderator(inter, (MOD_ROLE,))


def _predicate() -> Any:
    @moderator_only()
    async def command(interaction: discord.Interaction[Any]) -> None:  # pragma: no cover
        raise AssertionError("not called")

    checks = getattr(command, "__discord_app_commands_checks__", [])
    assert len(checks) == 1
    return checks[0]


def test_decorator_passes_moderators_and_reads_config_roles() -> None:
    predicate = _predicate()
    assert asyncio.run(predicate(fake_interaction(perms=discord.Permissions(manage_messages=True))))
    assert asyncio.run(predicate(fake_interaction(roles=(MOD_ROLE,))))


def test_decorator_refuses_with_a_message_that_reveals_nothing() -> None:
    predicate = _predicate()
    with pytest.raises(NotModerator) as info:
        asyncio.run(predicate(fake_interaction(roles=(1,))))
    assert isinstance(info.value, app_commands.CheckFailure)
    assert str(info.value) == REFUSAL
    assert not any(ch.isdigit() for ch in REFUSAL)
