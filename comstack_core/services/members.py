"""Project members and domains."""

from __future__ import annotations

import secrets

from sqlalchemy import func
from sqlmodel import or_, select

from ..auth import Principal, Role
from ..clock import new_id
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Domain, Member, User
from ..rules.urls import public_hostname_problem
from ..schemas import DomainCreate, DomainView, MemberAdd, MemberUpdate, MemberView
from ..usecases import Need, use_case
from .access import check_quota, project_access
from .base import Service, audit
from .users import normalize_email


class MemberService(Service):
    @use_case(Need.viewer, writes=False)
    async def list_members(self, principal: Principal, project_id: str) -> list[MemberView]:
        async with self.db.read() as session:
            await project_access(session, principal, project_id, now=self.now())
            rows = await session.exec(
                select(Member, User).join(User).where(Member.project_id == project_id).order_by(User.email)
            )
            return [_member_view(m, u) for m, u in rows]

    @use_case(Need.manager, writes=True)
    async def add_member(self, principal: Principal, project_id: str, data: MemberAdd) -> MemberView:
        email = normalize_email(data.email)
        now = self.now()
        async with self.db.write() as session:
            access = await project_access(session, principal, project_id, now=now, lock=True)
            user = (await session.exec(select(User).where(User.email == email))).first()
            if user is None:
                raise NotFound(
                    f"No user with email {email!r}. The person must have an account on this server first.",
                    code="user_not_found",
                )
            if await session.get(Member, (project_id, user.id)):
                raise Conflict(
                    f"{email} is already a member; change their role instead.", code="already_member"
                )
            used = (
                await session.exec(
                    select(func.count()).select_from(Member).where(Member.project_id == project_id)
                )
            ).one()
            check_quota(access.project, "max_members", used)
            member = Member(project_id=project_id, user_id=user.id, role=data.role, created_at=now)
            session.add(member)
            audit(
                session,
                principal,
                "member.add",
                project_id=project_id,
                targets=[user.id],
                detail={"role": data.role},
                at=now,
            )
            return _member_view(member, user)

    @use_case(Need.manager, writes=True)
    async def update_member(
        self, principal: Principal, project_id: str, user_id: str, data: MemberUpdate
    ) -> MemberView:
        now = self.now()
        async with self.db.write() as session:
            await project_access(session, principal, project_id, now=now, lock=True)
            member, user = await self._get(session, project_id, user_id)
            if member.role == Role.manager.name and data.role != Role.manager.name:
                await self._keep_a_manager(session, project_id)
            member.role = data.role
            session.add(member)
            audit(
                session,
                principal,
                "member.update",
                project_id=project_id,
                targets=[user_id],
                detail={"role": data.role},
                at=now,
            )
            return _member_view(member, user)

    @use_case(Need.manager, writes=True)
    async def remove_member(self, principal: Principal, project_id: str, user_id: str) -> None:
        now = self.now()
        async with self.db.write() as session:
            await project_access(session, principal, project_id, now=now, lock=True)
            member, _user = await self._get(session, project_id, user_id)
            if member.role == Role.manager.name:
                await self._keep_a_manager(session, project_id)
            await session.delete(member)
            audit(session, principal, "member.remove", project_id=project_id, targets=[user_id], at=now)

    @staticmethod
    async def _get(session, project_id: str, user_id: str) -> tuple[Member, User]:
        row = (
            await session.exec(
                select(Member, User)
                .join(User)
                .where(Member.project_id == project_id, Member.user_id == user_id)
            )
        ).first()
        if row is None:
            raise NotFound(f"User {user_id!r} is not a member of this project.", code="member_not_found")
        return row[0], row[1]

    @staticmethod
    async def _keep_a_manager(session, project_id: str) -> None:
        managers = (
            await session.exec(
                select(func.count())
                .select_from(Member)
                .where(Member.project_id == project_id, Member.role == Role.manager.name)
            )
        ).one()
        if managers <= 1:
            raise Conflict(
                "A project needs at least one manager; promote someone else first.", code="last_manager"
            )

    # -- domains -------------------------------------------------------------------------------------------

    @use_case(Need.viewer, writes=False)
    async def list_domains(self, principal: Principal, project_id: str) -> list[DomainView]:
        async with self.db.read() as session:
            await project_access(session, principal, project_id, now=self.now())
            rows = await session.exec(
                select(Domain).where(Domain.project_id == project_id).order_by(Domain.hostname)
            )
            return [DomainView.model_validate(d) for d in rows]

    @use_case(Need.manager, writes=True)
    async def add_domain(self, principal: Principal, project_id: str, data: DomainCreate) -> DomainView:
        hostname = data.hostname.strip().lower().rstrip(".")
        problem = public_hostname_problem(hostname)
        if problem:
            raise InvalidInput(
                f"{data.hostname!r} {problem}: give the public domain readers will use, e.g. 'docs.example.com'.",
                code="invalid_hostname",
            )
        now = self.now()
        async with self.db.write() as session:
            await project_access(session, principal, project_id, now=now)
            if (await session.exec(select(Domain).where(Domain.hostname == hostname))).first():
                raise Conflict(f"The domain {hostname} is already used by a project.", code="domain_taken")
            domain = Domain(
                id=new_id("dom"),
                project_id=project_id,
                hostname=hostname,
                verification_token="comstack-verify-" + secrets.token_hex(16),
                created_at=now,
            )
            session.add(domain)
            audit(
                session,
                principal,
                "domain.add",
                project_id=project_id,
                targets=[domain.id],
                detail={"hostname": hostname},
                at=now,
            )
            return DomainView.model_validate(domain)

    @use_case(Need.platform_admin, writes=True)
    async def verify_domain(self, principal: Principal, project_id: str, domain: str) -> DomainView:
        """Mark a domain verified (platform admin: the operator checks DNS before pointing it here).

        ``domain`` is the domain's id or its hostname, written as it was added or in any case.
        """
        now = self.now()
        hostname = domain.strip().lower().rstrip(".")
        async with self.db.write() as session:
            row = (
                await session.exec(
                    select(Domain).where(
                        Domain.project_id == project_id, or_(Domain.id == domain, Domain.hostname == hostname)
                    )
                )
            ).first()
            if row is None:
                raise NotFound(
                    f"No domain {domain!r} in project {project_id!r}; add it first (POST .../domains).",
                    code="domain_not_found",
                )
            row.verified = True
            session.add(row)
            audit(session, principal, "domain.verify", project_id=project_id, targets=[row.id], at=now)
            return DomainView.model_validate(row)

    @use_case(Need.manager, writes=True)
    async def remove_domain(self, principal: Principal, project_id: str, domain_id: str) -> None:
        now = self.now()
        async with self.db.write() as session:
            await project_access(session, principal, project_id, now=now)
            domain = await session.get(Domain, domain_id)
            if domain is None or domain.project_id != project_id:
                raise NotFound(f"No domain {domain_id!r} in this project.", code="domain_not_found")
            await session.delete(domain)
            audit(
                session,
                principal,
                "domain.remove",
                project_id=project_id,
                targets=[domain_id],
                detail={"hostname": domain.hostname},
                at=now,
            )


def _member_view(member: Member, user: User) -> MemberView:
    return MemberView(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=member.role,
        created_at=member.created_at,
    )
