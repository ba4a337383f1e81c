"""Fixtures: the repository, its shared data, the `milad` command (built if needed) and a small trained Mo model."""
import os
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(REPO, "..", "shared", "data")
sys.path.insert(0, os.path.join(REPO, "python"))  # the package of this checkout, whatever else is installed

CLI_DLL = os.path.join(REPO, "src", "Milad.Cli", "bin", "Release", "net10.0", "Milad.Cli.dll")


def data(*parts):
    path = os.path.join(DATA, *parts)
    if not os.path.exists(path):
        pytest.skip(f"shared data {path} not present")
    return path


@pytest.fixture(scope="session")
def cli():
    """run(args...) -> the milad command's completed process (the Release build of this checkout)."""
    if not os.path.exists(CLI_DLL):
        subprocess.run(["dotnet", "build", os.path.join(REPO, "src", "Milad.Cli"), "-c", "Release", "-v", "q"], check=True)

    def run(*args, check=True):
        p = subprocess.run(["dotnet", CLI_DLL, *map(str, args)], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError(f"milad {' '.join(map(str, args))} failed ({p.returncode}): {p.stderr}")
        return p

    return run


@pytest.fixture(scope="session")
def mo_model(cli, tmp_path_factory):
    """A linear Mo model with a pair term, trained on the mlearn Mo training set (a few seconds)."""
    path = tmp_path_factory.mktemp("model") / "mo.json"
    cli("train", "--train", data("mlearn", "Mo_train.xyz"), "--test", data("mlearn", "Mo_test.xyz"), "--model", path,
        "--nmax", 6, "--cutoff", 4.5, "--pair-cutoff", 5.5, "--threads", 2)
    return str(path)
