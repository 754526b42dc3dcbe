"""The redis driver's client: one Redis (``redis://``, ``rediss://``) or
the master that a set of Redis Sentinels names (``sentinel://``), whose
writes can be made to wait for replicas (``min_replicas``).

A Sentinel URL lists the sentinels and names the service::

    sentinel://[[user]:password@]host:port[,host:port...]/service_name[?db=N]

(the password is the data nodes'; the sentinels are asked without one).
Reads and writes go to the master: replicas lag behind it. Each new
connection asks the sentinels where the master is, so after a failover the
next request reaches the new master; while they know of no healthy master,
commands raise :class:`redis.sentinel.MasterNotFoundError`, a
:class:`redis.ConnectionError`.

With ``min_replicas`` > 0, a write is acknowledged only once that many
replicas have applied it: ``WAIT`` runs on the connection that ran the
``EXEC`` (``WAIT`` counts the replicas that got *that connection's* writes;
inside ``MULTI`` it never blocks, and on another connection it would count
unrelated writes). A write they do not all acknowledge in time raises
:class:`NotReplicated`.
"""
import contextlib
import hashlib
import urllib.parse

import redis
import redis.client
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

from statsvc.storage.exceptions import StorageUnavailable

SENTINEL_PORT = 26379
#: ``wait_timeout_ms`` when not given: far above a healthy replica's lag,
#: below the default ``socket_timeout`` (2 s).
WAIT_TIMEOUT_MS = 1000


class NotReplicated(StorageUnavailable):
    """A write applied on the master but not acknowledged by
    ``min_replicas`` replicas in time (HTTP 503)."""


def url_of(options):
    """The URL that ``options`` describe: ``url``, or the ``sentinel://``
    URL of ``sentinels`` (``host:port,host:port``), ``service_name`` and
    ``db``; ``redis://127.0.0.1:6379/0`` when neither is given."""
    sentinels = options.get("sentinels")
    if not sentinels:
        return options.get("url") or "redis://127.0.0.1:6379/0"
    if options.get("url"):
        raise ValueError("give the redis driver either url or sentinels, "
                         "not both")
    service = options.get("service_name")
    if not service:
        raise ValueError("the redis driver's sentinels option needs a "
                         "service_name")
    hosts = ",".join(s.strip() for s in sentinels.split(","))
    return (f"sentinel://{hosts}/{urllib.parse.quote(service)}"
            f"?db={int(options.get('db', 0))}")


def connect(url, options, **connection_kwargs):
    """A :class:`Client` of the Redis of ``url``, waiting for the replicas
    that ``options`` ask for (``min_replicas``, ``wait_timeout_ms``).

    :param connection_kwargs: for every connection to a data node; the
        ``socket_`` ones serve for the sentinels too.
    """
    min_replicas = int(options.get("min_replicas", 0))
    wait_ms = int(options.get("wait_timeout_ms", WAIT_TIMEOUT_MS))
    socket_timeout = connection_kwargs.get("socket_timeout")
    if min_replicas < 0 or wait_ms <= 0:
        raise ValueError("the redis driver needs min_replicas >= 0 and "
                         "wait_timeout_ms > 0")
    if min_replicas and socket_timeout and wait_ms >= socket_timeout * 1000:
        raise ValueError(
            f"the redis driver's wait_timeout_ms ({wait_ms}) must be shorter "
            f"than its socket_timeout ({socket_timeout} s)")
    if urllib.parse.urlsplit(url).scheme == "sentinel":
        client = _sentinel_master(url, connection_kwargs)
    else:
        client = Client.from_url(url, **connection_kwargs)
    client.min_replicas, client.wait_timeout_ms = min_replicas, wait_ms
    return client


