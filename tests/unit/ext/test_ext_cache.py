"""The disk cache of the scan: hits, invalidation, damage, opt-outs."""
import os
import subprocess
import sys

import pytest

from conftest import format_entry_points
from conftest import forget
from conftest import settle
from statsvc.ext import _discovery
from statsvc.ext import ExtensionManager
from statsvc.ext import namespaces

NS = 'test.cached'


def cache_files(tmp_path):
    """The entry point cache files (not the import hints)."""
    folder = tmp_path / 'cache' / 'statsvc'
    return sorted(f for f in folder.glob('entry-points-*')
                  if f.suffix != '.modules') if folder.exists() else []


def names():
    forget()
    return sorted(ExtensionManager(NS).entry_points_names())


def test_cache_is_written_and_then_used(site, tmp_path, monkeypatch):
    site.add('one', {NS: {'a': 'one:Plugin'}}, version='1.5')
    settle()
    assert names() == ['a']
    [cache] = cache_files(tmp_path)
    assert cache.name.startswith('entry-points-')

    def scan(survey):  # what follows must come from the cache
        raise AssertionError('scanned although the cache is valid')
    monkeypatch.setattr(_discovery, '_scan', scan)
    forget()
    ep, = ExtensionManager(NS).list_entry_points()
    assert (ep.name, ep.value, ep.group) == ('a', 'one:Plugin', NS)
    assert (ep.dist.name, ep.dist.version) == ('one', '1.5')


def test_scan_too_recent_to_trust_is_not_cached(site, tmp_path):
    site.add('one', {NS: {'a': 'one:Plugin'}})
    assert names() == ['a']  # files written just now
    assert cache_files(tmp_path) == []
    settle()
    assert names() == ['a']
    assert len(cache_files(tmp_path)) == 1


def test_new_distribution_is_seen_at_once(site):
    site.add('one', {NS: {'a': 'one:Plugin'}})
    settle()
    assert names() == ['a']
    site.add('two', {NS: {'b': 'two:Plugin'}})
    assert names() == ['a', 'b']
    settle()
    assert names() == ['a', 'b']


def test_removed_distribution_is_seen_at_once(site):
    folder = site.add('one', {NS: {'a': 'one:Plugin'}})
    site.add('two', {NS: {'b': 'two:Plugin'}})
    settle()
    assert names() == ['a', 'b']
    for name in os.listdir(folder):
        os.unlink(os.path.join(folder, name))
    os.rmdir(folder)
    assert names() == ['b']


def test_rewrite_in_the_same_tick_with_the_same_size_and_mtime_is_seen(site):
    """stevedore keys on float32 mtimes and misses this."""
    folder = site.add('one', {NS: {'a': 'one:Plugin'}})
    settle()
    assert names() == ['a']
    eps = os.path.join(folder, 'entry_points.txt')
    before = os.stat(eps)
    with open(eps, 'w') as f:  # same inode, same length
        f.write(format_entry_points({NS: {'z': 'one:Plugin'}}))
    os.utime(eps, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(eps)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size, before.st_mtime_ns, before.st_ino)
    assert names() == ['z']


def test_reinstall_within_the_same_second_is_seen(site):
    folder = site.add('one', {NS: {'a': 'one:Plugin'}})
    settle()
    assert names() == ['a']
    for name in os.listdir(folder):  # as pip uninstall + install does
        os.unlink(os.path.join(folder, name))
    os.rmdir(folder)
    site.add('one', {NS: {'b': 'one:Plugin'}}, module=False)
    assert names() == ['b']


def test_changed_sys_path_uses_another_cache_entry(site, tmp_path,
                                                   monkeypatch):
    site.add('one', {NS: {'a': 'one:Plugin'}})
    other = tmp_path / 'other'
    other.mkdir()
    site.add('two', {NS: {'b': 'two:Plugin'}}, root=str(other))
    settle()
    assert names() == ['a']
    monkeypatch.syspath_prepend(str(other))
    assert names() == ['a', 'b']
    monkeypatch.setattr(sys, 'path', [p for p in sys.path if p != str(other)])
    assert names() == ['a']


@pytest.mark.parametrize('damage', [
    b'', b'garbage', b'\xff\xfe\x00\x01', 'cut', 'one byte'])
