"""The Redis driver's connection to a Redis Cluster, and what a cluster adds
to its errors and transactions."""
import time
import urllib.parse

import redis
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


def slot_groups(client, ids, key):
    """``ids`` grouped by the hash slot of ``key(id)``, in order."""
    groups = {}
    for item in ids:
        groups.setdefault(client.keyslot(key(item)), []).append(item)
    return list(groups.values())

