"""Authentication modes, the users file, its cache and ``statsvc-manage``."""
import base64
import io
import json
import logging
import os
import stat
import time

import pytest

from statsvc.api.auth import passwords, users
from statsvc.cmd import manage
from statsvc.config import ConfigError


def basic(name, password):
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """New hashes cost ~1 ms instead of ~70 ms (the cost is stored in each
    hash, so verification follows); the cache test restores the real one."""
    monkeypatch.setattr(passwords, "N", 2 ** 10)


@pytest.fixture
def users_path(tmp_path):
    path = str(tmp_path / "etc" / "users.json")
    users.add_user(path, "alice", "s3cret")
    return path


@pytest.fixture
def basic_app(make_app, users_path):
    return make_app(api={"auth_mode": "basic", "users_file": users_path})


# --- auth_mode = none ------------------------------------------------------

def test_none_mode_makes_everyone_the_admin(app):
    created = app.post_json("/v1/metric", {}).json
    assert created["creator"] == "admin"
    app.get(f"/v1/metric/{created['id']}", status=200)


def test_none_mode_honours_gnocchi_noauth_headers(app):
    alice = {"X-User-Id": "alice", "X-Project-Id": "p"}
    mine = app.post_json("/v1/metric", {}, headers=alice).json
    assert mine["creator"] == "alice"
    theirs = app.post_json("/v1/metric", {},
                           headers={"X-User-Id": "bob"}).json["id"]
    app.get(f"/v1/metric/{theirs}", headers=alice, status=404)
    assert [m["id"] for m in app.get("/v1/metric", headers=alice).json] \
        == [mine["id"]]
    app.get(f"/v1/metric/{theirs}",
            headers={"X-User-Id": "carol", "X-Roles": "member, admin"},
            status=200)
    app.get(f"/v1/metric/{theirs}", status=200)  # the implicit admin


def test_none_mode_takes_the_user_from_basic_as_gnocchi_basic(app):
    # gnocchiclient's gnocchi-basic sends an empty password; none trusts it.
    mine = app.post_json("/v1/metric", {}, headers=basic("foobar", "")).json
    assert mine["creator"] == "foobar"
    policy = {"name": "p", "definition": [{"granularity": 1, "points": 2}]}
    app.post_json("/v1/archive_policy", policy, headers=basic("foobar", ""),
                  status=403)
    app.get("/v1/status", headers=basic("foobar", ""), status=403)
    app.post_json("/v1/archive_policy", policy, headers=basic("admin", ""),
                  status=201)
    app.get("/v1/status", headers=basic("admin", "any"), status=200)
    theirs = app.post_json("/v1/metric", {},
                           headers=basic("bob", "")).json["id"]
    app.get(f"/v1/metric/{theirs}", headers=basic("foobar", ""), status=404)
    app.get(f"/v1/metric/{theirs}", headers=basic("admin", ""), status=200)


@pytest.mark.parametrize("header", ["", "Basic", "Basic !!!", "Bearer x"])
def test_none_mode_refuses_a_malformed_authorization(app, header):
    resp = app.get("/v1/metric", headers={"Authorization": header},
                   status=401)
    assert resp.json["code"] == 401


def test_none_mode_refuses_a_malformed_user_id(app):
    resp = app.get("/v1/metric", headers={"X-User-Id": "a:b"}, status=400)
    assert "X-User-Id" in resp.json["description"]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7",
                                  "example.org"])
def test_none_mode_warns_when_not_on_loopback(make_app, caplog, host):
    with caplog.at_level(logging.WARNING):
        make_app(api={"host": host})
    warnings = [r for r in caplog.records if "auth_mode = none" in
                r.getMessage()]
    assert len(warnings) == 1 and host in warnings[0].getMessage()


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_none_mode_is_quiet_on_loopback(make_app, caplog, host):
    with caplog.at_level(logging.WARNING):
        make_app(api={"host": host})
    assert "auth_mode = none" not in caplog.text


def test_basic_mode_does_not_warn_on_any_address(make_app, users_path,
                                                caplog):
    with caplog.at_level(logging.WARNING):
        make_app(api={"host": "0.0.0.0", "auth_mode": "basic",
                      "users_file": users_path})
    assert "auth_mode = none" not in caplog.text


def test_unknown_auth_mode_stops_the_start(make_app):
    with pytest.raises(ConfigError, match="auth_mode"):
        make_app(api={"auth_mode": "keystone"})


# --- auth_mode = basic -----------------------------------------------------

@pytest.mark.parametrize("header", [
    "Bearer abc",
    "Basic !!!not-base64",
    "Basic " + base64.b64encode(b"no-colon").decode(),
    "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
    "Basic " + base64.b64encode(b"nobody:s3cret").decode(),
    "Basic " + base64.b64encode(b"alice:S3CRET").decode(),
    "Basic " + base64.b64encode(b"alice:s3cret ").decode(),
    "Basic " + base64.b64encode("alice:s3cret\u00e9".encode()).decode(),
    "Basic",
])
def test_bad_credentials_get_401(basic_app, header):
    resp = basic_app.get("/v1/metric", headers={"Authorization": header},
                         status=401)
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="statsvc"'
    assert resp.content_type == "application/json"
    assert resp.json["code"] == 401


def test_unknown_user_and_wrong_password_look_the_same(basic_app):
    unknown = basic_app.get("/v1/metric", headers=basic("nobody", "s3cret"),
                            status=401)
    wrong = basic_app.get("/v1/metric", headers=basic("alice", "nope"),
                          status=401)
    assert unknown.body == wrong.body


