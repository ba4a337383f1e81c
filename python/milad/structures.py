"""Turning what users hold (ase.Atoms, or plain numbers and positions) into the arrays libmilad takes."""
import numpy as np

from .errors import MiladError

# Symbols by atomic number (index 0 unused), to accept species given as symbols without needing ASE.
SYMBOLS = ("X H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
           "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu "
           "Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg "
           "Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og").split()
_NUMBERS = {s: z for z, s in enumerate(SYMBOLS) if z > 0}


class Frame:
    """One structure as C arrays: numbers (int32, n), positions (float64, n x 3), cell (float64 3 x 3 or None), pbc (int32 3 or None)."""

    def __init__(self, numbers, positions, cell=None, pbc=None):
        self.numbers, self.positions, self.cell, self.pbc = numbers, positions, cell, pbc

    def __len__(self):
        return len(self.numbers)


def atomic_numbers(species, what="numbers"):
    """Atomic numbers as int32 from integers or chemical symbols."""
    array = np.asarray(species)
    if array.ndim != 1:
        raise MiladError(f"{what} must be a 1-d sequence of atomic numbers or symbols, got shape {array.shape}", 0)
    if array.dtype.kind in "US":
        try:
            return np.array([_NUMBERS[str(s)] for s in array], dtype=np.int32)
        except KeyError as e:
            raise MiladError(f"{what}: unknown element {e.args[0]!r}", 0) from None
    if array.size and array.dtype.kind not in "iu":
        if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
            array = array.astype(np.int64)
        else:
            raise MiladError(f"{what} must be integers (atomic numbers) or symbols, got dtype {array.dtype}", 0)
    if array.size and (array.min() < -2**31 or array.max() >= 2**31):
        raise MiladError(f"{what}: atomic number out of range", 0)
    return np.ascontiguousarray(array, dtype=np.int32)


def float_array(values, shape, what):
    """A C-contiguous float64 array of the given shape (None in shape = any length)."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise MiladError(f"{what} must be numbers: {e}", 0) from None
    if array.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, array.shape)):
        expected = " x ".join("n" if s is None else str(s) for s in shape)
        raise MiladError(f"{what} must have shape {expected}, got {array.shape}", 0)
    return np.ascontiguousarray(array)


def is_atoms(obj):
    """True for an ase.Atoms (checked by its methods, so ASE is only imported by those who use it)."""
    return hasattr(obj, "get_atomic_numbers") and hasattr(obj, "get_positions")


def frame(atoms, positions=None, cell=None, pbc=None):
    """A Frame from an ase.Atoms, or from (numbers, positions[, cell[, pbc]]) given as a tuple or as arguments."""
    if is_atoms(atoms):
        if positions is not None:
            raise MiladError("give an ase.Atoms or numbers and positions, not both", 0)
        numbers = atomic_numbers(atoms.get_atomic_numbers())
        positions = float_array(atoms.get_positions(), (len(numbers), 3), "positions")
        pbc_flags = np.asarray(atoms.get_pbc(), dtype=bool)
        lattice = np.asarray(atoms.get_cell()[:], dtype=np.float64)
        if not pbc_flags.any() and not lattice.any():
            return Frame(numbers, positions)
        return Frame(numbers, positions, np.ascontiguousarray(lattice), pbc_flags.astype(np.int32))
    if positions is None and isinstance(atoms, (tuple, list)) and 2 <= len(atoms) <= 4 and not is_atoms(atoms[0]):
        return frame(*atoms)
    if positions is None:
        raise MiladError(f"expected an ase.Atoms or (numbers, positions), got {type(atoms).__name__}", 0)
    numbers = atomic_numbers(atoms)
    positions = float_array(positions, (len(numbers), 3), "positions")
    lattice = None if cell is None else float_array(cell, (3, 3), "cell")
    flags = None
    if pbc is not None:
        flags = np.asarray(pbc)
        if flags.shape == ():
            flags = np.repeat(flags, 3)
        if flags.shape != (3,):
            raise MiladError(f"pbc must be one flag or three, got shape {flags.shape}", 0)
        flags = np.ascontiguousarray(flags.astype(bool).astype(np.int32))
    return Frame(numbers, positions, lattice, flags)


def frames(atoms):
    """(list of Frames, True when one structure was given rather than a list of them)."""
    if is_atoms(atoms):
        return [frame(atoms)], True
    if isinstance(atoms, tuple) and 2 <= len(atoms) <= 4 and not is_atoms(atoms[0]):
        return [frame(atoms)], True
    try:
        items = list(atoms)
    except TypeError:
        raise MiladError(f"expected an ase.Atoms, (numbers, positions), or a list of them; got {type(atoms).__name__}", 0) from None
    return [frame(a) for a in items], False
