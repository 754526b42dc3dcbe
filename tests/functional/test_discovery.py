def test_root_lists_v1(app):
    assert app.get("/").json["versions"][0]["id"] == "v1.0"


def test_v1_links(app):
    rels = {link["rel"] for link in app.get("/v1").json["links"]}
    assert {"metric", "capabilities", "status"} <= rels


def test_capabilities_list_loaded_statistics(app):
    caps = app.get("/v1/capabilities").json
    assert "moving-average" in caps["statistics"]
    details = caps["statistics_details"]["moving-average"]
    assert "window" in details["parameters"]
    assert caps["storage"] == "sqlite"
    # Gnocchi's names, sorted, as a policy takes them.
    methods = caps["aggregation_methods"]
    assert {"mean", "median", "last", "95pct"} <= set(methods)
    assert methods == sorted(methods)


def test_status_reports_storage_and_plugins(app):
    status = app.get("/v1/status").json
    assert status["backend"]["reachable"] is True
    assert "moving-average" in status["statistics"]["loaded"]


def test_disabled_statistic_is_not_offered(make_app):
    app = make_app(statistics={"disabled": "moving-average"})
    assert "moving-average" not in app.get("/v1/capabilities").json[
        "statistics"]


def test_accept_headers_that_allow_json_get_json(app, metric):
    for accept in ("application/json", "*/*", "application/*",
                   "application/json, text/plain;q=0.5"):
        resp = app.get(f"/v1/metric/{metric}", headers={"Accept": accept})
        assert resp.content_type == "application/json"
        assert resp.json["id"] == metric
        resp = app.get("/v1/nowhere", headers={"Accept": accept}, status=404)
        assert resp.json["code"] == 404


def test_accept_headers_that_exclude_json_get_406(app, metric):
    # As Gnocchi answers; the error itself is still JSON.
    for accept in ("text/html", "text/plain", "application/json;q=0"):
        resp = app.get(f"/v1/metric/{metric}", headers={"Accept": accept},
                       status=406)
        assert resp.json["code"] == 406
        assert "application/json" in resp.json["description"]
