"""Archive policies and rules as the API uses them, kept in the storage
driver's documents so that every API host sees the same ones."""
from statsvc import aggregation
from statsvc import archive_policy
from statsvc.api.errors import ApiError, invalid_input
from statsvc.api.responses import (
    empty_response, json_response, resource_url)
from statsvc.storage import (
    DocumentAlreadyExists, DocumentNotFound, MetricNotFound)

POLICY = "archive_policy"
RULE = "archive_policy_rule"
# Written once the defaults exist, so that a default an operator deleted
# is not recreated at the next start.
_DEFAULTS_MARKER = ("setup", "archive_policy_defaults")

# What a metric without a policy shows as its archive_policy: raw points,
# kept forever, any method at query time. An object rather than null so
# that gnocchiclient's metric list/show can format it.
_RAW = {"name": None, "back_window": 0, "definition": [],
        "aggregation_methods": list(aggregation.BASIC_METHODS)}


def install_defaults(storage):
    """Create Gnocchi's default policies on a fresh store; idempotent and
    safe when several processes start at once."""
    try:
        storage.get_document(*_DEFAULTS_MARKER)
        return
    except DocumentNotFound:
        pass
    for name, policy in archive_policy.DEFAULT_POLICIES.items():
        try:
            storage.create_document(POLICY, name,
                                    archive_policy.with_defaults(policy))
        except DocumentAlreadyExists:
            pass
    try:
        storage.create_document(*_DEFAULTS_MARKER, {})
    except DocumentAlreadyExists:
        pass


def bad_policy(error):
    """The 400 for an :class:`~statsvc.archive_policy.PolicyError`."""
    if error.path is None:
        return ApiError(400, str(error))
    return invalid_input(str(error), error.path)


def require_admin(request):
    """Policies and rules are changed by admins only, as in Gnocchi."""
    if not request.user.is_admin:
        raise ApiError(403, "Access was denied to this resource")


_LABELS = {POLICY: "Archive policy", RULE: "Archive policy rule"}


def not_found(kind, name, status=404):
    """The error for a missing policy or rule (Gnocchi's wording)."""
    return ApiError(status, f"{_LABELS[kind]} {name} does not exist",
                    **{f"{kind}_name": name})


def get(storage, kind, name, status=404):
    """The stored policy or rule ``name``, or :func:`not_found`."""
    try:
        return storage.get_document(kind, name)
    except DocumentNotFound:
        raise not_found(kind, name, status) from None


def get_policy(storage, name, status=404):
    """The stored policy ``name``, or an :class:`ApiError` with ``status``."""
    return get(storage, POLICY, name, status)


def create(request, kind, doc, shown):
    """Store a new policy or rule (409 if its name is taken); return the
    201 response showing ``shown``."""
    name = doc["name"]
    try:
        request.storage.create_document(kind, name, doc)
    except DocumentAlreadyExists:
        raise ApiError(409, f"{_LABELS[kind]} {name} already exists")
    response = json_response(shown, status=201)
    response.location = resource_url(request, "v1", kind, name)
    return response


def delete(storage, kind, name):
    """Delete a policy or rule; the 204 response."""
    try:
        storage.delete_document(kind, name)
    except DocumentNotFound:
        raise not_found(kind, name) from None
    return empty_response(204)


def policy_for_new_metric(storage, name, metric_name, allow_none):
    """The policy of a metric being created: the one named (400 if it does
    not exist), else the one of the matching rule, else ``None`` if
    ``allow_none`` (``[api] metrics_without_policy``), else a 400."""
    if name is not None:
        return get_policy(storage, name, status=400)
    rule = archive_policy.matching_rule(storage.list_documents(RULE),
                                        metric_name)
    if rule is None and not allow_none:
        raise ApiError(400, f"No archive policy name specified and no "
                            f"archive policy rule found matching the metric "
                            f"name {metric_name}")
    if rule is None:
        return None
    return get_policy(storage, rule["archive_policy_name"], status=400)


def apply_retention(storage, policy):
    """Give every metric of ``policy`` its (changed) rollup spec: points
    kept per granularity, back window."""
    spec = archive_policy.rollup_spec(policy)
    for metric in storage.list_metrics():
        if metric.get("archive_policy_name") == policy["name"] \
                and metric.get("rollup") != spec:
            try:
                storage.set_rollup(metric["id"], spec)
            except MetricNotFound:
                pass  # deleted meanwhile


def in_use(storage, name):
    """Why policy ``name`` cannot be deleted, or ``None``."""
    if any(r["archive_policy_name"] == name
           for r in storage.list_documents(RULE)):
        return "an archive policy rule uses it"
    if any(m.get("archive_policy_name") == name
           for m in storage.list_metrics()):
        return "a metric uses it"
    return None


def metric_json(metric, policies):
    """A stored metric as Gnocchi shows it: with its ``archive_policy``
    object and ``created_by_*``; ``policies`` maps names to policies."""
    shown = {k: v for k, v in metric.items()
             if k not in ("timespan_ns", "rollup")}
    policy = policies.get(metric.get("archive_policy_name"))
    shown["archive_policy"] = _RAW if policy is None \
        else archive_policy.to_json(policy)
    user, _, project = (metric.get("creator") or "").partition(":")
    shown["created_by_user_id"] = user or None
    shown["created_by_project_id"] = project or None
    return shown


def policies_of(storage, metrics):
    """``{name: policy}`` for the policies ``metrics`` use."""
    names = {m.get("archive_policy_name") for m in metrics} - {None}
    if len(names) > 1:
        return {p["name"]: p for p in storage.list_documents(POLICY)}
    policies = {}
    for name in names:
        try:
            policies[name] = storage.get_document(POLICY, name)
        except DocumentNotFound:
            pass  # deleted while a metric was created with it: shown raw
    return policies
