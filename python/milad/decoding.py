"""decode: a molecule fingerprint back to atoms."""
import ctypes
import json

import numpy as np

from . import _native
from .descriptor import Descriptor
from .errors import MiladError
from .structures import float_array


class Decoded:
    """What decoding gives without ASE: ``numbers``, ``positions``, ``decoded`` (bool), ``residual``, ``seconds``, ``reason``."""

    def __init__(self, numbers, positions, decoded, residual, seconds, reason):
        self.numbers, self.positions = numbers, positions
        self.decoded, self.residual, self.seconds, self.reason = decoded, residual, seconds, reason

    def to_atoms(self):
        """An ase.Atoms with ``info``: decoded, residual, seconds and route (when decoded) or reason (when not)."""
        import ase
        atoms = ase.Atoms(numbers=self.numbers, positions=self.positions)
        atoms.info["decoded"] = self.decoded
        atoms.info["residual"] = self.residual
        atoms.info["seconds"] = self.seconds
        atoms.info["route" if self.decoded else "reason"] = self.reason
        return atoms


def decode(fingerprint, descriptor=None, work=None, budget=None, seed=1, tolerance=None, as_atoms=True):
    """Decodes a molecule-mode fingerprint into atoms, as ``milad decode`` does (same defaults: ``work`` units
    decide the result, 80,000 by default; ``budget`` is a wall-time safety limit in seconds, 600 by default;
    ``tolerance`` is the relative residual accepted as decoded, which ends the search, 1e-6 by default: about twice
    the relative size of any noise or rounding the fingerprint carries).

    Returns an ase.Atoms (positions in Angstrom about the centroid, in some orientation) whose ``info`` holds
    ``decoded`` (True when the atoms re-encode to the fingerprint), ``residual`` (relative fingerprint residual),
    ``seconds``, and ``route`` or ``reason``. A fingerprint that cannot be decoded is no error: the best candidate
    (possibly no atoms) comes back with ``decoded`` False. ``as_atoms=False`` returns a :class:`Decoded` instead
    (no ASE needed). ``descriptor``: the :class:`Descriptor` that made the fingerprint (default: the default preset).
    """
    descriptor = descriptor if descriptor is not None else Descriptor()
    if not isinstance(descriptor, Descriptor):
        raise MiladError(f"descriptor must be a milad.Descriptor, got {type(descriptor).__name__}", 0)
    values = float_array(fingerprint, (None,), "fingerprint")
    settings = {"seed": int(seed)}
    if work is not None:
        settings["work"] = int(work)
    if budget is not None:
        settings["budget"] = float(budget)
    if tolerance is not None:
        settings["tolerance"] = float(tolerance)
    options = json.dumps(settings).encode("utf-8")
    lib = _native.lib()
    handle = _native.new_handle(lib.milad_decode, "milad_decoded_free", descriptor._handle("molecule"),
                                _native.doubles(values), len(values), options)
    n = ctypes.c_int64()
    _native.check(lib.milad_decoded_natoms(handle.pointer, ctypes.byref(n)))
    numbers = np.zeros(n.value, dtype=np.int32)
    positions = np.zeros((n.value, 3))
    _native.check(lib.milad_decoded_atoms(handle.pointer, _native.int32s(numbers), _native.doubles(positions)))
    ok, residual, seconds = ctypes.c_int32(), ctypes.c_double(), ctypes.c_double()
    reason = _native.text(lambda *a: lib.milad_decoded_info(handle.pointer, ctypes.byref(ok), ctypes.byref(residual),
                                                            ctypes.byref(seconds), *a))
    result = Decoded(numbers, positions, bool(ok.value), residual.value, seconds.value, reason)
    return result.to_atoms() if as_atoms else result