def test_unicode_passwords_work(basic_app, users_path):
    users.add_user(users_path, "zoe", "pässwörd-✓")
    basic_app.get("/v1/metric", headers=basic("zoe", "pässwörd-✓"),
                  status=200)


def test_verifications_are_cached(basic_app, users_path, monkeypatch):
    """50 requests cost far less than 50 real scrypt verifications."""
    monkeypatch.setattr(passwords, "N", 2 ** 15)
    users.add_user(users_path, "bob", "b")
    started = time.perf_counter()
    basic_app.get("/v1/metric", headers=basic("bob", "b"), status=200)
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(50):
        basic_app.get("/v1/metric", headers=basic("bob", "b"), status=200)
    assert time.perf_counter() - started < 50 * first / 5


def test_wrong_passwords_are_never_cached(basic_app):
    for _ in range(2):
        basic_app.get("/v1/metric", headers=basic("alice", "nope"),
                      status=401)


def test_removing_a_user_takes_effect_without_restart(basic_app, users_path):
    headers = basic("alice", "s3cret")
    basic_app.get("/v1/metric", headers=headers, status=200)
    users.remove_user(users_path, "alice")
    basic_app.get("/v1/metric", headers=headers, status=401)


def test_new_password_replaces_the_cached_one(basic_app, users_path):
    old = basic("alice", "s3cret")
    basic_app.get("/v1/metric", headers=old, status=200)
    users.add_user(users_path, "alice", "n3w")
    basic_app.get("/v1/metric", headers=old, status=401)
    basic_app.get("/v1/metric", headers=basic("alice", "n3w"), status=200)


def test_granting_admin_takes_effect_without_restart(basic_app, users_path):
    users.add_user(users_path, "bob", "b")
    theirs = basic_app.post_json("/v1/metric", {}, headers=basic("bob", "b")
                                 ).json["id"]
    alice = basic("alice", "s3cret")
    basic_app.get(f"/v1/metric/{theirs}", headers=alice, status=404)
    users.add_user(users_path, "alice", "s3cret", admin=True)
    basic_app.get(f"/v1/metric/{theirs}", headers=alice, status=200)


def test_a_corrupted_users_file_refuses_everyone(basic_app, users_path,
                                                caplog):
    headers = basic("alice", "s3cret")
    basic_app.get("/v1/metric", headers=headers, status=200)
    with open(users_path, "a") as f:
        f.write("garbage")
    basic_app.get("/v1/metric", headers=headers, status=401)


def test_unreadable_users_file_stops_the_start(make_app, tmp_path):
    path = tmp_path / "users.json"
    path.write_text('{"users": {"alice": {"password": "plain", '
                    '"roles": []}}}')
    with pytest.raises(ConfigError, match="alice"):
        make_app(api={"auth_mode": "basic", "users_file": str(path)})


def test_missing_users_file_refuses_everyone_until_a_user_is_added(
        make_app, tmp_path, caplog):
    path = str(tmp_path / "users.json")
    with caplog.at_level(logging.WARNING):
        app = make_app(api={"auth_mode": "basic", "users_file": path})
    assert "holds no users" in caplog.text
    app.get("/v1/metric", headers=basic("alice", "s3cret"), status=401)
    users.add_user(path, "alice", "s3cret")
    app.get("/v1/metric", headers=basic("alice", "s3cret"), status=200)


# --- the users file and statsvc-manage ---------------------------------------

def test_users_file_holds_salted_scrypt_hashes_only(users_path):
    users.add_user(users_path, "bob", "s3cret")
    text = open(users_path).read()
    assert "s3cret" not in text
    entries = json.loads(text)["users"]
    assert entries["alice"]["password"].startswith("scrypt$")
    assert entries["alice"]["password"] != entries["bob"]["password"]
    assert stat.S_IMODE(os.stat(users_path).st_mode) == 0o600


def run_manage(monkeypatch, capsys, *argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    manage.main(list(argv))
    return capsys.readouterr().out


def test_manage_adds_lists_and_removes_users(monkeypatch, capsys, tmp_path):
    path = str(tmp_path / "users.json")
    run_manage(monkeypatch, capsys, "--users-file", path, "user", "add",
               "root", "--admin", stdin="pw\n")
    run_manage(monkeypatch, capsys, "--users-file", path, "user", "add",
               "alice", stdin="pw2\n")
    assert run_manage(monkeypatch, capsys, "--users-file", path, "user",
                      "list") == "alice\t\nroot\tadmin\n"
    run_manage(monkeypatch, capsys, "--users-file", path, "user", "remove",
               "alice")
    assert list(users.load(path)) == ["root"]


def test_manage_reads_the_users_file_from_the_configuration(
        monkeypatch, capsys, tmp_path):
    path = tmp_path / "users.json"
    conf = tmp_path / "statsvc.conf"
    conf.write_text(f"[api]\nusers_file = {path}\n")
    run_manage(monkeypatch, capsys, "--config", str(conf), "user", "add",
               "alice", stdin="pw\n")
    assert list(users.load(str(path))) == ["alice"]


@pytest.mark.parametrize("argv, stdin, message", [
    (["user", "add", "a:b"], "pw\n", "invalid user name"),
    (["user", "add", "alice"], "\n", "empty password"),
    (["user", "remove", "nobody"], "", "no user 'nobody'"),
])
def test_manage_reports_errors(monkeypatch, capsys, tmp_path, argv, stdin,
                               message):
    with pytest.raises(SystemExit, match=message):
        run_manage(monkeypatch, capsys, "--users-file",
                   str(tmp_path / "u.json"), *argv, stdin=stdin)
