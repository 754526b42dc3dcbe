"""``/v1/influxdb``: line protocol mapped onto resources and metrics as
Gnocchi maps it, through the real app."""
import gzip
from urllib.parse import quote

import pytest

USER = {"X-User-Id": "telegraf", "X-Roles": "member"}
T0 = 1_700_000_000  # seconds


@pytest.fixture
def influx(app):
    app.post("/v1/influxdb/query", {"q": "CREATE DATABASE telegraf"},
             status=204)
    return app


def write(app, body, query="db=telegraf", status=204, **kw):
    return app.post(f"/v1/influxdb/write?{query}", body, status=status, **kw)


def measures(app, resource, name, db="telegraf", **kw):
    return app.get(f"/v1/resource/{db}/{resource}/metric/{quote(name)}"
                   f"/measures", **kw).json


def test_ping_answers_get_and_head_with_a_version(app):
    resp = app.get("/v1/influxdb/ping", status=204)
    assert resp.headers["X-Influxdb-Version"].startswith("statsvc ")
    app.head("/v1/influxdb/ping", status=204)
    assert app.post("/v1/influxdb/ping", status=405).headers["Allow"] == \
        "GET, HEAD"


def test_create_database_creates_a_resource_type(app):
    app.post("/v1/influxdb/query", {"q": 'create database "my db"'},
             status=400)  # not a valid type name: the type's own 400
    app.post("/v1/influxdb/query", {"q": "CREATE DATABASE telegraf;"},
             status=204)
    app.post("/v1/influxdb/query", {"q": "CREATE DATABASE telegraf"},
             status=204)  # again: nothing to do, as InfluxDB answers
    assert app.get("/v1/resource_type/telegraf").json["attributes"] == {}
    resp = app.post("/v1/influxdb/query", {"q": "SELECT * FROM cpu"},
                    status=400)
    assert resp.json["description"]["detail"] == "q"
    app.post("/v1/influxdb/query", {"q": "CREATE DATABASE other"},
             headers=USER, status=403)


def test_points_map_to_resources_and_metrics_as_gnocchi_names_them(influx):
    write(influx, (
        f"cpu,host=web1,cpu=cpu0,dc=eu usage=1.5,n=3i,up=true {T0}\n"
        f'cpu,host=web1,dc=eu,cpu=cpu0 usage=2.5,n=4i,up=false,s="x" '
        f"{T0 + 10}\n"
        "\n# a comment line\n"
        f"disk,host=web2,path=/var free=7u {T0}\n").encode(),
        query="db=telegraf&precision=s")
    web1 = influx.get("/v1/resource/telegraf/web1").json
    assert sorted(web1["metrics"]) == ["cpu.n@cpu=cpu0,dc=eu",
                                       "cpu.up@cpu=cpu0,dc=eu",
                                       "cpu.usage@cpu=cpu0,dc=eu"]
    assert web1["original_resource_id"] == "web1"
    assert measures(influx, "web1", "cpu.usage@cpu=cpu0,dc=eu") == [
        ["2023-11-14T22:13:20+00:00", None, 1.5],
        ["2023-11-14T22:13:30+00:00", None, 2.5]]
    assert [v for _, _, v in measures(
        influx, "web1", "cpu.up@cpu=cpu0,dc=eu")] == [1.0, 0.0]
    assert [v for _, _, v in measures(
        influx, "web1", "cpu.n@cpu=cpu0,dc=eu")] == [3.0, 4.0]
    # "/" is not allowed in metric names: Gnocchi writes "_".
    assert list(influx.get("/v1/resource/telegraf/web2").json["metrics"]) \
        == ["disk.free@path=_var"]


def test_escaped_names_and_the_resource_tag_header(influx):
    write(influx, f'my\\ cpu,node=n\\,1,k\\=x=a\\ b use\\ r=1 {T0}000000000'
                  .encode(),
          headers={"X-Gnocchi-InfluxDB-Tag-Resource-ID": "node"})
    resource = influx.get("/v1/resource/telegraf/n,1").json
    assert list(resource["metrics"]) == ["my cpu.use r@k=x=a b"]


