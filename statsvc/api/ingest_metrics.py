"""A resource's metrics by name for ingest writes, created once even when
writers race (Prometheus writes through parallel shards).

The storage has no compare-and-swap on documents: two writers that add
different metrics to one resource document at once can each replace the
other's addition. So the metric of a (resource, name) is decided by a
*claim* document, created atomically (``create_document``): a writer that
loses the claim drops the metric it made and takes the winner's. A name
that a concurrent replace dropped from the resource document is found
missing by the next write of that series, which puts the claimed metric
back (with all its points) instead of making another.
"""
from statsvc.api import policies
from statsvc.api.metrics import create_metric, validate_new_metric
from statsvc.api.resource_access import RESOURCE
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
    # Re-read: the narrowest window for a concurrent replace.
    current = request.storage.get_document(RESOURCE, resource["id"])
    added = {n: i for n, i in gained.items() if n not in current["metrics"]}
    if added:
        current["metrics"].update(added)
        request.storage.replace_document(RESOURCE, resource["id"], current)
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
