"""Requests changing one resource at once, under real uwsgi workers: every
metric any of them names stays named, with its points."""
import base64
import threading
import uuid

from tests.integration.server import Server

WRITERS = 6
ROUNDS = 4
AUTH = {"Authorization": "Basic " + base64.b64encode(b"admin:").decode()}


def _together(jobs):
    """Run the callables ``jobs`` in threads that start at once; return
    their results."""
    start = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i):
        start.wait()
        results[i] = jobs[i]()

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_metric_creations_and_patches_lose_no_metric(tmp_path):
    resource_id = str(uuid.uuid4())
    with Server(tmp_path / "data", workers=2) as server:
        status, _ = server.request("POST", "/v1/resource/generic",
                                   {"id": resource_id}, AUTH)
        assert status == 201

        def batch(writer, rnd):
            # Ceilometer's publisher: new names of one resource, created
            # by the batch itself.
            body = {resource_id: {
                f"w{writer}.r{rnd}": {"archive_policy_name": "low",
                                      "measures": [{"timestamp": 60 * rnd,
                                                    "value": writer}]}}}
            return server.request(
                "POST", "/v1/batch/resources/metrics/measures"
                        "?create_metrics=true", body, AUTH)[0]

        def named(writer, rnd):
            return server.request(
                "POST", f"/v1/resource/generic/{resource_id}/metric",
                {f"named.w{writer}.r{rnd}": {"archive_policy_name": "low"}},
                AUTH)[0]

        def patch(writer, rnd):
            # Changes an attribute only: must keep the metrics others add.
            return server.request(
                "PATCH", f"/v1/resource/generic/{resource_id}",
                {"user_id": f"u{writer}.{rnd}"}, AUTH)[0]

        expected = set()
        for rnd in range(ROUNDS):
            jobs = []
            for writer in range(WRITERS):
                kind = (batch, named, patch)[writer % 3]
                jobs.append(lambda w=writer, k=kind: k(w, rnd))
                if kind is batch:
                    expected.add(f"w{writer}.r{rnd}")
                elif kind is named:
                    expected.add(f"named.w{writer}.r{rnd}")
            statuses = _together(jobs)
            assert set(statuses) <= {200, 202}, statuses

        status, resource = server.request(
            "GET", f"/v1/resource/generic/{resource_id}", headers=AUTH)
        assert set(resource["metrics"]) == expected
        status, metrics = server.request("GET", "/v1/metric", headers=AUTH)
        assert len(metrics) == len(expected), "a metric no resource names"
        for writer in range(0, WRITERS, 3):
            for rnd in range(ROUNDS):
                status, points = server.request(
                    "GET", f"/v1/resource/generic/{resource_id}/metric/"
                           f"w{writer}.r{rnd}/measures", headers=AUTH)
                assert [p[2] for p in points] == [writer], (writer, rnd)


def test_concurrent_creates_of_one_resource_leave_losers_metrics_alone(
        tmp_path):
    resource_id = str(uuid.uuid4())
    with Server(tmp_path / "data", workers=2) as server:
        loose = [server.request("POST", "/v1/metric", {
            "archive_policy_name": "low", "name": f"loose{w}"}, AUTH)[1]["id"]
            for w in range(WRITERS)]
        statuses = _together([
            lambda w=w: server.request("POST", "/v1/resource/generic", {
                "id": resource_id, "metrics": {
                    "disk": loose[w],
                    "new": {"archive_policy_name": "low"}}}, AUTH)[0]
            for w in range(WRITERS)])
        assert sorted(statuses) == [201] + [409] * (WRITERS - 1)
        winner = statuses.index(201)
        for w in range(WRITERS):
            status, shown = server.request("GET", f"/v1/metric/{loose[w]}",
                                           headers=AUTH)
            assert (shown["name"], shown["resource_id"]) == (
                ("disk", resource_id) if w == winner else (f"loose{w}", None))
        # Only the winner's new metric exists: the losers' were deleted.
        status, metrics = server.request("GET", "/v1/metric", headers=AUTH)
        assert len(metrics) == WRITERS + 1
