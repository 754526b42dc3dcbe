"""statsvc.ext has stevedore's public API, and stands alone."""
import importlib
import inspect
import subprocess
import sys
import typing

import pytest

MODULES = ['extension', 'named', 'enabled', 'driver', 'hook', 'dispatch',
           'exception']

stevedore = pytest.importorskip('stevedore')


def public(module):
    """Names a module defines for its users (not imports, not typing)."""
    return {name for name, value in vars(module).items()
            if not name.startswith('_') and not inspect.ismodule(value)
            and getattr(value, '__module__', module.__name__) in (
                module.__name__, None)
            and not isinstance(value, (typing.TypeVar, typing.ParamSpec))
            and not hasattr(value, '__origin__')}


@pytest.mark.parametrize('name', MODULES)
def test_each_module_exports_what_stevedores_does(name):
    theirs = importlib.import_module(f'stevedore.{name}')
    ours = importlib.import_module(f'statsvc.ext.{name}')
    assert public(theirs) - set(vars(ours)) == set()


def test_package_exports_the_managers():
    import statsvc.ext
    assert set(stevedore.__all__) <= set(statsvc.ext.__all__)
    for name in stevedore.__all__:
        assert getattr(statsvc.ext, name).__name__ == name


def classes():
    found = []
    for name in MODULES:
        theirs = importlib.import_module(f'stevedore.{name}')
        for attr, value in vars(theirs).items():
            if inspect.isclass(value) and value.__module__ == theirs.__name__:
                ours = getattr(importlib.import_module(f'statsvc.ext.{name}'),
                               attr)
                found.append(pytest.param(value, ours, id=attr))
    return found


@pytest.mark.parametrize('theirs, ours', classes())
def test_signatures_match_stevedore(theirs, ours):
    """Same parameter names, order and kinds for every public method
    (ours may add keyword-only ones at the end)."""
    for attr in dir(theirs):
        if attr.startswith('_') and attr != '__init__':
            continue
        their_method = getattr(theirs, attr)
        if not callable(their_method) or attr not in dir(ours):
            assert attr in dir(ours), attr
            continue
        if their_method is getattr(object, attr, None):
            continue
        try:
            their_sig = inspect.signature(their_method)
        except (TypeError, ValueError):
            continue
        mine = [(p.name, p.kind)
                for p in inspect.signature(getattr(ours, attr)).parameters
                .values()]
        expected = [(p.name, p.kind) for p in their_sig.parameters.values()]
        assert mine[:len(expected)] == expected, attr
        assert all(kind is inspect.Parameter.KEYWORD_ONLY
                   for _, kind in mine[len(expected):]), attr


def test_imports_nothing_else_from_statsvc():
    code = ('import sys, statsvc.ext, statsvc.ext.dispatch, '
            'statsvc.ext._requirements\n'
            'print(sorted(m for m in sys.modules if m.startswith("statsvc") '
            'and not m.startswith("statsvc.ext")))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "['statsvc']"
