"""The Redis driver's connection to a Redis Cluster, and what a cluster adds
to its errors and transactions."""
import time
import urllib.parse

from redis.backoff import ExponentialBackoff
from redis.cluster import RedisCluster
from redis.exceptions import (
    AskError, ClusterDownError, MovedError, SlotNotCoveredError,
    TryAgainError)
from redis.retry import Retry

_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}

#: Errors meaning the shard of a key cannot serve it now (HTTP 503 once
#: the client's own retries are spent).
UNAVAILABLE = (ClusterDownError, SlotNotCoveredError, TryAgainError)

#: Errors of a transaction on a slot being migrated (``redis-cli --cluster
#: reshard``): the keys of a metric are on both nodes for a moment, so the
#: transaction is planned again once the slot has settled.
MIGRATING = (AskError, MovedError, TryAgainError)

#: How long a transaction keeps being replanned while its slot migrates.
MIGRATION_WAIT = 10.0


def wanted(url, options):
    """Whether ``url`` (``redis+cluster://``) or ``options`` (``cluster =
    true``) ask for a Redis Cluster."""
    scheme = urllib.parse.urlsplit(url).scheme
    flag = str(options.get("cluster", "")).strip().lower()
    return scheme in _SCHEMES or flag in ("1", "true", "yes", "on")


def connect(url, **options):
    """A :class:`RedisCluster` client discovering the cluster from the node
    of ``url`` (``redis://``, ``rediss://`` or their ``+cluster`` forms)."""
    parts = urllib.parse.urlsplit(url)
    url = parts._replace(scheme=_SCHEMES.get(parts.scheme, parts.scheme))
    # A few quick retries ride over a failover or a slot map refresh;
    # more would keep requests to a dead shard waiting.
    return RedisCluster.from_url(
        url.geturl(), retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 3),
        **options)


def settle(began):
    """Wait a little before replanning a transaction hit by a migration;
    raise :class:`TryAgainError` once :data:`MIGRATION_WAIT` has passed."""
    if time.monotonic() - began > MIGRATION_WAIT:
        raise TryAgainError(
            f"slot still migrating after {MIGRATION_WAIT:.0f} s")
    time.sleep(0.02)


#: Applies one metric's writes if its ``meta`` hash KEYS[1] still has the
#: version ARGV[1] read before they were planned, then sets version ARGV[2];
#: returns 1, or 0 (nothing written) when another writer came first. The
#: writes follow as ``command, key index, argument count, arguments...``.
#: A script is atomic like ``MULTI``, and needs no ``WATCH`` on a connection
#: of its own: a batch sends one per metric, all nodes' in one round trip.
APPLY_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if (redis.call('HGET', KEYS[1], 'v') or '') ~= ARGV[1] then return 0 end
local i = 3
while i <= #ARGV do
  local n = tonumber(ARGV[i + 2])
  redis.call(ARGV[i], KEYS[tonumber(ARGV[i + 1])],
             unpack(ARGV, i + 3, i + 2 + n))
  i = i + 3 + n
end
redis.call('HSET', KEYS[1], 'v', ARGV[2])
return 1
"""


class Writes:
    """Records the writes of one metric, queued as on a pipeline, as the
    keys and arguments of :data:`APPLY_SCRIPT`.

    :param meta_key: the metric's ``meta`` key (``KEYS[1]``).
    :param version: the ``v`` field of ``meta`` when it was read.
    :param new_version: the one the writes set.
    """

    def __init__(self, meta_key, version, new_version):
        self.keys = [meta_key]
        self.args = [version, new_version]

    def _queue(self, command, key, *args):
        if key not in self.keys:
            self.keys.append(key)
        self.args += [command, self.keys.index(key) + 1, len(args), *args]

    def append(self, key, value):
        self._queue("APPEND", key, value)

    def set(self, key, value):
        self._queue("SET", key, value)

    def hset(self, key, field, value):
        self._queue("HSET", key, field, value)

    def hdel(self, key, *fields):
        self._queue("HDEL", key, *fields)

    def delete(self, *keys):
        for key in keys:
            self._queue("DEL", key)
