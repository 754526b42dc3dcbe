"""Authentication over real uwsgi: several workers, each with its own
verification cache, all follow ``statsvc-manage`` changes without restart."""
import base64
import http.client
import json
import os
import subprocess

from tests.integration.server import BIN_DIR, Server


def manage(users_file, *args, password=None):
    subprocess.run([os.path.join(BIN_DIR, "statsvc-manage"), "--users-file",
                    str(users_file), "user", *args],
                   input=password, text=True, check=True,
                   capture_output=True)


def get(server, path, user=None, password=None):
    """Status and JSON body of a GET on a new connection (so that the
    requests spread over the workers)."""
    headers = {}
    if user is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    connection = http.client.HTTPConnection("127.0.0.1", server.port,
                                            timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), json.loads(
            response.read() or "null")
    finally:
        connection.close()


def test_basic_auth_across_workers_follows_user_changes(tmp_path):
    users_file = tmp_path / "users.json"
    manage(users_file, "add", "alice", password="alice-pw\n")
    conf = tmp_path / "statsvc.conf"
    conf.write_text(f"[api]\nauth_mode = basic\nusers_file = {users_file}\n")
    with Server(tmp_path / "data", workers=2,
                extra_args=["--config", str(conf)]) as server:
        status, headers, body = get(server, "/v1/metric")
        assert status == 401 and body["code"] == 401
        assert ("WWW-Authenticate", 'Basic realm="statsvc"') in headers
        assert get(server, "/v1/openapi.json")[0] == 200
        for _ in range(6):
            assert get(server, "/v1/metric", "alice", "alice-pw")[0] == 200
            assert get(server, "/v1/metric", "alice", "nope")[0] == 401
        manage(users_file, "remove", "alice")
        for _ in range(6):
            assert get(server, "/v1/metric", "alice", "alice-pw")[0] == 401


def test_the_bound_socket_decides_the_none_mode_warning(tmp_path):
    """Configured for 0.0.0.0 but launched on 127.0.0.1: what uwsgi really
    bound is loopback, so there is nothing to warn about."""
    conf = tmp_path / "statsvc.conf"
    conf.write_text("[api]\nhost = 0.0.0.0\n")
    with Server(tmp_path / "data", workers=1,
                extra_args=["--config", str(conf)]) as server:
        assert get(server, "/v1/metric")[0] == 200
        log = server.read_log()
    assert "statistics loaded" in log  # the app's start-up was logged
    assert "auth_mode = none" not in log
