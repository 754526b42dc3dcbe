"""Resource types, resources and their metrics through the real app, in
Gnocchi 4.x's shapes."""
import functools
import json
import uuid
from urllib.parse import quote

import pytest

from tests import redis_helpers

ADMIN = {"X-User-Id": "admin", "X-Roles": "admin"}
ALICE = {"X-User-Id": "alice"}
BOB = {"X-User-Id": "bob"}
RID = "d11edfca-4393-4fda-b94d-b05a3a1b3747"
INSTANCE = {"name": "instance", "attributes": {
    "host": {"type": "string", "max_length": 5, "min_length": 2},
    "flavor": {"type": "number", "required": False, "min": 1, "max": 64},
    "image": {"type": "uuid", "required": False},
    "up": {"type": "bool", "required": False},
    "booted": {"type": "datetime", "required": False}}}


@pytest.fixture
def instance_type(app):
    return app.post_json("/v1/resource_type", INSTANCE, headers=ADMIN)


def test_a_type_is_created_with_gnocchis_defaults(app, instance_type):
    assert instance_type.status_int == 201
    assert instance_type.location.endswith("/v1/resource_type/instance")
    attributes = instance_type.json["attributes"]
    assert attributes["host"] == {"type": "string", "required": True,
                                  "min_length": 2, "max_length": 5}
    assert attributes["flavor"] == {"type": "number", "required": False,
                                    "min": 1, "max": 64}
    assert attributes["image"] == {"type": "uuid", "required": False}
    listed = app.get("/v1/resource_type").json
    assert [t["name"] for t in listed] == ["generic", "instance"]
    assert app.get("/v1/resource_type/instance").json == instance_type.json


@pytest.mark.parametrize("attributes, detail", [
    ({"id": {"type": "string"}}, ["attributes", "id"]),
    ({"x": {"type": "colour"}}, ["attributes", "x", "type"]),
    ({"x": {"type": "string", "min_length": 5, "max_length": 2}},
     ["attributes", "x"]),
    ({"x": {"type": "number", "min": 8, "max": 3}}, ["attributes", "x"]),
    ({"x": {"type": "string", "noexist": 1}}, ["attributes", "x", "noexist"]),
])
def test_bad_type_definitions_are_400_naming_where(app, attributes, detail):
    error = app.post_json("/v1/resource_type", {
        "name": "bad", "attributes": attributes}, headers=ADMIN, status=400)
    assert error.json["description"]["cause"] == "Invalid input"
    assert error.json["description"]["detail"] == detail
    app.get("/v1/resource_type/bad", status=404)


def test_only_admins_create_and_delete_types(app, instance_type):
    app.post_json("/v1/resource_type", {"name": "x"}, headers=ALICE,
                  status=403)
    app.delete("/v1/resource_type/instance", headers=ALICE, status=403)
    app.post_json("/v1/resource_type", INSTANCE, headers=ADMIN, status=409)


def test_a_resource_with_its_metrics(app, instance_type):
    created = app.post_json("/v1/resource/instance", {
        "id": RID, "host": "web1", "flavor": 2, "user_id": "alice",
        "booted": "2017-05-02T11:11:11Z",
        "metrics": {"cpu": {"archive_policy_name": "low", "unit": "%"}}},
        headers=ALICE)
    assert created.status_int == 201
    assert created.location.endswith(f"/v1/resource/instance/{RID}")
    resource = created.json
    assert resource["id"] == resource["original_resource_id"] == RID
    assert resource["type"] == "instance" and resource["creator"] == "alice"
    assert resource["booted"] == "2017-05-02T11:11:11+00:00"
    assert resource["image"] is None and resource["ended_at"] is None
    assert resource["revision_end"] is None
    cpu = resource["metrics"]["cpu"]
    metric = app.get(f"/v1/metric/{cpu}", headers=ALICE).json
    assert metric["resource_id"] == RID and metric["name"] == "cpu"
    assert metric["archive_policy_name"] == "low" and metric["unit"] == "%"
    assert app.get(f"/v1/resource/instance/{RID}",
                   headers=ALICE).json == resource
    assert app.get(f"/v1/resource/generic/{RID}",
                   headers=ALICE).json == resource

    # Measures by the metric's name, statistics included.
    path = f"/v1/resource/instance/{RID}/metric/cpu/measures"
    app.post_json(path, [{"timestamp": f"2024-01-01T00:0{i}:00",
                          "value": v} for i, v in enumerate([1, 3, 5])],
                  headers=ALICE, status=202)
    raw = app.get(f"/v1/metric/{cpu}/measures?granularity=300",
                  headers=ALICE).json
    assert app.get(path + "?granularity=300", headers=ALICE).json == raw
    assert raw == [["2024-01-01T00:00:00+00:00", 300.0, 3.0]]
    app.get(f"/v1/resource/instance/{RID}/metric/mem/measures",
            headers=ALICE, status=404)


