"""Which resources a user sees, and the metrics a resource names."""
from statsvc import resources, search
from statsvc.api.errors import ApiError, invalid_input
from statsvc.api.metrics import (
    create_metric, parse_metric_id, validate_new_metric)
from statsvc.storage import DocumentNotFound, MetricNotFound

RESOURCE = "resource"


def may_see(user, resource):
    """The creator, the resource's ``user_id`` and admins see it."""
    return user.is_admin or user.name in (resource.get("creator"),
                                          resource.get("user_id"))


def candidates(request, type_name, query=search.EVERYTHING):
    """The resource documents that may be of ``type_name``, visible to the
    user and matched by ``query`` (a :class:`statsvc.search.Query`): found
    through the store's indexes where the query, the type or the user
    narrows them. Callers still test each one."""
    storage = request.storage
    if query.index is not None:
        return storage.find_documents(RESOURCE, *query.index)
    if type_name != "generic":
        return storage.find_documents(RESOURCE, "type", [type_name])
    user = request.user
    if not user.is_admin:
        return list({r["id"]: r for field in ("creator", "user_id")
                     for r in storage.find_documents(
                         RESOURCE, field, [user.name])}.values())
    return storage.list_documents(RESOURCE)


def get_resource(request, type_name, resource_id):
    """The resource if ``request.user`` may see it and it is of
    ``type_name`` (``generic`` is every type); else a 404."""
    try:
        resource = None if resource_id is None else \
            request.storage.get_document(RESOURCE, resource_id)
    except DocumentNotFound:
        resource = None
    if resource is None or not may_see(request.user, resource) or \
            type_name not in ("generic", resource["type"]):
        raise ApiError(404, f"Resource {resource_id} does not exist")
    return resource


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


def _metric_for(request, resource, name, spec):
    """The id of the metric ``spec`` gives as ``name`` of ``resource``:
    an existing metric's id (it takes the name, as in Gnocchi), or the
    attributes of one to create."""
    if isinstance(spec, str):
        return _existing_metric(request, resource, name, spec)
    attributes = validate_new_metric(dict(spec, name=name,
                                          resource_id=resource["id"]))
    return create_metric(request, attributes)[0]["id"]


def _existing_metric(request, resource, name, spec):
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
    request.storage.relabel_metric(metric_id, name, resource["id"])
    return metric_id


def attach_metrics(request, resource, specs, replace=False):
    """Add the metrics ``specs`` names to ``resource`` (a 409 for a name it
    already has, unless ``replace``, as a PATCH replaces the map; the
    metrics it no longer names are detached)."""
    check_metric_specs(specs)
    previous = dict(resource["metrics"])
    current = {} if replace else dict(previous)
    for name, spec in specs.items():
        if name in current:
            raise ApiError(409, f"Named metric {name} already exists")
        if replace and isinstance(spec, str) and \
                previous.get(name) == parse_metric_id(spec):
            current[name] = previous[name]  # kept as it was
            continue
        metric_id = _metric_for(request, resource, name, spec)
        # A metric renamed within the resource leaves its old name.
        current = {n: m for n, m in current.items() if m != metric_id}
        current[name] = metric_id
    for name, metric_id in previous.items():
        if metric_id not in current.values():
            try:
                request.storage.relabel_metric(metric_id, name, None)
            except MetricNotFound:
                pass  # deleted meanwhile: nothing to detach
    resource["metrics"] = current
    return resource


def create_named_metric(request, attributes):
    """``POST /v1/metric`` with a ``resource_id``: the metric is created
    as the resource's metric ``name``, as Gnocchi does; return it and its
    policy."""
    if attributes["name"] is None:
        raise ApiError(400, {"cause": "Attribute value error",
                             "detail": "name", "reason": "Name cannot be "
                             "null if resource_id is not null"})
    try:
        resource_id = resources.resource_uuid(attributes["resource_id"],
                                              request.user.name)
        resource = get_resource(request, "generic", resource_id)
    except (resources.ResourceError, ApiError):
        raise ApiError(400, f"Resource {attributes['resource_id']} does not"
                            f" exist") from None
    if attributes["name"] in resource["metrics"]:
        raise ApiError(400, {"cause": "Named metric already exists",
                             "detail": attributes["name"]})
    metric, policy = create_metric(request, dict(attributes,
                                                 resource_id=resource_id))
    resource["metrics"][attributes["name"]] = metric["id"]
    request.storage.replace_document(RESOURCE, resource_id, resource)
    return metric, policy
