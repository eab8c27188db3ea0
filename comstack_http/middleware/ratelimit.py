"""Sliding-window rate limits of SPEC §15: POST /mcp, /oauth/*, and repeated authentication failures.

The failure limit is about guessing, so it touches only attempts: requests that carry a credential
(``x-api-key`` or ``Authorization``) and password sign-ins (``POST /oauth/sign-in``). A 401 to an attempt
is counted on its way out with one atomic check-and-record, so a burst of concurrent bad attempts gets
429s past the threshold. Past it, a bad key or token is answered 429; a valid one still works (keys and
tokens are long random secrets, so letting them through gives a guesser nothing), and so does every
request without credentials: the sites, ``/healthz``, ``/oauth/authorize``. Password sign-ins, whose
secrets are guessable, are refused outright while the IP is over the threshold.

Two backends behind one ``Limiter`` interface: ``MemoryLimiter`` (embedded mode, one process) and
``RedisLimiter`` (server mode, shared by every worker and host). Both keep a log of request times per
key and count the entries younger than the window, so a burst at the end of one minute cannot be
followed by a full allowance at the start of the next (the fixed-window flaw).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import client_ip, is_foreign, request_host, route_path

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "comstack:rl:"


class RateLimitSettings(Protocol):
    """What is read of ``comstack_core.Settings``; structural, so the middleware needs no core import."""

    redis_url: str | None
    public_url: str
    rate_limit_window_seconds: int
    rate_limit_mcp: int
    rate_limit_reader_mcp: int
    rate_limit_oauth: int
    rate_limit_auth_failures: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # whole seconds until a slot frees up; 0 when allowed


class Limiter(Protocol):
    async def hit(self, key: str, limit: int, window: float) -> Decision:
        """Admit and record one request if fewer than ``limit`` were recorded in the window."""
        ...

    async def peek(self, key: str, limit: int, window: float) -> Decision:
        """Whether the window holds fewer than ``limit`` entries, without recording one."""
        ...

    async def aclose(self) -> None: ...


ALLOWED = Decision(True)  # frozen: one object serves every admitted request


def _retry_after(oldest: float, window: float, now: float) -> int:
    # Rounded up and at least 1: a client that waits exactly this long finds a free slot.
    return max(1, math.ceil(oldest + window - now))


class MemoryLimiter:
    """Per-process sliding-window log.

    Every method runs without an ``await`` between reading and writing a key, so it is atomic on the
    event loop; the thread lock only matters if one instance is shared by apps on several loops.
    Memory stays bounded: entries older than the window are pruned on each touch and by a periodic
    sweep, and at most ``max_keys`` keys are kept (least recently used go first); a key never holds
    more entries than its limit.
    """

    def __init__(
        self,
        *,
        prefix: str = DEFAULT_PREFIX,
        time_fn: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.prefix = prefix
        self.time_fn = time_fn
        self.max_keys = max_keys
        self._logs: OrderedDict[str, tuple[float, deque[float]]] = OrderedDict()
        self._lock = threading.Lock()
        self._last_sweep = time_fn()

    def __len__(self) -> int:
        return len(self._logs)

    def _entries(self, key: str, window: float, now: float, *, create: bool = True) -> deque[float]:
        full = self.prefix + key
        if now - self._last_sweep >= window:
            self._sweep(now)
        found = self._logs.get(full)
        if found is None:
            if not create:
                # peek runs on every request; keys for clients with no record would crowd out real ones.
                return deque()
            while len(self._logs) >= self.max_keys:
                self._logs.popitem(last=False)
            entries: deque[float] = deque()
        else:
            entries = found[1]
            self._logs.move_to_end(full)
        self._logs[full] = (window, entries)
        while entries and entries[0] <= now - window:
            entries.popleft()
        return entries

    def _sweep(self, now: float) -> None:
        self._last_sweep = now
        for full, (window, entries) in list(self._logs.items()):
            if not entries or entries[-1] <= now - window:
                del self._logs[full]

    def _decide(self, entries: deque[float], limit: int, window: float, now: float) -> Decision:
        if len(entries) < limit:
            return ALLOWED
        if limit <= 0:
            return Decision(False, _retry_after(now, window, now))
        # The entry whose expiry brings the count below the limit.
        return Decision(False, _retry_after(entries[len(entries) - limit], window, now))

    async def hit(self, key: str, limit: int, window: float) -> Decision:
        with self._lock:
            now = self.time_fn()
            entries = self._entries(key, window, now)
            decision = self._decide(entries, limit, window, now)
            if decision.allowed:
                entries.append(now)
            return decision

    async def peek(self, key: str, limit: int, window: float) -> Decision:
        with self._lock:
            now = self.time_fn()
            return self._decide(self._entries(key, window, now, create=False), limit, window, now)

    async def aclose(self) -> None:
        with self._lock:
            self._logs.clear()


# One script, two modes, so check and record are a single atomic step on the Redis server: with
# separate commands, concurrent workers would all read "19" and all admit.
# KEYS[1] = key; ARGV = mode ("hit" | "peek"), now in ms ("" = Redis server time), window in
# ms, limit, member (unique per request: equal members would collapse into one entry in the set).
# Returns {allowed (0/1), retry_after_ms}.
_SCRIPT = """
local key = KEYS[1]
local mode, window, limit, member = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local now = tonumber(ARGV[2])
if not now then
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  if mode == 'hit' then
    redis.call('ZADD', key, now, member)
    redis.call('PEXPIRE', key, window)
  end
  return {1, 0}