def test_resource_ids_map_as_gnocchis(app):
    body = app.post_json("/v1/resource/generic", {"id": "my-host.example"},
                         headers=ALICE).json
    # uuid5 of Gnocchi's namespace, the id and its creator.
    assert body["id"] == str(uuid.uuid5(
        uuid.UUID("0a7a15ff-aa13-4ac2-897c-9bdf30ce175b"),
        "my-host.example\x00alice"))
    assert body["original_resource_id"] == "my-host.example"
    assert app.get("/v1/resource/generic/my-host.example",
                   headers=ALICE).json == body
    app.post_json("/v1/resource/generic", {"id": "a/b"}, headers=ALICE,
                  status=400)
    app.post_json("/v1/resource/generic", {"id": "my-host.example"},
                  headers=ALICE, status=409)


@pytest.mark.parametrize("body, detail", [
    ({"id": RID, "host": "toolong!"}, ["host"]),
    ({"id": RID}, ["host"]),
    ({"id": RID, "host": "ab", "image": "really!"}, ["image"]),
    ({"id": RID, "host": "ab", "flavor": 65}, ["flavor"]),
    ({"id": RID, "host": "ab", "up": "yes"}, ["up"]),
    ({"id": RID, "host": "ab", "colour": 1}, ["colour"]),
    ({"host": "ab"}, ["id"]),
])
def test_bad_resources_are_400_naming_the_attribute(app, instance_type, body,
                                                    detail):
    error = app.post_json("/v1/resource/instance", body, status=400).json
    assert error["description"]["detail"] == detail
    app.get(f"/v1/resource/instance/{RID}", status=404)


def test_patch_and_attach_metrics(app, instance_type):
    app.post_json("/v1/resource/instance", {"id": RID, "host": "web1"})
    patched = app.patch_json(f"/v1/resource/instance/{RID}",
                             {"host": "web2", "ended_at": "2030-01-01"}).json
    assert patched["host"] == "web2"
    assert patched["ended_at"] == "2030-01-01T00:00:00+00:00"
    app.patch_json(f"/v1/resource/instance/{RID}", {"host": "x"}, status=400)
    app.patch_json(f"/v1/resource/instance/{RID}",
                   {"ended_at": "1999-01-01"}, status=400)
    assert app.get(f"/v1/resource/instance/{RID}").json == patched

    metrics = app.post_json(f"/v1/resource/instance/{RID}/metric",
                            {"mem": {"archive_policy_name": "low"}}).json
    assert [m["name"] for m in metrics] == ["mem"]
    assert metrics[0]["resource_id"] == RID
    app.post_json(f"/v1/resource/instance/{RID}/metric",
                  {"mem": {"archive_policy_name": "low"}}, status=409)
    # An existing metric is attached by id and takes the name.
    existing = app.post_json("/v1/metric", {"archive_policy_name": "low",
                                            "name": "old"}).json["id"]
    app.post_json(f"/v1/resource/instance/{RID}/metric",
                  {"disk": existing})
    shown = app.get(f"/v1/metric/{existing}").json
    assert (shown["name"], shown["resource_id"]) == ("disk", RID)
    names = app.get(f"/v1/resource/instance/{RID}/metric").json
    assert [m["name"] for m in names] == ["disk", "mem"]
    # A PATCH replaces the map, keeping what it names again; the metric it
    # leaves out is detached, not deleted.
    kept = app.patch_json(f"/v1/resource/instance/{RID}", {"metrics": {
        "mem": metrics[0]["id"]}}).json
    assert kept["metrics"] == {"mem": metrics[0]["id"]}
    assert app.get(f"/v1/metric/{existing}").json["resource_id"] is None
    # Renamed within the resource: the old name goes.
    renamed = app.patch_json(f"/v1/resource/instance/{RID}", {"metrics": {
        "memory": metrics[0]["id"]}}).json
    assert renamed["metrics"] == {"memory": metrics[0]["id"]}
    assert app.get(f"/v1/metric/{metrics[0]['id']}").json["name"] == \
        "memory"


