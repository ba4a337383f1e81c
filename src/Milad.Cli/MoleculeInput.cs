using Milad.Structures;

namespace Milad.Cli;

/// <summary>One molecule of `milad roundtrip`: where it came from, its atoms (no cell) and its fingerprint.</summary>
/// <param name="Index">Position among all molecules of the run, from 0.</param>
/// <param name="File">Input file.</param>
/// <param name="Frame">Frame in that file, from 0.</param>
internal sealed record MoleculeInput(long Index, string File, int Frame, Structure Molecule, double[] Fingerprint);
