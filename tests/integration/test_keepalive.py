"""uwsgi keeps client connections alive across requests."""
import http.client
import json

from tests.integration.server import Server


def test_one_connection_serves_many_requests(tmp_path):
    with Server(tmp_path / "data") as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("POST", "/v1/metric", body=b"{}",
                     headers={"Content-Type": "application/json"})
        metric = json.loads(conn.getresponse().read())["id"]
        sock = conn.sock
        for i in range(20):
            conn.request("POST", f"/v1/metric/{metric}/measures",
                         body=json.dumps([{"timestamp": i, "value": i}]),
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 202
            conn.request("GET", f"/v1/metric/{metric}/measures")
            resp = conn.getresponse()
            assert len(json.loads(resp.read())) == i + 1
            # http.client drops its socket when the server closes it.
            assert conn.sock is sock
        conn.close()
