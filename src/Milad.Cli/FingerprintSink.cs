using System.Globalization;
using System.Text;
using System.Text.Json;
using Milad.Fingerprints;
using Milad.Structures;

namespace Milad.Cli;

/// <summary>
/// Where `milad fingerprint` writes, chosen by the output's extension. Frames are written as they come
/// (constant memory); the file appears under its name only on <see cref="Commit"/>.
/// </summary>
internal abstract class FingerprintSink : IDisposable
{
    protected FingerprintSink(string path) => File = new AtomicFile(path);

    protected AtomicFile File { get; }

    public static FingerprintSink Open(string path, FingerprintCommand.FingerprintOptions options, Descriptor molecule, Descriptor environments)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".json" or ".csv" or ".npy"))
            throw new InputException($"{path}: unknown output format '{ext}' (expected .json, .npy or .csv)");
        if (options.Derivatives && ext != ".json")
            throw new InputException($"{path}: --derivatives is written to .json output only");
        return ext switch
        {
            ".json" => new JsonSink(path, options, molecule, environments),
            ".csv" => new CsvSink(path, molecule),
            _ => new NpySink(path, molecule),
        };
    }

    /// <summary>One frame: one fingerprint in molecule mode, one per atom in environments mode.</summary>
    public abstract void Write(int index, Structure structure, string mode, Fingerprint[] fingerprints);

    private bool _writerClosed;

    /// <summary>Writes what ends the format (closing brackets, the row count).</summary>
    protected virtual void Finish()
    {
    }

    /// <summary>Flushes and releases the format writer; the file stays open.</summary>
    protected abstract void CloseWriter();

    public void Commit()
    {
        Finish();
        _writerClosed = true;
        CloseWriter();
        File.Commit();
    }

    /// <summary>Without <see cref="Commit"/> the partial output is deleted.</summary>
    public void Dispose()
    {
        if (!_writerClosed)
        {
            _writerClosed = true;
            CloseWriter();
        }
        File.Dispose();
    }

    private sealed class JsonSink : FingerprintSink
    {
        private readonly Utf8JsonWriter _w;

        public JsonSink(string path, FingerprintCommand.FingerprintOptions options, Descriptor molecule, Descriptor environments) : base(path)
        {
            _w = new Utf8JsonWriter(File.Stream, new JsonWriterOptions { Indented = false, SkipValidation = true });
            _w.WriteStartObject();
            _w.WriteStartObject("descriptor");
            _w.WriteString("preset", options.Preset);
            if (options.Mode != null) _w.WriteString("mode", options.Mode);
            DescriptorSettingsJson.WriteProperties(_w, molecule.Settings, includeCutoff: false);
            _w.WriteNumber("molecule_radius", molecule.Settings.Cutoff);
            _w.WriteNumber("environment_cutoff", environments.Settings.Cutoff);
            _w.WriteNumber("length", molecule.Length);
            _w.WriteEndObject();
            _w.WriteStartArray("frames");
        }

        public override void Write(int index, Structure structure, string mode, Fingerprint[] fingerprints)
        {
            _w.WriteStartObject();
            _w.WriteNumber("index", index);
            _w.WriteNumber("natoms", structure.Count);
            _w.WriteString("mode", mode);
            _w.WriteString("formula", structure.Formula);
            if (mode == "molecule") WriteFingerprint(fingerprints[0]);
            else
            {
                _w.WriteStartArray("environments");
                for (var atom = 0; atom < fingerprints.Length; atom++)
                {
                    _w.WriteStartObject();
                    _w.WriteNumber("atom", atom);
                    _w.WriteString("species", Elements.Symbol(structure.AtomicNumbers[atom]));
                    WriteFingerprint(fingerprints[atom]);
                    _w.WriteEndObject();
                }
                _w.WriteEndArray();
            }
            _w.WriteEndObject();
            if (_w.BytesPending > 1 << 20) _w.Flush();
        }

        private void WriteFingerprint(Fingerprint f)
        {
            _w.WriteStartArray("fingerprint");
            foreach (var v in f.Values) _w.WriteNumberValue(v);
            _w.WriteEndArray();
            if (f.Jacobian == null) return;
            var columns = 3 * f.AtomCount;
            _w.WriteStartArray("jacobian");
            for (var q = 0; q < f.Values.Length; q++)
            {
                _w.WriteStartArray();
                foreach (var v in f.Jacobian.AsSpan(q * columns, columns)) _w.WriteNumberValue(v);
                _w.WriteEndArray();
            }
            _w.WriteEndArray();
        }

        protected override void Finish()
        {
            _w.WriteEndArray();
            _w.WriteEndObject();
        }

        protected override void CloseWriter() => _w.Dispose();
    }

    /// <summary>One row per molecule or environment: frame, atom (empty in molecule mode), mode, then the invariants.</summary>
    private sealed class CsvSink : FingerprintSink
    {
        private readonly StreamWriter _w;

        public CsvSink(string path, Descriptor descriptor) : base(path)
        {
            _w = new StreamWriter(File.Stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            _w.Write("frame,atom,mode");
            for (var q = 0; q < descriptor.Length; q++) _w.Write(string.Create(CultureInfo.InvariantCulture, $",I{q}"));
            _w.WriteLine();
        }

        public override void Write(int index, Structure structure, string mode, Fingerprint[] fingerprints)
        {
            for (var k = 0; k < fingerprints.Length; k++)
            {
                _w.Write(index.ToString(CultureInfo.InvariantCulture));
                _w.Write(',');
                if (mode != "molecule") _w.Write(k.ToString(CultureInfo.InvariantCulture));
                _w.Write(',');
                _w.Write(mode);
                foreach (var v in fingerprints[k].Values)
                {
                    _w.Write(',');
                    _w.Write(v.ToString("R", CultureInfo.InvariantCulture));
                }
                _w.WriteLine();
            }
        }

        protected override void CloseWriter() => _w.Dispose();
    }

    /// <summary>A float64 matrix, one row per molecule or environment in frame order (the row count is patched in at the end).</summary>
    private sealed class NpySink : FingerprintSink
    {
        private readonly Milad.IO.NpyWriter _w;

        public NpySink(string path, Descriptor descriptor) : base(path) =>
            _w = new Milad.IO.NpyWriter(File.Stream, descriptor.Length, leaveOpen: true);

        public override void Write(int index, Structure structure, string mode, Fingerprint[] fingerprints)
        {
            foreach (var f in fingerprints) _w.WriteRow(f.Values);
        }

        protected override void Finish() => _w.Complete();

        protected override void CloseWriter() => _w.Dispose();
    }
}
