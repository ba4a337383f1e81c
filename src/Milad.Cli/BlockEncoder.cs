using System.Buffers;
using Milad.Fingerprints;
using Milad.Structures;

namespace Milad.Cli;

/// <summary>
/// Encodes a block of frames for `milad fingerprint` and formats it to the output's bytes (on a pipeline
/// worker). Molecules go four at a time through <see cref="Descriptor.Encode(IReadOnlyList{Structure}, Span{double})"/>
/// (the same numbers as one at a time, bit for bit), environments into reused storage.
/// </summary>
/// <remarks>
/// A block with a bad frame is encoded again one frame at a time, in order, so the error reported is the
/// first frame's in input order, with the message one frame at a time gives.
/// </remarks>
internal sealed class BlockEncoder(Descriptor molecule, Descriptor environments, Lazy<Descriptor> wide, Func<bool, string> modeOf,
    bool derivatives, FingerprintSink sink)
{
    /// <summary>Frames of at least this many atoms encode their environments on all threads (few large frames).</summary>
    private const int WideFrameAtoms = 1024;

    private readonly int _length = molecule.Length;

    [ThreadStatic] private static List<Structure>? _molecules;
    [ThreadStatic] private static double[]? _environmentRows;

    public PooledBytes Encode(List<InputFrame> block)
    {
        var modes = new string[block.Count];
        var first = new int[block.Count + 1];
        for (var i = 0; i < block.Count; i++)
        {
            var s = block[i].Structure;
            modes[i] = modeOf(s.IsPeriodic);
            first[i + 1] = first[i] + (modes[i] == "molecule" ? 1 : s.Count);
        }
        var rows = ArrayPool<double>.Shared.Rent(Math.Max(1, first[^1] * _length));
        var output = new PooledBytes();
        try
        {
            Fingerprint[]?[]? jacobians = null;
            try
            {
                if (derivatives) jacobians = EncodeWithJacobians(block, modes, first, rows);
                else EncodeValues(block, modes, first, rows);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                ThrowFirstError(block, modes);
                throw;
            }
            for (var i = 0; i < block.Count; i++)
                sink.Format(block[i].Index, block[i].Structure, modes[i], rows.AsSpan(first[i] * _length, (first[i + 1] - first[i]) * _length),
                    jacobians?[i], output);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rows);
        }
    }

    private void EncodeValues(List<InputFrame> block, string[] modes, int[] first, double[] rows)
    {
        var molecules = _molecules ??= [];
        molecules.Clear();
        var contiguous = true; // molecules only: their rows are the block's rows
        for (var i = 0; i < block.Count; i++)
            if (modes[i] == "molecule") molecules.Add(block[i].Structure);
            else contiguous = false;
        if (contiguous)
        {
            molecule.Encode(molecules, rows);
            return;
        }
        if (molecules.Count > 0)
        {
            var scratch = ArrayPool<double>.Shared.Rent(molecules.Count * _length);
            try
            {
                molecule.Encode(molecules, scratch);
                var m = 0;
                for (var i = 0; i < block.Count; i++)
                    if (modes[i] == "molecule") scratch.AsSpan(m++ * _length, _length).CopyTo(rows.AsSpan(first[i] * _length));
            }
            finally { ArrayPool<double>.Shared.Return(scratch); }
        }
        for (var i = 0; i < block.Count; i++)
        {
            if (modes[i] == "molecule") continue;
            var s = block[i].Structure;
            CheckEnvironmentsFrame(s);
            var n = s.Count * _length;
            var values = _environmentRows is { } r && r.Length >= n ? r : _environmentRows = new double[Math.Max(n, 2 * (_environmentRows?.Length ?? 0))];
            EnvironmentsDescriptor(s).EncodeEnvironments(s, values, null);
            values.AsSpan(0, n).CopyTo(rows.AsSpan(first[i] * _length));
        }
    }

    private Fingerprint[]?[] EncodeWithJacobians(List<InputFrame> block, string[] modes, int[] first, double[] rows)
    {
        var result = new Fingerprint[]?[block.Count];
        for (var i = 0; i < block.Count; i++)
        {
            result[i] = EncodeOne(block[i].Structure, modes[i], withJacobian: true);
            for (var k = 0; k < result[i]!.Length; k++) result[i]![k].Values.CopyTo(rows.AsSpan((first[i] + k) * _length));
        }
        return result;
    }

    /// <summary>One frame's fingerprints as the command always encoded them, one frame at a time.</summary>
    private Fingerprint[] EncodeOne(Structure s, string mode, bool withJacobian)
    {
        if (mode == "molecule") return [molecule.Encode(s, withJacobian)];
        CheckEnvironmentsFrame(s);
        return EnvironmentsDescriptor(s).EncodeEnvironments(s, withJacobian);
    }

    private static void CheckEnvironmentsFrame(Structure s)
    {
        if (!s.IsPeriodic && s.Cell == null && s.Count == 0) throw new InputException("the frame has no atoms");
    }

    private Descriptor EnvironmentsDescriptor(Structure s) => s.Count >= WideFrameAtoms ? wide.Value : environments;

    /// <summary>Encodes the frames one at a time, in order, and throws the first one's error (placed at its frame).</summary>
    private void ThrowFirstError(List<InputFrame> block, string[] modes)
    {
        for (var i = 0; i < block.Count; i++)
        {
            try { EncodeOne(block[i].Structure, modes[i], derivatives); }
            catch (InputException e) { throw InputException.AtFrame(block[i].File, block[i].FrameInFile, e.Message); }
        }
    }
}
