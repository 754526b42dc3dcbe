"""Creating metrics, whichever endpoint asks: ``/v1/metric``, a
resource's metrics, the batch by resource."""
import uuid

from statsvc import archive_policy
from statsvc.api import policies
from statsvc.api.errors import ApiError, invalid_input

# Optional string attributes of a metric, with their maximum length.
_ATTRIBUTES = {"name": 255, "unit": 31, "archive_policy_name": 255,
               "resource_id": 289}


def validate_new_metric(body):
    """A new metric's attributes from a request body, checked."""
    if not isinstance(body, dict):
        raise invalid_input("expected a dictionary", [])
    unknown = sorted(set(body) - set(_ATTRIBUTES))
    if unknown:
        raise invalid_input("extra keys not allowed", [unknown[0]])
    metric = {}
    for key, max_length in _ATTRIBUTES.items():
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise invalid_input("expected str for dictionary value", [key])
        if value is not None and len(value) > max_length:
            raise invalid_input(f"length of value must be at most "
                                f"{max_length} for dictionary value", [key])
        metric[key] = value
    if metric["name"] is not None and "/" in metric["name"]:
        # Gnocchi refuses it: names are path segments of resources' metrics.
        raise ApiError(400, "'/' is not supported in metric name")
    return metric


def create_metric(request, metric):
    """Store a new metric from validated attributes (``_ATTRIBUTES``), its
    policy named or chosen by the rules; return it and its policy (or
    ``None``)."""
    policy = policies.policy_for_new_metric(
        request.storage, metric.get("archive_policy_name"), metric.get("name"),
        request.conf.getboolean("api", "metrics_without_policy"))
    metric = dict(metric)
    if policy is not None:
        metric["archive_policy_name"] = policy["name"]
        # The driver keeps the policy's archives, rolled up at each write.
        metric["rollup"] = archive_policy.rollup_spec(policy)
    metric["id"] = str(uuid.uuid4())
    metric["creator"] = request.user.name
    return request.storage.create_metric(metric), policy


def parse_metric_id(text):
    """Canonical UUID string, or ``None`` if ``text`` is not a UUID."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None
