"""``Core``: the one entry point to ComStack's domain, for the front doors and for scripts.

async with Core.open(Settings()) as core:
    me = Principal.system()
    user = await core.users.create_user(me, UserCreate(email="ada@example.com"))
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from .backup.export import ExportService
from .backup.schedule import BackupScheduler
from .clock import Clock, utcnow
from .config import Settings
from .db import Database
from .live.history import TranscriptService
from .live.phone_calls import PhoneService
from .live.providers import ProviderRegistry
from .live.sessions import LiveService
from .oauth.service import OAuthService
from .publishing.hosting import HostingService
from .publishing.plan import PlanCheck
from .publishing.runner import PublishRunner
from .publishing.service import PublishService
from .reader import ReaderService
from .services.base import Context
from .services.custom_pages import CustomPageService
from .services.editing import EditService
from .services.feedback import FeedbackService
from .services.git_sync import GitSyncService
from .services.image_uploads import ImageUploadService
from .services.images import ImageService
from .services.imports import ImportService
from .services.ingest import IngestService
from .services.installation import InstallationService
from .services.keys import KeyService
from .services.members import MemberService
from .services.modules import ModuleService
from .services.navigation import NavigationService
from .services.page_resources import PageResourceService
from .services.pages import PageService
from .services.plans import PlanService
from .services.project_settings import ProjectSettingsService
from .services.projects import ProjectService
from .services.search import SearchService
from .services.state import StateService
from .services.templates import TemplateService
from .services.translations import TranslationService
from .services.users import UserService


class Core:
    def __init__(self, settings: Settings, db: Database, clock: Clock = utcnow) -> None:
        self.settings = settings
        self.db = db
        self.ctx = Context(db=db, settings=settings, clock=clock)
        self.users = UserService(self.ctx)
        self.projects = ProjectService(self.ctx)
        self.modules = ModuleService(self.ctx)
        self.project_settings = ProjectSettingsService(self.ctx)
        self.plans = PlanService(self.ctx)
        self.members = MemberService(self.ctx)
        self.keys = KeyService(self.ctx)
        self.templates = TemplateService(self.ctx)
        self.pages = PageService(self.ctx)
        self.editing = EditService(self.ctx)
        self.custom_pages = CustomPageService(self.ctx)
        self.navigation = NavigationService(self.ctx)
        self.search = SearchService(self.ctx)
        self.state = StateService(self.ctx)
        self.oauth = OAuthService(self.ctx)
        self.runner = PublishRunner(self.ctx)
        self.publishing = PublishService(
            self.ctx, wake_runner=self.runner.wake, check_plan=PlanCheck(self.ctx, self.runner.states, self.runner.inputs)
        )
        self.translations = TranslationService(self.ctx)
        self.hosting = HostingService(self.ctx)
        self.reader = ReaderService(self.ctx)
        self.feedback = FeedbackService(self.ctx)
        self.page_resources = PageResourceService(self.ctx)
        self.installation = InstallationService(self.ctx)
        self.images = ImageService(self.ctx)
        self.exports = ExportService(self.ctx)
        self.backups = BackupScheduler(self.ctx)
        self.image_uploads = ImageUploadService(self.ctx, self.images)
        self.imports = ImportService(self.ctx, self.images)
        self.ingest = IngestService(self.ctx, self.images)
        self.git_sync = GitSyncService(self.ctx, self.imports, self.publishing)
        # Live voice. Register realtime providers on ``voice_providers`` before serving (docs/voice.md).
        self.voice_providers = ProviderRegistry()
        self.live = LiveService(self.ctx, self.voice_providers)
        self.phone = PhoneService(self.ctx, self.voice_providers)
        self.transcripts = TranscriptService(self.ctx)

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings | None = None, *, clock: Clock = utcnow) -> AsyncIterator[Core]:
        """Connect, migrate (unless ``auto_migrate`` is off), make sure built-ins exist; close on exit."""
        settings = settings or Settings()
        db = Database(settings.resolved_database_url(), busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        try:
            if settings.auto_migrate:
                await db.migrate()
            core = cls(settings, db, clock)
            await core.templates.ensure_builtins()
            yield core
        finally:
            await db.dispose()
