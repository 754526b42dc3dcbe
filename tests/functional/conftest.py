"""Functional tests: the real pecan app through webtest, on a temporary store."""
import pytest
import webtest

from statsvc import config
from statsvc.api.app import setup_app


@pytest.fixture
def make_app(tmp_path):
    """Build a TestApp; keyword arguments override configuration sections."""
    def make(**sections):
        overrides = {"storage": {"driver": "sqlite",
                                 "data_dir": str(tmp_path / "data")}}
        for name, values in sections.items():
            overrides.setdefault(name, {}).update(values)
        return webtest.TestApp(setup_app(config.load(overrides=overrides)))
    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def metric(app):
    """A new metric's id."""
    return app.post_json("/v1/metric", {"name": "cpu", "unit": "%"}).json["id"]
