"""gnocchiclient's command line against a real statsvc over uwsgi.

Each step is a command a Gnocchi user runs, with the ``gnocchi-noauth``
plugin as in Gnocchi's own noauth mode; outputs are read as JSON
(``-f json``) or values.
"""
import datetime
import json
import os
import subprocess

import pytest

from tests.integration.server import BIN_DIR, Server

UTC = datetime.timezone.utc
GNOCCHI = os.path.join(BIN_DIR, "gnocchi")
NOAUTH = ("--os-auth-type", "gnocchi-noauth", "--user-id", "admin",
          "--project-id", "admin")


@pytest.fixture(scope="module")
def gnocchi(tmp_path_factory):
    """Run ``gnocchi ARGS...`` against a fresh server (``auth_mode = none``);
    return its stdout, or its stderr when ``ok=False``."""
    if not os.path.exists(GNOCCHI):
        pytest.fail(f"{GNOCCHI} missing: pip install -e '.[test]'")
    with Server(tmp_path_factory.mktemp("gnocchiclient") / "data") as server:
        def run(*args, ok=True, auth=NOAUTH):
            done = subprocess.run(
                [GNOCCHI, *auth, "--endpoint", server.base, *args],
                capture_output=True, text=True, timeout=60)
            assert (done.returncode == 0) == ok, (args, done.stderr)
            return done.stdout if ok else done.stderr
        yield run


def as_json(text):
    return json.loads(text)


def test_archive_policies(gnocchi):
    listed = as_json(gnocchi("archive-policy", "list", "-f", "json"))
    assert [p["name"] for p in listed] == ["bool", "high", "low", "medium"]
    low = as_json(gnocchi("archive-policy", "show", "low", "-f", "json"))
    assert low["definition"] == [{"granularity": "0:05:00", "points": 8640,
                                  "timespan": "30 days, 0:00:00"}]
    created = as_json(gnocchi(
        "archive-policy", "create", "-d", "granularity:1m,points:60",
        "-d", "granularity:1s,timespan:1 hour", "-m", "mean", "-m", "max",
        "-b", "0", "-f", "json", "two"))
    assert created["aggregation_methods"] == ["max", "mean"]
    assert [d["points"] for d in created["definition"]] == [60, 3600]
    assert "already exists" in gnocchi("archive-policy", "create", "-d",
                                       "granularity:1s,points:1", "two",
                                       ok=False)
    gnocchi("archive-policy", "delete", "two")
    assert "does not exist" in gnocchi("archive-policy", "show", "two",
                                       ok=False)


def test_metrics_and_measures(gnocchi, tmp_path):
    gnocchi("archive-policy", "create", "-d", "granularity:1m,points:60",
            "-d", "granularity:1s,timespan:1h", "-m", "mean", "-m", "max",
            "pol")
    metric = as_json(gnocchi("metric", "create", "--archive-policy-name",
                             "pol", "--unit", "ms", "latency", "-f", "json"))
    metric_id = metric["id"]
    assert metric["archive_policy/name"] == "pol"
    shown = as_json(gnocchi("metric", "show", metric_id, "-f", "json"))
    assert (shown["name"], shown["unit"]) == ("latency", "ms")
    listed = as_json(gnocchi("metric", "list", "-f", "json"))
    assert [(m["id"], m["archive_policy/name"]) for m in listed] == [
        (metric_id, "pol")]

    gnocchi("measures", "add", "-m", "2024-01-01T00:00:00@1",
            "-m", "2024-01-01T00:00:30@3", "-m", "2024-01-01T00:01:10@5",
            metric_id)
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({metric_id: [
        {"timestamp": "2024-01-01T00:02:00", "value": 7}]}))
    gnocchi("measures", "batch-metrics", str(batch))

    every = as_json(gnocchi("measures", "show", "--utc", metric_id,
                            "-f", "json"))
    assert [(m["granularity"], m["value"]) for m in every] == [
        (60.0, 2.0), (60.0, 5.0), (60.0, 7.0),
        (1.0, 1.0), (1.0, 3.0), (1.0, 5.0), (1.0, 7.0)]
    window = as_json(gnocchi(
        "measures", "show", "--utc", "--aggregation", "max",
        "--granularity", "60", "--start", "2024-01-01T00:00:00",
        "--stop", "2024-01-01T00:02:00", metric_id, "-f", "json"))
    assert window == [
        {"timestamp": "2024-01-01T00:00:00+00:00", "granularity": 60.0,
         "value": 3.0},
        {"timestamp": "2024-01-01T00:01:00+00:00", "granularity": 60.0,
         "value": 5.0}]

    assert "still in use" in gnocchi("archive-policy", "delete", "pol",
                                     ok=False)
    gnocchi("metric", "delete", metric_id)
    assert "does not exist" in gnocchi("metric", "show", metric_id, ok=False)
    gnocchi("archive-policy", "delete", "pol")


