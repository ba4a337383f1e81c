"""MiladCalculator: milad predict's numbers, derivatives of its own energy, and ASE's optimisers and dynamics."""
import re

import ase.io
import numpy as np
import pytest
from ase.build import bulk
from ase.optimize import BFGS

import milad
from conftest import data
from milad.ase import MiladCalculator


@pytest.fixture(scope="module")
def predicted(cli, mo_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("predict") / "pred.xyz"
    cli("predict", "--model", mo_model, data("mlearn", "Mo_test.xyz"), "--output", out)
    # The 9 stress numbers as written (ASE's reader keeps one triangle of the 3 x 3 only).
    stresses = [np.array(re.search(r'stress="([^"]*)"', line).group(1).split(), dtype=float).reshape(3, 3)
                for line in open(out) if "stress=" in line]
    return ase.io.read(out, index=":"), stresses


def test_energies_forces_stresses_equal_milad_predict(mo_model, predicted):
    frames = ase.io.read(data("mlearn", "Mo_test.xyz"), index=":")
    references, stresses = predicted
    assert len(frames) == len(references) == len(stresses) == 23
    potential = milad.Potential(mo_model)
    calc = MiladCalculator(potential)
    worst = 0.0
    for atoms, reference, stress in zip(frames, references, stresses):
        # Same library code, same inputs: the same bits.
        result = potential.compute(atoms)
        assert result["energy"] == reference.get_potential_energy()
        assert np.array_equal(result["forces"], reference.get_forces())
        assert np.array_equal(result["stress"], stress)
        # Through ASE (which symmetrises the stress): the requirement, 1e-10 relative.
        atoms.calc = calc
        e, f, s = atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress(voigt=False)
        worst = max(worst, abs(e - result["energy"]) / abs(e), np.max(np.abs(f - result["forces"])) / np.max(np.abs(f)),
                    np.max(np.abs(s - stress)) / np.max(np.abs(stress)))
        assert atoms.get_potential_energy(force_consistent=True) == e
        assert np.sum(atoms.get_potential_energies()) == pytest.approx(e, rel=1e-12)
    assert worst <= 1e-10


def _vacancy_cell():
    atoms = bulk("Mo", "bcc", a=3.16, cubic=True).repeat((3, 3, 3))
    del atoms[13]
    atoms.rattle(0.02, seed=3)
    return atoms


@pytest.fixture(scope="module")
def radial_model(cli, tmp_path_factory):
    """A linear Mo model whose neighbours sit at (r / cutoff)^0.75 of the unit ball (settings fixed: no search)."""
    path = tmp_path_factory.mktemp("radial") / "mo_radial.json"
    cli("train", "--train", data("mlearn", "Mo_train.xyz"), "--model", path, "--nmax", 6, "--cutoff", 4.5,
        "--radial-exponent", 0.75, "--invariants", "scalar", "--pair-cutoff", 0, "--kind", "linear", "--threads", 2)
    return str(path)


@pytest.mark.parametrize("model", ["mo_model", "radial_model"])
def test_forces_are_minus_the_energy_gradient(model, request):
    atoms = _vacancy_cell()
    atoms.calc = MiladCalculator(request.getfixturevalue(model))
    forces = atoms.get_forces()
    h = 1e-4
    for atom, axis in [(0, 0), (5, 1), (20, 2), (40, 0)]:
        energies = []
        for step in (h, -h):
            moved = atoms.copy()
            moved.calc = atoms.calc
            moved.positions[atom, axis] += step
            energies.append(moved.get_potential_energy())
        numeric = -(energies[0] - energies[1]) / (2 * h)
        assert abs(numeric - forces[atom, axis]) < 1e-6 + 1e-5 * abs(numeric)


@pytest.mark.parametrize("model", ["mo_model", "radial_model"])
def test_stress_is_the_strain_derivative(model, request):
    atoms = _vacancy_cell()
    atoms.calc = MiladCalculator(request.getfixturevalue(model))
    stress = atoms.get_stress(voigt=False)
    volume = atoms.get_volume()
    h = 1e-5
    for a, b in [(0, 0), (1, 2), (2, 2), (0, 1)]:
        energies = []
        for step in (h, -h):
            strain = np.eye(3)
            strain[a, b] += step / 2
            strain[b, a] += step / 2
            moved = atoms.copy()
            moved.calc = atoms.calc
            moved.set_cell(atoms.cell[:] @ strain, scale_atoms=True)
            energies.append(moved.get_potential_energy())
        numeric = (energies[0] - energies[1]) / (2 * h) / volume
        assert abs(numeric - stress[a, b]) < 1e-7 + 1e-5 * abs(numeric)


def test_bfgs_relaxes_a_vacancy(mo_model):
    atoms = _vacancy_cell()
    atoms.calc = MiladCalculator(mo_model)
    start = atoms.get_potential_energy()
    assert BFGS(atoms, logfile=None).run(fmax=0.01, steps=300)
    assert np.max(np.linalg.norm(atoms.get_forces(), axis=1)) < 0.01
    assert atoms.get_potential_energy() < start


def test_velocity_verlet_conserves_energy(mo_model):
    from ase import units
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
    from ase.md.verlet import VelocityVerlet
    atoms = bulk("Mo", "bcc", a=3.16, cubic=True).repeat((3, 3, 3))
    atoms.calc = MiladCalculator(mo_model)
    MaxwellBoltzmannDistribution(atoms, temperature_K=300, rng=np.random.default_rng(7))
    totals = []
    dyn = VelocityVerlet(atoms, timestep=1.0 * units.fs)
    dyn.attach(lambda: totals.append(atoms.get_total_energy()), interval=10)
    dyn.run(200)
    drift = (totals[-1] - totals[0]) / len(atoms)
    assert abs(drift) < 1e-3
    assert np.std(totals) / len(atoms) < 1e-3


def test_equation_of_state(mo_model):
    from ase.eos import EquationOfState
    base = bulk("Mo", "bcc", a=3.16, cubic=True).repeat((2, 2, 2))
    volumes, energies = [], []
    for scale in np.linspace(0.97, 1.03, 7):
        atoms = base.copy()
        atoms.set_cell(base.cell[:] * scale, scale_atoms=True)
        atoms.calc = MiladCalculator(mo_model)
        volumes.append(atoms.get_volume())
        energies.append(atoms.get_potential_energy())
    v0, e0, b = EquationOfState(volumes, energies).fit()
    assert min(volumes) < v0 < max(volumes)
    assert b > 0


def test_sites_add_up_to_the_structure(mo_model):
    from ase.neighborlist import neighbor_list
    potential = milad.Potential(mo_model)
    atoms = _vacancy_cell()
    reference = potential.compute(atoms)
    # Neighbours out to 1 A beyond the influence distance: those past it must be ignored.
    i, j, d = neighbor_list("ijD", atoms, potential.cutoff + 1.0)
    order = np.lexsort((j, i))
    i, j, d = i[order], j[order], d[order]
    counts = np.bincount(i, minlength=len(atoms))
    energies, g = potential.sites(atoms.numbers, counts, atoms.numbers[j], d)
    assert np.sum(energies) == pytest.approx(reference["energy"], rel=1e-12)
    assert np.max(np.abs(energies - reference["energies"])) < 1e-10
    forces = np.zeros((len(atoms), 3))
    np.add.at(forces, j, -g)
    np.add.at(forces, i, g)
    assert np.max(np.abs(forces - reference["forces"])) < 1e-9
    virial = np.einsum("ka,kb->ab", d, g)
    assert np.max(np.abs(virial - reference["virial"])) < 1e-8
    far = np.linalg.norm(d, axis=1) >= potential.cutoff
    assert far.any() and np.all(g[far] == 0)
