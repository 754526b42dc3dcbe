"""A throw-away Redis master, 2 replicas and 3 Sentinels, for the tests.

Debian's ``redis-server`` and ``redis-sentinel`` run on 127.0.0.1: the data
nodes on ports 7200-7202, the sentinels on 7205-7207, in a temporary
directory, without persistence. The sentinels call the master down after
:data:`DOWN_AFTER_MS` without an answer and need 2 votes to fail over.
"""
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid

import numpy as np
import redis
from redis.sentinel import Sentinel

from statsvc.storage import StorageUnavailable
from tests import redis_helpers

DATA_PORTS = (7200, 7201, 7202)
SENTINEL_PORTS = (7205, 7206, 7207)
SERVICE = "statsvc"
URL = (f"sentinel://{','.join(f'127.0.0.1:{p}' for p in SENTINEL_PORTS)}"
       f"/{SERVICE}?db=0")
DOWN_AFTER_MS = 1000
#: Points per batch written by :class:`Load`.
BATCH = 5


def binaries_missing():
    """The reason the set cannot run here, or ``None``."""
    missing = [b for b in ("redis-server", "redis-sentinel")
               if shutil.which(b) is None]
    if not missing:
        return None
    return (f"{' and '.join(missing)} not installed (Debian: apt-get "
            "install redis-server redis-sentinel)")


