"""The managers against real distributions (see conftest.site)."""
import importlib.metadata
import logging
import os
import subprocess
import sys

import pytest

from statsvc.ext import DriverManager
from statsvc.ext import EnabledExtensionManager
from statsvc.ext import ExtensionManager
from statsvc.ext import HookManager
from statsvc.ext import NamedExtensionManager
from statsvc.ext import unmet_requirements
from statsvc.ext.dispatch import DispatchExtensionManager
from statsvc.ext.dispatch import NameDispatchExtensionManager
from statsvc.ext.exception import MissingRequirements
from statsvc.ext.exception import MultipleMatches
from statsvc.ext.exception import NoMatches
from statsvc.ext.exception import NoUniqueMatch
from statsvc.ext.extension import Extension
from statsvc.ext.extension import error_on_conflict
from statsvc.ext.extension import ignore_conflicts

NS = 'test.plugins'


@pytest.fixture
def three(site):
    """alpha, beta and gamma in NS, and an unrelated plugin elsewhere."""
    site.add('alpha', {NS: {'a': 'alpha:Plugin'}})
    site.add('beta', {NS: {'b': 'beta:Plugin'}}, version='2.5')
    site.add('gamma', {NS: {'c': 'gamma:Plugin'},
                       'other.ns': {'x': 'gamma:Plugin'}})
    return site


def test_extension_manager_loads_every_plugin_of_the_namespace(three):
    mgr = ExtensionManager(NS)
    assert sorted(mgr.names()) == ['a', 'b', 'c']
    assert sorted(mgr.entry_points_names()) == ['a', 'b', 'c']
    ext = mgr['b']
    assert isinstance(ext, Extension)
    assert ext.plugin is sys.modules['beta'].Plugin
    assert ext.obj is None
    assert (ext.module_name, ext.attr, ext.entry_point_target) == (
        'beta', 'Plugin', 'beta:Plugin')
    assert (ext.entry_point.dist.name, ext.entry_point.dist.version) == (
        'beta', '2.5')
    assert 'a' in mgr and 'x' not in mgr
    assert [e.name for e in mgr] == mgr.names()
    assert dict(mgr.items()) == {e.name: e for e in mgr.extensions}


def test_order_and_entry_points_match_importlib_metadata(three):
    theirs = [(ep.name, ep.value)
              for ep in importlib.metadata.entry_points(group=NS)]
    mine = [(ep.name, ep.value)
            for ep in ExtensionManager(NS).list_entry_points()]
    assert mine == theirs
    assert ExtensionManager(NS).names() == [name for name, _ in theirs]


def test_invoke_on_load_passes_args_and_kwds(three):
    mgr = ExtensionManager(NS, invoke_on_load=True, invoke_args=(1, 2),
                           invoke_kwds={'k': 'v'})
    for ext in mgr:
        assert isinstance(ext.obj, ext.plugin)
        assert (ext.obj.args, ext.obj.kwds) == ((1, 2), {'k': 'v'})


def test_map_and_map_method(three):
    mgr = ExtensionManager(NS, invoke_on_load=True)
    assert sorted(mgr.map(lambda ext, x: (ext.name, x), 7)) == [
        ('a', 7), ('b', 7), ('c', 7)]
    assert sorted(mgr.map_method('hello', who='bob')) == [
        'alpha greets bob', 'beta greets bob', 'gamma greets bob']


def test_map_logs_and_skips_errors_unless_propagating(three, caplog):
    def func(ext):
        if ext.name == 'b':
            raise ValueError('boom')
        return ext.name

    assert sorted(ExtensionManager(NS).map(func)) == ['a', 'c']
    assert 'boom' in caplog.text and "'b = beta:Plugin'" in caplog.text
    with pytest.raises(ValueError, match='boom'):
        ExtensionManager(NS, propagate_map_exceptions=True).map(func)


def test_map_without_extensions_raises_no_matches(site):
    mgr = ExtensionManager('test.empty')
    assert mgr.names() == [] and mgr.entry_points_names() == []
    with pytest.raises(NoMatches, match='test.empty'):
        mgr.map(lambda ext: None)


def test_load_failure_is_logged_naming_namespace_entry_point_and_dist(
        three, caplog):
    three.add('broken', {NS: {'bad': 'broken_missing_module:Plugin'}},
              version='0.3', module=False)
    with caplog.at_level(logging.ERROR):
        mgr = ExtensionManager(NS)
    assert 'bad' not in mgr.names() and len(mgr.names()) == 3
    [record] = [r for r in caplog.records if 'bad' in r.getMessage()]
    message = record.getMessage()
    for part in ("'bad = broken_missing_module:Plugin'", 'broken 0.3',
                 f"namespace '{NS}'", 'ModuleNotFoundError',
                 'broken_missing_module'):
        assert part in message


