using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Structures;

namespace Milad.Cli;

/// <summary>
/// Where `milad fingerprint` writes, chosen by the output's extension. Frames are formatted to bytes on the
/// worker threads (<see cref="Format"/>) and appended in input order (<see cref="Append"/>), so memory stays
/// constant; the file appears under its name only on <see cref="Commit"/>.
/// </summary>
/// <remarks>
/// Sharding: only shard 1 writes the format's start (JSON's descriptor and "[", CSV's header line, NPY's
/// header with the row count of all shards) and only shard N its end (JSON's "]}"); a frame's bytes depend
/// only on the frame and its global index (JSON puts "," before every frame but the first of all), so the
/// shards' files concatenate to the unsharded file. A shard without frames writes just its part of these.
/// </remarks>
internal abstract class FingerprintSink : IDisposable
{
    private readonly Shard _shard;

    protected FingerprintSink(string path, Shard shard)
    {
        File = new AtomicFile(path);
        _shard = shard;
    }

    protected AtomicFile File { get; }

    /// <param name="totalRows">Rows of all shards together (NPY header); used only for shard 1 of several.</param>
    public static FingerprintSink Open(string path, FingerprintCommand.FingerprintOptions options, Descriptor molecule, Descriptor environments,
        Shard shard, long totalRows)
    {
        CheckFormat(path, options);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => new JsonSink(path, shard, options, molecule, environments),
            ".csv" => new CsvSink(path, shard, molecule),
            _ => new NpySink(path, shard, molecule, totalRows),
        };
    }

    /// <summary>A one-line <see cref="InputException"/> for an output format that does not exist or cannot hold the options.</summary>
    public static void CheckFormat(string path, FingerprintCommand.FingerprintOptions options)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".json" or ".csv" or ".npy"))
            throw new InputException($"{path}: unknown output format '{ext}' (expected .json, .npy or .csv)");
        if (options.Derivatives && ext != ".json")
            throw new InputException($"{path}: --derivatives is written to .json output only");
    }

    /// <summary>
    /// Appends the bytes of one frame to <paramref name="output"/>: <paramref name="rows"/> holds its fingerprints, one row of
    /// the descriptor's length per molecule (molecule mode) or per atom (environments mode), and with --derivatives
    /// <paramref name="jacobians"/> the same fingerprints with their Jacobians. Thread-safe.
    /// </summary>
    public abstract void Format(long index, Structure structure, string mode, ReadOnlySpan<double> rows, Fingerprint[]? jacobians, PooledBytes output);

    /// <summary>Appends frames' bytes from <see cref="Format"/>; frames must come in input order.</summary>
    public virtual void Append(ReadOnlySpan<byte> frames) => File.Stream.Write(frames);

    public void Commit()
    {
        if (_shard.IsLast) Finish();
        File.Commit();
    }

    /// <summary>Without <see cref="Commit"/> the partial output is deleted.</summary>
    public void Dispose() => File.Dispose();

    /// <summary>Called once, by shard 1 only (and by an unsharded run).</summary>
    protected abstract void Start();

    /// <summary>Writes what ends the format; by shard N only (and by an unsharded run).</summary>
    protected virtual void Finish()
    {
    }

    protected void StartIfFirst()
    {
        if (_shard.IsFirst) Start();
    }

    private sealed class JsonSink : FingerprintSink
    {
        private static readonly JsonWriterOptions Options = new() { Indented = false, SkipValidation = true };
        private readonly FingerprintCommand.FingerprintOptions _options;
        private readonly Descriptor _molecule, _environments;

        public JsonSink(string path, Shard shard, FingerprintCommand.FingerprintOptions options, Descriptor molecule, Descriptor environments)
            : base(path, shard)
        {
            (_options, _molecule, _environments) = (options, molecule, environments);
            StartIfFirst();
        }

        protected override void Start()
        {
            using var w = new Utf8JsonWriter(File.Stream, Options);
            w.WriteStartObject();
            w.WriteStartObject("descriptor");
            w.WriteString("preset", _options.Preset);
            if (_options.Mode != null) w.WriteString("mode", _options.Mode);
            DescriptorSettingsJson.WriteProperties(w, _molecule.Settings, includeCutoff: false);
            w.WriteNumber("molecule_radius", _molecule.Settings.Cutoff);
            w.WriteNumber("environment_cutoff", _environments.Settings.Cutoff);
            w.WriteNumber("length", _molecule.Length);
            w.WriteEndObject();
            w.WriteStartArray("frames");
        }

        // The bytes Utf8JsonWriter would write (the test FrameJsonIsWhatUtf8JsonWriterWrites holds them equal), written
        // directly: a frame is mostly numbers, and the writer's per-value bookkeeping cost as much as formatting them.
        public override void Format(long index, Structure structure, string mode, ReadOnlySpan<double> rows, Fingerprint[]? jacobians, PooledBytes output)
        {
            var length = _molecule.Length;
            output.Write(index > 0 ? ",{\"index\":"u8 : "{\"index\":"u8);
            JsonText.Integer(output, index);
            output.Write(",\"natoms\":"u8);
            JsonText.Integer(output, structure.Count);
            output.Write(",\"mode\":"u8);
            JsonText.String(output, mode);
            output.Write(",\"formula\":"u8);
            JsonText.String(output, structure.Formula);
            if (mode == "molecule") WriteFingerprint(output, rows[..length], jacobians?[0]);
            else
            {
                output.Write(",\"environments\":["u8);
                for (var atom = 0; atom < structure.Count; atom++)
                {
                    output.Write(atom > 0 ? ",{\"atom\":"u8 : "{\"atom\":"u8);
                    JsonText.Integer(output, atom);
                    output.Write(",\"species\":"u8);
                    JsonText.String(output, Elements.Symbol(structure.AtomicNumbers[atom]));
                    WriteFingerprint(output, rows.Slice(atom * length, length), jacobians?[atom]);
                    output.Write((byte)'}');
                }
                output.Write((byte)']');
            }
            output.Write((byte)'}');
        }

        private static void WriteFingerprint(PooledBytes output, ReadOnlySpan<double> values, Fingerprint? withJacobian)
        {
            output.Write(",\"fingerprint\":"u8);
            JsonText.Numbers(output, values);
            if (withJacobian?.Jacobian is not { } jacobian) return;
            var columns = 3 * withJacobian.AtomCount;
            output.Write(",\"jacobian\":["u8);
            for (var q = 0; q < values.Length; q++)
            {
                if (q > 0) output.Write((byte)',');
                JsonText.Numbers(output, jacobian.AsSpan(q * columns, columns));
            }
            output.Write((byte)']');
        }

        protected override void Finish() => File.Stream.Write("]}"u8);
    }

    /// <summary>One row per molecule or environment: frame, atom (empty in molecule mode), mode, then the invariants.</summary>
    private sealed class CsvSink : FingerprintSink
    {
        private static readonly UTF8Encoding Utf8 = new(false);
        private readonly int _length;

        public CsvSink(string path, Shard shard, Descriptor descriptor) : base(path, shard)
        {
            _length = descriptor.Length;
            StartIfFirst();
        }

        protected override void Start()
        {
            var header = new StringBuilder("frame,atom,mode");
            for (var q = 0; q < _length; q++) header.Append(CultureInfo.InvariantCulture, $",I{q}");
            header.Append(Environment.NewLine);
            File.Stream.Write(Utf8.GetBytes(header.ToString()));
        }

        public override void Format(long index, Structure structure, string mode, ReadOnlySpan<double> rows, Fingerprint[]? jacobians, PooledBytes output)
        {
            var count = rows.Length / _length;
            for (var k = 0; k < count; k++)
            {
                Text(output, index);
                output.Write((byte)',');
                if (mode != "molecule") Text(output, k);
                output.Write((byte)',');
                output.Write(mode == "molecule" ? "molecule"u8 : "environments"u8);
                foreach (var v in rows.Slice(k * _length, _length))
                {
                    output.Write((byte)',');
                    // "R": what the rows were written with before they were formatted straight to UTF-8.
                    if (!v.TryFormat(output.GetSpan(64), out var n, "R", CultureInfo.InvariantCulture)) throw new InvalidOperationException("a number longer than 64 bytes");
                    output.Advance(n);
                }
                output.Write(NewLine);
            }
        }

        private static readonly byte[] NewLine = Utf8.GetBytes(Environment.NewLine);

        private static void Text(PooledBytes output, long value)
        {
            value.TryFormat(output.GetSpan(20), out var n, default, CultureInfo.InvariantCulture);
            output.Advance(n);
        }
    }

    /// <summary>
    /// A float64 matrix, one row per molecule or environment in frame order. The header is the one
    /// <see cref="NpyWriter"/> writes when the row count comes last (padded for any count): an unsharded run
    /// patches the count in at the end, shard 1 of several writes the counted total at once.
    /// </summary>
    private sealed class NpySink : FingerprintSink
    {
        private readonly int _columns;
        private readonly bool _patch;
        private readonly long _totalRows;
        private long _rows;

        public NpySink(string path, Shard shard, Descriptor descriptor, long totalRows) : base(path, shard)
        {
            _columns = descriptor.Length;
            _patch = !shard.IsSharded;
            _totalRows = totalRows;
            StartIfFirst();
        }

        protected override void Start() => File.Stream.Write(NpyWriter.PaddedHeader(_patch ? 0 : _totalRows, _columns));

        public override void Format(long index, Structure structure, string mode, ReadOnlySpan<double> rows, Fingerprint[]? jacobians, PooledBytes output)
        {
            var bytes = output.GetSpan(8 * rows.Length);
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(rows).CopyTo(bytes);
            else
                for (var i = 0; i < rows.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes[(8 * i)..], rows[i]);
            output.Advance(8 * rows.Length);
        }

        public override void Append(ReadOnlySpan<byte> frames)
        {
            base.Append(frames);
            _rows += frames.Length / (8 * _columns);
        }

        protected override void Finish()
        {
            if (!_patch) return;
            var end = File.Stream.Position;
            File.Stream.Position = 0;
            File.Stream.Write(NpyWriter.PaddedHeader(_rows, _columns));
            File.Stream.Position = end;
        }
    }
}
