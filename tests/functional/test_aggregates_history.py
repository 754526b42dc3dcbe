"""POST /v1/aggregates?groupby=...&use_history=true: groups of resource
revisions, each computed over its own time window (Gnocchi's Grouper)."""
import datetime
import urllib.parse
import uuid

import pytest

from tests.functional.test_aggregates import user


def _iso(seconds):
    return datetime.datetime.fromtimestamp(
        seconds, datetime.timezone.utc).isoformat()


@pytest.fixture
def flavours(app):
    """A resource type with ``flavor``; ``make(flavor, points)`` creates an
    instance with a ``cpu`` metric (1-minute buckets, mean and sum) and
    writes ``{second: value}``; returns its id."""
    app.post_json("/v1/archive_policy", {
        "name": "minute", "aggregation_methods": ["mean", "sum"],
        "definition": [{"granularity": "1 minute"}]})
    app.post_json("/v1/resource_type", {
        "name": "instance",
        "attributes": {"flavor": {"type": "string", "required": False}}})

    def make(flavor, points, project="p1"):
        resource = app.post_json("/v1/resource/instance", {
            "id": str(uuid.uuid4()), "flavor": flavor, "project_id": project,
            "metrics": {"cpu": {"archive_policy_name": "minute"}}}).json
        write(resource["id"], points)
        return resource["id"]

    def write(resource_id, points):
        app.post_json(f"/v1/resource/instance/{resource_id}/metric/cpu/"
                      f"measures", [{"timestamp": _iso(t), "value": v}
                                    for t, v in points.items()])

    make.write = write
    return make


def _history(app, groupby, status=200, **query):
    params = "&".join([f"groupby={g}" for g in groupby]
                      + [f"{k}={urllib.parse.quote(v)}"
                         for k, v in query.items()])
    return app.post_json(
        f"/v1/aggregates?use_history=true&{params}",
        {"resource_type": "instance", "search": "project_id = 'p1'",
         "operations": "(aggregate sum (metric cpu sum))"},
        status=status).json


def _revision_start(app, resource_id):
    return app.get(f"/v1/resource/instance/{resource_id}").json[
        "revision_start"]


def test_each_revision_counts_in_the_group_of_its_attributes(app, flavours):
    # Points written now fall in the revision of now: the past ones are
    # written before the change, with timestamps long before it.
    rid = flavours("small", {0: 1.0, 60: 2.0})
    app.patch_json(f"/v1/resource/instance/{rid}", {"flavor": "large"})
    far = 66_666_667 * 60  # 2096, a minute's start: after the change
    flavours.write(rid, {far: 5.0, far + 60: 7.0})
    got = _history(app, ["flavor"])
    by_flavor = {g["group"]["flavor"]: g["measures"]["measures"]["aggregated"]
                 for g in got}
    assert by_flavor == {
        "large": [[_iso(far), 60.0, 5.0], [_iso(far + 60), 60.0, 7.0]],
        "small": [[_iso(0), 60.0, 1.0], [_iso(60), 60.0, 2.0]]}
    # Without history, the resource is in its current group only.
    current = app.post_json(
        "/v1/aggregates?groupby=flavor",
        {"resource_type": "instance", "search": "project_id = 'p1'",
         "operations": "(aggregate sum (metric cpu sum))"}).json
    assert [g["group"] for g in current] == [{"flavor": "large"}]


def test_a_bucket_cut_by_a_revision_is_shared_by_its_share(app, flavours):
    rid = flavours("small", {})
    app.patch_json(f"/v1/resource/instance/{rid}", {"flavor": "large"})
    changed = datetime.datetime.fromisoformat(_revision_start(app, rid))
    bucket = changed.replace(second=0, microsecond=0)
    flavours.write(rid, {bucket.timestamp(): 6.0})
    got = {g["group"]["flavor"]: g["measures"]["measures"]["aggregated"]
           for g in _history(app, ["flavor"])}
    before = (changed - bucket) / datetime.timedelta(minutes=1)
    assert got["small"] == [[bucket.isoformat(), 60.0,
                             pytest.approx(6.0 * before, rel=1e-12)]]
    assert got["large"] == [[bucket.isoformat(), 60.0,
                             pytest.approx(6.0 * (1 - before), rel=1e-12)]]


def test_resources_of_a_group_add_up_and_start_stop_clip(app, flavours):
    # Minutes from the next hour on, after the resources' creation: a
    # window [start, stop) selects the revisions it overlaps.
    t0 = (int(datetime.datetime.now(datetime.timezone.utc).timestamp())
          // 3600 + 1) * 3600
    flavours("small", {t0: 1.0, t0 + 60: 2.0, t0 + 120: 4.0})
    flavours("small", {t0: 10.0, t0 + 120: 40.0})
    flavours("other", {t0: 100.0}, project="p2")  # not searched
    got = _history(app, ["flavor"])
    assert [g["group"] for g in got] == [{"flavor": "small"}]
    # Gnocchi computes each revision alone and sums only a timestamp that
    # follows itself: two resources' series one after the other.
    assert sorted((m[0], m[2]) for m in got[0]["measures"]["measures"][
        "aggregated"]) == sorted([
            (_iso(t0), 1.0), (_iso(t0 + 60), 2.0), (_iso(t0 + 120), 4.0),
            (_iso(t0), 10.0), (_iso(t0 + 120), 40.0)])
    clipped = _history(app, ["flavor"], start=_iso(t0 + 60),
                       stop=_iso(t0 + 120))
    assert [(m[0], m[2]) for m in clipped[0]["measures"]["measures"][
        "aggregated"]] == [(_iso(t0 + 60), 2.0)]
    # A window before the resources existed overlaps no revision.
    _history(app, ["flavor"], status=404, start=_iso(60), stop=_iso(120))


def test_details_list_the_revisions_and_groupby_two_attributes(app,
                                                               flavours):
    rid = flavours("small", {0: 1.0})
    got = _history(app, ["flavor", "project_id"], details="true")
    assert got[0]["group"] == {"flavor": "small", "project_id": "p1"}
    assert [r["id"] for r in got[0]["measures"]["references"]] == [rid]


def test_history_needs_operations_that_aggregate(app, flavours):
    flavours("small", {0: 1.0})
    got = app.post_json(
        "/v1/aggregates?use_history=true&groupby=flavor",
        {"resource_type": "instance", "search": "project_id = 'p1'",
         "operations": "(metric cpu sum)"}, status=400).json
    assert "aggregate" in got["description"]


def test_a_user_sees_only_the_revisions_of_resources_they_may_see(
        app, flavours):
    app.extra_environ = {}
    mine = app.post_json("/v1/resource/instance", {
        "id": str(uuid.uuid4()), "flavor": "small", "project_id": "p1",
        "metrics": {"cpu": {"archive_policy_name": "minute"}}},
        headers=user("alice")).json
    app.post_json(f"/v1/resource/instance/{mine['id']}/metric/cpu/measures",
                  [{"timestamp": _iso(0), "value": 3.0}],
                  headers=user("alice"))
    query = {"resource_type": "instance", "search": "project_id = 'p1'",
             "operations": "(aggregate sum (metric cpu sum))"}
    seen = app.post_json("/v1/aggregates?use_history=true&groupby=flavor",
                         query, headers=user("alice")).json
    assert seen[0]["measures"]["measures"]["aggregated"] == [
        [_iso(0), 60.0, 3.0]]
    app.post_json("/v1/aggregates?use_history=true&groupby=flavor", query,
                  headers=user("bob"), status=404)
