"""What the scan finds, compared with importlib.metadata, and the entry
point objects it makes."""
import importlib.metadata
import os
import pickle
import sys
import zipfile

import pytest

from conftest import PLUGIN
from conftest import format_entry_points
from conftest import forget
from statsvc.ext import ExtensionManager

NS = 'test.discovery'


def found(namespace=NS):
    forget()
    return [(ep.name, ep.value, ep.dist.name, ep.dist.version)
            for ep in ExtensionManager(namespace).list_entry_points()]


def importlib_found(namespace=NS):
    return [(ep.name, ep.value, ep.dist.name, ep.dist.version)
            for ep in importlib.metadata.entry_points(group=namespace)]


def test_entry_point_behaves_like_importlib_metadata(site):
    site.add('pkg_one', {NS: {'plain': 'pkg_one:Plugin',
                              'module': 'pkg_one',
                              'dotted': 'pkg_one:Plugin.hello',
                              'extras': 'pkg_one : Plugin [fast, small]'}},
             requires=['pytest'])
    eps = {ep.name: ep for ep in ExtensionManager(NS).list_entry_points()}
    theirs = {ep.name: ep for ep in importlib.metadata.entry_points(group=NS)}
    assert set(eps) == set(theirs)
    for name, ep in eps.items():
        other = theirs[name]
        assert ep == other and hash(ep) == hash(other)
        for attr in ('name', 'value', 'group', 'module', 'attr', 'extras'):
            assert getattr(ep, attr) == getattr(other, attr), attr
        assert ep.load() is other.load()
        assert ep.matches(group=NS, name=name)
        assert not ep.matches(group='other')
    assert eps['module'].load() is sys.modules['pkg_one']
    assert eps['extras'].extras == ['fast', 'small']
    assert repr(eps['plain']) == (
        "EntryPoint(name='plain', value='pkg_one:Plugin', "
        "group='test.discovery')")
    dist = eps['plain'].dist
    assert (dist.name, dist.version) == ('pkg_one', '1.0')
    # Anything else comes from importlib.metadata's distribution.
    assert dist.metadata['Name'] == 'pkg_one'
    assert dist.requires == ['pytest']
    copy = pickle.loads(pickle.dumps(eps['plain']))
    assert copy == eps['plain'] and copy.dist.version == '1.0'


def test_same_result_as_importlib_metadata_for_a_mixed_path(site, tmp_path,
                                                            monkeypatch):
    # Distribution names as pip writes them and as older tools did.
    site.add('Mixed.Case_Name', {NS: {'m': 'mixed:Plugin'}}, module=False)
    site.add('zeta', {NS: {'z': 'zeta:Plugin'}})
    site.add('eggy', {NS: {'e': 'eggy:Plugin'}}, version='0.1',
             suffix='-py3.11.egg-info')
    # A development install: project folder on the path, no version in
    # the egg-info name (as setup.py develop / old editable installs).
    project = tmp_path / 'project'
    egg_info = project / 'devpkg.egg-info'
    egg_info.mkdir(parents=True)
    (egg_info / 'PKG-INFO').write_text(
        'Metadata-Version: 2.1\nName: devpkg\nVersion: 0.4.dev0\n')
    (egg_info / 'entry_points.txt').write_text(
        format_entry_points({NS: {'d': 'devpkg:Plugin'}}))
    (project / 'devpkg.py').write_text(PLUGIN.format(tag='devpkg'))
    monkeypatch.syspath_prepend(str(project))
    site.modules.append('devpkg')
    assert found() == importlib_found()
    assert ('d', 'devpkg:Plugin', 'devpkg', '0.4.dev0') in found()
    assert ('e', 'eggy:Plugin', 'eggy', '0.1') in found()
    assert 'd' in ExtensionManager(NS).names()


def test_version_change_of_a_development_install_is_seen(site, tmp_path,
                                                         monkeypatch):
    project = tmp_path / 'project'
    egg_info = project / 'devpkg2.egg-info'
    egg_info.mkdir(parents=True)
    (egg_info / 'entry_points.txt').write_text(
        format_entry_points({NS: {'d': 'devpkg2:Plugin'}}))
    pkg_info = egg_info / 'PKG-INFO'
    pkg_info.write_text('Name: devpkg2\nVersion: 1.0\n')
    monkeypatch.syspath_prepend(str(project))
    assert found()[0][3] == '1.0'
    pkg_info.write_text('Name: devpkg2\nVersion: 1.1\n')
    assert found()[0][3] == '1.1'


