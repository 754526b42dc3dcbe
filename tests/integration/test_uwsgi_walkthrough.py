"""The README walk-through over HTTP against real uwsgi, across a restart."""
from tests.integration.server import Server


def test_walkthrough_survives_restart(tmp_path):
    data_dir = tmp_path / "data"
    with Server(data_dir) as server:
        status, metric = server.request("POST", "/v1/metric",
                                        {"name": "cpu", "unit": "%"})
        assert status == 201
        points = [{"timestamp": f"2024-01-01T00:00:0{i}+00:00", "value": v}
                  for i, v in enumerate([1, 2, 3, 4, 5])]
        path = f"/v1/metric/{metric['id']}/measures"
        assert server.request("POST", path, points)[0] == 202
        status, avg = server.request(
            "GET", path + "?stat=moving-average&window=2")
        assert status == 200
        assert avg == [[f"2024-01-01T00:00:0{i}+00:00", None, i + 0.5]
                       for i in range(1, 5)]
        status, error = server.request("GET", path + "?stat=nope")
        assert status == 400 and "nope" in error["description"]

    with Server(data_dir) as server:
        status, stored = server.request("GET", path)
        assert status == 200
        assert [p[2] for p in stored] == [1.0, 2.0, 3.0, 4.0, 5.0]
