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


def test_status_reports_storage_and_plugins(app):
    status = app.get("/v1/status").json
    assert status["storage"]["reachable"] is True
    assert "moving-average" in status["statistics"]["loaded"]


def test_disabled_statistic_is_not_offered(make_app):
    app = make_app(statistics={"disabled": "moving-average"})
    assert "moving-average" not in app.get("/v1/capabilities").json[
        "statistics"]


def test_any_accept_header_gets_json(app, metric):
    for accept in ("application/json", "text/html", "text/csv",
                   "application/json, text/plain;q=0.5"):
        resp = app.get(f"/v1/metric/{metric}", headers={"Accept": accept})
        assert resp.content_type == "application/json"
        assert resp.json["id"] == metric
        resp = app.get("/v1/nowhere", headers={"Accept": accept}, status=404)
        assert resp.json["code"] == 404
