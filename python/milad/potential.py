"""Potential: a model file of ``milad train``, its energies, forces and virial."""
import ctypes
import os

import numpy as np

from . import _native
from .errors import MiladError
from .structures import atomic_numbers, float_array, frame


class Potential:
    """An interatomic potential loaded from a model file written by ``milad train``.

    ``compute`` gives what ``milad predict`` gives, bit for bit; ``sites`` the energies and gradients of local
    environments for codes that own the neighbour list. Models with a magnetic term (they need magnetic moments)
    are refused by both.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self._handle = _native.new_handle(_native.lib().milad_potential_load, "milad_potential_free",
                                          self.path.encode("utf-8"))

    @property
    def cutoff(self):
        """Influence distance (Angstrom): the largest of the descriptor cutoff and the pair term's cutoff."""
        value = ctypes.c_double()
        _native.check(_native.lib().milad_potential_cutoff(self._handle.pointer, ctypes.byref(value)))
        return value.value

    @property
    def species(self):
        """Atomic numbers the model knows, ascending."""
        count = ctypes.c_int64()
        lib = _native.lib()
        _native.check(lib.milad_potential_species(self._handle.pointer, None, 0, ctypes.byref(count)))
        numbers = np.zeros(count.value, dtype=np.int32)
        _native.check(lib.milad_potential_species(self._handle.pointer, _native.int32s(numbers), len(numbers), ctypes.byref(count)))
        return numbers

    @property
    def magnetic(self):
        """True when the model has a magnetic term (then compute and sites refuse it)."""
        flag = ctypes.c_int32()
        _native.check(_native.lib().milad_potential_has_magnetic(self._handle.pointer, ctypes.byref(flag)))
        return bool(flag.value)

    def compute(self, atoms, positions=None, cell=None, pbc=None):
        """Energy and derivatives of one structure (an ase.Atoms or numbers, positions[, cell[, pbc]]).

        Returns a dict: ``energy`` (eV), ``forces`` (n x 3, eV/A), ``energies`` (n site energies, eV),
        ``virial`` (3 x 3, eV: dE/d(strain), = -sum_i r_i (x) F_i without periodic images) and, for a cell periodic
        in all three directions, ``stress`` (3 x 3, eV/A^3, the ASE convention: virial / volume).
        """
        f = frame(atoms, positions, cell, pbc)
        n = len(f)
        energy = ctypes.c_double()
        forces = np.empty((n, 3))
        virial = np.empty((3, 3))
        energies = np.empty(n)
        _native.check(_native.lib().milad_potential_compute(
            self._handle.pointer, n, _native.int32s(f.numbers), _native.doubles(f.positions), _native.doubles(f.cell),
            _native.int32s(f.pbc), ctypes.byref(energy), _native.doubles(forces), _native.doubles(virial),
            _native.doubles(energies)))
        result = {"energy": energy.value, "forces": forces, "energies": energies, "virial": virial}
        if f.cell is not None and (f.pbc is None or np.all(f.pbc)):
            result["stress"] = virial / _volume(f.cell)
        return result

    def sites(self, centre_numbers, neighbour_counts, neighbour_numbers, displacements):
        """Site energies and gradients of local environments (the layout of milad_potential_sites).

        Site s has centre species ``centre_numbers[s]`` and ``neighbour_counts[s]`` neighbours, consecutive in
        ``neighbour_numbers`` and ``displacements`` (r_neighbour - r_centre, Angstrom). Returns
        ``(site_energies, gradients)``: gradients[k] = dE_site/d(displacement k); neighbours beyond the cutoff get 0.
        """
        centres = atomic_numbers(centre_numbers, "centre_numbers")
        counts = np.asarray(neighbour_counts)
        if counts.shape != centres.shape or (counts.size and counts.dtype.kind not in "iu"):
            raise MiladError(f"neighbour_counts must be {len(centres)} integers, got shape {counts.shape} dtype {counts.dtype}", 0)
        counts = np.ascontiguousarray(counts, dtype=np.int64)
        if counts.size and counts.min() < 0:
            raise MiladError("neighbour_counts must not be negative", 0)
        total = int(counts.sum())
        numbers = atomic_numbers(neighbour_numbers, "neighbour_numbers")
        if len(numbers) != total:
            raise MiladError(f"neighbour_numbers has {len(numbers)} entries, the counts add up to {total}", 0)
        d = float_array(displacements, (total, 3), "displacements")
        energies = np.empty(len(centres))
        gradients = np.empty((total, 3))
        _native.check(_native.lib().milad_potential_sites(
            self._handle.pointer, len(centres), _native.int32s(centres), _native.int64s(counts), _native.int32s(numbers),
            _native.doubles(d), _native.doubles(energies), _native.doubles(gradients)))
        return energies, gradients

    def __repr__(self):
        return f"Potential({self.path!r})"


def _volume(cell):
    """|a . (b x c)| in the library's order of operations, so the stress has milad predict's bits."""
    (a0, a1, a2), (b0, b1, b2), (c0, c1, c2) = cell.tolist()
    return abs(a0 * (b1 * c2 - b2 * c1) + a1 * (b2 * c0 - b0 * c2) + a2 * (b0 * c1 - b1 * c0))
