"""The metrics a resource names, changed without losing concurrent changes.

A resource document maps metric names to ids. Requests that add names
(batches creating metrics, ``POST .../metric``, a ``PATCH``) read the
document, create or relabel metrics, then store the document again: with
several API workers, two such requests on one resource interleave. They
store it with a compare-and-swap (:meth:`StorageDriver.update_document`),
re-applying their change to the version another writer stored meanwhile,
so that neither writer's metrics drop out of the document.
"""
from statsvc.api.errors import ApiError, invalid_input
from statsvc.api.metrics import (
    create_metric, parse_metric_id, validate_new_metric)
from statsvc.api.resources.access import RESOURCE, get_resource
from statsvc.resources import ResourceError, resource_uuid
from statsvc.storage import DocumentConflict, DocumentNotFound, MetricNotFound


def check_metric_specs(specs):
    """Validate every metric a resource body names, before anything is
    created: ``{name: {"archive_policy_name": ..., "unit": ...}}``."""
    if not isinstance(specs, dict):
        raise invalid_input("expected a dictionary", ["metrics"])
    for name, spec in specs.items():
        if isinstance(spec, str):
            if parse_metric_id(spec) is not None:
                continue  # an existing metric, checked when attached
            raise invalid_input("expected a metric id or a dictionary",
                                ["metrics", name])
        if not isinstance(spec, dict):
            raise invalid_input("expected a dictionary", ["metrics", name])
        try:
            validate_new_metric(dict(spec, name=name))
        except ApiError as e:
            if not isinstance(e.description, dict):
                raise
            raise ApiError(400, {**e.description, "detail": [
                "metrics", name, *e.description["detail"]]}) from None


class Attachment:
    """What :func:`attach_metrics` did: the resource's new ``metrics``
    map, the names it gave (``added``), and how to undo it when the
    resource cannot be stored."""

    def __init__(self, metrics):
        self.metrics = metrics
        self.added = {}
        self._created = set()
        self._relabelled = {}  # metric id -> (name, resource_id) before

    def created(self, metric_id):
        """Note that ``metric_id`` was made for this attachment."""
        self._created.add(metric_id)

    def relabelled(self, metric_id, name, resource_id):
        """Note an existing metric's labels before it was attached."""
        self._relabelled[metric_id] = (name, resource_id)

    def undo(self, storage, names=None):
        """Delete the metrics made for ``names`` (default: all added) and
        give the existing metrics named there their former labels."""
        for name, metric_id in self.added.items():
            if names is not None and name not in names:
                continue
            try:
                if metric_id in self._created:
                    storage.delete_metric(metric_id)
                else:
                    storage.relabel_metric(metric_id,
                                           *self._relabelled[metric_id])
            except MetricNotFound:
                pass  # deleted meanwhile


def attach_metrics(request, resource, specs, replace=False):
    """Make or relabel the metrics ``specs`` names for ``resource`` (a
    409 for a name it already has, unless ``replace``, as a PATCH
    replaces the map; the metrics it no longer names are detached).
    ``resource`` is left as it is: the new map is the result's
    ``metrics``, to store."""
    check_metric_specs(specs)
    previous = dict(resource["metrics"])
    attachment = Attachment({} if replace else dict(previous))
    for name, spec in specs.items():
        if name in attachment.metrics:
            raise ApiError(409, f"Named metric {name} already exists")
        if replace and isinstance(spec, str) and \
                previous.get(name) == parse_metric_id(spec):
            attachment.metrics[name] = previous[name]  # kept as it was
            continue
        metric_id = _metric_for(request, resource, name, spec, attachment)
        # A metric renamed within the resource leaves its old name.
        attachment.metrics = {n: m for n, m in attachment.metrics.items()
                              if m != metric_id}
        attachment.metrics[name] = attachment.added[name] = metric_id
    for name, metric_id in previous.items():
        if metric_id not in attachment.metrics.values():
            try:
                request.storage.relabel_metric(metric_id, name, None)
            except MetricNotFound:
                pass  # deleted meanwhile: nothing to detach
    return attachment


