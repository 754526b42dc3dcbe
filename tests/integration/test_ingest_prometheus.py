"""Debian's Prometheus server scrapes itself and statsvc's ``/metrics``,
and remote-writes to statsvc under real uwsgi; the series are then read
back through the v1 API."""
import os
import shutil
import subprocess
import time
import urllib.request
from urllib.parse import quote

import pytest

from tests.integration.server import Server, free_port
from tests.redis_helpers import skip_unless_required

DEADLINE = 60  # seconds for the first scraped samples to arrive
KEEP = ("up|scrape_samples_scraped|prometheus_http_requests_total|"
        "statsvc_requests_total")


@pytest.fixture
def prometheus():
    binary = shutil.which("prometheus")
    if binary is None:
        skip_unless_required("Prometheus' server is not installed "
                             "(apt-get install prometheus; .ci/run does)")
    return binary


def prometheus_config(port, statsvc):
    # Its own metrics and statsvc's are something real to scrape; a few
    # kept series make a small, fast write.
    return f"""
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ["127.0.0.1:{port}"]
  - job_name: statsvc
    basic_auth: {{username: admin, password: ""}}
    static_configs:
      - targets: ["{statsvc.removeprefix('http://')}"]
remote_write:
  - url: {statsvc}/v1/prometheus/write
    basic_auth: {{username: prom, password: ""}}
    queue_config: {{batch_send_deadline: 1s, min_backoff: 100ms}}
    write_relabel_configs:
      - source_labels: [__name__]
        regex: "{KEEP}"
        action: keep
"""


def read(server, path):
    status, body = server.request("GET", path, headers={
        "Authorization": "Basic cHJvbTo="})  # prom:, the writer
    return body if status == 200 else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """statsvc with two workers, recording metrics where the test sees."""
    base = tmp_path_factory.mktemp("prometheus")
    (base / "metrics").mkdir()
    with Server(base / "data", workers=2, env={
            "PROMETHEUS_MULTIPROC_DIR": str(base / "metrics")}) as server:
        server.metrics_dir = base / "metrics"
        yield server


def test_prometheus_remote_write_is_read_back(prometheus, server, tmp_path):
    port = free_port()
    (tmp_path / "prometheus.yml").write_text(
        prometheus_config(port, server.base))
    with open(tmp_path / "prometheus.log", "wb") as log:
        process = subprocess.Popen(
            [prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT)
    try:
        resource = f"self@127.0.0.1:{port}"
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            found = read(server, f"/v1/resource/prometheus/"
                                 f"{quote(resource)}")
            ours = read(server, f"/v1/resource/prometheus/"
                                f"{quote('statsvc@' + server.base[7:])}")
            if found and "up" in found["metrics"] and any(
                    name.startswith("prometheus_http_requests_total@")
                    for name in found["metrics"]) and ours and any(
                    "route=PrometheusWriteController.post" in name
                    for name in ours["metrics"]):
                break
            assert process.poll() is None, \
                (tmp_path / "prometheus.log").read_text()[-2000:]
            time.sleep(0.5)
        else:
            pytest.fail(f"nothing arrived in {DEADLINE} s: "
                        f"{(tmp_path / 'prometheus.log').read_text()}")
    finally:
        process.terminate()
        process.wait(10)
    assert (found["job"], found["instance"]) == ("self",
                                                 f"127.0.0.1:{port}")
    assert "scrape_samples_scraped" in found["metrics"]
    ups = read(server, f"/v1/resource/prometheus/{quote(resource)}"
                       f"/metric/up/measures")
    assert ups and {value for _, _, value in ups} == {1.0}
    # A series with labels beyond job and instance is its own metric.
    requests = [name for name in found["metrics"]
                if name.startswith("prometheus_http_requests_total@")]
    assert all("code=" in name and "handler=" in name
               for name in requests), requests
    # statsvc's /metrics was scraped too: its own remote writes counted.
    assert any("route=PrometheusWriteController.post" in name and
               "status=204" in name for name in ours["metrics"]), ours


def status_requests(server):
    """``GET /v1/status`` requests counted in ``/metrics``."""
    with urllib.request.urlopen(server.base + "/metrics", timeout=30) as resp:
        text = resp.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("statsvc_requests_total{")
               and 'route="StatusController.get_all"' in line)


def test_metrics_sum_every_worker(server):
    before = status_requests(server)
    for _ in range(40):  # uwsgi spreads them over both workers
        server.request("GET", "/v1/status")
    for _ in range(4):  # whichever worker answers, it tells all
        assert status_requests(server) == before + 40
    writers = {name.rsplit("_", 1)[1] for name in
               os.listdir(server.metrics_dir) if name.startswith("counter_")}
    assert len(writers) == 2, writers  # both workers recorded
