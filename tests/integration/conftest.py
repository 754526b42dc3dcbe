"""Fixtures shared by the integration tests."""
import re
from types import SimpleNamespace

import pytest

from tests.integration.install import ROOT, Venv, fresh_clone, run


def readme_quickstart():
    """The README's service command, split at ``&&``: install, then start."""
    readme = (ROOT / "README.rst").read_text()
    command = re.search(r"^    (pip install \. && statsvc-api)$", readme,
                        re.M).group(1)
    install, start = command.split(" && ")
    return install, start


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    """A fresh clone with the README's install command run from its root,
    in a fresh virtual environment: ``.clone``, ``.venv``."""
    base = tmp_path_factory.mktemp("quickstart")
    clone = fresh_clone(base / "clone")
    venv = Venv(base / "venv")
    install, _ = readme_quickstart()
    run(install, cwd=clone, env=venv.env(), shell=True)
    return SimpleNamespace(clone=clone, venv=venv)