def test_attaching_an_existing_metric_is_checked(app, instance_type):
    app.post_json("/v1/resource/instance", {"id": RID, "host": "web1"})
    other = app.post_json("/v1/resource/generic", {
        "id": "other", "metrics": {"cpu": {"archive_policy_name": "low"}}
    }).json
    missing = "00000000-0000-4000-8000-000000000000"
    theirs = app.post_json("/v1/metric", {"archive_policy_name": "low"},
                           headers=ALICE).json["id"]
    for metric_id in (missing, theirs):
        body = app.post_json(f"/v1/resource/instance/{RID}/metric",
                             {"disk": metric_id}, status=400).json
        assert body["description"] == f"Metric {metric_id} does not exist"
    body = app.post_json(f"/v1/resource/instance/{RID}/metric",
                         {"disk": other["metrics"]["cpu"]}, status=400).json
    assert body["description"]["cause"] == \
        "Metric belongs to another resource"
    assert app.get(f"/v1/resource/instance/{RID}").json["metrics"] == {}
    assert app.get(f"/v1/metric/{other['metrics']['cpu']}").json[
        "resource_id"] == other["id"]


def test_delete_takes_the_metrics_and_frees_the_type(app, instance_type):
    resource = app.post_json("/v1/resource/instance", {
        "id": RID, "host": "web1",
        "metrics": {"cpu": {"archive_policy_name": "low"}}}).json
    error = app.delete("/v1/resource_type/instance", headers=ADMIN,
                       status=400)
    assert "still in use" in error.json["description"]
    app.delete(f"/v1/resource/instance/{RID}", status=204)
    app.get(f"/v1/resource/instance/{RID}", status=404)
    app.get(f"/v1/metric/{resource['metrics']['cpu']}", status=404)
    app.delete("/v1/resource_type/instance", headers=ADMIN, status=204)
    app.get("/v1/resource_type/instance", status=404)


def test_someone_elses_resource_is_missing(app):
    app.post_json("/v1/resource/generic", {"id": RID}, headers=ALICE)
    app.get(f"/v1/resource/generic/{RID}", headers=BOB, status=404)
    app.delete(f"/v1/resource/generic/{RID}", headers=BOB, status=404)
    assert app.get("/v1/resource/generic", headers=BOB).json == []
    assert [r["id"] for r in app.get("/v1/resource/generic",
                                     headers=ALICE).json] == [RID]


def test_list_pages_through_resources(app):
    ids = sorted(str(uuid.uuid4()) for _ in range(5))
    for rid in ids:
        app.post_json("/v1/resource/generic", {"id": rid})
    first = app.get("/v1/resource/generic?limit=2&sort=id:asc")
    assert [r["id"] for r in first.json] == ids[:2]
    second = app.get("/v1/resource/generic?limit=2&sort=id:asc"
                     f"&marker={ids[1]}")
    assert [r["id"] for r in second.json] == ids[2:4]
    assert "rel=\"next\"" in first.headers["Link"]
    app.get("/v1/resource/generic?sort=colour", status=400)
    app.get("/v1/resource/nosuchtype", status=404)