class SentinelSet:
    """Start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="statsvc-sentinel-")
        self.processes = {}

    def start(self):
        self._start_node(DATA_PORTS[0])
        for port in DATA_PORTS[1:]:
            self._start_node(port, replica_of=DATA_PORTS[0])
        for port in SENTINEL_PORTS:
            self._start_sentinel(port)
        self.wait_ready()

    def _start_node(self, port, replica_of=None):
        node_dir = f"{self.dir}/{port}"
        os.makedirs(node_dir, exist_ok=True)
        args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                "--dir", node_dir, "--save", "", "--appendonly", "no"]
        if replica_of is not None:
            args += ["--replicaof", "127.0.0.1", str(replica_of)]
        self.processes[port] = subprocess.Popen(args,
                                                stdout=subprocess.DEVNULL)
        redis_helpers.wait_port(port)

    def _start_sentinel(self, port):
        conf = f"{self.dir}/sentinel-{port}.conf"
        with open(conf, "w") as f:
            f.write(f"port {port}\nbind 127.0.0.1\ndir {self.dir}\n"
                    f"sentinel monitor {SERVICE} 127.0.0.1 {DATA_PORTS[0]} 2\n"
                    f"sentinel down-after-milliseconds {SERVICE} "
                    f"{DOWN_AFTER_MS}\n"
                    f"sentinel failover-timeout {SERVICE} 5000\n")
        self.processes[port] = subprocess.Popen(["redis-sentinel", conf],
                                                stdout=subprocess.DEVNULL)
        redis_helpers.wait_port(port)

    def sentinel(self):
        return Sentinel([("127.0.0.1", p) for p in SENTINEL_PORTS],
                        socket_timeout=1)

    def master_port(self):
        """The master's port, as the sentinels say."""
        return self.sentinel().discover_master(SERVICE)[1]

    def node(self, port):
        """A plain client of one data node."""
        return redis.Redis(port=port, socket_timeout=5)

    def kill_master(self):
        """SIGKILL the master; return its port."""
        port = self.master_port()
        self.processes[port].send_signal(signal.SIGKILL)
        self.processes[port].wait()
        return port

    def wait_failover(self, old_port, timeout=60):
        """Wait until the sentinels name a master other than ``old_port``
        that accepts writes; return the seconds waited."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            try:
                port = self.master_port()
                if port != old_port and self.node(port).set(
                        f"failover-probe:{uuid.uuid4()}", 1, px=1000):
                    return time.monotonic() - began
            except (redis.ConnectionError, redis.ResponseError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"no failover within {timeout} s")

    @contextlib.contextmanager
    def frozen_replicas(self):
        """Freeze both replicas (SIGSTOP) for the block: still connected,
        they acknowledge nothing. Keep it shorter than
        :data:`DOWN_AFTER_MS`, or the sentinels call them down."""
        replicas = [p for p in DATA_PORTS if p != self.master_port()]
        for port in replicas:
            self.processes[port].send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            for port in replicas:
                self.processes[port].send_signal(signal.SIGCONT)

    def cut_replication(self):
        """Close the master's links to its replicas: until they reconnect,
        its writes reach no replica."""
        self.node(self.master_port()).client_kill_filter(_type="replica")

    def wait_replicated(self, timeout=10):
        """Wait until both replicas have applied all the master's writes."""
        master = self.node(self.master_port())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = master.info("replication")
            offsets = [v["offset"] for k, v in info.items()
                       if k.startswith("slave") and isinstance(v, dict)]
            if len(offsets) == 2 and min(offsets) >= info[
                    "master_repl_offset"]:
                return
            time.sleep(0.02)
        raise RuntimeError("the replicas did not catch up")

    def restore(self, old_port):
        """Bring a killed node back as a replica; wait until the set is as
        it started (a master, 2 replicas, 3 sentinels knowing them all)."""
        self._start_node(old_port, replica_of=self.master_port())
        self.wait_ready()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            try:
                state = self._state()
                if state == (True, 2, [(2, 2)] * 3):
                    return
            except redis.RedisError as exc:
                state = exc
            time.sleep(0.1)
        raise RuntimeError(f"the Sentinel set did not settle: {state}")

    def _state(self):
        master = self.master_port()
        info = self.node(master).info("replication")
        online = sum(1 for key, value in info.items()
                     if key.startswith("slave") and isinstance(value, dict)
                     and value.get("state") == "online")
        views, agree = [], True
        for port in SENTINEL_PORTS:
            with redis.Redis(port=port, socket_timeout=1) as client:
                state = client.sentinel_master(SERVICE)
                replicas = [r for r in client.sentinel_slaves(SERVICE)
                            if not r["is_sdown"]]
            views.append((len(replicas), state["num-other-sentinels"]))
            agree = agree and state["port"] == master
        return info["role"] == "master" and agree, online, views

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Load:
    """Writer threads appending batches of :data:`BATCH` points, batch ``i``
    holding the value ``i``; each notes the batches acknowledged, when
    their calls began, and how long its slowest call took."""

    def __init__(self, driver, metric_ids):
        self.driver = driver
        self.acked = {m: [] for m in metric_ids}
        self.acked_at = {m: [] for m in metric_ids}
        self.slowest = 0.0
        self.errors = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._write, args=(m,))
                        for m in metric_ids]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def _write(self, metric_id):
        batch = 0
        while not self.stopping.is_set():
            began = time.monotonic()
            try:
                self.driver.add_measures({metric_id: (
                    np.arange(batch * BATCH, (batch + 1) * BATCH) * 10**9,
                    [float(batch)] * BATCH)})
                self.acked[metric_id].append(batch)
                self.acked_at[metric_id].append(began)
            except StorageUnavailable as exc:
                self.errors.append(exc)
                time.sleep(0.01)
            self.slowest = max(self.slowest, time.monotonic() - began)
            batch += 1

    def acked_after(self, count):
        """Wait until every writer had ``count`` more batches acknowledged."""
        marks = {m: len(a) for m, a in self.acked.items()}
        deadline = time.monotonic() + 60
        while any(len(self.acked[m]) < marks[m] + count for m in marks):
            if time.monotonic() > deadline:
                raise RuntimeError("writes did not resume within 60 s")
            time.sleep(0.02)

    def recovered(self, since):
        """Seconds from ``since`` until every writer began a call that was
        acknowledged (the call before it failed or waited)."""
        return max(next(t for t in times if t > since)
                   for times in self.acked_at.values()) - since


def delete_prefix(prefix):
    """Delete every key under ``prefix`` on the current master."""
    sentinel = Sentinel([("127.0.0.1", p) for p in SENTINEL_PORTS],
                        socket_timeout=1)
    master = sentinel.master_for(SERVICE, socket_timeout=5)
    keys = list(master.scan_iter(match=prefix + "*", count=1000))
    if keys:
        master.delete(*keys)
