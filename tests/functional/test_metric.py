import uuid


def test_create_metric_returns_201_with_uuid(app):
    resp = app.post_json("/v1/metric", {"name": "cpu", "unit": "%"})
    assert resp.status_int == 201
    assert resp.json["name"] == "cpu"
    assert resp.json["unit"] == "%"
    assert str(uuid.UUID(resp.json["id"])) == resp.json["id"]
    assert resp.location.endswith("/v1/metric/" + resp.json["id"])


def test_create_metric_with_empty_body_fields_optional(app):
    resp = app.post_json("/v1/metric", {})
    assert resp.status_int == 201
    assert resp.json["name"] is None and resp.json["unit"] is None


def test_get_metric_round_trips(app, metric):
    resp = app.get(f"/v1/metric/{metric}")
    assert resp.json["id"] == metric
    assert resp.json["name"] == "cpu"


def test_unknown_metric_is_json_404(app):
    resp = app.get(f"/v1/metric/{uuid.uuid4()}", status=404)
    assert resp.content_type == "application/json"
    assert resp.json["code"] == 404
    assert "does not exist" in resp.json["description"]


def test_malformed_metric_id_is_404(app):
    resp = app.get("/v1/metric/not-a-uuid", status=404)
    assert resp.json["code"] == 404


def test_list_metrics(app, metric):
    other = app.post_json("/v1/metric", {"name": "mem"}).json["id"]
    ids = [m["id"] for m in app.get("/v1/metric").json]
    assert sorted(ids) == sorted([metric, other])


def test_delete_metric_removes_it_and_its_measures(app, metric):
    app.post_json(f"/v1/metric/{metric}/measures",
                  [{"timestamp": 1, "value": 1.0}], status=202)
    app.delete(f"/v1/metric/{metric}", status=204)
    app.get(f"/v1/metric/{metric}", status=404)
    app.get(f"/v1/metric/{metric}/measures", status=404)


def test_create_metric_rejects_bad_bodies(app):
    cases = [
        ({"name": 3}, "name"),
        ({"unit": "x" * 32}, "unit"),
        ({"colour": "red"}, "colour"),
        ([1, 2], "expected a dictionary"),
        ({"name": "disk/io"}, "'/' is not supported"),
    ]
    for body, needle in cases:
        resp = app.post_json("/v1/metric", body, status=400)
        assert needle in str(resp.json["description"]), body
    assert app.get("/v1/metric").json == []


def test_malformed_json_is_400(app):
    resp = app.post("/v1/metric", "{not json",
                    content_type="application/json", status=400)
    assert "Malformed JSON" in resp.json["description"]


def test_wrong_content_type_is_415(app):
    resp = app.post("/v1/metric", "name=cpu",
                    content_type="application/x-www-form-urlencoded",
                    status=415)
    assert resp.json["code"] == 415


def test_body_over_limit_is_413(make_app):
    app = make_app(api={"max_body_size": "100"})
    resp = app.post_json("/v1/metric", {"name": "x" * 200}, status=413)
    assert "limit of 100 bytes" in resp.json["description"]


def test_unknown_path_is_json_404(app):
    resp = app.get("/v1/nothing-here", status=404)
    assert resp.json["code"] == 404


def test_wrong_method_is_json_405(app, metric):
    resp = app.put_json(f"/v1/metric/{metric}", {}, status=405)
    assert resp.json["code"] == 405


def test_list_pagination_with_limit_marker_and_sort(app):
    ids = {name: app.post_json("/v1/metric", {"name": name}).json["id"]
           for name in ["c", "a", "d", "b"]}
    page1 = app.get("/v1/metric", {"sort": "name:asc", "limit": "2"}).json
    assert [m["name"] for m in page1] == ["a", "b"]
    page2 = app.get("/v1/metric", {"sort": "name:asc", "limit": "2",
                                   "marker": page1[-1]["id"]}).json
    assert [m["name"] for m in page2] == ["c", "d"]
    desc = app.get("/v1/metric", {"sort": "name:desc"}).json
    assert [m["id"] for m in desc] == [ids[n] for n in "dcba"]


def test_list_bad_pagination_is_400(app, metric):
    for query, needle in [({"limit": "0"}, "limit"),
                          ({"limit": "x"}, "limit"),
                          ({"marker": str(uuid.uuid4())}, "marker"),
                          ({"sort": "colour:asc"}, "sort"),
                          ({"sort": "name:up"}, "sort"),
                          ({"page": "2"}, "page")]:
        resp = app.get("/v1/metric", query, status=400)
        assert needle in str(resp.json), query


def test_list_filters_by_attribute_as_gnocchi(app):
    made = [app.post_json("/v1/metric", body, headers=headers).json
            for body, headers in [({"name": "cpu", "unit": "%"}, {}),
                                  ({"name": "cpu"}, {"X-User-Id": "jd"}),
                                  ({"name": "mem", "unit": "%"}, {})]]
    for query, expected in [({"name": "cpu"}, made[:2]),
                            ({"unit": "%"}, [made[0], made[2]]),
                            ({"creator": "jd"}, [made[1]]),
                            ({"id": made[2]["id"]}, [made[2]]),
                            ({"name": "cpu", "unit": "%"}, [made[0]])]:
        got = app.get("/v1/metric", query).json
        assert sorted(m["id"] for m in got) == sorted(m["id"] for m in
                                                      expected), query


def test_a_full_page_links_to_the_next(make_app):
    app = make_app(api={"max_limit": "2"})
    ids = sorted(app.post_json("/v1/metric", {"name": "ü"}).json["id"]
                 for _ in range(3))
    resp = app.get("/v1/metric", {"name": "ü"})  # max_limit is the page
    assert [m["id"] for m in resp.json] == ids[:2]
    assert resp.headers["Link"] == (
        f"<http://localhost/v1/metric?limit=2&marker={ids[1]}"
        f"&name=%C3%BC&sort=id%3Aasc>; rel=\"next\"")
    resp = app.get("/v1/metric", {"name": "ü", "limit": "5",
                                  "marker": ids[1]})
    assert [m["id"] for m in resp.json] == ids[2:]
    assert "Link" not in resp.headers
