"""``/v1/archive_policy_rule``: which policy a metric created without one
gets, by its name (Gnocchi's ``metric_pattern``)."""
import pecan
from pecan import rest

from statsvc import archive_policy
from statsvc.api import policies
from statsvc.api.body import read_json
from statsvc.api.errors import ApiError
from statsvc.api.responses import json_response


class ArchivePolicyRuleController(rest.RestController):
    """``/v1/archive_policy_rule/<name>``: show and delete."""

    #: Name of the path segment this controller stands for (OpenAPI).
    path_parameter = "name"

    def __init__(self, name):
        self.name = name

    @pecan.expose()
    def get_all(self):
        return json_response(policies.get(pecan.request.storage,
                                          policies.RULE, self.name))

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
            raise ApiError(400, str(e))
        # A policy deleted after this check leaves a rule that metric
        # creation reports as naming an unknown policy (400).
        policies.get_policy(request.storage, rule["archive_policy_name"],
                            status=400)
        return policies.create(request, policies.RULE, rule, rule)

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return ArchivePolicyRuleController(name), remainder