def test_distributions_inside_a_zip_file(site, tmp_path, monkeypatch):
    archive = tmp_path / 'plugins.zip'
    with zipfile.ZipFile(archive, 'w') as z:
        z.writestr('zipped-3.0.dist-info/METADATA',
                   'Metadata-Version: 2.1\nName: zipped\nVersion: 3.0\n')
        z.writestr('zipped-3.0.dist-info/entry_points.txt',
                   format_entry_points({NS: {'zz': 'zipped:Plugin'}}))
        z.writestr('zipped.py', PLUGIN.format(tag='zipped'))
    monkeypatch.syspath_prepend(str(archive))
    site.modules.append('zipped')
    assert found() == importlib_found() == [
        ('zz', 'zipped:Plugin', 'zipped', '3.0')]
    ext, = ExtensionManager(NS)
    assert ext.plugin().hello('you') == 'zipped greets you'
    assert ext.entry_point.dist.metadata['Version'] == '3.0'


def test_unreadable_or_missing_entry_points_are_skipped(site):
    folder = site.add('noeps', {})
    os.unlink(os.path.join(folder, 'entry_points.txt'))
    site.add('fine', {NS: {'f': 'fine:Plugin'}})
    assert found() == importlib_found() == [
        ('f', 'fine:Plugin', 'fine', '1.0')]


def test_comments_blank_lines_and_spacing_in_entry_points_txt(site):
    folder = site.add('spacey', {})
    with open(os.path.join(folder, 'entry_points.txt'), 'w') as f:
        f.write(f'# comment\n\n[{NS}]\n  a=spacey:Plugin  \n'
                f'# another\nb = spacey : Plugin\n[ spaced ]\nc = x:y\n')
    assert found() == importlib_found()
    assert [name for name, *_ in found()] == ['a', 'b']
    assert found(' spaced ') == importlib_found(' spaced ')
    assert [name for name, *_ in found(' spaced ')] == ['c']


@pytest.mark.parametrize('entry', ['', 'relative'])
def test_current_directory_entries(site, tmp_path, monkeypatch, entry):
    here = tmp_path / 'here'
    (here / 'relative').mkdir(parents=True)
    site.add('incwd', {NS: {'w': 'incwd:Plugin'}},
             root=str(here / entry) if entry else str(here))
    monkeypatch.chdir(here)
    monkeypatch.syspath_prepend(entry)
    assert ('w', 'incwd:Plugin', 'incwd', '1.0') in found()
    monkeypatch.chdir(tmp_path)  # same sys.path, another directory
    assert ('w', 'incwd:Plugin', 'incwd', '1.0') not in found()


@pytest.mark.parametrize('value', [
    'mod', 'pkg.mod', 'pkg.mod:attr', 'pkg.mod:Obj.attr', 'mod : attr',
    'mod:attr [a, b]', 'mod [x]', 'mod:attr[x]', 'mod[x]y]', 'mód:ñame',
    'mod:', ':attr', ' mod', 'mod:a b', 'mod[x]:attr', 'mod:attr [x',
    'mod-name:attr', 'mod:attr ', 'mod:attr [x] ', '', 'mod::attr',
    '_', '.', '_.:_', 'a.b_c:d_1.e'])
def test_entry_point_values_parse_as_importlib_metadata_parses_them(value):
    from statsvc.ext._entrypoint import EntryPoint
    ours = EntryPoint('n', value, 'g')
    theirs = importlib.metadata.EntryPoint('n', value, 'g')
    if theirs.pattern.match(value) is None:
        with pytest.raises(ValueError, match='invalid entry point'):
            ours.module
    else:
        assert (ours.module, ours.attr, ours.extras) == (
            theirs.module, theirs.attr, theirs.extras)


def test_deleted_working_directory_is_skipped(site, tmp_path, monkeypatch):
    site.add('fine', {NS: {'f': 'fine:Plugin'}})
    gone = tmp_path / 'gone'
    gone.mkdir()
    monkeypatch.chdir(gone)
    monkeypatch.syspath_prepend('')
    gone.rmdir()
    assert found() == [('f', 'fine:Plugin', 'fine', '1.0')]
