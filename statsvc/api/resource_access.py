"""Which resources a user sees, and the metrics a resource names."""
from statsvc import resources, search
from statsvc.api.errors import ApiError, invalid_input
from statsvc.api.metrics import (
    create_metric, parse_metric_id, validate_new_metric)
from statsvc.storage import DocumentNotFound

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
                continue  # kept by a PATCH, else refused when attached
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
    """Create the metric ``spec`` describes as ``name`` of ``resource``;
    return its id."""
    if isinstance(spec, str):
        # Metric documents cannot be updated in the store yet, so an
        # existing metric cannot take the resource's name: a documented
        # difference from Gnocchi.
        raise ApiError(400, {
            "cause": "Invalid input", "detail": ["metrics", name],
            "reason": "attaching an existing metric by id is not supported;"
                      " give its attributes to create it with the resource"})
    attributes = validate_new_metric(dict(spec, name=name,
                                          resource_id=resource["id"]))
    return create_metric(request, attributes)[0]["id"]


def attach_metrics(request, resource, specs, replace=False):
    """Add the metrics ``specs`` names to ``resource`` (a 409 for a name it
    already has, unless ``replace``, as a PATCH replaces the map)."""
    check_metric_specs(specs)
    current = {} if replace else dict(resource["metrics"])
    for name, spec in specs.items():
        if name in current:
            raise ApiError(409, f"Named metric {name} already exists")
        if replace and isinstance(spec, str) and \
                resource["metrics"].get(name) == parse_metric_id(spec):
            current[name] = resource["metrics"][name]  # kept as it was
            continue
        current[name] = _metric_for(request, resource, name, spec)
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