end
local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
if not oldest[2] then return {0, window} end
return {0, tonumber(oldest[2]) + window - now}
"""


class RedisLimiter:
    """Sliding-window log in a Redis sorted set per key (score = time in ms), shared by all workers.

    Without an injected ``time_fn`` the script reads the Redis server clock, so hosts with skewed
    clocks still agree on one window.

    If Redis cannot be reached, requests are allowed and a warning is logged (at most every
    ``warn_every`` seconds). Decision: these limits protect against abuse and are not an
    authorization boundary, so a Redis outage must not take the whole CMS down with it; the
    timeouts keep a dead Redis from stalling requests for long.
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        time_fn: Callable[[], float] | None = None,
        warn_every: float = 30.0,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.time_fn = time_fn
        self.warn_every = warn_every
        self._script = client.register_script(_SCRIPT)  # EVALSHA, falling back to EVAL once per server
        self._last_warning = -math.inf

    @classmethod
    def from_url(cls, url: str, *, max_connections: int = 32, **kwargs: Any) -> RedisLimiter:
        from redis.asyncio import BlockingConnectionPool, Redis

        # A bounded pool: a burst of requests queues briefly for a connection instead of opening one
        # each. Opening hundreds at once is what makes connects time out under load, and a timeout
        # here would admit requests exactly when the limit matters most.
        pool = BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=5, socket_connect_timeout=2, socket_timeout=2
        )
        return cls(Redis.from_pool(pool), **kwargs)

    async def _run(self, mode: str, key: str, limit: int, window: float) -> Decision:
        now = "" if self.time_fn is None else str(int(self.time_fn() * 1000))
        args: list[str | int] = [mode, now, int(window * 1000), limit, uuid.uuid4().hex]
        try:
            allowed, retry_ms = await self._script(keys=[self.prefix + key], args=args)
        except (RedisError, OSError) as error:
            self._warn(error)
            return Decision(True)
        if int(allowed):
            return Decision(True)
        return Decision(False, max(1, math.ceil(int(retry_ms) / 1000)))

    def _warn(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning >= self.warn_every:
            self._last_warning = now
            log.warning("Rate limits are not enforced: Redis is unreachable (%s); allowing requests.", error)

    async def hit(self, key: str, limit: int, window: float) -> Decision:
        return await self._run("hit", key, limit, window)

    async def peek(self, key: str, limit: int, window: float) -> Decision:
        return await self._run("peek", key, limit, window)

    async def aclose(self) -> None:
        await self.client.aclose()


def build_limiter(settings: RateLimitSettings) -> Limiter:
    """Server mode (a Redis URL) shares limits across workers; embedded mode keeps them in memory."""
    if settings.redis_url:
        return RedisLimiter.from_url(settings.redis_url)
    return MemoryLimiter()


@dataclass(frozen=True)
class Rule:
    name: str  # key namespace
    limit: int
    what: str  # for the error message


SIGN_IN_PATH = "/oauth/sign-in"
_SITE_MCP = re.compile(r"/sites/([^/]+)/mcp/?")


def attempt_kind(scope: Scope) -> str | None:
    """"credential" for a request carrying a key or token, "password" for a sign-in form, else None."""
    if scope.get("method") == "POST" and route_path(scope) == SIGN_IN_PATH:
        return "password"
    for name, _ in scope.get("headers", []):
        if name in (b"x-api-key", b"authorization"):
            return "credential"
    return None


class RateLimitMiddleware:
    """Answers 429 + Retry-After for the route limits before the app runs; counts failed attempts."""

    def __init__(self, app: ASGIApp, *, limiter: Limiter, settings: RateLimitSettings) -> None:
        self.app = app
        self.limiter = limiter
        self.window = float(settings.rate_limit_window_seconds)
        self.failures = settings.rate_limit_auth_failures
        self.mcp = Rule("mcp", settings.rate_limit_mcp, "POST /mcp")
        self.reader = Rule("reader", settings.rate_limit_reader_mcp, "A site's MCP server")
        self.oauth = Rule("oauth", settings.rate_limit_oauth, "/oauth/*")
        self.own_host = (urlsplit(settings.public_url).hostname or "").lower()

    def rule_for(self, scope: Scope) -> tuple[Rule, str] | None:
        """The rule for this request and the key it counts under (per client IP; per site too for sites)."""
        path, post = route_path(scope), scope.get("method") == "POST"
        site = _SITE_MCP.fullmatch(path) if post and path.startswith("/sites/") else None
        host = request_host(scope)
        if site is not None:
            rule, key = self.reader, f"{site.group(1)}:"
        elif post and path in ("/mcp", "/mcp/") and is_foreign(host, self.own_host):
            rule, key = self.reader, f"{host}:"  # a custom domain's /mcp is its site's server
        elif post and path in ("/mcp", "/mcp/"):
            rule, key = self.mcp, ""
        elif path == "/oauth" or path.startswith("/oauth/"):
            rule, key = self.oauth, ""
        else:
            return None
        # A limit of 0 switches the rule off (e.g. a gateway in front already limits).
        return (rule, key) if rule.limit > 0 else None

    @property
    def failures_what(self) -> str:
        return f"{self.failures} failed authentication attempts within {self.window:g} seconds"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._closing(send))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ip = client_ip(scope)
        attempt = attempt_kind(scope) if self.failures > 0 else None
        failures_key = f"authfail:{ip}"
        if attempt == "password":
            # Checked first, so sign-ins refused for failures do not use up the route's allowance.
            blocked = await self.limiter.peek(failures_key, self.failures, self.window)
            if not blocked.allowed:
                await self._reject(scope, receive, send, self.failures_what, blocked.retry_after)
                return
        found = self.rule_for(scope)
        if found is not None:
            rule, key = found
            decision = await self.limiter.hit(f"{rule.name}:{key}{ip}", rule.limit, self.window)
            if not decision.allowed:
                what = f"{rule.what} allows {rule.limit} requests per {self.window:g} seconds per client"
                await self._reject(scope, receive, send, what, decision.retry_after)
                return
        if attempt is None:
            await self.app(scope, receive, send)
            return

        refused = False

        async def counting_send(message: Message) -> None:
            nonlocal refused
            if refused:
                return  # the app's 401 was replaced by a 429; the rest of it is dropped
            if message["type"] == "http.response.start" and message["status"] == 401:
                # Check and record in one step: of concurrent bad attempts, only the allowance gets a 401.
                decision = await self.limiter.hit(failures_key, self.failures, self.window)
                if not decision.allowed:
                    refused = True
                    await self._reject(scope, receive, send, self.failures_what, decision.retry_after)
                    return
            await send(message)

        await self.app(scope, receive, counting_send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, what: str, retry_after: int) -> None:
        message = f"Too many requests: {what}. Retry after {retry_after} seconds."
        response = JSONResponse(
            {"error": message, "code": "rate_limited"},
            status_code=429,
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)

    def _closing(self, send: Send) -> Send:
        # create_app builds the limiter, so the app's shutdown is where its Redis connections close.
        async def closing_send(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                await self.limiter.aclose()
            await send(message)

        return closing_send
