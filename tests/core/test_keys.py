"""Service API keys (SPEC §2): format, hashing, listing by prefix, revocation, expiry, last use, module and
project checks."""

from __future__ import annotations

import hashlib
import re
import string
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from comstack_core.auth import Role, looks_like_api_key
from comstack_core.errors import (
    Forbidden,
    InvalidInput,
    ModuleDisabled,
    NotFound,
    ProjectMismatch,
    QuotaExceeded,
    Unauthenticated,
)
from comstack_core.models import ApiKey
from comstack_core.schemas import KeyCreate, ModuleUpdate, PageCreate, PageRef, PlanUpdate

from ..conftest import FakeClock, World
from .test_support import audit_rows, expect

KEY_FORMAT = re.compile(r"cs_[A-Za-z0-9]{40}")


async def _row(world: World, key_id: str) -> ApiKey:
    async with world.core.db.read() as session:
        return (await session.exec(select(ApiKey).where(ApiKey.id == key_id))).one()


async def test_key_format_and_storage(world: World, clock: FakeClock) -> None:
    created = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate(name="CI"))
    assert KEY_FORMAT.fullmatch(created.key)
    assert (created.name, created.role, created.project_id) == ("CI", "editor", world.project_id)
    assert created.created_at == clock.now and created.expires_at is None and created.last_used_at is None
    row = await _row(world, created.id)
    # Only the SHA-256 of the key is stored; no column holds the raw key.
    assert row.key_hash == hashlib.sha256(created.key.encode()).hexdigest()
    assert created.key not in [str(v) for v in row.model_dump().values()]
    assert row.prefix == created.key[:11] == created.prefix
    # Two keys never share a body.
    other = await world.core.keys.create_key(
        world.manager, world.project_id, KeyCreate(name="Other", role="viewer")
    )
    assert other.key != created.key and KEY_FORMAT.fullmatch(other.key)


async def test_keys_are_listed_by_prefix_without_the_secret(world: World, clock: FakeClock) -> None:
    a = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate(name="A"))
    clock.advance(seconds=1)
    b = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate(name="B", role="manager"))
    listed = await world.core.keys.list_keys(world.manager, world.project_id)
    assert [(k.id, k.name, k.prefix, k.role) for k in listed] == [
        (a.id, "A", a.key[:11], "editor"),
        (b.id, "B", b.key[:11], "manager"),
    ]
    for view in listed:
        assert "key" not in view.model_dump()
        assert all(a.key not in str(v) and b.key not in str(v) for v in view.model_dump().values())


async def test_authenticate_resolves_the_key_to_a_principal(world: World) -> None:
    created = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate(name="Bot"))
    principal = await world.core.keys.authenticate(created.key, world.project_id, door="mcp")
    assert (
        principal.kind,
        principal.key_id,
        principal.key_project_id,
        principal.key_role,
        principal.door,
    ) == ("key", created.id, world.project_id, Role.editor, "mcp")
    assert principal.actor_id == created.id and not principal.read_only
    # The key acts with its role: editors create pages, but cannot delete them.
    saved = await world.core.editing.create_page(
        principal, world.project_id, PageCreate(slug="by-key", title="Key")
    )
    assert saved.page.created_by == created.id
    await expect(
        Forbidden,
        "role_too_low",
        world.core.pages.delete_page(principal, world.project_id, PageRef(slug="by-key"), world.project_name),
    )


async def test_a_keys_principal_is_built_once_per_door(world: World) -> None:
    """The verified key keeps one frozen Principal per door; a door asks for its own, never another's."""
    created = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate(name="Bot", role="viewer"))
    mcp = await world.core.keys.authenticate(created.key, world.project_id, door="mcp")
    rest = await world.core.keys.authenticate(created.key, world.project_id, door="rest")
    assert (mcp.door, rest.door) == ("mcp", "rest") and mcp.key_role == rest.key_role == Role.viewer
    assert await world.core.keys.authenticate(created.key, world.project_id, door="mcp") is mcp
    assert mcp.via("mcp") is mcp and mcp.via("rest") == rest


@given(st.text(alphabet=string.ascii_letters + string.digits + "_!é٣ \n", max_size=45))
def test_the_key_format_check_is_the_spelled_out_rule(raw: str) -> None:
    body = raw[len("cs_"):]
    spelled_out = raw.startswith("cs_") and len(body) == 40 and all(
        c in string.ascii_letters + string.digits for c in body
    )
    assert looks_like_api_key(raw) == spelled_out
    assert looks_like_api_key("cs_" + raw.ljust(40, "a")[:40]) == all(
        c in string.ascii_letters + string.digits for c in raw[:40]
    )


async def test_revoked_key_no_longer_authenticates(world: World, clock: FakeClock) -> None:
    created = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate())
    await world.core.keys.authenticate(created.key, world.project_id, door="rest")
    clock.advance(minutes=5)
    revoked = await world.core.keys.revoke_key(world.manager, world.project_id, created.id)
    assert revoked.revoked_at == clock.now
    await expect(
        Unauthenticated,
        "revoked_api_key",
        world.core.keys.authenticate(created.key, world.project_id, door="rest"),
    )
    # Revoking twice is harmless and keeps the first time.
    clock.advance(minutes=5)
    again = await world.core.keys.revoke_key(world.manager, world.project_id, created.id)
    assert again.revoked_at == revoked.revoked_at
    assert len(await audit_rows(world.core, world.project_id, action="key.revoke")) == 1
    await expect(
        NotFound, "key_not_found", world.core.keys.revoke_key(world.manager, world.project_id, "key_nope")
    )
    # A key of another project is not found here, and stays active.
    theirs = await world.core.keys.create_key(world.outsider, world.other_project_id, KeyCreate())
    await expect(
        NotFound, "key_not_found", world.core.keys.revoke_key(world.manager, world.project_id, theirs.id)
    )
    assert (await _row(world, theirs.id)).revoked_at is None