def test_ceilometer_batch_creates_metrics_by_resource(app):
    app.post_json("/v1/resource/generic", {"id": "vm-1"})
    body = {"vm-1": {"cpu": {"archive_policy_name": "low", "unit": "ns",
                             "measures": [{"timestamp": "2024-01-01T00:00:00",
                                           "value": 7}]},
                     "mem": [{"timestamp": "2024-01-01T00:00:00",
                              "value": 3}]}}
    path = "/v1/batch/resources/metrics/measures"
    error = app.post_json(path, body, status=400).json
    assert error["description"].startswith("Unknown metrics: ")
    # Ceilometer creates the resources a batch names as unknown...
    missing = app.post_json(path + "?create_metrics=true",
                            {"vm-2": {"cpu": []}}, status=400).json
    assert missing["description"]["cause"] == "Unknown resources"
    assert missing["description"]["detail"][0]["original_resource_id"] \
        == "vm-2"
    # ...which, without create_metrics, are only metrics not found.
    unknown = app.post_json(path, {"vm-2": {"cpu": []}}, status=400).json
    vm2 = app.get("/v1/resource/generic/vm-2", status=404).json
    assert unknown["description"] == (
        "Unknown metrics: " + vm2["description"].split()[1] + "/cpu")

    app.post_json(path + "?create_metrics=true", body, status=202)
    resource = app.get("/v1/resource/generic/vm-1").json
    assert sorted(resource["metrics"]) == ["cpu", "mem"]
    cpu = app.get(f"/v1/metric/{resource['metrics']['cpu']}").json
    assert cpu["unit"] == "ns" and cpu["archive_policy_name"] == "low"
    measures = app.get("/v1/resource/generic/vm-1/metric/mem/measures"
                       "?granularity=300").json
    assert [m[2] for m in measures] == [3.0]
    # Again: the same metrics, nothing created twice.
    app.post_json(path + "?create_metrics=true", body, status=202)
    again = app.get("/v1/resource/generic/vm-1").json
    assert again["metrics"] == resource["metrics"]


def test_search_in_both_forms(app, instance_type):
    for rid, host, flavor in [("vm-1", "web1", 2), ("vm-2", "db1", 8),
                              ("vm-3", "web2", 4)]:
        app.post_json("/v1/resource/instance", {
            "id": rid, "host": host, "flavor": flavor,
            "booted": f"2024-0{flavor // 2}-01"})
    search = "/v1/search/resource/instance"

    def names(response):
        return sorted(r["original_resource_id"] for r in response.json)

    assert names(app.post_json(search, {"like": {"host": "web%"}})) \
        == ["vm-1", "vm-3"]
    assert names(app.post_json(search, {"and": [
        {">=": {"flavor": 4}}, {"<": {"booted": "2024-04-01T00:00:00Z"}}]})) \
        == ["vm-3"]
    assert names(app.post(search + "?filter=" + "host%3D'db1'%20or%20"
                          "id%20in%20%5B'vm-1'%5D")) == ["vm-1", "vm-2"]
    assert names(app.post_json(search, {})) == ["vm-1", "vm-2", "vm-3"]
    assert names(app.post("/v1/search/resource/generic")) \
        == ["vm-1", "vm-2", "vm-3"]
    shown = app.post_json(search + "?attrs=host&attrs=nope",
                          {"=": {"id": "vm-2"}}).json
    assert shown == [{"id": shown[0]["id"], "host": "db1"}]

    error = app.post_json(search, {"and": {"host": "x"}}, status=400).json
    assert error["description"]["detail"] == ["and"]
    error = app.post(search + "?filter=host%20%3D", status=400).json
    assert error["description"].startswith("Invalid filter: Expected")
    app.post_json("/v1/search/resource/nope", {}, status=404)
    # Someone else's resources are not found by searching either.
    assert app.post_json(search, {}, headers=BOB).json == []


