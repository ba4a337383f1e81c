"""milad.ase: MiladCalculator, a Milad potential as an ASE calculator."""
import numpy as np
from ase.calculators.calculator import Calculator, PropertyNotImplementedError, all_changes
from ase.stress import full_3x3_to_voigt_6_stress

from .potential import Potential


class MiladCalculator(Calculator):
    """An ASE calculator over a Milad potential (a :class:`milad.Potential` or the path of a model file).

    Properties: ``energy`` and ``free_energy`` (eV; the same number: the model has no electronic entropy),
    ``forces`` (eV/A), ``energies`` (per atom, eV) and, for cells periodic in all three directions, ``stress``
    (eV/A^3, Voigt order xx yy zz yz xz xy, ASE's sign: positive under tension). Works wherever an ASE
    calculator does: optimisers, molecular dynamics, equations of state, ``ase.constraints`` cell filters.
    """

    implemented_properties = ["energy", "free_energy", "forces", "energies", "stress"]

    def __init__(self, model, **kwargs):
        super().__init__(**kwargs)
        self.potential = model if isinstance(model, Potential) else Potential(model)

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        result = self.potential.compute(self.atoms)
        self.results = {
            "energy": result["energy"],
            "free_energy": result["energy"],
            "forces": result["forces"],
            "energies": result["energies"],
        }
        if "stress" in result:
            self.results["stress"] = full_3x3_to_voigt_6_stress(result["stress"])
        elif "stress" in properties:
            raise PropertyNotImplementedError("stress needs a cell periodic in all three directions")
