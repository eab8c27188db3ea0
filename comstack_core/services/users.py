"""Users, their accounts, and turning a signed-in user into a Principal."""

from __future__ import annotations

import re

from sqlmodel import select

from ..auth import SCOPE_FULL, Door, Principal
from ..clock import new_id
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from ..models import Account, Member, Project, User
from ..passwords import hash_password, verify_password
from ..schemas import AccountView, MeView, UserCreate, UserView
from .base import Service, audit

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    if not _EMAIL.fullmatch(value):
        raise InvalidInput(f"{email!r} is not a valid email address.", code="invalid_email")
    return value


class UserService(Service):
    async def create_user(self, principal: Principal, data: UserCreate) -> UserView:
        """Platform admins (and the operator's CLI) create users."""
        if not principal.is_platform_admin:
            raise Forbidden("Only a platform admin can create users.", code="platform_admin_only")
        if principal.read_only:
            raise Forbidden("This credential is read-only (scope comstack:read).", code="read_only_scope")
        email = normalize_email(data.email)
        now = self.now()
        async with self.db.write() as session:
            if (await session.exec(select(User).where(User.email == email))).first():
                raise Conflict(f"A user with email {email!r} already exists.", code="user_exists")
            user = User(
                id=new_id("usr"),
                email=email,
                display_name=data.display_name or email.split("@")[0],
                password_hash=hash_password(data.password) if data.password else None,
                is_platform_admin=data.is_platform_admin,
                created_at=now,
            )
            session.add(user)
            await session.flush()
            session.add(
                Account(id=new_id("acc"), name=user.display_name, owner_user_id=user.id, created_at=now)
            )
            audit(session, principal, "user.create", project_id=None, targets=[user.id], at=now)
            return UserView.model_validate(user)

    async def set_password(self, principal: Principal, email: str, password: str) -> UserView:
        """Platform admins (and the operator's CLI) set a user's sign-in password."""
        if not principal.is_platform_admin:
            raise Forbidden("Only a platform admin can set a user's password.", code="platform_admin_only")
        if principal.read_only:
            raise Forbidden("This credential is read-only (scope comstack:read).", code="read_only_scope")
        if not 8 <= len(password) <= 1000:
            raise InvalidInput("A password has 8 to 1,000 characters.", code="invalid_password")
        now = self.now()
        async with self.db.write() as session:
            user = (await session.exec(select(User).where(User.email == normalize_email(email)))).first()
            if user is None:
                raise NotFound(f"No user with email {email!r}.", code="user_not_found")
            user.password_hash = hash_password(password)
            session.add(user)
            audit(session, principal, "user.set_password", project_id=None, targets=[user.id], at=now)
            return UserView.model_validate(user)

    async def get_by_email(self, principal: Principal, email: str) -> UserView:
        if not principal.is_platform_admin:
            raise Forbidden("Only a platform admin can look users up by email.", code="platform_admin_only")
        async with self.db.read() as session:
            user = (await session.exec(select(User).where(User.email == normalize_email(email)))).first()
            if user is None:
                raise NotFound(f"No user with email {email!r}.", code="user_not_found")
            return UserView.model_validate(user)

    async def principal_for_user(
        self, user_id: str, *, door: Door, scopes: frozenset[str] = frozenset({SCOPE_FULL})
    ) -> Principal:
        async with self.db.read() as session:
            user = await session.get(User, user_id)
            if user is None:
                raise Unauthenticated("This user no longer exists; sign in again.")
            return Principal(
                kind="user",
                user_id=user.id,
                is_platform_admin=user.is_platform_admin,
                scopes=scopes,
                door=door,
            )

    async def check_password(self, email: str, password: str) -> UserView:
        """Sign-in: the same answer for an unknown email and a wrong password."""
        async with self.db.read() as session:
            user = (await session.exec(select(User).where(User.email == email.strip().lower()))).first()
        if not verify_password(user.password_hash if user else None, password) or user is None:
            raise Unauthenticated("Wrong email or password.", code="invalid_credentials")
        return UserView.model_validate(user)

    async def whoami(self, principal: Principal) -> MeView:
        me = MeView(
            principal_kind=principal.kind,
            scopes=sorted(principal.scopes),
            key_id=principal.key_id,
            key_project_id=principal.key_project_id,
            key_role=principal.key_role.name if principal.key_role else None,
        )
        async with self.db.read() as session:
            if principal.kind == "user" and principal.user_id:
                user = await session.get(User, principal.user_id)
                if user is None:
                    raise Unauthenticated("This user no longer exists; sign in again.")
                me.user = UserView.model_validate(user)
                accounts = await session.exec(select(Account).where(Account.owner_user_id == user.id))
                me.accounts = [AccountView.model_validate(a) for a in accounts]
                rows = await session.exec(
                    select(Project, Member.role)
                    .join(Member)
                    .where(Member.user_id == user.id)
                    .order_by(Project.name)
                )
                me.projects = [{"id": p.id, "name": p.name, "role": role} for p, role in rows]
            elif principal.kind == "key" and principal.key_project_id:
                project = await session.get(Project, principal.key_project_id)
                if project and principal.key_role:
                    me.projects = [{"id": project.id, "name": project.name, "role": principal.key_role.name}]
        return me
