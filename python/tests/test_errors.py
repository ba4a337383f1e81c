"""Bad input through every door: a MiladError with the library's message, never a crashed interpreter."""
import json

import numpy as np
import pytest
from ase.build import bulk, molecule

import milad
from milad import MiladError


@pytest.fixture(scope="module")
def d():
    return milad.Descriptor(preset="paper")


def test_bad_settings():
    with pytest.raises(MiladError, match="unknown preset 'nope'"):
        milad.Descriptor(preset="nope")
    with pytest.raises(MiladError, match="n_max must be >= 0"):
        milad.Descriptor(nmax=-1)
    with pytest.raises(MiladError, match="cutoff must be a positive number"):
        milad.Descriptor(cutoff=-2.0)
    with pytest.raises(MiladError, match="unknown element 'Xx'"):
        milad.Descriptor(weights={"Xx": 1})
    with pytest.raises(MiladError, match="\"length\" is 5"):
        milad.Descriptor(settings=dict(milad.Descriptor(preset="paper").settings(), length=5))


def test_wrong_shapes_and_dtypes(d):
    with pytest.raises(MiladError, match=r"positions must have shape 3 x 3"):
        d.fingerprint(([6, 1, 1], np.zeros((2, 3))))
    with pytest.raises(MiladError, match="positions must be numbers"):
        d.fingerprint(([6, 1], [["a", "b", "c"], ["d", "e", "f"]]))
    with pytest.raises(MiladError, match="must be integers"):
        d.fingerprint((np.array([6.5, 1.0]), np.zeros((2, 3))))
    with pytest.raises(MiladError, match="expected an ase.Atoms"):
        d.fingerprint(42)
    with pytest.raises(MiladError, match="cell must have shape 3 x 3"):
        d.environments(([42, 42], [[0, 0, 0], [1.5, 1.5, 1.5]], np.eye(2) * 3))


def test_nan_positions(d):
    m = molecule("CH4")
    m.positions[2, 1] = np.nan
    with pytest.raises(MiladError, match="molecule 0: atom 2 has a position that is not a finite number"):
        d.fingerprint(m)
    crystal = bulk("Mo", cubic=True)
    crystal.positions[1, 0] = np.inf
    with pytest.raises(MiladError, match="atom 1 has a position that is not a finite number"):
        d.environments(crystal)


def test_unknown_species_and_geometry(d):
    with pytest.raises(MiladError, match="atomic number 0, not an element"):
        d.fingerprint(([0, 1], [[0, 0, 0], [1, 0, 0]]))
    with pytest.raises(MiladError, match="unknown element 'Qq'"):
        d.fingerprint((["C", "Qq"], [[0, 0, 0], [1, 0, 0]]))
    with pytest.raises(MiladError, match="outside the molecule radius"):
        d.fingerprint(([6, 6], [[0, 0, 0], [40, 0, 0]]))
    with pytest.raises(MiladError, match="on top of each other"):
        d.fingerprint(([6, 6, 1], [[0, 0, 0], [0, 0, 0], [1, 0, 0]]))
    with pytest.raises(MiladError, match="the cell is singular"):
        d.environments(([42, 42], [[0, 0, 0], [1.5, 1.5, 1.5]], [[3, 0, 0], [6, 0, 0], [0, 0, 3]], True))
    with pytest.raises(MiladError, match="no neighbours within the cutoff"):
        d.environments(([42, 42], [[0, 0, 0], [20, 0, 0]]))
    with pytest.raises(MiladError, match="no species weight for element"):
        milad.Descriptor(weights={"H": 1, "C": 6}).fingerprint(molecule("NH3"))


def test_wrong_fingerprint_length(d):
    with pytest.raises(MiladError, match=f"fingerprint of 10 values, but the descriptor .* has {d.length}"):
        milad.decode(np.ones(10), d)
    with pytest.raises(MiladError, match="fingerprint must have shape n"):
        milad.decode(np.ones((2, d.length)), d)
    bad = d.fingerprint(molecule("CH4"))
    bad[3] = np.nan
    with pytest.raises(MiladError, match="fingerprint value 3 is not a finite number"):
        milad.decode(bad, d)


def test_bad_model_files(tmp_path, mo_model):
    with pytest.raises(MiladError, match="no such model file"):
        milad.Potential(tmp_path / "missing.json")
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    with pytest.raises(MiladError, match="not a JSON model file"):
        milad.Potential(garbage)
    model = json.load(open(mo_model))
    model["version"] = 99
    future = tmp_path / "future.json"
    future.write_text(json.dumps(model))
    with pytest.raises(MiladError, match="model file version 99 is not supported"):
        milad.Potential(future)


def test_potential_refuses_what_it_cannot_compute(mo_model):
    p = milad.Potential(mo_model)
    assert list(p.species) == [42] and not p.magnetic and p.cutoff == 5.5
    with pytest.raises(MiladError, match="atom 0 is W, which the model does not know"):
        p.compute(bulk("W", cubic=True))
    with pytest.raises(MiladError, match="atom 1 has a position that is not a finite number"):
        p.compute(([42, 42], [[0, 0, 0], [np.nan, 0, 0]], np.eye(3) * 3.2, True))
    with pytest.raises(MiladError, match="neighbour_numbers has 1 entries"):
        p.sites([42], [2], [42], np.zeros((2, 3)))
    with pytest.raises(MiladError, match="site 0 is W"):
        p.sites([74], [1], [42], [[2.7, 0, 0]])
    with pytest.raises(MiladError, match="site 0: neighbour 0 has a displacement that is not a finite number"):
        p.sites([42], [1], [42], [[np.nan, 0, 0]])
    from milad.ase import MiladCalculator
    from ase.calculators.calculator import PropertyNotImplementedError
    cluster = bulk("Mo", cubic=True).repeat(2)
    cluster.pbc = False
    cluster.calc = MiladCalculator(p)
    assert np.isfinite(cluster.get_potential_energy())
    with pytest.raises(PropertyNotImplementedError):
        cluster.get_stress()


def test_the_interpreter_survives_a_storm_of_bad_calls(d):
    for k in range(200):
        with pytest.raises(MiladError):
            d.fingerprint(([k % 5, 1], [[0, 0, 0], [np.nan, 0, 0]]))
    assert d.fingerprint(molecule("H2O")).shape == (d.length,)
    with pytest.raises(MiladError, match="threads must be 0"):
        milad.set_threads(-3)


def test_a_magnetic_model_is_refused_with_a_reason(tmp_path, mo_model):
    model = json.load(open(mo_model))
    length = model["descriptor"]["length"]
    own = model["species_models"]["Mo"]
    model["version"] = max(model["version"], 3)  # a magnetic term needs 3 (a radial exponent 4)
    model["magnetic"] = {"moments": "magmom", "powers": [2],
                         "species_models": {"Mo": {"mean": own["mean"], "scale": own["scale"], "coefficients": [0.0] * (1 + length)}}}
    path = tmp_path / "magnetic.json"
    path.write_text(json.dumps(model))
    p = milad.Potential(path)
    assert p.magnetic
    with pytest.raises(MiladError, match="the model has a magnetic term"):
        p.compute(bulk("Mo", cubic=True))
    with pytest.raises(MiladError, match="the model has a magnetic term"):
        p.sites([42], [1], [42], [[2.7, 0, 0]])