def test_on_load_failure_callback_gets_manager_entry_point_and_error(three):
    three.add('broken', {NS: {'bad': 'broken:fails'}})
    calls = []
    mgr = ExtensionManager(NS, invoke_on_load=True,
                           on_load_failure_callback=lambda *a: calls.append(a))
    [(manager, ep, err)] = calls
    assert manager is mgr
    assert (ep.name, ep.value, ep.dist.name) == (
        'bad', 'broken:fails', 'broken')
    assert isinstance(err, RuntimeError) and 'broken is broken' in str(err)
    assert any("'bad = broken:fails' from broken 1.0" in note
               for note in err.__notes__)


def test_make_test_instance_uses_given_extensions_only(three):
    exts = [Extension('t1', None, object, 'obj1'),
            Extension('t2', None, object, 'obj2')]
    mgr = ExtensionManager.make_test_instance(exts)
    assert mgr.namespace == 'TESTING'
    assert mgr.names() == ['t1', 't2']
    assert mgr.map(lambda e: e.obj) == ['obj1', 'obj2']
    driver = DriverManager.make_test_instance(exts[0], namespace='x')
    assert driver.driver == 'obj1' and driver.namespace == 'x'


def test_named_manager_loads_only_the_names_and_imports_nothing_else(three):
    mgr = NamedExtensionManager(NS, ['c', 'a'])
    assert sorted(mgr.names()) == ['a', 'c']
    assert 'beta' not in sys.modules
    ordered = NamedExtensionManager(NS, ['c', 'a'], name_order=True)
    assert ordered.names() == ['c', 'a']


def test_named_manager_reports_missing_names(three, caplog):
    missing = []
    NamedExtensionManager(NS, ['a', 'zzz'],
                          on_missing_entrypoints_callback=missing.append)
    assert missing == [{'zzz'}]
    caplog.clear()
    NamedExtensionManager(NS, ['a', 'zzz'])
    assert "'zzz'" in caplog.text and NS in caplog.text
    assert 'installed: a, b, c' in caplog.text
    caplog.clear()
    NamedExtensionManager(NS, ['zzz'], warn_on_missing_entrypoint=False)
    assert caplog.text == ''


def test_enabled_manager_keeps_what_check_func_accepts(three):
    mgr = EnabledExtensionManager(NS, lambda ext: ext.name != 'b')
    assert sorted(mgr.names()) == ['a', 'c']


def test_dispatch_manager_filters_per_call(three):
    mgr = DispatchExtensionManager(NS, lambda ext: True, invoke_on_load=True)
    wanted = {'a', 'c'}
    assert sorted(mgr.map(lambda ext, x: ext.name in wanted,
                          lambda ext, x: f'{ext.name}{x}', 1)) == ['a1', 'c1']
    # As in stevedore, the filter also gets the method name.
    assert sorted(mgr.map_method(lambda ext, method, who: ext.name == 'b',
                                 'hello', 'eve')) == ['beta greets eve']
    empty = DispatchExtensionManager('test.empty', lambda ext: True)
    with pytest.raises(NoMatches):
        empty.map(lambda e: True, lambda e: None)


def test_name_dispatch_manager_calls_the_names_given_in_order(three):
    mgr = NameDispatchExtensionManager(NS, lambda ext: True,
                                       invoke_on_load=True)
    assert mgr.map(['c', 'nope', 'a'], lambda ext: ext.name) == ['c', 'a']
    assert mgr.map_method(['b'], 'hello', 'ann') == ['beta greets ann']


def test_hook_manager_loads_every_plugin_with_the_name(site, caplog):
    site.add('hook1', {NS: {'on_start': 'hook1:Plugin'}})
    site.add('hook2', {NS: {'on_start': 'hook2:Plugin',
                            'other': 'hook2:Plugin'}})
    hooks = HookManager(NS, 'on_start', invoke_on_load=True)
    assert sorted(ext.plugin.__module__ for ext in hooks['on_start']) == [
        'hook1', 'hook2']
    with pytest.raises(KeyError):
        hooks['other']
    assert sorted(hooks.map_method('hello', 'x')) == [
        'hook1 greets x', 'hook2 greets x']
    caplog.clear()
    assert HookManager(NS, 'nobody').names() == []
    assert caplog.text == ''  # no hooks is normal


def test_driver_manager_loads_one_driver(three):
    mgr = DriverManager(NS, 'b', invoke_on_load=True, invoke_args=('opt',))
    assert isinstance(mgr.driver, sys.modules['beta'].Plugin)
    assert mgr.driver.args == ('opt',)
    assert mgr(lambda ext, y: (ext.name, y), 3) == ('b', 3)
    assert DriverManager(NS, 'a').driver is sys.modules['alpha'].Plugin


