"""What the running app holds: settings, the opened Core, and pluggable parts (token verifier)."""

from __future__ import annotations

from dataclasses import dataclass, field

from comstack_core import Core, Settings
from comstack_core.auth import TokenVerifier
from comstack_core.clock import Clock, utcnow


@dataclass
class Runtime:
    settings: Settings
    clock: Clock = utcnow
    token_verifier: TokenVerifier | None = None
    _core: Core | None = field(default=None, repr=False)

    @property
    def core(self) -> Core:
        if self._core is None:
            raise RuntimeError("The app has not started: Core opens in the lifespan.")
        return self._core

    def attach(self, core: Core) -> None:
        self._core = core