async def test_key_expiry(world: World, clock: FakeClock) -> None:
    created = await world.core.keys.create_key(
        world.manager, world.project_id, KeyCreate(expires_at=clock.now + timedelta(hours=1))
    )
    assert created.expires_at == clock.now + timedelta(hours=1)
    await world.core.keys.authenticate(created.key, world.project_id, door="rest")
    clock.advance(minutes=59, seconds=59)
    await world.core.keys.authenticate(created.key, world.project_id, door="rest")
    clock.advance(seconds=1)
    await expect(
        Unauthenticated,
        "expired_api_key",
        world.core.keys.authenticate(created.key, world.project_id, door="rest"),
    )
    await expect(
        InvalidInput,
        "invalid_expiry",
        world.core.keys.create_key(
            world.manager, world.project_id, KeyCreate(expires_at=clock.now - timedelta(seconds=1))
        ),
    )


async def test_expired_keys_do_not_count_toward_max_keys(world: World, clock: FakeClock) -> None:
    core, pid = world.core, world.project_id
    await core.plans.update_plan(world.admin, pid, PlanUpdate(quotas={"max_keys": 2}))
    await core.keys.create_key(world.manager, pid, KeyCreate(name="short", expires_at=clock.now + timedelta(hours=1)))
    await core.keys.create_key(world.manager, pid, KeyCreate(name="lasting"))
    await expect(QuotaExceeded, "quota_exceeded", core.keys.create_key(world.manager, pid, KeyCreate(name="third")))
    clock.advance(hours=1)  # the first key can no longer authenticate: its place is free
    third = await core.keys.create_key(world.manager, pid, KeyCreate(name="third"))
    await core.keys.authenticate(third.key, pid, door="rest")
    await expect(QuotaExceeded, "quota_exceeded", core.keys.create_key(world.manager, pid, KeyCreate(name="fourth")))


async def test_last_used_at_is_recorded(world: World, clock: FakeClock) -> None:
    created = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate())
    clock.advance(minutes=3)
    first_use = clock.now
    await world.core.keys.authenticate(created.key, world.project_id, door="rest")
    assert (await _row(world, created.id)).last_used_at == first_use
    # Within a minute the stamp is not rewritten (reads stay reads) ...
    clock.advance(seconds=30)
    await world.core.keys.authenticate(created.key, world.project_id, door="rest")
    assert (await _row(world, created.id)).last_used_at == first_use
    # ... after it, it is.
    clock.advance(seconds=30)
    await world.core.keys.authenticate(created.key, world.project_id, door="rest")
    assert (await _row(world, created.id)).last_used_at == clock.now
    listed = {k.id: k for k in await world.core.keys.list_keys(world.manager, world.project_id)}
    assert listed[created.id].last_used_at == clock.now


async def test_api_keys_module_off(world: World) -> None:
    await world.core.modules.configure_module(
        world.manager, world.project_id, "api_keys", ModuleUpdate(enabled=False)
    )
    error = await expect(
        ModuleDisabled,
        "module_disabled",
        world.core.keys.create_key(world.manager, world.project_id, KeyCreate()),
    )
    assert error.details == {"module": "api_keys"}
    assert await world.core.keys.list_keys(world.manager, world.project_id) == []


async def test_header_project_must_match_and_bad_keys_fail(world: World) -> None:
    created = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate())
    error = await expect(
        ProjectMismatch,
        "project_mismatch",
        world.core.keys.authenticate(created.key, world.other_project_id, door="rest"),
    )
    assert world.project_id in error.message and world.other_project_id in error.message
    await expect(
        Unauthenticated, "missing_project_id", world.core.keys.authenticate(created.key, None, door="rest")
    )
    # A mismatched header never counts as a use.
    assert (await _row(world, created.id)).last_used_at is None
    # Malformed and unknown keys.
    for raw in [
        "",
        "cs_short",
        created.key[3:],
        "xx_" + created.key[3:],
        created.key + "A",
        created.key[:-1] + "!",
    ]:
        await expect(
            Unauthenticated,
            "invalid_api_key",
            world.core.keys.authenticate(raw, world.project_id, door="rest"),
        )
    flipped = created.key[:-1] + ("A" if created.key[-1] != "A" else "B")
    await expect(
        Unauthenticated,
        "invalid_api_key",
        world.core.keys.authenticate(flipped, world.project_id, door="rest"),
    )


async def test_a_key_principal_is_refused_on_another_project(world: World) -> None:
    created = await world.core.keys.create_key(world.manager, world.project_id, KeyCreate(role="manager"))
    principal = await world.core.keys.authenticate(created.key, world.project_id, door="rest")
    error = await expect(
        ProjectMismatch,
        "project_mismatch",
        world.core.projects.get_project(principal, world.other_project_id),
    )
    assert world.other_project_id in error.message
    projects = await world.core.projects.list_my_projects(principal)
    assert [(p.id, p.role) for p in projects] == [(world.project_id, "manager")]


async def test_key_audit_records_prefix_not_secret(world: World) -> None:
    created = await world.core.keys.create_key(
        world.manager.via("rest"), world.project_id, KeyCreate(role="viewer")
    )
    [row] = await audit_rows(world.core, world.project_id, action="key.create")
    assert (row.actor_kind, row.actor_id, row.door, row.target_ids) == (
        "user",
        world.manager.user_id,
        "rest",
        [created.id],
    )
    assert row.detail == {"role": "viewer", "prefix": created.prefix}
    assert created.key not in str(row.detail)
