"""Fuzzing the real app from its own OpenAPI document with schemathesis.

Every operation of ``/v1/openapi.json`` gets requests that fit the document
(positive) and requests that break it (negative), sent to the WSGI app
in-process; every response must be no 5xx, have a documented status code,
content type, headers and body, and a request that breaks the document must
be refused. The run is derandomised (the same cases every time, so CI is
not flaky) and bounded: at least ``MIN_REQUESTS`` in total, in well under a
minute.
"""
import hypothesis
import pytest
import schemathesis
import webtest
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, negative_data_rejection,
    response_headers_conformance, response_schema_conformance,
    status_code_conformance)

from statsvc import config
from statsvc.api.app import setup_app
from statsvc.api.auth import passwords, users

MIN_REQUESTS = 1000
CREDENTIALS = ("fuzzer", "fuzz-pw")
POSITIVE = schemathesis.GenerationMode.POSITIVE
NEGATIVE = schemathesis.GenerationMode.NEGATIVE
# Examples per operation: (positive, negative). Bodies of arrays of objects
# cost hypothesis ~50 ms each to generate, so those operations get fewer.
BUDGET = {"POST /v1/batch/metrics/measures": (30, 20),
          "POST /v1/metric/{metric_id}/measures": (60, 40),
          "POST /v1/resource/{resource_type}/{resource_id}/metric/{name}"
          "/measures": (30, 20),
          "POST /v1/batch/resources/metrics/measures": (30, 20)}
DEFAULT_BUDGET = (110, 70)
CHECKS = [not_a_server_error, status_code_conformance,
          content_type_conformance, response_headers_conformance,
          response_schema_conformance]
NEGATIVE_CHECKS = CHECKS + [negative_data_rejection]
# Prometheus remote_write bodies are bytes, sent as they are generated.
schemathesis.serializer.alias("application/x-protobuf",
                              "application/octet-stream")


@pytest.fixture(scope="module")
def wsgi_app(tmp_path_factory):
    """The app in ``auth_mode = basic`` with one ordinary user, whose hash
    is cheap (its cost is stored in it): wrong passwords cost a verify."""
    tmp = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "N", 2 ** 10)
        users.add_user(str(tmp / "users.json"), *CREDENTIALS)
    return setup_app(config.load(overrides={
        "storage": {"driver": "sqlite", "data_dir": str(tmp / "data")},
        "api": {"auth_mode": "basic", "users_file": str(tmp / "users.json")}}))


@pytest.fixture(scope="module")
def schema(wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", wsgi_app)
    schema.config.update(basic_auth=CREDENTIALS)
    return schema


@pytest.fixture(scope="module")
def client(wsgi_app):
    client = webtest.TestApp(wsgi_app)
    client.authorization = ("Basic", CREDENTIALS)
    return client


def new_metric(client):
    """A metric with points, so that generated requests also reach one."""
    metric_id = client.post_json("/v1/metric", {"name": "fuzz"}).json["id"]
    client.post_json(f"/v1/metric/{metric_id}/measures", [
        {"timestamp": i * 60, "value": float(i)} for i in range(50)])
    return metric_id


def run(operation, mode, client, examples):
    """Send ``examples`` generated cases of ``operation`` in ``mode``;
    return how many requests were sent."""
    checks = NEGATIVE_CHECKS if mode.is_negative else CHECKS
    metric = new_metric(client)
    sent = []

    @hypothesis.settings(
        max_examples=examples, deadline=None, derandomize=True,
        database=None, suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode),
                      existing=st.booleans())
    def fuzz(case, existing):
        # Half the valid cases address a real metric (a new one to delete).
        if existing and mode.is_positive and case.path_parameters:
            case.path_parameters["metric_id"] = (
                new_metric(client) if case.method == "DELETE" else metric)
        sent.append(case)
        case.call_and_validate(checks=checks)

    fuzz()
    return len(sent)


def test_fuzz_every_operation(schema, client):
    total = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        has_inputs = any([operation.path_parameters, operation.query,
                          operation.headers, operation.body])
        budget = BUDGET.get(operation.label, DEFAULT_BUDGET)
        for mode, examples in zip((POSITIVE, NEGATIVE), budget):
            if mode.is_negative and not has_inputs:
                continue  # nothing to break
            total += run(operation, mode, client, examples)
    assert total >= MIN_REQUESTS
