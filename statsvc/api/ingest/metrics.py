"""A resource's metrics by name for ingest writes, created once even when
writers race (Prometheus writes through parallel shards).

The metric of a (resource, name) is decided by a *claim* document,
created atomically (``create_document``): a writer that loses the claim
drops the metric it made and takes the winner's, before either names it in
the resource, which is then updated by compare-and-swap so that writers
adding different names keep each other's. A claimed metric missing from
the resource document (a store from before compare-and-swap, or a PATCH
that dropped it) is put back, with all its points, by the next write of
that series instead of making another.
"""
from statsvc.api import policies
from statsvc.api.metrics import create_metric, validate_new_metric
from statsvc.api.resources.access import RESOURCE
from statsvc.storage import (
    DocumentAlreadyExists, DocumentNotFound, MetricNotFound)

CLAIM = "ingest_metric_claim"


def metric_ids(request, resource, names):
    """``{name: metric id}`` for ``names`` of ``resource``, creating the
    missing metrics (policies by the rules) and naming them in the
    resource document."""
    missing = [name for name in names if name not in resource["metrics"]]
    if not missing:
        return {name: resource["metrics"][name] for name in names}
    for name in missing:  # a 400 (no matching rule) before any creation
        policies.policy_for_new_metric(
            request.storage, None, name,
            request.conf.getboolean("api", "metrics_without_policy"))
    gained = {name: _claimed(request, resource["id"], name)
              for name in missing}

    def add(current):
        for name, metric_id in gained.items():
            current["metrics"].setdefault(name, metric_id)
        return current

    current = request.storage.update_document(RESOURCE, resource["id"], add)
    return {name: current["metrics"][name] for name in names}


def _claimed(request, resource_id, name):
    """The id of the metric claimed as ``name`` of ``resource_id``; made
    and claimed now if there is none (or it was deleted)."""
    storage, key = request.storage, f"{resource_id}/{name}"
    try:
        metric_id = storage.get_document(CLAIM, key)["metric_id"]
        storage.get_metric(metric_id)
        return metric_id
    except DocumentNotFound:
        pass
    except MetricNotFound:  # deleted through the API since: claim anew
        try:
            storage.delete_document(CLAIM, key)
        except DocumentNotFound:
            pass
    metric, _ = create_metric(request, validate_new_metric(
        {"name": name, "resource_id": resource_id}))
    try:
        storage.create_document(CLAIM, key, {"metric_id": metric["id"]})
        return metric["id"]
    except DocumentAlreadyExists:  # another writer made it first
        storage.delete_metric(metric["id"])
        return storage.get_document(CLAIM, key)["metric_id"]
