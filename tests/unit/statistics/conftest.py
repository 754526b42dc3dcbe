"""Loads the first-party plugins the way the service does: by entry point."""
from importlib.metadata import entry_points

import pytest

from statsvc.statistics import check_plugin

PLUGINS = {ep.name: ep for ep in entry_points(group="statsvc.statistics")}


@pytest.fixture
def plugin():
    """``plugin(name)`` -> the checked instance registered under ``name``."""
    return lambda name: check_plugin(PLUGINS[name].load()())
