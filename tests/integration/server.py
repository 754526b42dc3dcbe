"""Start and stop a real ``statsvc-api`` (uwsgi) on a free loopback port."""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

BIN_DIR = os.path.dirname(sys.executable)


def _ephemeral_ports():
    """The kernel's range of local ports for outgoing connections."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = map(int, f.read().split())
        return range(low, high + 1)
    except (OSError, ValueError):
        return range(32768, 61000)


def free_port():
    """A loopback TCP port nothing listens on, outside the ephemeral range:
    a port the kernel picked for us could be taken, before the server binds
    it, as the local port of another test's outgoing connection (seen with
    the Redis cluster's)."""
    ephemeral = _ephemeral_ports()
    while True:
        port = random.randrange(20000, 65536)
        if port in ephemeral:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def request(base, method, path, body=None, headers=None):
    """Return ``(status, decoded JSON or None)``; never raises on 4xx/5xx."""
    data = None if body is None else json.dumps(body).encode()
    headers = dict(headers or {})
    if data:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    return status, (json.loads(raw) if raw else None)


class Server:
    """A ``statsvc-api`` process; use as a context manager."""

    def __init__(self, data_dir, port=None, workers=2, log_path=None,
                 extra_args=(), env=None, bin_dir=BIN_DIR, cwd=None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.args = [os.path.join(bin_dir, "statsvc-api"), "--host",
                     "127.0.0.1", "--port", str(self.port), "--data-dir",
                     str(data_dir), "--workers", str(workers), *extra_args]
        self.log_path = log_path or os.path.join(str(data_dir) + ".log")
        self.env = dict(os.environ, **(env or {}))
        # Workers' metrics files beside the data, not in a fresh /tmp
        # directory of statsvc-api's for every start.
        metrics_dir = f"{data_dir}.metrics"
        self.env.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
        os.makedirs(self.env["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
        self.cwd = cwd
        self.workers = workers
        self.process = None

    def start(self, timeout=30):
        self.log = open(self.log_path, "ab")
        self.log_offset = self.log.tell()
        self.process = subprocess.Popen(
            self.args, stdout=self.log, stderr=subprocess.STDOUT,
            env=self.env, cwd=self.cwd, start_new_session=True)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"statsvc-api exited: {self.read_log()}")
            # Every worker must have loaded the app: requests may go to any,
            # and uwsgi stopped while a worker loads takes its full mercy.
            if self.workers_ready() >= self.workers:
                try:
                    self.request("GET", "/v1/status")
                    return
                except (OSError, urllib.error.HTTPError):
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"statsvc-api not ready: {self.read_log()}")

    def workers_ready(self):
        with open(self.log_path, "rb") as f:
            f.seek(self.log_offset)
            return f.read().count(b"WSGI app 0 (mountpoint='') ready in")

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def stop(self, timeout=20):
        """SIGTERM to the uwsgi master only, as an operator would.

        Signalling every process of the group at once can leave a worker
        stuck on a lock another process held when it died (seen here), so
        the master is the one to stop its workers.
        """
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def request(self, method, path, body=None, headers=None):
        """Return ``(status, decoded JSON or None)``; never raises on 4xx/5xx."""
        return request(self.base, method, path, body, headers)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
