using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using Milad.IO;
using Milad.Potentials;
using Milad.Structures;

namespace Milad.Cli;

/// <summary>
/// `milad drive --model M.json (--address HOST:PORT | --unix NAME) [--template FILE]`: an i-PI client. The server
/// (i-PI, ASE's SocketIOCalculator) sends cells and positions; the client answers with energy, forces and virial from
/// <see cref="Potential.Predict"/>, the same evaluation `milad predict` makes. The protocol carries no species, so they
/// come from a template structure (or, for a one-species model, are that species).
/// </summary>
public static class DriveCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Option<string>("--model") { Required = true, Description = "Model file written by milad train." };
        var address = new Option<string?>("--address") { Description = "i-PI server at HOST:PORT (TCP)." };
        var unix = new Option<string?>("--unix") { Description = "i-PI server at the Unix socket /tmp/ipi_NAME." };
        var template = new Option<string?>("--template") { Description = "Structure file whose first frame gives the species of the atoms in order, and which directions are periodic (positions and cell come from the server); not needed for a one-species model." };
        var command = new Command("drive", "Serve energies, forces and virials to an i-PI server (i-PI, ASE SocketIOCalculator).") { model, address, unix, template };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(address) == null) == (r.GetValue(unix) == null)) r.AddError("give exactly one of --address HOST:PORT and --unix NAME");
        });
        command.SetAction(p => Run(p.GetValue(model)!, p.GetValue(address), p.GetValue(unix), p.GetValue(template), stdout));
        return command;
    }

    internal static int Run(string modelPath, string? address, string? unix, string? templatePath, TextWriter stdout)
    {
        // Everything that can be wrong with the inputs is found before connecting.
        var potential = PotentialFile.Read(modelPath);
        var template = templatePath == null ? null : ReadTemplate(templatePath, potential);
        if (template == null && potential.Species.Count != 1)
            throw new InputException($"{modelPath}: the model knows {potential.Species.Count} species ({string.Join(", ", potential.Species.Select(Elements.Symbol))}); give --template FILE with the atoms' species in order");
        using var connection = address != null ? IpiConnection.ConnectTcp(address) : IpiConnection.ConnectUnix(unix!);
        var session = new Session(connection, potential, template);
        var end = session.Serve();
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"milad drive: {session.Evaluations} evaluation(s) with the {potential.Kind} model; {end}"));
        return MiladCommand.Ok;
    }

    /// <summary>The template's first frame, its species checked against the model.</summary>
    private static Structure ReadTemplate(string path, Potential potential)
    {
        var frame = StructureFiles.Read(path).FirstOrDefault() ?? throw new InputException($"{path}: no frames");
        try
        {
            potential.SpeciesIndices(frame);
        }
        catch (InputException e)
        {
            throw InputException.AtFrame(path, 0, e.Message);
        }
        return frame;
    }

    /// <summary>The client's state machine: NEEDINIT until INIT, READY, HAVEDATA after POSDATA until GETFORCE.</summary>
    private sealed class Session(IpiConnection connection, Potential potential, Structure? template)
    {
        private enum State { NeedInit, Ready, HaveData }

        private State _state = State.NeedInit;
        private Prediction? _result;

        public int Evaluations { get; private set; }

        /// <summary>Answers messages until EXIT or until the server closes; returns how it ended.</summary>
        public string Serve()
        {
            try
            {
                while (true)
                {
                    var message = connection.ReadHeader();
                    switch (message)
                    {
                        case null:
                            return $"the server at {connection.Description} closed the connection";
                        case "EXIT":
                            return $"the server at {connection.Description} sent EXIT";
                        case "STATUS":
                            connection.WriteHeader(_state switch { State.NeedInit => "NEEDINIT", State.Ready => "READY", _ => "HAVEDATA" });
                            break;
                        case "INIT":
                            ReadInit();
                            _state = State.Ready;
                            break;
                        case "POSDATA":
                            _result = potential.Predict(ReadPositions());
                            Evaluations++;
                            _state = State.HaveData;
                            break;
                        case "GETFORCE":
                            if (_state != State.HaveData || _result == null)
                                throw new InputException($"the server at {connection.Description} asked for forces (GETFORCE) before sending positions (POSDATA)");
                            WriteForces(_result);
                            _state = State.Ready;
                            break;
                        default:
                            throw new InputException($"the server at {connection.Description} sent '{Printable(message)}', which is not an i-PI message (STATUS, INIT, POSDATA, GETFORCE, EXIT)");
                    }
                }
            }
            catch (IOException e) when (IpiConnection.IsClosed(e))
            {
                return $"the server at {connection.Description} closed the connection";
            }
        }

        /// <summary>INIT: bead index and an initialisation string, which this client does not need.</summary>
        private void ReadInit()
        {
            _ = connection.ReadInt32();
            var length = connection.ReadInt32();
            if (length < 0 || length > 1 << 24) throw new InputException($"the server at {connection.Description} sent an INIT string of {length} bytes");
            connection.ReadBytes(new byte[length]);
        }

        /// <summary>
        /// POSDATA: the cell matrix h (Bohr, row-major, lattice vectors as columns), its inverse (unused), the number
        /// of atoms and their Cartesian positions (Bohr).
        /// </summary>
        private Structure ReadPositions()
        {
            var h = new double[9];
            var inverse = new double[9];
            connection.ReadDoubles(h);
            connection.ReadDoubles(inverse);
            var n = connection.ReadInt32();
            if (n <= 0 || (template != null && n != template.Count) || n > 100_000_000)
                throw new InputException(template != null
                    ? $"the server at {connection.Description} sent {n} atoms but the template has {template.Count}"
                    : $"the server at {connection.Description} sent {n} atoms");
            var xyz = new double[3 * n];
            connection.ReadDoubles(xyz);
            var positions = new Vec3[n];
            for (var i = 0; i < n; i++)
            {
                positions[i] = IpiConnection.Bohr * new Vec3(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
                if (!positions[i].IsFinite) throw new InputException($"the server at {connection.Description} sent a position that is not a number (atom {i})");
            }
            Vec3 Column(int j) => IpiConnection.Bohr * new Vec3(h[j], h[3 + j], h[6 + j]);
            var (a, b, c) = (Column(0), Column(1), Column(2));
            // A zero cell (a molecule) is not periodic; otherwise the template's periodicity, or periodic in all directions.
            Cell? cell = null;
            if (Math.Abs(a.Dot(b.Cross(c))) > 0)
            {
                var pbc = template?.Cell?.Pbc ?? (template == null ? [true, true, true] : [false, false, false]);
                cell = new Cell(a, b, c, pbc[0], pbc[1], pbc[2]);
            }
            var species = template?.AtomicNumbers ?? Enumerable.Repeat(potential.Species[0], n).ToArray();
            return new Structure(species, positions, cell);
        }

        /// <summary>
        /// FORCEREADY: energy (Hartree), number of atoms, forces (Hartree/Bohr), virial -V sigma (Hartree, 3 x 3 sent
        /// transposed as ASE does; it is symmetric) and an extra string, here empty.
        /// </summary>
        private void WriteForces(Prediction p)
        {
            var n = p.Forces.Length;
            var payload = new byte[IpiConnection.HeaderLength + 8 + 4 + 24 * n + 72 + 4];
            IpiConnection.Header("FORCEREADY", payload);
            var at = IpiConnection.HeaderLength;
            void Double(double v) { BinaryPrimitives.WriteDoubleLittleEndian(payload.AsSpan(at), v); at += 8; }
            void Int(int v) { BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(at), v); at += 4; }
            Double(p.Energy / IpiConnection.Hartree);
            Int(n);
            const double forceUnit = IpiConnection.Bohr / IpiConnection.Hartree;
            foreach (var f in p.Forces)
            {
                Double(f.X * forceUnit);
                Double(f.Y * forceUnit);
                Double(f.Z * forceUnit);
            }
            // Milad's virial is sum d (x) dE/dd = +V sigma (ASE stress sign); i-PI's is its negative.
            for (var i = 0; i < 3; i++)
                for (var j = 0; j < 3; j++)
                    Double(-p.Virial[3 * j + i] / IpiConnection.Hartree);
            Int(0);
            connection.Write(payload);
        }

        private static string Printable(string s) => new(s.Select(ch => ch is >= ' ' and <= '~' ? ch : '?').ToArray());
    }
}
