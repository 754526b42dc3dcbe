"""Import statsvc's compiled extensions with an error that says what to do.

The ``.c`` files are built by ``pip install``. A checkout of the sources
has none of them compiled unless it was installed in place (``pip install
-e .``), so when such a checkout comes first on ``sys.path`` (a Python or a
uwsgi started from the clone's root) its ``statsvc`` shadows the installed
one and the bare ImportError says nothing useful.
"""
import importlib
import importlib.machinery
import os

#: Every compiled module of the project: ``statsvc-api`` imports them all
#: before it starts uwsgi, so a broken install fails in one line, at once.
EXTENSIONS = ("statsvc.api._triples", "statsvc_plugins._moments",
              "statsvc_plugins._quantile", "statsvc_plugins._regression",
              "statsvc_plugins._smoothing", "statsvc_plugins._robust")


class ExtensionMissing(ImportError):
    """A compiled extension of statsvc cannot be imported."""


def import_extension(name):
    """Import the compiled module ``name`` (dotted), or raise
    :class:`ExtensionMissing` with a one-line cause and fix."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise ExtensionMissing(_explain(name, e), name=name) from e


def _explain(name, error):
    package, _, module = name.rpartition(".")
    directory = os.path.dirname(importlib.import_module(package).__file__)
    built = any(entry.startswith(module + ".") and entry.endswith(suffix)
                for entry in os.listdir(directory)
                for suffix in importlib.machinery.EXTENSION_SUFFIXES)
    if built:
        return (f"{name} is built in {directory} but does not load ({error});"
                f" rebuild it from its sources: pip install --force-reinstall"
                f" --no-deps --no-cache-dir <statsvc clone>")
    top = importlib.import_module(name.partition(".")[0]).__file__
    root = os.path.dirname(os.path.dirname(top))
    if os.path.exists(os.path.join(root, "setup.py")):
        return (f"{name} is not built in the source tree {root}, which comes"
                f" ahead of the installed statsvc on sys.path (PYTHONPATH or"
                f" the current directory): take it off the path, or build it"
                f" in place with pip install -e {root}")
    return (f"{name} is missing from {directory}: the install is incomplete;"
            f" reinstall it from its sources: pip install --force-reinstall"
            f" --no-deps <statsvc clone>")


def check_all():
    """Import every compiled extension; raise :class:`ExtensionMissing` on
    the first that fails."""
    for name in EXTENSIONS:
        import_extension(name)
