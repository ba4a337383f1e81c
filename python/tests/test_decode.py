"""decode gives the atoms `milad decode` gives."""
import ase.io
import numpy as np
import pytest

import milad
from conftest import data


def test_decode_equals_the_command_line(cli, tmp_path):
    molecules = ase.io.read(data("molecules", "qm9_first100.xyz"), index=":")
    chosen = [molecules[k] for k in (40, 43, 48, 50)]
    source = tmp_path / "m.xyz"
    ase.io.write(source, chosen, format="extxyz")
    fingerprints, decoded = tmp_path / "fp.json", tmp_path / "decoded.xyz"
    cli("fingerprint", source, "--output", fingerprints, "--preset", "paper")
    cli("decode", fingerprints, "--output", decoded, "--threads", 1)
    expected = ase.io.read(decoded, index=":")
    d = milad.Descriptor(preset="paper")
    for atoms, reference in zip(ase.io.read(source, index=":"), expected):
        back = milad.decode(d.fingerprint(atoms), d)
        assert back.info["decoded"] and reference.info["decoded"]
        assert back.info["route"] == reference.info["route"]
        assert back.info["residual"] == pytest.approx(reference.info["residual"], rel=1e-6, abs=1e-18)
        assert np.array_equal(back.numbers, reference.numbers)
        assert np.array_equal(back.positions, reference.positions)
        assert sorted(back.get_chemical_symbols()) == sorted(atoms.get_chemical_symbols())


def test_undecodable_fingerprint_is_a_verdict_not_an_error():
    d = milad.Descriptor(preset="paper")
    values = -np.ones(d.length)
    result = milad.decode(values, d, budget=1.0)
    assert result.info["decoded"] is False
    assert "not decodable" in result.info["reason"]
    plain = milad.decode(values, d, budget=1.0, as_atoms=False)
    assert plain.decoded is False and len(plain.numbers) == 0


def test_work_budget_is_an_option_and_is_checked():
    d = milad.Descriptor(preset="paper")
    values = -np.ones(d.length)
    assert milad.decode(values, d, work=100, as_atoms=False).decoded is False
    with pytest.raises(milad.MiladError, match="work must be a positive integer"):
        milad.decode(values, d, work=0)


def test_a_looser_tolerance_accepts_the_nearest_structure_and_ends_the_search():
    # Water with relative noise 1e-6: its structure re-encodes at ~1.5e-6, above the default tolerance, so the default
    # spends the whole work; tolerance=1e-5 accepts it and stops.
    water = ase.io.read(data("molecules", "qm9_first100.xyz"), index=2)
    d = milad.Descriptor()
    f = d.fingerprint(water)
    noisy = f * (1 + 1e-6 * np.random.default_rng(2).standard_normal(f.shape))
    strict = milad.decode(noisy, d, work=3000)
    loose = milad.decode(noisy, d, work=3000, tolerance=1e-5)
    assert loose.info["decoded"] and 1e-7 < loose.info["residual"] < 1e-5
    assert not strict.info["decoded"] and strict.info["residual"] > 1e-6
    assert sorted(loose.get_chemical_symbols()) == ["H", "H", "O"]
    expected = np.sort(water.get_all_distances()[np.triu_indices(3, 1)])
    found = np.sort(loose.get_all_distances()[np.triu_indices(3, 1)])
    assert np.max(np.abs(found - expected)) < 1e-3
    with pytest.raises(milad.MiladError, match="tolerance"):
        milad.decode(noisy, d, tolerance=0)


def test_noisy_fingerprint_decodes_to_the_nearest_structure():
    # Relative Gaussian noise on every invariant: no structure has this fingerprint exactly; what comes back is
    # the molecule (same species, same interatomic distances), with a residual of about the noise.
    molecules = ase.io.read(data("molecules", "qm9_first100.xyz"), index=":")
    d = milad.Descriptor()
    for k in (45, 55, 57):
        atoms = molecules[k]
        f = d.fingerprint(atoms)
        noisy = f * (1 + 1e-7 * np.random.default_rng(k).standard_normal(f.shape))
        back = milad.decode(noisy, d, work=5000)
        assert 1e-8 < back.info["residual"] < 1e-6
        assert sorted(back.get_chemical_symbols()) == sorted(atoms.get_chemical_symbols())
        expected = np.sort(atoms.get_all_distances()[np.triu_indices(len(atoms), 1)])
        found = np.sort(back.get_all_distances()[np.triu_indices(len(back), 1)])
        assert np.max(np.abs(found - expected)) < 1e-3
