"""Fingerprints from Python equal `milad fingerprint`'s bit for bit (molecules; environments with Jacobians)."""
import json

import ase.io
import numpy as np
import pytest

import milad
from conftest import data


@pytest.fixture(scope="module")
def molecules():
    return ase.io.read(data("molecules", "qm9_first100.xyz"), index=":30")


def test_molecules_equal_the_command_line_bit_for_bit(cli, molecules, tmp_path):
    source = tmp_path / "first30.xyz"
    ase.io.write(source, molecules, format="extxyz")
    out = tmp_path / "fp.json"
    cli("fingerprint", source, "--output", out, "--preset", "paper", "--nmax", 9, "--weights", "H=1,C=6,N=7,O=8")
    expected = np.array([f["fingerprint"] for f in json.load(open(out))["frames"]])
    d = milad.Descriptor(preset="paper", nmax=9, weights={"H": 1, "C": 6, "N": 7, "O": 8})
    # ase.io.write/read keep every bit of the positions (shortest round-trip text both ways).
    again = ase.io.read(source, index=":")
    batch = d.fingerprint(again)
    assert batch.shape == (30, d.length)
    assert np.array_equal(batch, expected)
    # One at a time, and from plain arrays, the same bits.
    assert np.array_equal(d.fingerprint(again[7]), expected[7])
    assert np.array_equal(d.fingerprint((again[7].numbers, again[7].positions)), expected[7])
    assert np.array_equal(d.fingerprint((list(again[7].get_chemical_symbols()), again[7].positions.tolist())), expected[7])


def test_fingerprint_is_invariant_and_the_settings_round_trip(molecules):
    d = milad.Descriptor(preset="paper")
    m = molecules[20].copy()
    f = d.fingerprint(m)
    m.rotate(37, "x", center="COM")
    m.rotate(-81, "z")
    m.translate([1.0, -2.0, 0.5])
    g = d.fingerprint(m[np.random.default_rng(1).permutation(len(m))])
    assert np.max(np.abs(f - g)) < 1e-10 * np.max(np.abs(f))
    settings = d.settings()
    assert settings["n_max"] == 7 and settings["cutoff"] == 7.5 and settings["length"] == d.length
    assert d.settings("environments")["cutoff"] == 5.0
    assert np.array_equal(milad.Descriptor(settings=settings).fingerprint(molecules[3]), d.fingerprint(molecules[3]))


def test_environments_with_jacobians_equal_the_command_line_bit_for_bit(cli, tmp_path):
    frames = ase.io.read(data("mlearn", "Mo_test.xyz"), index=":")
    small = [f for f in frames if len(f) <= 60][:2]
    source = tmp_path / "mo.xyz"
    ase.io.write(source, small, format="extxyz")
    out = tmp_path / "env.json"
    cli("fingerprint", source, "--output", out, "--preset", "paper", "--nmax", 5, "--cutoff", 4.6, "--derivatives")
    written = json.load(open(out))["frames"]
    # Without derivatives the library takes four environments per pass (its own rounding): compared separately.
    plain = tmp_path / "plain.json"
    cli("fingerprint", source, "--output", plain, "--preset", "paper", "--nmax", 5, "--cutoff", 4.6)
    without = json.load(open(plain))["frames"]
    d = milad.Descriptor(preset="paper", nmax=5, cutoff=4.6)
    for atoms, frame, frame_without in zip(ase.io.read(source, index=":"), written, without):
        values, jac = d.environments(atoms, jacobian=True)
        n = len(atoms)
        assert values.shape == (n, d.length) and jac.shape == (n, d.length, n, 3)
        assert np.array_equal(values, np.array([e["fingerprint"] for e in frame["environments"]]))
        expected = np.array([e["jacobian"] for e in frame["environments"]]).reshape(n, d.length, n, 3)
        assert np.array_equal(jac, expected)
        assert np.array_equal(d.environments(atoms), np.array([e["fingerprint"] for e in frame_without["environments"]]))


def test_environment_jacobian_is_the_derivative():
    atoms = ase.io.read(data("mlearn", "Mo_test.xyz"), index="0")
    d = milad.Descriptor(preset="paper", nmax=4, cutoff=4.6)
    _, jac = d.environments(atoms, jacobian=True)
    h = 1e-5
    for atom, axis in [(0, 0), (3, 2)]:
        plus, minus = atoms.copy(), atoms.copy()
        plus.positions[atom, axis] += h
        minus.positions[atom, axis] -= h
        numeric = (d.environments(plus) - d.environments(minus)) / (2 * h)
        assert np.max(np.abs(numeric - jac[:, :, atom, axis])) < 1e-6 * max(1.0, np.max(np.abs(numeric)))


def test_threads_do_not_change_the_bits(molecules):
    d = milad.Descriptor(preset="paper")
    one = d.fingerprint(molecules)
    milad.set_threads(2)
    try:
        assert np.array_equal(d.fingerprint(molecules), one)
    finally:
        milad.set_threads(1)
