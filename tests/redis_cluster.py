"""A throw-away Redis Cluster of 3 primaries and 3 replicas, for the tests.

It runs Debian's ``redis-server`` on 127.0.0.1 ports 7100-7105 (cluster
bus: port + 10000), in a temporary directory, without persistence. Its
slots are served even while a shard is down
(``cluster-require-full-coverage no``), as the README advises.
"""
import contextlib
import os
import shutil
import subprocess
import tempfile
import time

import redis
from redis.cluster import RedisCluster

from tests import redis_helpers

PORTS = tuple(range(7100, 7106))
URL = f"redis://127.0.0.1:{PORTS[0]}"


class Cluster:
    """Start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="statsvc-cluster-")
        self.processes = {}

    def start(self):
        for port in PORTS:
            self._start_node(port)
        subprocess.run(
            ["redis-cli", "--cluster", "create",
             *(f"127.0.0.1:{p}" for p in PORTS),
             "--cluster-replicas", "1", "--cluster-yes"],
            check=True, stdout=subprocess.DEVNULL, timeout=60)
        self.wait_ok()

    def _start_node(self, port):
        self.processes[port] = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
             "--dir", self.dir, "--cluster-enabled", "yes",
             "--cluster-config-file", f"nodes-{port}.conf",
             # Replication still writes one: each node its own.
             "--dbfilename", f"dump-{port}.rdb",
             "--cluster-node-timeout", "1000",
             "--cluster-require-full-coverage", "no",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL)
        redis_helpers.wait_port(port)

    def node(self, port):
        """A plain client of one node."""
        return redis.Redis(port=port, socket_timeout=5)

    def node_id(self, port):
        return self.node(port).execute_command("CLUSTER", "MYID").decode()

    def wait_ok(self, timeout=30):
        """Wait until every live node sees the cluster state ``ok`` and
        ``redis-cli --cluster check`` finds nothing to fix."""
        deadline = time.monotonic() + timeout
        check = None
        while time.monotonic() < deadline:
            try:
                infos = [self.node(p).execute_command("CLUSTER", "INFO")
                         for p in self.processes]
            except redis.ConnectionError:
                infos = []
            if infos and all(b"cluster_state:ok" in i for i in infos):
                check = subprocess.run(
                    ["redis-cli", "--cluster", "check",
                     f"127.0.0.1:{min(self.processes)}"],
                    capture_output=True, text=True)
                if check.returncode == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError("the Redis Cluster did not settle: "
                           + (check.stdout if check else "state not ok"))

    def primaries(self):
        """``{port: [(first_slot, last_slot), ...]}`` of the primaries."""
        out = {}
        for first, last, primary, *_ in self.node(PORTS[0]).execute_command(
                "CLUSTER", "SLOTS"):
            out.setdefault(primary[1], []).append((first, last))
        return out

    def primary_of(self, key):
        """The port of the primary serving ``key``, asked of the cluster."""
        slot = self.node(PORTS[0]).execute_command("CLUSTER", "KEYSLOT", key)
        for port, ranges in self.primaries().items():
            if any(first <= slot <= last for first, last in ranges):
                return port
        raise LookupError(f"slot {slot} is not served")

    def shard_of(self, port):
        """The ports of the primary ``port`` and of its replicas."""
        replicas = [p for p in self.processes if p != port
                    and self.node(p).info("replication").get("master_port")
                    == port]
        return [port, *replicas]

    def kill(self, ports):
        for port in ports:
            process = self.processes.pop(port)
            process.kill()
            process.wait()

    def restart(self, ports):
        """Restart killed nodes (they rejoin from their nodes file), with
        no data: a shard lost and replaced."""
        for port in ports:
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(self.dir, f"dump-{port}.rdb"))
            self._start_node(port)
        self.wait_ok(60)

    def stop(self):
        for process in self.processes.values():
            process.kill()
            process.wait()
        self.processes.clear()
        shutil.rmtree(self.dir, ignore_errors=True)


def delete_prefix(prefix):
    """Delete every key under ``prefix`` on every primary."""
    client = RedisCluster.from_url(URL)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    for key in keys:
        client.delete(key)
    client.close()
