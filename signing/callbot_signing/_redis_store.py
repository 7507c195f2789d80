"""RedisReplayStore: the receivers' claims and done marks in one Redis, shared by every process and host.

Each step is one atomic Redis operation (a Lua script, or SET with NX/EXAT), so receivers on several hosts
never both run a delivery's handler:

- a delivery's key is ``<prefix>seen:<uuid>:<requestID>`` (each part percent-quoted), so two accounts'
  deliveries never share a key;
- a claim is ``SET key claim:<token> PX <lease>``, taken only where the key is absent: Redis drops it
  when the lease ends, and a retry can claim the delivery again;
- done is ``SET key done EXAT <createTs + window + margin>``: the key lives exactly as long as the delivery
  could be replayed (``margin`` covers clock differences between the receivers and Redis);
- release deletes the key only while it holds the caller's own claim;
- with ``max_entries``, each account's keys are also counted in ``<prefix>quota:<uuid>`` (a sorted set
  scored by expiry), and a claim beyond the quota is refused (:class:`ReplayGuardFullError`), so one
  account cannot fill Redis with its deliveries and refuse another's.

Any Redis failure (unreachable, timeout, ``maxmemory`` reached) is a :class:`ReplayStoreUnavailableError`:
the receiver answers 503 and runs no handler (fail closed), and the platform retries later.

redis-py is imported when a store is made (the ``redis`` extra: ``pip install 'nxcloud-callbot[redis]'``).
Needs Redis 6.2 or newer (EXAT).
"""

from __future__ import annotations

import math
import secrets
from typing import Any, Final
from urllib.parse import quote

from ._errors import CallbotError
from ._replay import Claim, ReplayGuardFullError
from ._settings import check_count, check_seconds

#: The default key prefix: ``callbot:webhooks:seen:<uuid>:<requestID>``.
DEFAULT_REDIS_PREFIX: Final = "callbot:webhooks:"
#: Seconds a done mark outlives createTs + the window: room for the receivers' and Redis's clocks to differ.
DEFAULT_CLOCK_MARGIN: Final = 5.0