def test_driver_manager_missing_name_raises_no_matches(three):
    with pytest.raises(NoMatches) as info:
        DriverManager(NS, 'zzz')
    message = str(info.value)
    assert NS in message and "'zzz'" in message
    assert 'installed: a, b, c' in message
    assert isinstance(info.value, NoUniqueMatch)


def test_driver_load_failure_propagates_the_error_with_its_origin(three):
    three.add('broken', {NS: {'bad': 'broken:fails'}}, version='4.2')
    with pytest.raises(RuntimeError, match='broken is broken') as info:
        DriverManager(NS, 'bad', invoke_on_load=True)
    assert any('broken 4.2' in note and NS in note
               for note in info.value.__notes__)
    errors = []
    with pytest.raises(NoMatches):
        DriverManager(NS, 'bad', invoke_on_load=True,
                      on_load_failure_callback=lambda m, ep, e:
                      errors.append(e))
    assert len(errors) == 1


def test_same_name_from_two_distributions(site, caplog):
    site.add('first', {NS: {'dup': 'first:Plugin'}}, version='1.1')
    site.add('second', {NS: {'dup': 'second:Plugin'}}, version='2.2')
    with pytest.raises(MultipleMatches) as info:
        DriverManager(NS, 'dup')
    message = str(info.value)
    assert 'first 1.1' in message and 'second 2.2' in message
    assert "'dup = first:Plugin'" in message and NS in message

    last = ExtensionManager(NS).extensions[-1]
    picked = DriverManager(NS, 'dup', conflict_resolver=ignore_conflicts)
    assert picked.driver is last.plugin
    assert 'first 1.1' in caplog.text and 'second 2.2' in caplog.text

    mgr = ExtensionManager(NS)
    assert len(mgr.extensions) == 2  # both load; lookups must choose
    assert mgr['dup'].plugin is last.plugin
    strict = ExtensionManager(NS, conflict_resolver=error_on_conflict)
    with pytest.raises(MultipleMatches):
        strict['dup']


def test_first_distribution_of_a_name_on_the_path_wins(site, tmp_path,
                                                       monkeypatch):
    later = tmp_path / 'later'
    later.mkdir()
    site.add('same', {NS: {'new': 'same:Plugin'}}, version='2.0')
    site.add('same', {NS: {'old': 'same:Plugin'}}, version='1.0',
             root=str(later), module=False)
    monkeypatch.syspath_prepend(site.root)  # site before later
    sys.path.insert(sys.path.index(site.root) + 1, str(later))
    mgr = ExtensionManager(NS)
    assert mgr.names() == ['new']
    assert mgr.names() == [ep.name for ep in
                           importlib.metadata.entry_points(group=NS)]


def test_entry_point_cache_follows_sys_path(three, tmp_path, monkeypatch):
    assert sorted(ExtensionManager(NS).names()) == ['a', 'b', 'c']
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    three.add('delta', {NS: {'d': 'delta:Plugin'}}, root=str(elsewhere))
    monkeypatch.syspath_prepend(str(elsewhere))
    assert 'd' in ExtensionManager(NS).names()


def test_entry_point_cache_can_be_filled_by_hand(three):
    ep = importlib.metadata.EntryPoint('hand', 'alpha:Plugin', 'test.hand')
    ExtensionManager('test.hand')  # the first lookup sets the path key
    ExtensionManager.ENTRY_POINT_CACHE['test.hand'] = [ep]
    mgr = ExtensionManager('test.hand')
    assert mgr.names() == ['hand']
    assert mgr['hand'].plugin is sys.modules['alpha'].Plugin


class LegacySubclass(ExtensionManager):
    """Written against stevedore's internal hooks."""

    def _init_attributes(self, namespace, propagate_map_exceptions=False,
                         on_load_failure_callback=None):
        super()._init_attributes(namespace, propagate_map_exceptions,
                                 on_load_failure_callback)
        self.seen = []

    def _load_one_plugin(self, ep, invoke_on_load, invoke_args, invoke_kwds,
                         verify_requirements):
        self.seen.append(ep.name)
        if ep.name == 'b':
            return None
        return super()._load_one_plugin(ep, invoke_on_load, invoke_args,
                                        invoke_kwds, verify_requirements)

    def _init_plugins(self, extensions):
        super()._init_plugins(extensions)
        self.extensions.sort(key=lambda e: e.name, reverse=True)


def test_stevedore_style_subclass_hooks_are_called(three):
    mgr = LegacySubclass(NS)
    assert sorted(mgr.seen) == ['a', 'b', 'c']
    assert mgr.names() == ['c', 'a']


