"""POST /v1/aggregates over resources: metrics named by pattern in the
resources a search selects, and groupby."""
import uuid

import pytest

from tests.functional.test_aggregates import user


@pytest.fixture
def hosts(app):
    """Three resources of two projects, each with cpu.util (and the first
    with cpu.idle, unwritten); values by resource in minute buckets."""
    app.post_json("/v1/archive_policy", {
        "name": "minute", "definition": [{"granularity": "1 minute"}]})
    projects = [str(uuid.uuid4()), str(uuid.uuid4())]
    found = {}
    for i, (project, values) in enumerate(((0, [1.0, 3.0]), (0, [5.0, 7.0]),
                                           (1, [100.0, 200.0]))):
        metrics = {"cpu.util": {"archive_policy_name": "minute"}}
        if i == 0:
            metrics["cpu.idle"] = {"archive_policy_name": "minute"}
        resource = app.post_json("/v1/resource/generic", {
            "id": str(uuid.uuid4()), "project_id": projects[project],
            "user_id": "u1", "metrics": metrics}).json
        app.post_json(f"/v1/metric/{resource['metrics']['cpu.util']}"
                      f"/measures", [{"timestamp": 60 * k, "value": v}
                                     for k, v in enumerate(values)])
        found[resource["id"]] = (projects[project], values)
    return found


def test_metrics_by_name_in_searched_resources(app, hosts):
    got = aggregates_with(app, "(metric (cpu.* mean))",
                          "user_id = 'u1'", details="true")
    assert sorted(r["id"] for r in got["references"]) == sorted(hosts)
    for rid, (_, values) in hosts.items():
        assert [p[2] for p in got["measures"][rid]["cpu.util"]["mean"]] \
            == values
    first = next(iter(hosts))
    assert got["measures"][first]["cpu.idle"]["mean"] == []


def test_aggregate_across_resources_and_groupby(app, hosts):
    everything = aggregates_with(app, "(aggregate sum (metric cpu.util "
                                      "mean))", {"=": {"user_id": "u1"}})
    assert [p[2] for p in everything["measures"]["aggregated"]] == \
        [sum(v[0] for _, v in hosts.values()),
         sum(v[1] for _, v in hosts.values())]
    groups = aggregates_with(app, "(aggregate sum (metric cpu.util mean))",
                             {}, groupby="project_id")
    by_project = {}
    for project, values in hosts.values():
        sums = by_project.setdefault(project, [0.0, 0.0])
        sums[0] += values[0]
        sums[1] += values[1]
    assert {g["group"]["project_id"]: [p[2] for p in g["measures"][
        "measures"]["aggregated"]] for g in groups} == by_project


def test_errors(app, hosts):
    got = aggregates_with(app, "(metric (nope mean) (nada mean))", {},
                          status=404)
    assert got["description"] == "Metric ['nada', 'nope'] does not exist"
    got = aggregates_with(app, "(metric cpu.util mean)", {},
                          groupby="colour", status=400)
    assert got["parameter"] == "groupby"
    got = aggregates_with(app, "(metric cpu.util mean)", "user_id ==",
                          status=400)
    assert got["parameter"] == "search"
    got = aggregates_with(app, "(metric cpu.util mean)", {"<>": 1},
                          status=400)
    assert got["description"]["cause"] == "Invalid input"
    got = aggregates_with(app, "(metric cpu.util mean)", {},
                          resource_type="nosuch", status=400)
    assert got["parameter"] == "resource_type"
    # Another user's resources are not searched.
    got = aggregates_with(app, "(metric cpu.util mean)", {}, status=404,
                          headers=user("mallory"))


def aggregates_with(app, operations, search, resource_type="generic",
                    status=200, headers=None, **query):
    body = {"operations": operations, "resource_type": resource_type,
            "search": search}
    url = "/v1/aggregates?" + "&".join(f"{k}={v}" for k, v in query.items())
    return app.post_json(url, body, status=status, headers=headers).json