def _sentinel_master(url, connection_kwargs):
    parts = urllib.parse.urlsplit(url)
    service = urllib.parse.unquote(parts.path.strip("/"))
    if not service or "/" in service:
        # Not the URL itself: it may hold a password.
        raise ValueError("a sentinel:// URL names one service: "
                         "sentinel://host:port[,host:port...]/service_name")
    addresses = [_address(host) for host in
                 parts.netloc.rpartition("@")[2].split(",")]
    query = urllib.parse.parse_qs(parts.query)
    auth = {"username": parts.username or None,
            "password": (None if parts.password is None
                         else urllib.parse.unquote(parts.password))}
    sentinel = Sentinel(
        addresses,
        # discover_master moves on to the next sentinel by itself.
        sentinel_kwargs={**{k: v for k, v in connection_kwargs.items()
                            if k.startswith("socket_")},
                         "retry": Retry(NoBackoff(), 0)})
    client = sentinel.master_for(
        service, redis_class=Client, db=int(query.get("db", ["0"])[0]),
        **auth, **connection_kwargs)
    client.sentinel = sentinel
    return client


def _address(host_port):
    host, _, port = host_port.strip().rpartition(":")
    if not host:
        host, port = port, SENTINEL_PORT
    return host.strip("[]"), int(port)


class Client(redis.Redis):
    """A :class:`redis.Redis` whose transactions (``pipeline()``) and
    :meth:`acknowledged` blocks wait for ``min_replicas`` replicas."""

    min_replicas = 0
    wait_timeout_ms = WAIT_TIMEOUT_MS
    sentinel = None

    def pipeline(self, transaction=True, shard_hint=None):
        if not (transaction and self.min_replicas):
            return super().pipeline(transaction, shard_hint)
        pipe = _AcknowledgedPipeline(self.connection_pool,
                                     self.response_callbacks, transaction,
                                     shard_hint)
        pipe.acknowledge = self.acknowledge
        return pipe

    @contextlib.contextmanager
    def acknowledged(self):
        """Yield a client whose writes, if the block ends without error,
        are waited for on the connection that made them."""
        if not self.min_replicas:
            yield self
            return
        single = redis.Redis(connection_pool=self.connection_pool,
                             single_connection_client=True)
        try:
            yield single
            self.acknowledge(single.connection)
        finally:
            single.close()

    def acknowledge(self, connection):
        """``WAIT`` on ``connection`` for its writes to reach
        ``min_replicas`` replicas.

        :raises NotReplicated: if fewer acknowledged them in time, or the
            answer was lost (never retried: ``WAIT`` on a new connection
            would count none of the writes to confirm).
        """
        where = f"Redis master {connection.host}:{connection.port}"
        try:
            connection.send_command("WAIT", self.min_replicas,
                                    self.wait_timeout_ms)
            acked = connection.read_response()
        except (redis.ConnectionError, redis.TimeoutError,
                redis.ResponseError) as exc:
            # A ResponseError: demoted to a replica since the EXEC.
            connection.disconnect()
            raise NotReplicated(
                f"the write reached the {where} but its replication could "
                f"not be confirmed ({exc}): it may or may not survive a "
                "failover") from exc
        if acked < self.min_replicas:
            raise NotReplicated(
                f"the write was applied on the {where} but only {acked} of "
                f"the {self.min_replicas} replicas required (min_replicas) "
                f"acknowledged it within {self.wait_timeout_ms} ms: it may "
                "or may not survive a failover")

    def close(self):
        super().close()
        if self.sentinel is not None:
            self.sentinel.close()


class _AcknowledgedPipeline(redis.client.Pipeline):
    """A transaction that waits for replicas once its ``EXEC`` succeeded."""

    def _execute_transaction(self, connection, commands, raise_on_error):
        replies = super()._execute_transaction(connection, commands,
                                               raise_on_error)
        # Raises NotReplicated rather than a connection error, which the
        # pipeline would retry by sending the MULTI/EXEC again, unwatched.
        self.acknowledge(connection)
        return replies


class Script:
    """A Lua script run by its SHA1, sent whole to a node lacking it.

    Unlike redis-py's ``register_script``, whose ``SCRIPT LOAD`` goes to
    every primary of a cluster, this works while another shard is down.
    """

    def __init__(self, client, source):
        self.client = client
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    def __call__(self, keys, args, client=None):
        client = client or self.client
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            # EVAL caches the script on that node for the next EVALSHA.
            return client.eval(self.source, len(keys), *keys, *args)