def test_damaged_cache_file_falls_back_to_a_scan(site, tmp_path, damage):
    site.add('one', {NS: {'a': 'one:Plugin'}})
    site.add('two', {NS: {'b': 'two:Plugin'}})
    settle()
    assert names() == ['a', 'b']
    [cache] = cache_files(tmp_path)
    good = cache.read_bytes()
    if damage == 'cut':
        damage = good[:len(good) - 5]
    elif damage == 'one byte':  # 'two:Plugin' becomes 'twp:Plugin'
        damage = good.replace(b'two:Plugin', b'twp:Plugin')
    assert damage != good
    cache.write_bytes(damage)
    assert names() == ['a', 'b']
    assert cache.read_bytes() == good  # rewritten


def test_unwritable_cache_directory_is_no_error(site, tmp_path, monkeypatch):
    # A file where the directory should be: fails even for root.
    (tmp_path / 'blocked').write_text('')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'blocked'))
    site.add('one', {NS: {'a': 'one:Plugin'}})
    settle()
    assert names() == ['a']
    assert names() == ['a']


@pytest.mark.skipif(os.geteuid() == 0, reason='root writes anywhere')
def test_read_only_cache_directory_is_no_error(site, tmp_path):
    folder = tmp_path / 'cache' / 'statsvc'
    folder.mkdir(parents=True)
    folder.chmod(0o500)
    try:
        site.add('one', {NS: {'a': 'one:Plugin'}})
        settle()
        assert names() == ['a']
        assert cache_files(tmp_path) == []
    finally:
        folder.chmod(0o700)


def test_cache_can_be_switched_off(site, tmp_path, monkeypatch):
    site.add('one', {NS: {'a': 'one:Plugin'}})
    settle()
    monkeypatch.setenv('STATSVC_EXT_CACHE', '0')
    assert names() == ['a']
    assert cache_files(tmp_path) == []
    monkeypatch.delenv('STATSVC_EXT_CACHE')
    monkeypatch.setattr(ExtensionManager, 'USE_DISK_CACHE', False)
    assert names() == ['a']
    assert cache_files(tmp_path) == []
    monkeypatch.setattr(ExtensionManager, 'USE_DISK_CACHE', True)
    assert names() == ['a']
    assert len(cache_files(tmp_path)) == 1


def test_cache_lives_under_xdg_cache_home_or_home(monkeypatch, tmp_path):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    assert _discovery.cache_dir() == str(tmp_path / 'statsvc')
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    for ignored in ('', 'relative/path'):
        monkeypatch.setenv('XDG_CACHE_HOME', ignored)
        assert _discovery.cache_dir() == str(tmp_path / 'home' / '.cache' /
                                             'statsvc')
    monkeypatch.delenv('XDG_CACHE_HOME')
    monkeypatch.delenv('HOME')
    monkeypatch.setattr(os.path, 'expanduser', lambda path: path)
    assert _discovery.cache_dir() is None  # nowhere to cache: no error


def test_namespaces_lists_the_groups(site):
    site.add('one', {NS: {'a': 'one:Plugin'}, 'test.other': {'b': 'one:x'}})
    assert {NS, 'test.other'} <= set(namespaces())


WARM_START = '''
import sys
from statsvc.ext import ExtensionManager
mgr = ExtensionManager({ns!r}, invoke_on_load=True)
ep = mgr.list_entry_points()[0]
print(mgr.names(), ep.dist.name, ep.dist.version,
      'importlib.metadata' in sys.modules, 'json' in sys.modules)
'''


def test_warm_start_needs_neither_importlib_metadata_nor_json(site,
                                                               tmp_path):
    site.add('one', {NS: {'a': 'one:Plugin'}}, version='7.0')
    settle()
    env = dict(os.environ, PYTHONPATH=site.root,
               XDG_CACHE_HOME=str(tmp_path / 'cache'))
    runs = [subprocess.run([sys.executable, '-c', WARM_START.format(ns=NS)],
                           env=env, capture_output=True, text=True,
                           check=True, cwd=str(tmp_path)).stdout
            for _ in range(2)]
    assert runs[1].split() == ["['a']", 'one', '7.0', 'False', 'False']
    assert len(cache_files(tmp_path)) == 1


def test_no_cache_directory_at_all_is_no_error(site, tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', 'relative')
    monkeypatch.delenv('HOME', raising=False)
    monkeypatch.setattr(os.path, 'expanduser', lambda path: path)
    monkeypatch.chdir(tmp_path)
    site.add('one', {NS: {'a': 'one:Plugin'}})
    settle()
    assert names() == ['a']
    assert sorted(p.name for p in tmp_path.iterdir()) == ['site']