def test_capabilities_and_status(gnocchi):
    capabilities = as_json(gnocchi("capabilities", "list", "-f", "json"))
    assert "mean" in capabilities["aggregation_methods"]
    status = as_json(gnocchi("status", "-f", "json"))
    # Gnocchi's shape: no backlog, no metricd processors.
    assert status == {"storage/total number of measures to process": 0,
                      "storage/number of metric having measures to process":
                      0, "metricd/processors": None}


def test_the_basic_auth_plugin_is_accepted_without_auth(gnocchi):
    # It sends the user with an empty password, which auth_mode = none
    # ignores as it ignores any credentials.
    status = as_json(gnocchi("status", "-f", "json", auth=(
        "--os-auth-type", "gnocchi-basic", "--user", "admin")))
    assert status["storage/total number of measures to process"] == 0


def test_archive_policy_rules(gnocchi):
    created = as_json(gnocchi("archive-policy-rule", "create", "-a", "high",
                              "-m", "disk.*", "disks", "-f", "json"))
    assert created == {"name": "disks", "metric_pattern": "disk.*",
                       "archive_policy_name": "high"}
    listed = as_json(gnocchi("archive-policy-rule", "list", "-f", "json"))
    assert [r["name"] for r in listed] == ["disks"]
    assert as_json(gnocchi("archive-policy-rule", "show", "disks",
                           "-f", "json")) == created
    metric = as_json(gnocchi("metric", "create", "disk.io", "-f", "json"))
    assert metric["archive_policy/name"] == "high"
    gnocchi("metric", "delete", metric["id"])
    renamed = as_json(gnocchi("archive-policy-rule", "update", "disks",
                              "--name", "storage", "-f", "json"))
    assert renamed["name"] == "storage"
    gnocchi("archive-policy-rule", "delete", "storage")
    assert "does not exist" in gnocchi("archive-policy-rule", "show",
                                       "storage", ok=False)


def test_resource_types_resources_and_their_metrics(gnocchi):
    kind = as_json(gnocchi("resource-type", "create", "-a",
                           "host:string:true:max_length=64", "-a",
                           "flavor:number:false:min=1", "instance",
                           "-f", "json"))
    assert kind == {"name": "instance", "state": "active",
                    "attributes/host": "max_length=64, min_length=0, "
                                       "required=True, type=string",
                    "attributes/flavor": "max=None, min=1, required=False, "
                                         "type=number"}
    created = as_json(gnocchi(
        "resource", "create", "--type", "instance", "-a", "host:web1",
        "-n", "cpu:low", "vm-1", "-f", "json"))
    assert (created["original_resource_id"], created["host"]) == (
        "vm-1", "web1")
    rid = created["id"]
    gnocchi("resource", "update", "--type", "instance", "-a", "host:web2",
            "vm-1")
    shown = as_json(gnocchi("resource", "show", "--type", "instance", rid,
                            "-f", "json"))
    assert shown["host"] == "web2" and "cpu" in shown["metrics"]
    found = as_json(gnocchi("resource", "search", "--type", "instance",
                            "host='web2'", "-f", "json"))
    assert [r["id"] for r in found] == [rid]
    assert as_json(gnocchi("resource", "search", "--type", "instance",
                           "host='web1'", "-f", "json")) == []
    history = as_json(gnocchi("resource", "history", "--type", "instance",
                              rid, "-f", "json"))
    assert [r["host"] for r in history] == ["web1", "web2"]

    gnocchi("metric", "create", "-r", rid, "--archive-policy-name", "low",
            "mem")
    gnocchi("measures", "add", "-r", rid, "-m", "2024-01-01T00:00:00@4",
            "-m", "2024-01-01T00:01:00@6", "mem")
    measures = as_json(gnocchi("measures", "show", "--utc", "-r", rid, "mem",
                               "-f", "json"))
    assert [(m["granularity"], m["value"]) for m in measures] == [
        (300.0, 5.0)]
    listed = as_json(gnocchi("resource", "list", "--type", "instance",
                             "-f", "json"))
    assert [r["id"] for r in listed] == [rid]

    assert "in use" in gnocchi("resource-type", "delete", "instance",
                               ok=False)
    gnocchi("resource", "delete", rid)
    assert "does not exist" in gnocchi("resource", "show", rid, ok=False)
    gnocchi("resource-type", "delete", "instance")


