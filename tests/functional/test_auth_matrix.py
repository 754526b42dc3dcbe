"""Per-user isolation: every endpoint × {owner, other user, admin, no
credentials, wrong password}, on the real app in ``auth_mode = basic``.

Someone else's metric must answer exactly as a missing one does (same
status, same body once the id is masked), and nothing may change.
"""
import base64
import uuid

import pytest
import webtest

from statsvc import config
from statsvc.api.app import setup_app
from statsvc.api.auth import passwords, users

PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw", "root": "root-pw"}
POINTS = [{"timestamp": 60, "value": 1}, {"timestamp": 120, "value": 2}]


def basic(name, password):
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


CALLERS = {
    "owner": basic("alice", PASSWORDS["alice"]),
    "other": basic("bob", PASSWORDS["bob"]),
    "admin": basic("root", PASSWORDS["root"]),
    "anonymous": {},
    "wrong password": basic("alice", "not-alice-pw"),
}

# name: (method, url, body, status for the owner); "{id}" is the metric.
ENDPOINTS = {
    "show": ("GET", "/v1/metric/{id}", None, 200),
    "delete": ("DELETE", "/v1/metric/{id}", None, 204),
    "add measures": ("POST", "/v1/metric/{id}/measures",
                     [{"timestamp": 180, "value": 3}], 202),
    "read measures": ("GET", "/v1/metric/{id}/measures", None, 200),
    "resample": ("GET", "/v1/metric/{id}/measures?granularity=120"
                        "&aggregation=max", None, 200),
    "statistic": ("GET", "/v1/metric/{id}/measures?stat=moving-average"
                         "&window=2", None, 200),
    "batch": ("POST", "/v1/batch/metrics/measures",
              {"{id}": [{"timestamp": 180, "value": 3}]}, 202),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One app for the module, its users' hashes cheap (the cost is stored
    in each hash): wrong passwords are verified on every request."""
    tmp = tmp_path_factory.mktemp("auth")
    users_path = str(tmp / "users.json")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "N", 2 ** 10)
        for name, password in PASSWORDS.items():
            users.add_user(users_path, name, password, admin=name == "root")
    conf = config.load(overrides={
        "storage": {"driver": "sqlite", "data_dir": str(tmp / "data")},
        "api": {"auth_mode": "basic", "users_file": users_path}})
    return webtest.TestApp(setup_app(conf))


def _substitute(value, metric_id):
    if isinstance(value, str):
        return value.replace("{id}", metric_id)
    if isinstance(value, list):
        return [_substitute(v, metric_id) for v in value]
    if isinstance(value, dict):
        return {_substitute(k, metric_id): _substitute(v, metric_id)
                for k, v in value.items()}
    return value


def call(server, endpoint, metric_id, headers):
    method, url, body, _ = ENDPOINTS[endpoint]
    kwargs = {"headers": headers, "status": "*", "expect_errors": True}
    if body is not None:
        kwargs["params"] = _substitute(body, metric_id)
        return getattr(server, f"{method.lower()}_json")(
            _substitute(url, metric_id), **kwargs)
    return getattr(server, method.lower())(_substitute(url, metric_id),
                                           **kwargs)


def masked(resp, metric_id):
    return resp.status_int, resp.body.decode().replace(metric_id, "<id>")


def snapshot(server, metric_id):
    """The metric and its points, as the owner sees them."""
    owner = CALLERS["owner"]
    return (server.get(f"/v1/metric/{metric_id}", headers=owner).json,
            server.get(f"/v1/metric/{metric_id}/measures",
                       headers=owner).json)


def new_metric(server):
    metric_id = server.post_json("/v1/metric", {"name": "cpu"},
                                 headers=CALLERS["owner"]).json["id"]
    server.post_json(f"/v1/metric/{metric_id}/measures", POINTS,
                     headers=CALLERS["owner"], status=202)
    return metric_id


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("caller", ["owner", "admin"])
def test_owner_and_admin_may(server, endpoint, caller):
    metric_id = new_metric(server)
    resp = call(server, endpoint, metric_id, CALLERS[caller])
    assert resp.status_int == ENDPOINTS[endpoint][3], resp.body
    if endpoint == "delete":
        server.get(f"/v1/metric/{metric_id}", headers=CALLERS["owner"],
                   status=404)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_other_user_gets_exactly_what_a_missing_metric_gets(server,
                                                             endpoint):
    metric_id = new_metric(server)
    before = snapshot(server, metric_id)
    missing = str(uuid.uuid4())
    as_missing = call(server, endpoint, missing, CALLERS["other"])
    resp = call(server, endpoint, metric_id, CALLERS["other"])
    assert resp.status_int in (400, 404)
    assert masked(resp, metric_id) == masked(as_missing, missing)
    assert snapshot(server, metric_id) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("caller", ["anonymous", "wrong password"])
def test_no_or_wrong_credentials_get_401(server, endpoint, caller):
    metric_id = new_metric(server)
    before = snapshot(server, metric_id)
    resp = call(server, endpoint, metric_id, CALLERS[caller])
    assert resp.status_int == 401
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="statsvc"'
    assert resp.json["code"] == 401 and resp.json["title"]
    assert metric_id not in resp.text
    assert snapshot(server, metric_id) == before


def test_listing_shows_only_own_metrics_unless_admin(server):
    mine = new_metric(server)
    theirs = server.post_json("/v1/metric", {}, headers=CALLERS["other"]
                              ).json["id"]
    listed = {m["id"] for m in server.get("/v1/metric",
                                          headers=CALLERS["owner"]).json}
    assert mine in listed and theirs not in listed
    assert {m["creator"] for m in server.get(
        "/v1/metric", headers=CALLERS["other"]).json} == {"bob"}
    everything = {m["id"] for m in server.get("/v1/metric",
                                              headers=CALLERS["admin"]).json}
    assert {mine, theirs} <= everything
    for caller in ("anonymous", "wrong password"):
        server.get("/v1/metric", headers=CALLERS[caller], status=401)


def test_someone_elses_metric_as_marker_is_an_unknown_marker(server):
    theirs = server.post_json("/v1/metric", {}, headers=CALLERS["other"]
                              ).json["id"]
    missing = str(uuid.uuid4())
    as_missing = server.get(f"/v1/metric?marker={missing}",
                            headers=CALLERS["owner"], status=400)
    resp = server.get(f"/v1/metric?marker={theirs}",
                      headers=CALLERS["owner"], status=400)
    assert masked(resp, theirs) == masked(as_missing, missing)


def test_batch_with_someone_elses_metric_writes_nothing(server):
    mine = new_metric(server)
    theirs = server.post_json("/v1/metric", {}, headers=CALLERS["other"]
                              ).json["id"]
    before = snapshot(server, mine)
    resp = server.post_json("/v1/batch/metrics/measures", {
        mine: [{"timestamp": 180, "value": 3}],
        theirs: [{"timestamp": 180, "value": 3}]},
        headers=CALLERS["owner"], status=400)
    assert resp.json["metrics"] == [theirs]
    assert "Unknown metric" in resp.json["description"]
    assert snapshot(server, mine) == before


def test_metric_records_its_creator(server):
    resp = server.post_json("/v1/metric", {"name": "cpu"},
                            headers=CALLERS["other"], status=201)
    assert resp.json["creator"] == "bob"
    shown = server.get(f"/v1/metric/{resp.json['id']}",
                       headers=CALLERS["admin"]).json
    assert shown["creator"] == "bob"


def test_creator_cannot_be_chosen_by_the_client(server):
    server.post_json("/v1/metric", {"creator": "alice"},
                     headers=CALLERS["other"], status=400)


@pytest.mark.parametrize("path", ["/v1/capabilities", "/v1/status",
                                  "/v1/nowhere"])
def test_other_resources_need_credentials(server, path):
    resp = server.get(path, status=401)
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="statsvc"'
    server.get(path, headers=CALLERS["other"], status="*")


@pytest.mark.parametrize("path", ["/", "/v1", "/v1/openapi.json"])
def test_discovery_documents_are_public(server, path):
    server.get(path, status=200)


def test_identity_headers_are_ignored_in_basic_mode(server):
    theirs = server.post_json("/v1/metric", {}, headers=CALLERS["other"]
                              ).json["id"]
    server.get(f"/v1/metric/{theirs}",
               headers={"X-User-Id": "bob", "X-Roles": "admin"}, status=401)
    server.get(f"/v1/metric/{theirs}",
               headers={**CALLERS["owner"], "X-Roles": "admin"}, status=404)
