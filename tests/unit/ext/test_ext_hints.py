"""Import hints: plugin modules found where they were last time, only
while nothing that decided it has changed."""
import os
import sys

import pytest

from conftest import PLUGIN
from conftest import forget
from conftest import settle
from statsvc.ext import _hints
from statsvc.ext import ExtensionManager

NS = 'test.hints'


@pytest.fixture
def answered(monkeypatch):
    """The names the hint finder answered for."""
    names = []
    find_spec = _hints._HintFinder.find_spec

    def spy(self, name, path=None, target=None):
        spec = find_spec(self, name, path, target)
        if spec is not None:
            names.append(name)
        return spec
    monkeypatch.setattr(_hints._HintFinder, 'find_spec', spy)
    return names


def reload_plugins(site):
    """Load NS again as a new process would: nothing imported yet."""
    forget()
    for name in list(sys.modules):
        if name.split('.')[0] in site.modules:
            del sys.modules[name]
    return ExtensionManager(NS)


def spec_facts(module):
    spec = module.__spec__
    return (spec.name, spec.origin, spec.cached, type(spec.loader),
            spec.submodule_search_locations, spec.parent, spec.has_location,
            module.__file__, getattr(module, '__path__', None))


@pytest.fixture
def packaged(site):
    """A plain module plugin and a plugin in a package's submodule."""
    site.add('plain', {NS: {'plain': 'plain:Plugin'}})
    package = os.path.join(site.root, 'pkg_h')
    os.makedirs(package)
    open(os.path.join(package, '__init__.py'), 'w').close()
    with open(os.path.join(package, 'sub.py'), 'w') as f:
        f.write(PLUGIN.format(tag='pkg_h.sub'))
    site.modules.append('pkg_h')
    site.add('pkgdist', {NS: {'nested': 'pkg_h.sub:Plugin'}}, module=False)
    settle()
    return site


def test_hinted_imports_give_the_same_modules(packaged, answered):
    first = reload_plugins(packaged)
    unhinted = {e.name: spec_facts(sys.modules[e.module_name]) for e in first}
    unhinted['pkg_h'] = spec_facts(sys.modules['pkg_h'])
    assert answered == []
    second = reload_plugins(packaged)
    assert sorted(answered) == ['pkg_h', 'pkg_h.sub', 'plain']
    hinted = {e.name: spec_facts(sys.modules[e.module_name]) for e in second}
    hinted['pkg_h'] = spec_facts(sys.modules['pkg_h'])
    assert hinted == unhinted
    assert second['nested'].plugin().hello('x') == 'pkg_h.sub greets x'
    assert sys.modules['pkg_h'].sub is sys.modules['pkg_h.sub']
    assert sys.meta_path.count(sys.meta_path[0]) == 1
    assert not any(isinstance(f, _hints._HintFinder) for f in sys.meta_path)


def test_a_changed_directory_voids_its_hints(packaged, answered):
    reload_plugins(packaged)
    # A package of the same name now shadows plain.py.
    shadow = os.path.join(packaged.root, 'plain')
    os.makedirs(shadow)
    with open(os.path.join(shadow, '__init__.py'), 'w') as f:
        f.write(PLUGIN.format(tag='shadowing package'))
    mgr = reload_plugins(packaged)
    assert 'plain' not in answered
    assert mgr['plain'].plugin().hello('y') == 'shadowing package greets y'


def test_a_changed_package_directory_voids_its_hints(packaged, answered):
    reload_plugins(packaged)
    # sub.py turns into a package sub/ inside pkg_h.
    package = os.path.join(packaged.root, 'pkg_h')
    os.rename(os.path.join(package, 'sub.py'), os.path.join(package, 'old.py'))
    os.makedirs(os.path.join(package, 'sub'))
    with open(os.path.join(package, 'sub', '__init__.py'), 'w') as f:
        f.write(PLUGIN.format(tag='sub package'))
    mgr = reload_plugins(packaged)
    assert 'pkg_h.sub' not in answered
    assert mgr['nested'].plugin().hello('z') == 'sub package greets z'


def test_files_written_just_now_are_not_hinted(site, answered):
    site.add('fresh', {NS: {'fresh': 'fresh:Plugin'}})
    reload_plugins(site)
    reload_plugins(site)
    assert answered == []


def test_no_hints_without_the_disk_cache(packaged, answered, monkeypatch):
    monkeypatch.setenv('STATSVC_EXT_CACHE', '0')
    reload_plugins(packaged)
    reload_plugins(packaged)
    assert answered == []
    assert not os.path.exists(
        os.path.join(os.environ['XDG_CACHE_HOME'], 'statsvc'))


def test_no_hints_for_a_manager_class_without_disk_cache(packaged, answered,
                                                         monkeypatch):
    reload_plugins(packaged)  # hints are written
    reload_plugins(packaged)
    assert answered
    answered.clear()
    monkeypatch.setattr(ExtensionManager, 'USE_DISK_CACHE', False)
    for name in ('plain', 'pkg_h', 'pkg_h.sub'):
        del sys.modules[name]  # the index stays in memory
    ExtensionManager(NS)
    assert answered == []


def test_shadowing_module_seen_even_with_the_namespace_in_memory(
        site, tmp_path, monkeypatch, answered):
    early = tmp_path / 'early'
    early.mkdir()
    site.add('plain', {NS: {'plain': 'plain:Plugin'}})
    monkeypatch.syspath_prepend(str(early))  # searched before the site
    settle()
    reload_plugins(site)
    reload_plugins(site)
    assert answered == ['plain']
    (early / 'plain.py').write_text(PLUGIN.format(tag='early bird'))
    del sys.modules['plain']  # the namespace stays in ENTRY_POINT_CACHE
    mgr = ExtensionManager(NS)
    assert answered == ['plain']
    assert mgr['plain'].plugin().hello('w') == 'early bird greets w'


class EditableFinder:
    """What setuptools installs for ``pip install -e`` (PEP 660): a meta
    path finder after PathFinder mapping a top-level name to a project
    directory that is not on sys.path."""

    def __init__(self, mapping):
        self.mapping = mapping

    def find_spec(self, name, path=None, target=None):
        import importlib.util
        folder = self.mapping.get(name.partition('.')[0])
        if folder is None or path is not None:
            return None
        init = os.path.join(folder, '__init__.py')
        return importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[folder])


def test_editable_install_found_through_its_finder_and_hinted(
        site, tmp_path, monkeypatch, answered):
    project = tmp_path / 'project' / 'edit_pkg'
    project.mkdir(parents=True)
    (project / '__init__.py').write_text('')
    (project / 'plugin.py').write_text(PLUGIN.format(tag='editable'))
    site.modules.append('edit_pkg')
    site.add('edit-pkg', {NS: {'edit': 'edit_pkg.plugin:Plugin'}},
             module=False)
    monkeypatch.setattr(sys, 'meta_path',
                        sys.meta_path + [EditableFinder(
                            {'edit_pkg': str(project)})])
    settle()
    first = reload_plugins(site)
    files = (sys.modules['edit_pkg'].__file__,
             sys.modules['edit_pkg.plugin'].__file__)
    second = reload_plugins(site)
    assert sorted(answered) == ['edit_pkg', 'edit_pkg.plugin']
    assert (sys.modules['edit_pkg'].__file__,
            sys.modules['edit_pkg.plugin'].__file__) == files
    assert second['edit'].plugin().hello('v') == 'editable greets v'
    assert first['edit'].entry_point.dist.name == 'edit-pkg'
