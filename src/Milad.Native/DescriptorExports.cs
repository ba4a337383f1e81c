using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Text.Json;
using Milad.Fingerprints;

namespace Milad.Native;

/// <summary>The library-wide and descriptor functions of include/milad.h.</summary>
internal static unsafe class DescriptorExports
{
    private static readonly byte* VersionText = Utf8(
        typeof(Descriptor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");

    /// <summary>Threads one call may use (milad_set_threads); 1 by default, so that MPI ranks do not oversubscribe.</summary>
    internal static int Threads = 1;

    private static byte* Utf8(string text) => Utf8StringMarshaller.ConvertToUnmanaged(text);

    internal static string Text(byte* text, string name)
    {
        NativeErrors.Require(text, name);
        return Utf8StringMarshaller.ConvertToManaged(text)!;
    }

    [UnmanagedCallersOnly(EntryPoint = "milad_version")]
    public static byte* Version() => VersionText;

    [UnmanagedCallersOnly(EntryPoint = "milad_last_error")]
    public static byte* LastError() => NativeErrors.Message;

    [UnmanagedCallersOnly(EntryPoint = "milad_set_threads")]
    public static int SetThreads(int threads) => NativeErrors.Guard(() =>
    {
        if (threads < 0 || threads > 4096) throw new InputException($"threads must be 0 (all cores) to 4096, got {threads}");
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        return NativeErrors.Ok;
    });

    /// <summary>The descriptor behind a handle, set to use the current thread count.</summary>
    internal static Descriptor Get(nint handle)
    {
        var d = Handles.Get<Descriptor>(handle, "descriptor");
        d.MaxThreads = Threads;
        return d;
    }

    [UnmanagedCallersOnly(EntryPoint = "milad_descriptor_create")]
    public static int Create(byte* settingsJson, nint* result) => NativeErrors.Guard(() =>
    {
        NativeErrors.Require(result, "out");
        *result = 0;
        var d = new Descriptor(DescriptorOptions.Parse(Text(settingsJson, "settings_json"))) { MaxThreads = Threads };
        *result = Handles.New(d);
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_descriptor_free")]
    public static void Free(nint handle)
        => Handles.Free(handle);

    [UnmanagedCallersOnly(EntryPoint = "milad_descriptor_length")]
    public static int Length(nint handle, long* length) => NativeErrors.Guard(() =>
    {
        NativeErrors.Require(length, "length");
        *length = Get(handle).Length;
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_descriptor_settings_json")]
    public static int SettingsJson(nint handle, byte* buffer, nuint size, nuint* needed) => NativeErrors.Guard(() =>
    {
        var d = Get(handle);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            DescriptorSettingsJson.WriteProperties(w, d.Settings);
            w.WriteNumber("length", d.Length);
            w.WriteEndObject();
        }
        return NativeErrors.WriteString(System.Text.Encoding.UTF8.GetString(stream.ToArray()), buffer, size, needed);
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_fingerprint_molecules")]
    public static int Molecules(nint handle, long molecules, long* natoms, int* numbers, double* positions, double* output) => NativeErrors.Guard(() =>
    {
        var d = Get(handle);
        if (molecules < 0) throw new InputException($"n_molecules must not be negative, got {molecules}");
        if (molecules == 0) return NativeErrors.Ok;
        NativeErrors.Require(natoms, "natoms");
        NativeErrors.Require(output, "out");
        // Read and check every molecule first: the first bad one is reported, whatever the threads.
        var structures = new Structures.Structure[molecules];
        long first = 0;
        for (var k = 0; k < molecules; k++)
        {
            if (natoms[k] < 1 || natoms[k] > StructureInput.MaxAtoms) throw new InputException($"molecule {k}: the number of atoms must be 1 to {StructureInput.MaxAtoms}, got {natoms[k]}");
            structures[k] = StructureInput.Read(natoms[k], numbers == null ? null : numbers + first, positions == null ? null : positions + 3 * first, null, null, $"molecule {k}: ");
            first += natoms[k];
        }
        var length = d.Length;
        var errors = new Exception?[molecules];
        // The same call as `milad fingerprint` makes for each molecule (Descriptor.Encode), so the same bits.
        void One(long k)
        {
            try
            {
                d.Encode(structures[k], new Span<double>(output + k * length, length));
            }
            catch (Exception e)
            {
                errors[k] = e;
            }
        }
        if (Threads == 1 || molecules < 8) for (var k = 0L; k < molecules; k++) One(k);
        else Parallel.For(0, molecules, new ParallelOptions { MaxDegreeOfParallelism = Threads }, One);
        for (var k = 0; k < molecules; k++)
            if (errors[k] is { } e) throw e is InputException ? new InputException($"molecule {k}: {e.Message}") : e;
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_environments")]
    public static int Environments(nint handle, long natoms, int* numbers, double* positions, double* cell, int* pbc, double* fingerprints, double* jacobian) =>
        NativeErrors.Guard(() =>
        {
            var d = Get(handle);
            var s = StructureInput.Read(natoms, numbers, positions, cell, pbc);
            NativeErrors.Require(fingerprints, "fingerprints");
            var n = s.Count;
            var length = d.Length;
            if (jacobian != null && (double)n * length * 3 * n > Array.MaxLength)
                throw new InputException($"the Jacobian of {n} atoms would have {(double)n * length * 3 * n:G3} numbers, more than one array holds");
            var values = new double[n * length];
            var jac = jacobian == null ? null : new double[(long)n * length * 3 * n];
            // The call `milad fingerprint` makes in environments mode (Descriptor.EncodeEnvironments).
            d.EncodeEnvironments(s, values, jac);
            values.AsSpan().CopyTo(new Span<double>(fingerprints, values.Length));
            jac?.AsSpan().CopyTo(new Span<double>(jacobian, jac.Length));
            return NativeErrors.Ok;
        });
}
