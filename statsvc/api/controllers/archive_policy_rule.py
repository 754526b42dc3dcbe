"""``/v1/archive_policy_rule``: which policy a metric created without one
gets, by its name (Gnocchi's ``metric_pattern``)."""
import pecan
from pecan import rest

from statsvc import archive_policy
from statsvc.api import policies
from statsvc.api.body import read_json
from statsvc.api.errors import ApiError
from statsvc.api.responses import json_response
from statsvc.storage import DocumentAlreadyExists, DocumentNotFound


class ArchivePolicyRuleController(rest.RestController):
    """``/v1/archive_policy_rule/<name>``: show, rename and delete."""

    #: Name of the path segment this controller stands for (OpenAPI).
    path_parameter = "name"

    def __init__(self, name):
        self.name = name

    @pecan.expose()
    def get_all(self):
        return json_response(policies.get(pecan.request.storage,
                                          policies.RULE, self.name))

    @pecan.expose()
    def patch(self):
        """Rename the rule (all Gnocchi lets change): ``{"name": new}``."""
        request = pecan.request
        policies.require_admin(request)
        rule = policies.get(request.storage, policies.RULE, self.name)
        body = read_json(request, request.conf.getint("api", "max_body_size"))
        if not isinstance(body, dict) or set(body) != {"name"}:
            raise ApiError(400, 'Body must be a JSON object such as '
                                '{"name": "new-name"}')
        try:
            renamed = archive_policy.new_rule(dict(rule, name=body["name"]))
        except archive_policy.PolicyError as e:
            raise policies.bad_policy(e)
        try:
            request.storage.create_document(policies.RULE, renamed["name"],
                                            renamed)
        except DocumentAlreadyExists:
            raise ApiError(400, f"Archive policy rule {self.name} does not "
                                f"support change: Archive policy rule "
                                f"{renamed['name']} already exists.")
        # Both names match the same metrics until the old one is gone.
        try:
            request.storage.delete_document(policies.RULE, self.name)
        except DocumentNotFound:
            pass  # deleted meanwhile: the new name stays, as if after it
        return json_response(renamed)

    @pecan.expose()
    def delete(self):
        request = pecan.request
        policies.require_admin(request)
        return policies.delete(request.storage, policies.RULE, self.name)


class ArchivePolicyRulesController(rest.RestController):
    """``/v1/archive_policy_rule``: list (in matching order) and create."""

    @pecan.expose()
    def get_all(self):
        return json_response(archive_policy.ordered_rules(
            pecan.request.storage.list_documents(policies.RULE)))

    @pecan.expose()
    def post(self):
        request = pecan.request
        policies.require_admin(request)
        body = read_json(request, request.conf.getint("api", "max_body_size"))
        try:
            rule = archive_policy.new_rule(body)
        except archive_policy.PolicyError as e:
            raise policies.bad_policy(e)
        # A policy deleted after this check leaves a rule that metric
        # creation reports as naming an unknown policy (400).
        try:
            request.storage.get_document(policies.POLICY,
                                         rule["archive_policy_name"])
        except DocumentNotFound:
            raise ApiError(400, {"cause": "Archive policy does not exist",
                                 "detail": rule["archive_policy_name"]})
        return policies.create(request, policies.RULE, rule, rule)

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return ArchivePolicyRuleController(name), remainder