@pytest.mark.parametrize("precision,stamp", [
    ("ns", T0 * 10**9), ("u", T0 * 10**6), ("ms", T0 * 1000), ("s", T0),
    ("m", T0 // 60), ("h", T0 // 3600)])
def test_precision_scales_timestamps(influx, precision, stamp):
    write(influx, f"p,host=h v=1 {stamp}".encode(),
          query=f"db=telegraf&precision={precision}")
    (when, _, _), = measures(influx, "h", "p.v")
    expected = {"m": "2023-11-14T22:13:00", "h": "2023-11-14T22:00:00"}
    assert when == expected.get(precision, "2023-11-14T22:13:20") + "+00:00"


def test_a_line_without_timestamp_takes_the_servers_clock(influx):
    write(influx, b"p,host=h v=1")
    (when, _, _), = measures(influx, "h", "p.v")
    assert when.startswith("20")


@pytest.mark.parametrize("line,reason", [
    ("cpu,host=a v=", "Failed to parse value of field"),
    ("cpu,host=a", "Failed to parse"),
    ("cpu,host=a v=1 12x", "timestamp"),
    ("cpu,host=a v=nan", "Failed to parse"),
    ("cpu,dc=eu v=1", "no tag 'host' to name the resource"),
    ("cpu,host=a v=1 99999999999999999", "out of range"),
    ("cpu,host=" + "x" * 300 + " v=1", "resource id"),
    ("c" * 300 + ",host=a v=1", "longer than 255"),
    ("cpu,host=a v=1\xff", "not UTF-8"),
])
def test_a_bad_line_is_a_400_naming_it_and_nothing_is_stored(influx, line,
                                                             reason):
    body = b"ok,host=good v=1\nok,host=good w=2\n" + line.encode(
        "latin-1" if "\xff" in line else "utf-8")
    resp = write(influx, body, query="db=telegraf&precision=s", status=400)
    description = resp.json["description"]
    assert description["line"] == 3
    assert description["reason"].startswith("line 3: ")
    assert reason in description["reason"]
    influx.get("/v1/resource/telegraf/good", status=404)
    assert influx.get("/v1/metric").json == []


def test_metrics_take_the_policy_of_the_matching_rule(influx):
    influx.post_json("/v1/archive_policy", {
        "name": "ten", "definition": [{"granularity": "10s",
                                       "points": 10}]})
    influx.post_json("/v1/archive_policy_rule", {
        "name": "cpu", "metric_pattern": "cpu.*",
        "archive_policy_name": "ten"})
    write(influx, b"cpu,host=h v=1\nmem,host=h v=1")
    metrics = {m["name"]: m for m in influx.get("/v1/metric").json}
    assert metrics["cpu.v"]["archive_policy_name"] == "ten"
    assert metrics["mem.v"]["archive_policy_name"] != "ten"


def test_a_second_write_reuses_resources_and_metrics(influx):
    write(influx, f"p,host=h v=1 {T0}".encode(), query="db=telegraf&precision=s")
    write(influx, f"p,host=h v=2,w=3 {T0 + 1}".encode(),
          query="db=telegraf&precision=s")
    assert len(influx.get("/v1/metric").json) == 2
    assert [v for _, _, v in measures(influx, "h", "p.v")] == [1.0, 2.0]


def test_bodies_sent_gzipped_or_as_a_form_are_read(influx):
    write(influx, gzip.compress(b"p,host=h v=1"),
          headers={"Content-Encoding": "gzip"})
    write(influx, b"g,host=h v=2",
          content_type="application/x-www-form-urlencoded")
    assert sorted(influx.get("/v1/resource/telegraf/h").json["metrics"]) == \
        ["g.v", "p.v"]
    write(influx, b"not gzip", headers={"Content-Encoding": "gzip"},
          status=400)
    write(influx, b"p,host=h v=1", headers={"Content-Encoding": "br"},
          status=415)


def test_influxdb_2_write_takes_the_bucket_as_database(influx):
    influx.post(f"/v1/influxdb/api/v2/write?org=o&bucket=telegraf/autogen"
                f"&precision=s", f"p,host=h v=1 {T0}".encode(), status=204)
    assert list(influx.get("/v1/resource/telegraf/h").json["metrics"]) == \
        ["p.v"]


def test_parameters_and_databases_are_checked(influx):
    resp = write(influx, b"p,host=h v=1", query="db=nope", status=404)
    assert "nope" in resp.json["description"]
    write(influx, b"p,host=h v=1", query="db=telegraf&precision=d",
          status=400)
    write(influx, b"p,host=h v=1", query="db=telegraf&bogus=1", status=400)


def test_measures_over_the_request_limit_are_refused(make_app):
    app = make_app(api={"max_measures_per_request": "3"})
    app.post("/v1/influxdb/query", {"q": "CREATE DATABASE t"}, status=204)
    resp = write(app, b"p,host=h a=1,b=2,c=3,d=4", query="db=t", status=400)
    assert "4 measures exceed the limit of 3" in resp.json["description"]


def test_users_write_their_own_resources(influx):
    write(influx, b"p,host=h v=1", headers=USER)
    write(influx, b"p,host=h v=2")  # admin: another resource named h
    mine = influx.get("/v1/resource/telegraf", headers=USER).json
    assert [r["creator"] for r in mine] == ["telegraf"]
    assert len(influx.get("/v1/resource/telegraf").json) == 2


def test_a_deleted_resource_is_made_anew_with_new_metrics(influx):
    write(influx, f"p,host=h v=1 {T0}".encode(), query="db=telegraf&precision=s")
    old = influx.get("/v1/resource/telegraf/h").json["metrics"]["p.v"]
    influx.delete("/v1/resource/telegraf/h", status=204)
    write(influx, f"p,host=h v=2 {T0 + 1}".encode(),
          query="db=telegraf&precision=s")
    new = influx.get("/v1/resource/telegraf/h").json["metrics"]["p.v"]
    assert new != old
    assert [v for _, _, v in measures(influx, "h", "p.v")] == [2.0]
    assert [m["id"] for m in influx.get("/v1/metric").json] == [new]
