"""statsvc-plugins list, against real distributions."""
import json
import os
import subprocess
import sys

import pytest

from statsvc.cmd.plugins import main

STATS = 'statsvc.statistics'
STORAGE = 'statsvc.storage'

STATISTICS_MODULE = '''
from statsvc.statistics import Statistic


class Good(Statistic):
    description = "Returns its input."
    parameters = ()

    def compute(self, data, **params):
        return data


class NotAStatistic:
    """Loads, but breaks the statistics contract."""
'''


@pytest.fixture(autouse=True)
def no_service_configuration(monkeypatch):
    """The listing honours $STATSVC_CONFIG: none unless a test sets it."""
    monkeypatch.delenv('STATSVC_CONFIG', raising=False)


@pytest.fixture
def plugins(site):
    site.add_module('extstats', STATISTICS_MODULE)
    site.add('goodstats', {STATS: {'ext-good': 'extstats:Good'}},
             version='1.2', module=False)
    site.add('badstats', {STATS: {'ext-bad': 'extstats:NotAStatistic',
                                  'ext-gone': 'nosuchmodule_zz:X'}},
             version='0.9', module=False)
    site.add('store_a', {STORAGE: {'ext-dup': 'store_a:Plugin'}})
    site.add('store_b', {STORAGE: {'ext-dup': 'store_b:Plugin'}},
             version='2.0')
    return site


def rows_by_name(capsys, argv):
    status = main(argv)
    rows = json.loads(capsys.readouterr().out)
    return status, {r['name']: r for r in rows if r['name'].startswith('ext-')}


def test_json_listing_reports_load_contract_and_conflicts(plugins, capsys):
    status, rows = rows_by_name(capsys, ['list', '--json'])
    assert status == 1
    assert set(rows) == {'ext-good', 'ext-bad', 'ext-gone', 'ext-dup'}
    good = rows['ext-good']
    assert good == {
        'namespace': STATS, 'name': 'ext-good', 'target': 'extstats:Good',
        'distribution': 'goodstats', 'version': '1.2', 'enabled': True,
        'unavailable': None, 'loads': True, 'error': None,
        'conflicts_with': []}
    assert rows['ext-bad']['loads'] is False
    assert rows['ext-bad']['error'].startswith('ContractError: ')
    assert rows['ext-gone']['error'].startswith('ModuleNotFoundError: ')
    assert 'nosuchmodule_zz' in rows['ext-gone']['error']


def test_conflicting_names_are_both_listed(plugins, capsys):
    status = main(['list', STORAGE, '--json'])
    dups = [r for r in json.loads(capsys.readouterr().out)
            if r['name'] == 'ext-dup']
    assert status == 1
    assert sorted(r['distribution'] for r in dups) == ['store_a', 'store_b']
    assert sorted(r['conflicts_with'][0] for r in dups) == [
        'store_a 1.0 (store_a:Plugin)', 'store_b 2.0 (store_b:Plugin)']


def test_text_listing_of_one_namespace(plugins, capsys):
    assert main(['list', STATS]) == 1
    out = capsys.readouterr().out
    assert out.startswith(STATS + '\n')
    assert STORAGE not in out
    assert 'ext-good = extstats:Good  [goodstats 1.2]  ok' in out
    assert ('ext-bad = extstats:NotAStatistic  [badstats 0.9]  '
            'FAILS: ContractError') in out


def test_all_statsvc_namespaces_are_listed_even_empty(site, capsys,
                                                      monkeypatch):
    site.add('other', {'statsvc.extra': {'ext-x': 'other:Plugin'}})
    main(['list'])
    out = capsys.readouterr().out
    for namespace in (STATS, STORAGE, 'statsvc.extra'):
        assert f'\n{namespace}\n' in f'\n{out}'


def test_clean_namespace_exits_zero(site, capsys):
    site.add('fine', {'statsvc.fine': {'ext-ok': 'fine:Plugin'}})
    assert main(['list', 'statsvc.fine']) == 0
    assert main(['list', 'statsvc.nothing']) == 0
    assert '(no plugins)' in capsys.readouterr().out


