"""pecan's per-request introspection, cached: same answers, once."""
import inspect

import pecan
import pytest
from pecan import rest, util

from statsvc.api import pecan_caches


@pytest.fixture(autouse=True)
def installed():
    pecan_caches.install()


def test_a_rest_controller_with_a_custom_route_is_refused_every_time():
    class Routed(rest.RestController):
        @pecan.expose(route="elsewhere")
        def thing(self):
            pass

    for _ in range(2):
        with pytest.raises(ValueError, match="Path segments"):
            Routed()


def test_a_rest_controller_is_checked_once_and_still_initialised():
    class Plain(rest.RestController):
        def __init__(self, name):
            self.name = name

    assert Plain("a").name == "a"
    assert Plain in pecan_caches._checked
    assert Plain("b").name == "b"


def test_argspec_is_pecans_and_reused():
    def handler(self, metric_id, stat=None, *args, **kwargs):
        pass

    spec = util._getargspec(handler)
    full = inspect.getfullargspec(handler)
    assert spec == (full.args, full.varargs, full.varkw, full.defaults)
    assert util._getargspec(handler) is spec