def test_history_keeps_every_revision_of_the_fields(app):
    path = f"/v1/resource/generic/{RID}"
    app.post_json("/v1/resource/generic", {"id": RID, "user_id": "u1",
                                           "project_id": "p1"})
    app.patch_json(path, {"user_id": "u2"})
    app.patch_json(path, {"project_id": "p2"})
    # Metrics alone make no revision, as in Gnocchi.
    app.patch_json(path, {"metrics": {"cpu": {"archive_policy_name": "low"}}})
    app.patch_json(path, {"project_id": "p2"})  # no change: no revision
    history = app.get(path + "/history").json
    assert [(r["user_id"], r["project_id"]) for r in history] == [
        ("u1", "p1"), ("u2", "p1"), ("u2", "p2")]
    assert [r["revision_end"] for r in history] == [
        history[1]["revision_start"], history[2]["revision_start"], None]
    listed = app.get("/v1/resource/generic?history=true").json
    assert listed == history
    assert app.get("/v1/resource/generic").json == [history[-1]]
    page = app.get(path + "/history?limit=2")
    assert page.json == history[:2]
    marker = f"{RID}@2"  # the second past revision; @-1 is the current
    assert f"marker={quote(marker, safe='')}&" in page.headers["Link"]
    assert app.get(path + "/history", params={"marker": marker}).json \
        == history[2:]
    app.delete(path)
    app.post_json("/v1/resource/generic", {"id": RID})
    assert len(app.get(path + "/history").json) == 1


PATCH_TYPE = {"headers": dict(ADMIN, **{
    "Content-Type": "application/json-patch+json"})}


def patch_type(app, operations, status=200):
    return app.patch("/v1/resource_type/instance",
                     json.dumps(operations), status=status, **PATCH_TYPE)


def test_a_type_gains_and_loses_attributes(app, instance_type):
    app.post_json("/v1/resource/instance", {"id": RID, "host": "web1"})
    app.patch_json(f"/v1/resource/instance/{RID}", {"host": "web2"})
    changed = patch_type(app, [
        {"op": "add", "path": "/attributes/zone",
         "value": {"type": "string", "required": True,
                   "options": {"fill": "eu-1"}}},
        {"op": "add", "path": "/attributes/cores",
         "value": {"type": "number", "required": False}},
        {"op": "remove", "path": "/attributes/up"}]).json
    assert changed["attributes"]["zone"] == {
        "type": "string", "required": True, "min_length": 0,
        "max_length": 256}
    assert "up" not in changed["attributes"]
    resource = app.get(f"/v1/resource/instance/{RID}").json
    assert resource["zone"] == "eu-1" and resource["cores"] is None
    assert "up" not in resource
    # Past revisions too.
    history = app.get(f"/v1/resource/instance/{RID}/history").json
    assert [r["zone"] for r in history] == ["eu-1", "eu-1"]
    app.post_json("/v1/resource/instance", {"id": "x", "host": "ab"},
                  status=400)  # zone is required now


@pytest.mark.parametrize("operations, message", [
    ([{"op": "add", "path": "/attributes/new",
       "value": {"type": "bool", "required": True}}],
     "must not be empty if required=True"),
    ([{"op": "add", "path": "/attributes/new",
       "value": {"type": "number", "options": {"fill": "a"}}}],
     "expected Real"),
    ([{"op": "add", "path": "/attributes/host", "value": {"type": "number"}}],
     "Type update is not available yet"),
    ([{"op": "remove", "path": "/attributes/nope"}],
     "can't remove a non-existent object 'nope'"),
    ([{"op": "replace", "path": "/attributes/host"}],
     "not a valid value"),
    ([{"op": "add", "path": "/name", "value": {}}],
     "Only attributes can be modified"),
])
def test_bad_type_patches_change_nothing(app, instance_type, operations,
                                         message):
    error = patch_type(app, operations, status=400).json
    assert message in json.dumps(error)
    assert app.get("/v1/resource_type/instance").json == instance_type.json


