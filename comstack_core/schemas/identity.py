from __future__ import annotations

from datetime import datetime

from pydantic import Field

from .base import Input, View


class UserCreate(Input):
    email: str = Field(min_length=3, max_length=320)
    display_name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, min_length=8, max_length=1000)
    is_platform_admin: bool = False


class UserView(View):
    id: str
    email: str
    display_name: str
    is_platform_admin: bool
    created_at: datetime


class AccountView(View):
    id: str
    name: str
    owner_user_id: str


class MeView(View):
    principal_kind: str
    user: UserView | None = None
    key_id: str | None = None
    key_project_id: str | None = None
    key_role: str | None = None
    scopes: list[str]
    accounts: list[AccountView] = []
    projects: list[dict[str, str]] = []