# KEYS: the delivery's key, the account's quota set. ARGV: the value to set ("claim:<token>" or "done"),
# "PX" or "EXAT", its argument, the quota (0: none), the quota member, its score (the delivery's expiry),
# now. Returns "claimed"/"added", "done", "busy" or "full".
_CLAIM_SCRIPT: Final = """
local held = redis.call('GET', KEYS[1])
if held then
  if held == 'done' then return 'done' end
  return 'busy'
end
local quota = tonumber(ARGV[4])
if quota > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[7])
  if not redis.call('ZSCORE', KEYS[2], ARGV[5]) and redis.call('ZCARD', KEYS[2]) >= quota then
    return 'full'
  end
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  redis.call('EXPIREAT', KEYS[2], last[2])
end
redis.call('SET', KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return 'claimed'
"""
# KEYS: the delivery's key, the account's quota set. ARGV: "claim:<token>", the quota member.
_RELEASE_SCRIPT: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 1
end
return 0
"""


class ReplayStoreUnavailableError(CallbotError):
    """The replay store's backend (Redis) could not be reached or refused the command. Nothing was handled:
    a receiver answers 503 so that the platform retries. Check that Redis is up and reachable, and not at
    its ``maxmemory``."""


class RedisReplayStore:
    """A :class:`ClaimingReplayStore` (and :class:`ScopedReplayStore`) in Redis, for receivers on several
    processes or hosts: ``RedisReplayStore(redis.Redis(...))``, or ``redis.asyncio.Redis(...)`` for an ASGI
    receiver (whose ``asgi_app()`` then awaits it; ReplayGuard and ``wsgi_app()`` need a sync client).

    ``prefix`` starts every key (give each application its own); ``max_entries`` caps each account's keys
    (none by default: give Redis no ``maxmemory``, or a quota here, so one account cannot fill it);
    ``margin`` is added to each done mark's expiry (createTs + the window).
    """

    def __init__(
        self,
        redis_client: Any,
        *,
        prefix: str = DEFAULT_REDIS_PREFIX,
        max_entries: int | None = None,
        margin: float = DEFAULT_CLOCK_MARGIN,
    ) -> None:
        try:
            import redis
            import redis.asyncio
        except ModuleNotFoundError as missing:  # pragma: no cover - the extra is installed in the tests
            raise ModuleNotFoundError(
                f"RedisReplayStore needs redis-py ({missing.name}): pip install 'nxcloud-callbot[redis]'"
            ) from None
        if isinstance(redis_client, redis.asyncio.Redis):
            self.is_async = True
        elif isinstance(redis_client, redis.Redis):
            self.is_async = False
        else:
            raise TypeError(f"redis_client must be a redis.Redis or redis.asyncio.Redis, got {type(redis_client)}")
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be str, got {type(prefix).__name__}")
        self.client = redis_client
        self.prefix = prefix
        self.max_entries = None if max_entries is None else check_count("max_entries", max_entries)
        self.margin = check_seconds("margin", margin, allow_zero=True)
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError,)
        self._claim_script = redis_client.register_script(_CLAIM_SCRIPT)
        self._release_script = redis_client.register_script(_RELEASE_SCRIPT)

    def key(self, scope: str, request_id: str) -> str:
        """The Redis key of a delivery: the prefix, the account and the requestID (the parts percent-quoted)."""
        return f"{self.prefix}seen:{quote(scope, safe='')}:{quote(request_id, safe='')}"

    def quota_key(self, scope: str) -> str:
        return f"{self.prefix}quota:{quote(scope, safe='')}"

    # -- the steps, as (keys, args) for the scripts ------------------------------------------------------

    def _exat(self, expires_at: float) -> int:
        return max(1, math.ceil(expires_at + self.margin))

    def _claim_call(
        self, scope: str, request_id: str, value: str, mode: str, argument: int, expires_at: float, now: float
    ) -> tuple[list[str], list[str | int | float]]:
        keys = [self.key(scope, request_id), self.quota_key(scope)]
        quota_score = self._exat(expires_at)
        args: list[str | int | float] = [value, mode, argument, self.max_entries or 0, request_id, quota_score, now]
        return keys, args

    def _status(self, result: Any, scope: str, request_id: str) -> str:
        """The script's answer as text; ReplayGuardFullError for "full"."""
        status = result.decode() if isinstance(result, bytes) else str(result)
        if status == "full":
            raise ReplayGuardFullError(
                f"account {scope!r} holds max_entries={self.max_entries} deliveries in Redis already, and each "
                "could still be replayed, so this delivery is refused rather than forgotten; the platform should "
                "retry it (the other accounts are not affected). To do: raise RedisReplayStore(max_entries=...).",
                request_id=request_id,
                account=scope or None,
            )
        return status

    def _claim_of(self, result: Any, scope: str, request_id: str, expires_at: float, token: str) -> Claim:
        status = self._status(result, scope, request_id)
        if status == "claimed":
            return Claim(scope, request_id, "claimed", expires_at, token)
        return Claim(scope, request_id, "done" if status == "done" else "busy", expires_at)

    def _unavailable(self, exc: BaseException) -> ReplayStoreUnavailableError:
        return ReplayStoreUnavailableError(
            f"Redis did not answer the replay store ({type(exc).__name__}: {str(exc)[:200]}): nothing was handled, "
            "and the delivery should be answered 503 so that the platform retries. To do: check that Redis is up, "
            "reachable and not at its maxmemory."
        )

    def _sync(self) -> None:
        if self.is_async:
            raise TypeError(
                "this RedisReplayStore has an asyncio client: use it from an ASGI receiver (asgi_app()), or give a "
                "redis.Redis client for ReplayGuard and wsgi_app()"
            )

    # -- sync ---------------------------------------------------------------------------------------------

    def claim(self, scope: str, request_id: str, *, expires_at: float, now: float, lease: float) -> Claim:
        self._sync()
        token = secrets.token_hex(8)
        keys, args = self._claim_call(
            scope, request_id, f"claim:{token}", "PX", max(1, math.ceil(lease * 1000)), expires_at, now
        )
        try:
            result = self._claim_script(keys=keys, args=args)
        except self._errors as exc:
            raise self._unavailable(exc) from None
        return self._claim_of(result, scope, request_id, expires_at, token)

    def done(self, claim: Claim) -> None:
        self._sync()
        try:
            self.client.set(self.key(claim.scope, claim.request_id), "done", exat=self._exat(claim.expires_at))
        except self._errors as exc:
            raise self._unavailable(exc) from None

    def release(self, claim: Claim) -> None:
        self._sync()
        keys = [self.key(claim.scope, claim.request_id), self.quota_key(claim.scope)]
        try:
            self._release_script(keys=keys, args=[f"claim:{claim.token}", claim.request_id])
        except self._errors as exc:
            raise self._unavailable(exc) from None

    def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool:
        return self.add_if_absent_scoped("", request_id, expires_at, now)

    def add_if_absent_scoped(self, scope: str, request_id: str, expires_at: float, now: float) -> bool:
        """ReplayGuard's step: a done mark where none (and no claim) is, in one step."""
        self._sync()
        keys, args = self._claim_call(scope, request_id, "done", "EXAT", self._exat(expires_at), expires_at, now)
        try:
            result = self._claim_script(keys=keys, args=args)
        except self._errors as exc:
            raise self._unavailable(exc) from None
        return self._status(result, scope, request_id) == "claimed"

    # -- asyncio: what asgi_app() awaits when the client is redis.asyncio.Redis ---------------------------

    async def aclaim(self, scope: str, request_id: str, *, expires_at: float, now: float, lease: float) -> Claim:
        token = secrets.token_hex(8)
        keys, args = self._claim_call(
            scope, request_id, f"claim:{token}", "PX", max(1, math.ceil(lease * 1000)), expires_at, now
        )
        try:
            result = await self._claim_script(keys=keys, args=args)
        except self._errors as exc:
            raise self._unavailable(exc) from None
        return self._claim_of(result, scope, request_id, expires_at, token)

    async def adone(self, claim: Claim) -> None:
        try:
            await self.client.set(self.key(claim.scope, claim.request_id), "done", exat=self._exat(claim.expires_at))
        except self._errors as exc:
            raise self._unavailable(exc) from None

    async def arelease(self, claim: Claim) -> None:
        keys = [self.key(claim.scope, claim.request_id), self.quota_key(claim.scope)]
        try:
            await self._release_script(keys=keys, args=[f"claim:{claim.token}", claim.request_id])
        except self._errors as exc:
            raise self._unavailable(exc) from None
