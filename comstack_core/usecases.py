"""Who may run each use case, declared once beside the service function and enforced from there.

``@use_case(Need.editor, writes=True)`` on a service method is the single statement of what the use case
needs. The decorator checks what the credential alone decides (read-only scope, platform admin, API keys)
before the method runs, and makes the declaration current for the call so the project gate
(``services.access.project_access``) checks the caller's role on the project against it. The doors read
the same declaration (``rule_of``) to filter ``tools/list``, to document each REST route and to pick its
OAuth scope, so no door keeps a copy of a role.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Concatenate, ParamSpec, TypeVar

from .auth import Principal, Role
from .errors import Forbidden

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


class Need(StrEnum):
    """The least a caller must be. The project roles are ordered; the others stand outside projects."""

    # Anyone signed in, by user or API key (their own identity, their projects, feedback).
    caller = "caller"
    # A signed-in person: API keys belong to one project and cannot act at account level.
    person = "person"
    viewer = "viewer"
    editor = "editor"
    manager = "manager"
    # The operator of the installation: global templates, plans, users, domain verification.
    platform_admin = "platform_admin"

    @property
    def project_role(self) -> Role | None:
        """The role on the project this need asks for (platform admins pass every project check)."""
        return Role[self.value] if self.value in Role.__members__ else None


@dataclass(frozen=True)
class Rule:
    """A use case's declaration: its name (``Service.method``), what it needs, and whether it writes."""

    name: str
    need: Need
    writes: bool

    def check_credential(self, principal: Principal) -> None:
        """What the credential alone decides, before any data is read."""
        if self.need is Need.platform_admin:
            require_platform_admin(principal, self.name)
        if self.need is Need.person and principal.kind == "key":
            raise Forbidden(
                f"API keys belong to one project and cannot {_action(self.name)}; call this as a signed-in "
                "person (OAuth), not with an API key.",
                code="user_only",
            )
        if self.writes:
            require_writable(principal)


# The declared use case running in this task (asyncio copies it into tasks started from a call).
_current: ContextVar[Rule | None] = ContextVar("comstack_use_case", default=None)

_RULE_ATTRIBUTE = "__use_case__"


def use_case(
    need: Need, *, writes: bool
) -> Callable[
    [Callable[Concatenate[S, Principal, P], Awaitable[R]]],
    Callable[Concatenate[S, Principal, P], Awaitable[R]],
]:
    """Declare a service method's need; the method's first argument after ``self`` is the Principal."""

    def decorate(
        method: Callable[Concatenate[S, Principal, P], Awaitable[R]],
    ) -> Callable[Concatenate[S, Principal, P], Awaitable[R]]:
        rule = Rule(name=method.__qualname__, need=need, writes=writes)

        @functools.wraps(method)
        async def run(self: S, principal: Principal, /, *args: P.args, **kwargs: P.kwargs) -> R:
            rule.check_credential(principal)
            token = _current.set(rule)
            try:
                return await method(self, principal, *args, **kwargs)
            finally:
                _current.reset(token)

        setattr(run, _RULE_ATTRIBUTE, rule)
        return run

    return decorate


def rule_of(function: Callable[..., Any]) -> Rule:
    """The declaration of a service method (bound or not); a method without one is a programming error."""
    rule = getattr(function, _RULE_ATTRIBUTE, None)
    if not isinstance(rule, Rule):
        raise TypeError(f"{getattr(function, '__qualname__', function)!r} declares no use case (@use_case)")
    return rule


@contextmanager
def running(rule: Rule) -> Iterator[None]:
    """Run a use case's steps under ``rule`` without its service method (a script, a test of one step)."""
    token = _current.set(rule)
    try:
        yield
    finally:
        _current.reset(token)


def current_rule() -> Rule:
    """The use case being run; the project gate reads its need from here."""
    rule = _current.get()
    if rule is None:
        raise RuntimeError("project access checked outside a declared use case; decorate the service method")
    return rule


def require_writable(principal: Principal) -> None:
    """The one refusal of a read-only credential (scope comstack:read, SPEC §10)."""
    if principal.read_only:
        raise Forbidden(
            "This credential is read-only (scope comstack:read): it can read but not make changes. Reconnect "
            "granting the 'comstack' scope to make changes.",
            code="read_only_scope",
        )


def require_platform_admin(principal: Principal, name: str) -> None:
    """The one refusal of a caller who is not a platform admin."""
    if not principal.is_platform_admin:
        raise Forbidden(
            f"Only a platform admin of this installation can {_action(name)}; ask its operator.",
            code="platform_admin_only",
        )


def _action(name: str) -> str:
    """'TemplateService.create_doc_template' -> 'create doc template', for messages."""
    return name.rsplit(".", 1)[-1].replace("_", " ")
