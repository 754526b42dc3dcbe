"""What ``statsvc-plugins install``/``uninstall`` say changed, and the
arguments they give pip."""
import argparse
import os

from statsvc.cmd import plugins_install


def row(name, target="m:C", dist="d", version="1.0", loads=True, error=None):
    return {"name": name, "target": target, "distribution": dist,
            "version": version, "loads": loads, "error": error}


def test_changes_name_each_added_removed_changed_and_failing_statistic():
    before = {"kept": row("kept"), "gone": row("gone", dist="old"),
              "upgraded": row("upgraded", version="1.0"),
              "broke": row("broke")}
    after = {"kept": row("kept"), "upgraded": row("upgraded", version="1.1"),
             "new": row("new", target="pkg:New", dist="pkg", version="2"),
             "broke": row("broke", loads=False,
                          error="ImportError: no numpy")}
    lines, newly_failing = plugins_install.changes(before, after)
    assert lines == [
        "! broke fails to load: ImportError: no numpy",
        "- gone = m:C [old 1.0]",
        "+ new = pkg:New [pkg 2]",
        "~ upgraded = m:C [d 1.0] -> m:C [d 1.1]",
    ]
    assert newly_failing


def test_a_failure_that_was_already_there_is_not_news():
    broken = {"b": row("b", loads=False, error="E")}
    assert plugins_install.changes(broken, broken) == (
        ["statistics unchanged"], False)
    # A disabled statistic (loads None) that stays so is no failure.
    off = {"b": row("b", loads=None)}
    assert plugins_install.changes({}, off) == (
        ["+ b = m:C [d 1.0]"], False)


def test_pip_arguments():
    def parse(*argv):
        parser = argparse.ArgumentParser()
        plugins_install.add_commands(parser.add_subparsers(dest="command"))
        return plugins_install.pip_args(parser.parse_args(argv))
    assert parse("install", "a", "b==2") == ["install", "a", "b==2"]
    assert parse("install", "-U", "a") == ["install", "--upgrade", "a"]
    assert parse("install", "-e", "./x", "./y") == [
        "install", "-e", "./x", "-e", "./y"]
    assert parse("uninstall", "a") == ["uninstall", "a"]
    assert parse("uninstall", "-y", "a", "b") == ["uninstall", "-y", "a", "b"]


def test_touch_moves_the_mtime_a_whole_second_on_and_creates(tmp_path):
    path = tmp_path / "reload"
    plugins_install.touch(path)
    first = os.stat(path).st_mtime
    plugins_install.touch(path)
    assert os.stat(path).st_mtime >= first + 1