def test_bulk_delete_by_query(app):
    for rid, project in [("a", "p1"), ("b", "p1"), ("c", "p2")]:
        app.post_json("/v1/resource/generic", {"id": rid,
                                               "project_id": project})
    app.delete_json("/v1/resource/generic", {}, status=400)
    app.delete_json("/v1/resource/generic", {"in": {"id": []}}, status=400)
    deleted = app.delete_json("/v1/resource/generic",
                              {"=": {"project_id": "p1"}}).json
    assert deleted == {"deleted": 2}
    assert [r["original_resource_id"]
            for r in app.get("/v1/resource/generic").json] == ["c"]
    assert app.delete("/v1/resource/generic?filter=id%3D'c'").json \
        == {"deleted": 1}


def _pages(app, url, headers):
    """Every resource of a listing, following its Link headers."""
    listed = []
    while url:
        response = app.get(url, headers=headers)
        listed += [r["id"] for r in response.json]
        link = response.headers.get("Link")
        url = link[link.index("/v1/"):link.index(">")] if link else None
    return listed


@pytest.fixture(params=["sqlite", "redis"])
def any_store_app(request, make_app):
    """The app on SQLite, then on the test Redis."""
    if request.param == "sqlite":
        return make_app()
    redis_helpers.redis_or_skip()
    prefix = redis_helpers.new_prefix()
    request.addfinalizer(lambda: redis_helpers.delete_redis_prefix(prefix))
    return make_app(storage={"driver": "redis", "key_prefix": prefix,
                             "url": redis_helpers.REDIS_URL})


@pytest.mark.parametrize("sort", [
    "", "&sort=project_id:desc", "&sort=user_id:asc-nullslast&sort=id:desc",
    "&sort=started_at:desc-nullsfirst"])
def test_pages_follow_the_whole_order(any_store_app, sort):
    app = any_store_app
    app.post_json("/v1/resource_type", INSTANCE, headers=ADMIN)
    created = []
    for i in range(60):
        body = {"id": str(uuid.uuid4()), "project_id": None if i % 4 == 0
                else f"p{i % 3}", "user_id": "alice" if i % 2 else None,
                "started_at": f"2024-01-{i % 28 + 1:02d}T00:00:00"}
        if i % 5 == 0:
            body["host"] = "web1"
            created.append(app.post_json("/v1/resource/instance", body,
                                         headers=ADMIN).json)
        else:
            created.append(app.post_json("/v1/resource/generic", body,
                                         headers=ADMIN).json)
    keys = [k.split(":") for k in sort.replace("&sort=", " ").split()] or \
        [["revision_start", "asc"], ["started_at", "asc"]]
    if not any(k[0] == "id" for k in keys):
        keys.append(["id", "asc"])

    def expected(resources):
        def compare(a, b):
            for field, direction in keys:
                x, y = a.get(field), b.get(field)
                if x == y:
                    continue
                nulls_last = direction.endswith("nullslast") or (
                    direction.startswith("desc")
                    and not direction.endswith("nullsfirst"))
                if x is None or y is None:
                    return (1 if x is None else -1) * (
                        1 if nulls_last else -1)
                return (1 if x > y else -1) * (
                    -1 if direction.startswith("desc") else 1)
            return 0
        return [r["id"] for r in sorted(resources,
                                        key=functools.cmp_to_key(compare))]
    assert _pages(app, f"/v1/resource/generic?limit=7{sort}", ADMIN) == \
        expected(created)
    assert _pages(app, f"/v1/resource/instance?limit=4{sort}", ADMIN) == \
        expected([r for r in created if r["type"] == "instance"])
    assert _pages(app, f"/v1/resource/generic?limit=5{sort}", ALICE) == \
        expected([r for r in created if r["user_id"] == "alice"])
    searched = app.post_json(f"/v1/search/resource/generic?limit=100{sort}",
                             {"=": {"project_id": "p1"}}, headers=ADMIN)
    assert [r["id"] for r in searched.json] == \
        expected([r for r in created if r["project_id"] == "p1"])
    app.get(f"/v1/resource/generic?marker={uuid.uuid4()}{sort}",
            headers=ADMIN, status=400)