def test_verify_requirements(site, caplog):
    site.add('needs_nothing', {NS: {'ok': 'needs_nothing:Plugin'}},
             requires=['pytest>=1', 'nothere-zz9; python_version < "3"',
                       'nothere-zz9; extra == "fast"'])
    site.add('needs_missing', {NS: {'missing': 'needs_missing:Plugin'}},
             version='3.1', requires=['nothere-zz9>=2'])
    site.add('needs_newer', {NS: {'old': 'needs_newer:Plugin'}},
             requires=['pytest<1'])
    site.add('needs_extra', {NS: {'extra': 'needs_extra:Plugin [fast]'}},
             requires=['nothere-zz9; extra == "fast"'])
    failures = {}
    mgr = ExtensionManager(
        NS, verify_requirements=True,
        on_load_failure_callback=lambda m, ep, e:
        failures.update({ep.name: e}))
    assert mgr.names() == ['ok']
    assert sorted(failures) == ['extra', 'missing', 'old']
    assert all(isinstance(e, MissingRequirements) for e in failures.values())
    assert str(failures['missing']) == (
        'needs_missing 3.1 requires nothere-zz9>=2 (not installed)')
    assert 'pytest<1 (found pytest ' in str(failures['old'])
    # Not checked unless asked for, as stevedore: everything imports.
    assert len(ExtensionManager(NS).names()) == 4


def test_unmet_requirements_of_one_entry_point_and_its_extras(site):
    site.add('needs_extra', {NS: {'extra': 'needs_extra:Plugin [fast]',
                                  'plain': 'needs_extra:Plugin'}},
             version='2.0', requires=['pytest>=1',
                                      'nothere-zz9>=3; extra == "fast"'])
    eps = {ep.name: ep for ep in
           NamedExtensionManager(NS, names=()).list_entry_points()}
    assert unmet_requirements(eps['extra']) == [
        'nothere-zz9>=3; extra == "fast" (not installed)']
    assert unmet_requirements(eps['plain']) == []
    # Nothing was imported to find out.
    assert 'needs_extra' not in sys.modules


def test_entry_point_cache_path_is_shared_by_all_managers(three, tmp_path,
                                                          monkeypatch):
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    three.add('delta', {NS: {'d': 'delta:Plugin'}}, root=str(elsewhere))
    assert DriverManager(NS, 'a').driver is sys.modules['alpha'].Plugin
    with monkeypatch.context() as m:
        m.syspath_prepend(str(elsewhere))
        assert 'd' in ExtensionManager(NS).names()
    # Back on the first path, the driver manager must not see delta.
    with pytest.raises(NoMatches):
        DriverManager(NS, 'd')


FAILING_START = '''
from statsvc.ext import ExtensionManager
ExtensionManager({ns!r})
'''


def test_load_failures_reach_stderr_without_logging_configured(site,
                                                               tmp_path):
    site.add('broken', {NS: {'bad': 'broken:Missing'}}, version='0.1')
    env = dict(os.environ, PYTHONPATH=site.root,
               XDG_CACHE_HOME=str(tmp_path / 'cache'))
    done = subprocess.run([sys.executable, '-c', FAILING_START.format(ns=NS)],
                          env=env, capture_output=True, text=True, check=True)
    assert ("Could not load plugin 'bad = broken:Missing' from broken 0.1 "
            f"in namespace '{NS}': AttributeError") in done.stderr


def test_verify_requirements_without_packaging_says_so(site, monkeypatch):
    site.add('needs', {NS: {'n': 'needs:Plugin'}}, requires=['pytest'])
    for name in [m for m in sys.modules if m.split('.')[0] == 'packaging']:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, 'packaging', None)  # not installed
    failures = []
    ExtensionManager(NS, verify_requirements=True,
                     on_load_failure_callback=lambda *a: failures.append(a))
    [(_, ep, err)] = failures
    assert isinstance(err, MissingRequirements)
    assert "needs the 'packaging' library" in str(err)


class NewStyleSubclass(EnabledExtensionManager):
    """Written against stevedore 5.10, whose hooks take no
    verify_requirements."""

    def _load_plugins(self, invoke_on_load, invoke_args, invoke_kwds):
        self.loading = True
        return super()._load_plugins(invoke_on_load, invoke_args, invoke_kwds)

    def _load_one_plugin(self, ep, invoke_on_load, invoke_args, invoke_kwds):
        return super()._load_one_plugin(ep, invoke_on_load, invoke_args,
                                        invoke_kwds)


def test_stevedore_5_10_style_subclass_hooks_are_called(three):
    mgr = NewStyleSubclass(NS, lambda ext: ext.name != 'a',
                           invoke_on_load=True, invoke_args=None)
    assert mgr.loading and sorted(mgr.names()) == ['b', 'c']
    assert all(e.obj.args == () for e in mgr)