def test_aggregates(gnocchi):
    gnocchi("archive-policy", "create", "-d", "granularity:1m,points:60",
            "-m", "mean", "agg")
    ids = []
    for name, values in (("a", (1, 3)), ("b", (5, 11))):
        metric = as_json(gnocchi("metric", "create", "--archive-policy-name",
                                 "agg", name, "-f", "json"))
        ids.append(metric["id"])
        gnocchi("measures", "add", "-m", f"2024-01-01T00:00:00@{values[0]}",
                "-m", f"2024-01-01T00:01:00@{values[1]}", metric["id"])
    mean = as_json(gnocchi(
        "aggregates", "-f", "json",
        f"(aggregate mean (metric ({ids[0]} mean) ({ids[1]} mean)))"))
    # The command has no --utc: timestamps are in the local time zone.
    assert [(m["name"], datetime.datetime.fromisoformat(m["timestamp"]),
             m["value"]) for m in mean] == [
        ("aggregated", datetime.datetime(2024, 1, 1, tzinfo=UTC), 3.0),
        ("aggregated", datetime.datetime(2024, 1, 1, 0, 1, tzinfo=UTC), 7.0)]
    per_metric = as_json(gnocchi(
        "aggregates", "-f", "json", "--fill", "0",
        f"(* (metric ({ids[0]} mean) ({ids[1]} mean)) 2)"))
    assert sorted((m["name"], m["value"]) for m in per_metric) == sorted([
        (f"{ids[0]}/mean", 2.0), (f"{ids[0]}/mean", 6.0),
        (f"{ids[1]}/mean", 10.0), (f"{ids[1]}/mean", 22.0)])
    assert "Unknown metrics" in gnocchi(
        "aggregates", "(metric 8c062a7e-9f9f-4b1c-9996-9d0328512ab7 mean)",
        ok=False)
    # The older /v1/aggregation, by metric ids and by resource search.
    maxima = as_json(gnocchi("measures", "aggregation", "-f", "json", "--utc",
                             "--reaggregation", "max", "-m", *ids))
    assert [(m["timestamp"][:16], m["value"]) for m in maxima] == [
        ("2024-01-01T00:00", 5.0), ("2024-01-01T00:01", 11.0)]
    for name, metric_id in zip("ab", ids):
        gnocchi("resource", "create", f"host-{name}", "-a",
                f"project_id:{'p' if name == 'a' else 'q'}", "-m",
                f"cpu:{metric_id}")
    groups = as_json(gnocchi(
        "measures", "aggregation", "-f", "json", "--utc", "-m", "cpu",
        "--resource-type", "generic", "--query", "id!='none'",
        "--groupby", "project_id"))
    assert sorted((g["group"], g["value"]) for g in groups) == [
        ("project_id: p", 1.0), ("project_id: p", 3.0),
        ("project_id: q", 5.0), ("project_id: q", 11.0)]
