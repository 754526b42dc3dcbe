"""Real installed distributions for the statsvc.ext tests.

``site`` writes ``*.dist-info`` folders (METADATA, entry_points.txt) and
the plugin modules into a fresh directory, puts it first on ``sys.path``
and points the entry point cache at a fresh ``XDG_CACHE_HOME``: the
managers find them exactly as they find pip-installed packages.
"""
import importlib
import os
import sys
import textwrap
import time

import pytest

from statsvc.ext import _discovery
from statsvc.ext.extension import ExtensionManager

#: A plugin module: ``Plugin`` records how it was built; ``TAG`` tells
#: modules apart.
PLUGIN = '''\
TAG = {tag!r}


class Plugin:
    def __init__(self, *args, **kwds):
        self.args = args
        self.kwds = kwds

    def hello(self, who):
        return f'{{TAG}} greets {{who}}'


def fails(*args, **kwds):
    raise RuntimeError('{tag} is broken')
'''


class Site:
    """A directory on sys.path holding distributions."""

    def __init__(self, root):
        self.root = root
        self.modules = []

    def add(self, dist, entry_points, version='1.0', module=None,
            requires=(), root=None, suffix='.dist-info'):
        """Install ``dist``: ``entry_points`` is ``{namespace: {name:
        target}}``; ``module`` (default: the dist's name) is written as a
        plugin module unless ``False``.  Returns the metadata folder."""
        root = root or self.root
        folder = os.path.join(root, f'{dist}-{version}{suffix}')
        os.makedirs(folder, exist_ok=True)
        headers = [f'Metadata-Version: 2.1', f'Name: {dist}',
                   f'Version: {version}']
        headers += [f'Requires-Dist: {r}' for r in requires]
        write(os.path.join(folder, 'METADATA'), '\n'.join(headers) + '\n')
        write(os.path.join(folder, 'entry_points.txt'),
              format_entry_points(entry_points))
        module = dist if module is None else module
        if module:
            self.add_module(module, root=root)
        return folder

    def add_module(self, name, source=None, root=None):
        """Write module ``name`` (a plugin module unless ``source``)."""
        write(os.path.join(root or self.root, f'{name}.py'),
              source or PLUGIN.format(tag=name))
        self.modules.append(name)
        importlib.invalidate_caches()


def write(path, text):
    with open(path, 'w') as f:
        f.write(textwrap.dedent(text))


def format_entry_points(entry_points):
    return ''.join(
        f'[{group}]\n' + ''.join(f'{k} = {v}\n' for k, v in eps.items())
        for group, eps in entry_points.items())


def settle():
    """Wait until files just written are old enough to be cached.

    A scan of files changed within the last clock ticks is not written to
    disk (they could change again unseen); see _discovery._RACY_NS.
    """
    time.sleep(_discovery._RACY_NS / 1e9 + 0.01)


def forget():
    """Forget what this process has found, as a new process would."""
    ExtensionManager.ENTRY_POINT_CACHE.clear()
    _discovery._memo = None


@pytest.fixture
def site(tmp_path, monkeypatch):
    root = tmp_path / 'site'
    root.mkdir()
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    monkeypatch.delenv('STATSVC_EXT_CACHE', raising=False)
    monkeypatch.syspath_prepend(str(root))
    forget()
    s = Site(str(root))
    yield s
    forget()
    for name in s.modules:
        sys.modules.pop(name, None)
