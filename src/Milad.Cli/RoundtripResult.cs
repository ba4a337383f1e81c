using System.Globalization;
using Milad.Alignment;
using Milad.Decoding;
using Milad.Structures;

namespace Milad.Cli;

/// <summary>
/// One molecule of `milad roundtrip`: what the decoder gave back for its fingerprint and how close that is
/// to the molecule. Success is judged on the atoms, not on the decoder's own verdict: a structure within
/// <see cref="RmsdThreshold"/> of the input after the best rotation and pairing is a success even when its
/// re-encoding residual missed the decoder's bar, and a "decoded" structure far from the input (another
/// molecule with the same fingerprint) is a failure.
/// </summary>
/// <param name="Index">Position among all molecules of the run, from 0.</param>
/// <param name="File">Input file.</param>
/// <param name="Frame">Frame in that file, from 0.</param>
/// <param name="Rmsd">RMSD (Angstrom) after the best rotation, translation and pairing by position alone; +infinity when the atom counts differ or nothing was decoded.</param>
/// <param name="SpeciesRmsd">The same with atoms paired only within their species; +infinity unless both molecules have the same species counts.</param>
/// <param name="PositionsOk"><see cref="Rmsd"/> below the threshold.</param>
/// <param name="SpeciesOk"><see cref="SpeciesRmsd"/> below the threshold with every paired atom of the right species.</param>
/// <param name="Decoded">The decoder's verdict (re-encodes to the fingerprint).</param>
/// <param name="Residual">The decoder's relative re-encoding residual |I(decoded) - I| / |I|.</param>
/// <param name="Seconds">Wall time of the decoding.</param>
/// <param name="Work">Work units the decoding spent.</param>
/// <param name="Reason">Why the molecule failed (or the decoder's note when it did not confirm a success); null for a clean success.</param>
/// <param name="Route">The decoder's route to a decoded structure; null when not decoded.</param>
internal sealed record RoundtripResult(
    long Index, string File, int Frame, int NAtoms, string Formula,
    double Rmsd, double SpeciesRmsd, bool PositionsOk, bool SpeciesOk, bool Reflected,
    bool Decoded, double Residual, double Seconds, long Work, int? DecodedNAtoms, string? DecodedFormula,
    string? Reason, string? Route)
{
    /// <summary>Largest RMSD (Angstrom) of a success.</summary>
    public const double RmsdThreshold = 0.01;

    /// <summary>Scores the decoder's result against the molecule that was encoded.</summary>
    /// <param name="allowReflection">True when the fingerprint cannot tell mirror images apart (no pseudoscalars).</param>
    public static RoundtripResult Score(MoleculeInput input, DecodeResult result, bool allowReflection)
    {
        var reference = input.Molecule;
        double rmsd = double.PositiveInfinity, speciesRmsd = double.PositiveInfinity;
        var speciesMatch = false;
        var reflected = false;
        var candidate = result.Structure;
        if (candidate != null && candidate.Count == reference.Count)
        {
            var byPosition = StructureAlignment.Align(reference, candidate, allowReflection, matchSpecies: false);
            rmsd = byPosition.Rmsd;
            reflected = byPosition.Reflected;
            if (byPosition.SpeciesMatch)
            {
                // The best pairing by position already keeps species: no pairing within species does better.
                speciesRmsd = byPosition.Rmsd;
                speciesMatch = true;
            }
            else
            {
                var bySpecies = StructureAlignment.Align(reference, candidate, allowReflection, matchSpecies: true);
                if (bySpecies.SpeciesMatch)
                {
                    speciesRmsd = bySpecies.Rmsd;
                    speciesMatch = true;
                }
            }
        }
        var positionsOk = rmsd < RmsdThreshold;
        var speciesOk = speciesMatch && speciesRmsd < RmsdThreshold;
        return new RoundtripResult(
            input.Index, input.File, input.Frame, reference.Count, reference.Formula,
            rmsd, speciesRmsd, positionsOk, speciesOk, reflected,
            result.Decoded, result.Residual, result.Seconds, result.Work, candidate?.Count, candidate?.Formula,
            Explain(reference, result, rmsd, positionsOk, speciesOk), result.Decoded ? DecodeCommand.OneLine(result.Reason) : null);
    }

    /// <summary>A molecule whose decoding threw (a decoder bug): a failure with the exception as its reason.</summary>
    public static RoundtripResult Crashed(MoleculeInput input, Exception e, double seconds) => new(
        input.Index, input.File, input.Frame, input.Molecule.Count, input.Molecule.Formula,
        double.PositiveInfinity, double.PositiveInfinity, false, false, false,
        false, double.PositiveInfinity, seconds, 0, null, null,
        $"internal error in the decoder ({e.GetType().Name}: {DecodeCommand.OneLine(e.Message)})", null);

    public bool InternalError => Reason?.StartsWith("internal error", StringComparison.Ordinal) == true;

    private static string? Explain(Structure reference, DecodeResult result, double rmsd, bool positionsOk, bool speciesOk)
    {
        var candidate = result.Structure;
        var decoder = DecodeCommand.OneLine(result.Reason);
        if (speciesOk) return result.Decoded ? null : $"right atoms, but the decoder did not confirm them: {decoder}";
        if (candidate == null) return decoder;
        var what = candidate.Count != reference.Count
            ? $"{candidate.Count} atoms ({candidate.Formula}) for {reference.Count} ({reference.Formula})"
            : !positionsOk
                ? string.Create(CultureInfo.InvariantCulture, $"positions off by RMSD {rmsd:G3} A")
                : candidate.Formula != reference.Formula
                    ? $"positions right, species wrong ({candidate.Formula} for {reference.Formula})"
                    : "positions right, species on the wrong atoms";
        return result.Decoded ? $"{what}: another structure with the same fingerprint (residual {result.Residual.ToString("G3", CultureInfo.InvariantCulture)})" : $"{what}; {decoder}";
    }
}
