"""Which metrics a user may see: the one place that rule lives.

A user sees, reads, writes and deletes only the metrics they created; an
admin sees all. Someone else's metric is reported exactly as a missing one
(:class:`MetricNotFound`, hence the same 404 or batch 400), so that its
existence does not leak. Ownership never changes and metric ids are never
reused, so a check made before a write cannot go stale before it.
"""
from statsvc.storage import MetricNotFound


def may_see(user, metric):
    """Whether ``user`` may see the metric dict ``metric``."""
    return user.is_admin or metric.get("creator") == user.name


def get_metric(request, metric_id):
    """The metric ``metric_id`` if ``request.user`` may see it.

    :raises MetricNotFound: if it is missing or someone else's.
    """
    metric = request.storage.get_metric(metric_id)
    if not may_see(request.user, metric):
        raise MetricNotFound(metric_id)
    return metric


def check_metric(request, metric_id):
    """Raise :class:`MetricNotFound` unless ``request.user`` may see
    ``metric_id``; admins skip the lookup (the driver itself refuses a
    missing metric)."""
    if not request.user.is_admin:
        get_metric(request, metric_id)


def check_metrics(request, metric_ids):
    """:func:`check_metric` for each id, in order."""
    if not request.user.is_admin:
        for metric_id in metric_ids:
            get_metric(request, metric_id)


def list_metrics(request):
    """Every metric ``request.user`` may see."""
    user = request.user
    return [m for m in request.storage.list_metrics() if may_see(user, m)]
