using System.Runtime.InteropServices;
using Milad.Potentials;

namespace Milad.Native;

/// <summary>The potential functions of include/milad.h: a model file, energy/forces/virial of a structure, and of local environments.</summary>
internal static unsafe class PotentialExports
{
    private static Potential Get(nint handle)
    {
        var p = Handles.Get<Potential>(handle, "potential");
        p.Descriptor.MaxThreads = DescriptorExports.Threads;
        return p;
    }

    private static void RefuseMagnetic(Potential p)
    {
        if (p.Magnetic != null)
            throw new InputException("the model has a magnetic term: its energies need each atom's magnetic moment, which this interface does not take (use milad predict with the moments in the input file)");
    }

    [UnmanagedCallersOnly(EntryPoint = "milad_potential_load")]
    public static int Load(byte* path, nint* result) => NativeErrors.Guard(() =>
    {
        NativeErrors.Require(result, "out");
        *result = 0;
        var potential = PotentialFile.Read(DescriptorExports.Text(path, "path"));
        potential.Descriptor.MaxThreads = DescriptorExports.Threads;
        *result = Handles.New(potential);
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_potential_free")]
    public static void Free(nint handle)
        => Handles.Free(handle);

    [UnmanagedCallersOnly(EntryPoint = "milad_potential_cutoff")]
    public static int Cutoff(nint handle, double* cutoff) => NativeErrors.Guard(() =>
    {
        NativeErrors.Require(cutoff, "cutoff");
        *cutoff = Get(handle).InfluenceDistance;
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_potential_species")]
    public static int Species(nint handle, int* numbers, long capacity, long* count) => NativeErrors.Guard(() =>
    {
        var species = Get(handle).Species;
        if (count != null) *count = species.Count;
        if (numbers == null) return NativeErrors.Ok;
        if (capacity < species.Count) return NativeErrors.Fail(NativeErrors.BufferTooSmall, $"numbers holds {capacity} species, the model has {species.Count}");
        for (var s = 0; s < species.Count; s++) numbers[s] = species[s];
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_potential_has_magnetic")]
    public static int HasMagnetic(nint handle, int* magnetic) => NativeErrors.Guard(() =>
    {
        NativeErrors.Require(magnetic, "magnetic");
        *magnetic = Get(handle).Magnetic != null ? 1 : 0;
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_potential_compute")]
    public static int Compute(nint handle, long natoms, int* numbers, double* positions, double* cell, int* pbc,
        double* energy, double* forces, double* virial, double* energies) => NativeErrors.Guard(() =>
    {
        var p = Get(handle);
        RefuseMagnetic(p);
        var s = StructureInput.Read(natoms, numbers, positions, cell, pbc);
        // The call `milad predict` makes for every frame (Potential.Predict).
        var prediction = p.Predict(s);
        if (energy != null) *energy = prediction.Energy;
        for (var i = 0; i < s.Count; i++)
        {
            if (forces != null) (forces[3 * i], forces[3 * i + 1], forces[3 * i + 2]) = (prediction.Forces[i].X, prediction.Forces[i].Y, prediction.Forces[i].Z);
            if (energies != null) energies[i] = prediction.AtomEnergies![i];
        }
        if (virial != null) prediction.Virial.AsSpan().CopyTo(new Span<double>(virial, 9));
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_potential_sites")]
    public static int Sites(nint handle, long sites, int* centreNumbers, long* neighbourCounts, int* neighbourNumbers, double* displacements,
        double* siteEnergies, double* gradients) => NativeErrors.Guard(() =>
    {
        var p = Get(handle);
        RefuseMagnetic(p);
        if (sites < 0 || sites > int.MaxValue / 4) throw new InputException($"n_sites must be 0 to {int.MaxValue / 4}, got {sites}");
        if (sites == 0) return NativeErrors.Ok;
        NativeErrors.Require(centreNumbers, "centre_numbers");
        NativeErrors.Require(neighbourCounts, "neighbour_counts");
        NativeErrors.Require(siteEnergies, "site_energies");
        var counts = new ReadOnlySpan<long>(neighbourCounts, (int)sites);
        long total = 0;
        for (var s = 0; s < sites; s++)
        {
            if (counts[s] < 0) throw new InputException($"site {s} has a negative neighbour count ({counts[s]})");
            total += counts[s];
            if (total > int.MaxValue / 3) throw new InputException($"more than {int.MaxValue / 3} neighbours in one call");
        }
        if (total > 0)
        {
            NativeErrors.Require(neighbourNumbers, "neighbour_numbers");
            NativeErrors.Require(displacements, "displacements");
        }
        var centres = StructureInput.Numbers(sites, centreNumbers, "centre: ");
        var neighbours = total == 0 ? [] : StructureInput.Numbers(total, neighbourNumbers, "neighbour: ");
        var g = new double[3 * total];
        p.SiteEnergies(centres, counts, neighbours, new ReadOnlySpan<double>(displacements, (int)(3 * total)),
            new Span<double>(siteEnergies, (int)sites), g);
        if (gradients != null) g.AsSpan().CopyTo(new Span<double>(gradients, g.Length));
        return NativeErrors.Ok;
    });
}