def test_console_script_runs(plugins, tmp_path):
    env = dict(os.environ, PYTHONPATH=plugins.root,
               XDG_CACHE_HOME=str(tmp_path / 'cache'))
    done = subprocess.run(
        [sys.executable, '-m', 'statsvc.cmd.plugins', 'list', STORAGE],
        env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert 'CONFLICT with store_b 2.0' in done.stdout


@pytest.fixture
def import_marker(site, tmp_path):
    """A statistic ``ext-marked`` whose module leaves a file when imported."""
    marker = tmp_path / 'marked-was-imported'
    site.add_module('markedstats', f'open({str(marker)!r}, "w").close()\n'
                    + STATISTICS_MODULE)
    site.add('markeddist', {STATS: {'ext-marked': 'markedstats:Good'}},
             module=False)
    return marker


def write_config(tmp_path, **statistics):
    conf = tmp_path / 'statsvc.conf'
    conf.write_text('[statistics]\n' + ''.join(
        f'{key} = {value}\n' for key, value in statistics.items()))
    return str(conf)


def test_statistics_disabled_by_configuration_are_not_failures(
        plugins, import_marker, tmp_path, capsys):
    conf = write_config(tmp_path, disabled='ext-bad, ext-gone, ext-marked')
    status, rows = rows_by_name(capsys, ['list', STATS, '--json',
                                         '--config', conf])
    assert status == 0
    for name in ('ext-bad', 'ext-gone', 'ext-marked'):
        assert (rows[name]['enabled'], rows[name]['loads'],
                rows[name]['error']) == (False, None, None)
    assert not import_marker.exists()  # as in the service: never imported
    assert (rows['ext-good']['enabled'], rows['ext-good']['loads']) == (
        True, True)

    assert main(['list', STATS, '--config', conf]) == 0
    out = capsys.readouterr().out
    assert ('ext-bad = extstats:NotAStatistic  [badstats 0.9]  '
            'disabled by configuration') in out
    assert 'ext-good = extstats:Good  [goodstats 1.2]  ok' in out


def test_enabled_whitelist_from_the_environment(plugins, import_marker,
                                                tmp_path, capsys,
                                                monkeypatch):
    monkeypatch.setenv('STATSVC_CONFIG',
                       write_config(tmp_path, enabled='ext-good, ext-marked'))
    status, rows = rows_by_name(capsys, ['list', STATS, '--json'])
    assert status == 0
    assert {name for name, row in rows.items() if row['enabled']} == {
        'ext-good', 'ext-marked'}
    assert rows['ext-marked']['loads'] and import_marker.exists()
    assert rows['ext-gone']['loads'] is None


def test_a_broken_statistic_still_enabled_fails_the_listing(
        plugins, tmp_path, capsys):
    conf = write_config(tmp_path, disabled='ext-gone')
    status, rows = rows_by_name(capsys, ['list', STATS, '--json',
                                         '--config', conf])
    assert status == 1
    assert rows['ext-bad']['error'].startswith('ContractError: ')
    assert rows['ext-gone']['enabled'] is False


def test_unreadable_configuration_is_a_clear_error(tmp_path):
    missing = str(tmp_path / 'missing.conf')
    with pytest.raises(SystemExit) as error:
        main(['list', '--config', missing])
    assert str(error.value).startswith('statsvc-plugins: cannot read '
                                       f'configuration {missing}')


def test_a_statistic_whose_extra_is_missing_is_unavailable_not_failing(
        site, capsys):
    site.add_module('optionalstats', STATISTICS_MODULE)
    site.add('optionaldist', {STATS: {'ext-opt': 'optionalstats:Good [gpu]',
                                      'ext-plain': 'optionalstats:Good'}},
             module=False, requires=['nothere-zz9>=2; extra == "gpu"'])
    status, rows = rows_by_name(capsys, ['list', STATS, '--json'])
    assert status == 0
    assert (rows['ext-opt']['loads'], rows['ext-opt']['unavailable']) == (
        None, ['nothere-zz9>=2; extra == "gpu" (not installed)'])
    assert rows['ext-plain']['loads'] is True
    assert main(['list', STATS]) == 0
    assert ('ext-opt = optionalstats:Good [gpu]  [optionaldist 1.0]  '
            'unavailable: needs nothere-zz9>=2') in capsys.readouterr().out
