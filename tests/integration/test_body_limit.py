"""Bodies over [api] max_body_size get a JSON 413 over real uwsgi."""
import http.client
import json

from tests.integration.server import Server


def test_oversized_body_is_json_413_and_nothing_is_stored(tmp_path):
    config = tmp_path / "statsvc.conf"
    config.write_text("[api]\nmax_body_size = 20000\n")
    with Server(tmp_path / "data", extra_args=["--config", str(config)]) \
            as server:
        status, metric = server.request("POST", "/v1/metric", {})
        path = f"/v1/metric/{metric['id']}/measures"
        points = [{"timestamp": i, "value": i} for i in range(1000)]
        body = json.dumps(points).encode()
        assert 20000 < len(body) <= 40000
        conn = http.client.HTTPConnection("127.0.0.1", server.port,
                                          timeout=30)
        conn.request("POST", path, body=body,
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        error = json.loads(resp.read())
        assert resp.status == 413
        assert error["code"] == 413 and "20000 bytes" in error["description"]
        assert server.request("GET", path) == (200, [])
        assert server.request("POST", path, points[:100])[0] == 202