def _metric_for(request, resource, name, spec, attachment):
    """The id of the metric ``spec`` gives as ``name`` of ``resource``:
    an existing metric's id (it takes the name, as in Gnocchi), or the
    attributes of one to create."""
    if isinstance(spec, str):
        return _existing_metric(request, resource, name, spec, attachment)
    attributes = validate_new_metric(dict(spec, name=name,
                                          resource_id=resource["id"]))
    metric_id = create_metric(request, attributes)[0]["id"]
    attachment.created(metric_id)
    return metric_id


def _existing_metric(request, resource, name, spec, attachment):
    """Give the metric ``spec`` names to ``resource`` as ``name``. As in
    Gnocchi it must have the resource's creator; unlike Gnocchi, a metric
    of another resource is refused rather than moved, since that resource
    names it too."""
    metric_id = parse_metric_id(spec)
    try:
        metric = request.storage.get_metric(metric_id)
    except MetricNotFound:
        metric = None
    if metric is None or metric.get("creator") != resource["creator"]:
        raise ApiError(400, f"Metric {spec} does not exist")
    if metric.get("resource_id") not in (None, resource["id"]):
        raise ApiError(400, {"cause": "Metric belongs to another resource",
                             "detail": {"metric": metric_id,
                                        "resource": metric["resource_id"]},
                             "reason": "detach it from that resource "
                                       "first"})
    attachment.relabelled(metric_id, metric.get("name"),
                          metric.get("resource_id"))
    request.storage.relabel_metric(metric_id, name, resource["id"])
    return metric_id


def save_added(request, resource_id, attachment, keep_theirs=False):
    """Store the names ``attachment`` added in the resource, as it is now
    stored, and return that document. A name another writer gave a
    different metric meanwhile is a 409 (everything undone), or with
    ``keep_theirs`` keeps their metric (ours undone). A resource deleted
    meanwhile is a 404 (everything undone)."""
    taken = set()

    def add(current):
        taken.clear()
        for name, metric_id in attachment.added.items():
            if current["metrics"].get(name, metric_id) != metric_id:
                taken.add(name)
            elif name not in current["metrics"]:
                current["metrics"][name] = metric_id
        if taken and not keep_theirs:
            raise ApiError(409, f"Named metric {min(taken)} already exists")
        return current

    try:
        stored = request.storage.update_document(RESOURCE, resource_id, add)
    except ApiError:
        attachment.undo(request.storage)
        raise
    except DocumentNotFound:
        attachment.undo(request.storage)
        raise ApiError(404, f"Resource {resource_id} does not exist") \
            from None
    attachment.undo(request.storage, taken)
    return stored


def save_resource(storage, read, updated, change):
    """Store ``updated``, computed from ``read`` (the resource as read),
    unless another writer changed the resource meanwhile: then store
    ``change(current)``, computed on the version stored now."""
    try:
        storage.replace_document(RESOURCE, read["id"], updated,
                                 expected=read)
        return updated
    except DocumentConflict:
        return storage.update_document(RESOURCE, read["id"], change)


def create_named_metric(request, attributes):
    """``POST /v1/metric`` with a ``resource_id``: the metric is created
    as the resource's metric ``name``, as Gnocchi does; return it and its
    policy."""
    if attributes["name"] is None:
        raise ApiError(400, {"cause": "Attribute value error",
                             "detail": "name", "reason": "Name cannot be "
                             "null if resource_id is not null"})
    try:
        resource_id = resource_uuid(attributes["resource_id"],
                                    request.user.name)
        resource = get_resource(request, "generic", resource_id)
    except (ResourceError, ApiError):
        raise ApiError(400, f"Resource {attributes['resource_id']} does not"
                            f" exist") from None
    if attributes["name"] in resource["metrics"]:
        raise ApiError(400, {"cause": "Named metric already exists",
                             "detail": attributes["name"]})
    metric, policy = create_metric(request, dict(attributes,
                                                 resource_id=resource_id))
    attachment = Attachment(resource["metrics"])
    attachment.added[attributes["name"]] = metric["id"]
    attachment.created(metric["id"])
    try:
        save_added(request, resource_id, attachment)
    except ApiError as e:  # named by a concurrent request, or deleted
        raise ApiError(400, {
            "cause": "Named metric already exists",
            "detail": attributes["name"]} if e.code == 409 else
            f"Resource {attributes['resource_id']} does not exist") from None
    return metric, policy
