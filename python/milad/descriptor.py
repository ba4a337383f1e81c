"""Descriptor: fingerprints of molecules and of atomic environments."""
import ctypes
import json

import numpy as np

from . import _native
from .errors import MiladError
from .structures import frame, frames


class Descriptor:
    """Rotation-, translation- and permutation-invariant fingerprints (3D Zernike moment invariants).

    The settings are those of ``milad fingerprint`` with the same options::

        Descriptor()                                   # --preset default
        Descriptor(preset="paper", nmax=9, cutoff=6.0, weights={"H": 1, "C": 6, "N": 7, "O": 8})

    ``cutoff`` left at None takes the preset's radius for each mode, as the command line does: 7.5 A molecule
    radius for :meth:`fingerprint` (every atom must lie within it of the centroid), 5 A neighbour cutoff for
    :meth:`environments`. ``settings`` (a dict with "n_max", e.g. the "descriptor" of a fingerprint or model file)
    gives the full settings instead of the options. Fingerprints equal ``milad fingerprint``'s bit for bit.
    """

    def __init__(self, preset="default", nmax=None, cutoff=None, weights=None, second_weights=None,
                 include_centre=False, settings=None):
        if settings is not None:
            if not isinstance(settings, dict):
                raise MiladError("settings must be a dict (the library's settings object)", 0)
            self._options = dict(settings)
        else:
            options = {"preset": preset}
            if nmax is not None:
                options["nmax"] = int(nmax)
            if cutoff is not None:
                options["cutoff"] = float(cutoff)
            if weights is not None:
                options["weights"] = {str(k): float(v) for k, v in dict(weights).items()}
            if second_weights is not None:
                options["second_weights"] = {str(k): float(v) for k, v in dict(second_weights).items()}
            if include_centre:
                options["include_centre"] = True
            self._options = options
        self._handles = {}
        # Both modes are made at once, so a bad setting fails here rather than at first use.
        self._handle("molecule")
        self._handle("environments")

    def _handle(self, mode):
        if mode not in self._handles:
            options = dict(self._options, mode=mode)
            self._handles[mode] = _native.new_handle(_native.lib().milad_descriptor_create, "milad_descriptor_free",
                                                     json.dumps(options).encode("utf-8"))
        return self._handles[mode].pointer

    @property
    def length(self):
        """Numbers in one fingerprint."""
        n = ctypes.c_int64()
        _native.check(_native.lib().milad_descriptor_length(self._handle("molecule"), ctypes.byref(n)))
        return n.value

    def settings(self, mode="molecule"):
        """The full settings of a mode ("molecule" or "environments") as the library writes them (a dict)."""
        if mode not in ("molecule", "environments"):
            raise MiladError(f"mode must be 'molecule' or 'environments', got {mode!r}", 0)
        return json.loads(_native.text(_native.lib().milad_descriptor_settings_json, self._handle(mode)))

    def fingerprint(self, atoms):
        """Molecule-mode fingerprint(s).

        ``atoms``: an ase.Atoms or ``(numbers, positions)`` -> array of shape (length,); a list of them -> array
        (molecules, length). The whole molecule about its centroid (cell and pbc are ignored).
        """
        items, single = frames(atoms)
        natoms = np.array([len(f) for f in items], dtype=np.int64)
        out = np.empty((len(items), self.length))
        if items:
            numbers = np.ascontiguousarray(np.concatenate([f.numbers for f in items]), dtype=np.int32)
            positions = np.ascontiguousarray(np.concatenate([f.positions for f in items]).reshape(-1, 3))
            _native.check(_native.lib().milad_fingerprint_molecules(
                self._handle("molecule"), len(items), _native.int64s(natoms), _native.int32s(numbers),
                _native.doubles(positions), _native.doubles(out)))
        return out[0] if single else out

    def environments(self, atoms, jacobian=False):
        """Environment fingerprint of every atom, shape (atoms, length), in atom order.

        ``atoms``: an ase.Atoms (its cell and pbc are used) or ``(numbers, positions[, cell[, pbc]])``.
        With ``jacobian=True`` returns ``(fingerprints, J)`` with J of shape (atoms, length, atoms, 3):
        ``J[i, q, j, a]`` = d fingerprint_i[q] / d position_j[a] (periodic images add into their atom).
        """
        f = frame(atoms)
        n, length = len(f), self.length
        values = np.empty((n, length))
        jac = np.empty((n, length, n, 3)) if jacobian else None
        _native.check(_native.lib().milad_environments(
            self._handle("environments"), n, _native.int32s(f.numbers), _native.doubles(f.positions),
            _native.doubles(f.cell), _native.int32s(f.pbc), _native.doubles(values), _native.doubles(jac)))
        return (values, jac) if jacobian else values

    def __repr__(self):
        return f"Descriptor({self._options!r}, length={self.length})"
