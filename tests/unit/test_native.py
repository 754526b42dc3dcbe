"""Compiled extensions that cannot be imported fail in one line that says
what is wrong and what to do (statsvc.native)."""
import importlib.machinery
import sys

import pytest

from statsvc import native


@pytest.fixture
def package(tmp_path, monkeypatch):
    """An importable package ``fakepkg`` under ``tmp_path/root``."""
    root = tmp_path / "root"
    (root / "fakepkg").mkdir(parents=True)
    (root / "fakepkg" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(root))
    yield root
    for name in [m for m in sys.modules if m.startswith("fakepkg")]:
        del sys.modules[name]


def message(name):
    with pytest.raises(native.ExtensionMissing) as error:
        native.import_extension(name)
    text = str(error.value)
    assert "\n" not in text and error.value.name == name
    return text


def test_a_source_tree_without_its_build(package):
    (package / "setup.py").write_text("")
    assert message("fakepkg._kernel") == (
        f"fakepkg._kernel is not built in the source tree {package}, which"
        " comes ahead of the installed statsvc on sys.path (PYTHONPATH or"
        " the current directory): take it off the path, or build it in place"
        f" with pip install -e {package}")


def test_an_install_that_lost_a_module(package):
    text = message("fakepkg._kernel")
    assert text.startswith(f"fakepkg._kernel is missing from "
                           f"{package / 'fakepkg'}: the install is incomplete")
    assert "pip install --force-reinstall" in text


def test_a_build_that_does_not_load(package):
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    (package / "fakepkg" / f"_kernel{suffix}").write_bytes(b"not an ELF")
    text = message("fakepkg._kernel")
    assert text.startswith(f"fakepkg._kernel is built in "
                           f"{package / 'fakepkg'} but does not load (")
    assert "rebuild it from its sources" in text


def test_every_extension_of_this_install_loads():
    native.check_all()
    assert set(native.EXTENSIONS) <= set(sys.modules)
