"""Milad from Python: invertible rotation-invariant fingerprints of atomic structures, decoding them back to
atoms, and interatomic potentials -- over libmilad.so, the Milad C# library compiled ahead of time.

    import milad
    d = milad.Descriptor(preset="paper")
    f = d.fingerprint(atoms)                      # one molecule (ase.Atoms or (numbers, positions))
    back = milad.decode(f, d)                     # ase.Atoms; back.info["decoded"], back.info["residual"]
    x, J = d.environments(crystal, jacobian=True)
    from milad.ase import MiladCalculator
    crystal.calc = MiladCalculator("Mo.json")     # a model file from `milad train`

Every number is computed by the library (the same code as the ``milad`` command); errors raise
:class:`MiladError` with the library's message.
"""
import ctypes

from . import _native
from .decoding import Decoded, decode
from .descriptor import Descriptor
from .errors import MiladError
from .potential import Potential

__all__ = ["Descriptor", "Potential", "decode", "Decoded", "MiladError", "set_threads", "library_version"]
__version__ = "0.1.0"


def library_version():
    """The version of the loaded libmilad.so."""
    return _native.lib().milad_version().decode("utf-8")


def set_threads(threads):
    """Threads one library call may use (0 = all cores; default 1). Results do not depend on it."""
    _native.check(_native.lib().milad_set_threads(int(threads)))
