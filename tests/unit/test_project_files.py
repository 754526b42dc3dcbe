"""The promises made in README.rst and etc/ stay true to the code."""
import configparser
import pathlib
import re

from statsvc.cmd.api import uwsgi_options

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_ci_runs_the_readme_test_command_verbatim():
    readme = (ROOT / "README.rst").read_text()
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    command = ci_lines[-1]
    assert "pytest" in command
    assert re.search(r"^    " + re.escape(command) + "$", readme, re.M)


def test_uwsgi_ini_matches_the_launcher_defaults():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "etc" / "statsvc" / "uwsgi.ini")
    ini = dict(parser["uwsgi"])
    launcher = dict(uwsgi_options("127.0.0.1", 8041, 2, 8, 16777216))
    # Where statsvc-api passes the installed package as pythonpath, the ini
    # leaves the working directory, which uwsgi puts first on sys.path.
    assert ini.pop("chdir") == "%d"
    assert ini == launcher
