using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
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

    /// <summary>The bytes of one frame (one fingerprint in molecule mode, one per atom in environments mode); thread-safe.</summary>
    public abstract byte[] Format(long index, Structure structure, string mode, Fingerprint[] fingerprints);

    /// <summary>Appends a frame's bytes from <see cref="Format"/>; frames must come in input order.</summary>
    public virtual void Append(byte[] frame) => File.Stream.Write(frame);

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

        public override byte[] Format(long index, Structure structure, string mode, Fingerprint[] fingerprints)
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            if (index > 0) buffer.Write(","u8);
            using (var w = new Utf8JsonWriter(buffer, Options))
            {
                w.WriteStartObject();
                w.WriteNumber("index", index);
                w.WriteNumber("natoms", structure.Count);
                w.WriteString("mode", mode);
                w.WriteString("formula", structure.Formula);
                if (mode == "molecule") WriteFingerprint(w, fingerprints[0]);
                else
                {
                    w.WriteStartArray("environments");
                    for (var atom = 0; atom < fingerprints.Length; atom++)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("atom", atom);
                        w.WriteString("species", Elements.Symbol(structure.AtomicNumbers[atom]));
                        WriteFingerprint(w, fingerprints[atom]);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            return buffer.WrittenSpan.ToArray();
        }

        private static void WriteFingerprint(Utf8JsonWriter w, Fingerprint f)
        {
            w.WriteStartArray("fingerprint");
            foreach (var v in f.Values) w.WriteNumberValue(v);
            w.WriteEndArray();
            if (f.Jacobian == null) return;
            var columns = 3 * f.AtomCount;
            w.WriteStartArray("jacobian");
            for (var q = 0; q < f.Values.Length; q++)
            {
                w.WriteStartArray();
                foreach (var v in f.Jacobian.AsSpan(q * columns, columns)) w.WriteNumberValue(v);
                w.WriteEndArray();
            }
            w.WriteEndArray();
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

        public override byte[] Format(long index, Structure structure, string mode, Fingerprint[] fingerprints)
        {
            var text = new StringBuilder(fingerprints.Length * (_length * 20 + 32));
            for (var k = 0; k < fingerprints.Length; k++)
            {
                text.Append(index.ToString(CultureInfo.InvariantCulture)).Append(',');
                if (mode != "molecule") text.Append(k.ToString(CultureInfo.InvariantCulture));
                text.Append(',').Append(mode);
                foreach (var v in fingerprints[k].Values) text.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
                text.Append(Environment.NewLine);
            }
            return Utf8.GetBytes(text.ToString());
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

        public override byte[] Format(long index, Structure structure, string mode, Fingerprint[] fingerprints)
        {
            var bytes = new byte[8 * _columns * fingerprints.Length];
            var at = 0;
            foreach (var f in fingerprints)
                foreach (var v in f.Values)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(at), v);
                    at += 8;
                }
            return bytes;
        }

        public override void Append(byte[] frame)
        {
            base.Append(frame);
            _rows += frame.Length / (8 * _columns);
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
