using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Milad.Cli;

/// <summary>
/// The client end of the i-PI socket protocol (what i-PI and ASE's SocketIOCalculator serve): messages are
/// 12-byte ASCII headers padded with spaces, followed by raw little-endian int32 and float64 payloads in atomic
/// units (Bohr, Hartree). Reads block on the socket (no polling); a server that closes the connection ends the
/// message stream (<see cref="ReadHeader"/> returns null at a message boundary).
/// </summary>
internal sealed class IpiConnection : IDisposable
{
    public const int HeaderLength = 12;

    /// <summary>Bohr radius in Angstrom and Hartree in eV, as ASE (CODATA 2014) converts, so numbers agree with an ASE server to the last bits.</summary>
    public const double Bohr = 0.5291772105638411;
    public const double Hartree = 27.211386024367243;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _header = new byte[HeaderLength];

    private IpiConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Where the server listens, for messages.</summary>
    public required string Description { get; init; }

    /// <summary>The Unix socket file of a name, as i-PI and ASE place it.</summary>
    public static string UnixSocketPath(string name) => "/tmp/ipi_" + name;

    /// <summary>Connects to /tmp/ipi_NAME; a missing or refusing socket is a one-line <see cref="InputException"/>.</summary>
    public static IpiConnection ConnectUnix(string name)
    {
        var path = UnixSocketPath(name);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InputException($"cannot connect to the i-PI server at Unix socket {path}: {e.Message}");
        }
        return new IpiConnection(socket) { Description = $"Unix socket {path}" };
    }

    /// <summary>Connects to HOST:PORT over TCP (IPv4 or IPv6).</summary>
    public static IpiConnection ConnectTcp(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            throw new InputException($"--address '{address}' is not HOST:PORT (e.g. localhost:31415)");
        var host = address[..colon].Trim('[', ']');
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(host, port);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InputException($"cannot connect to the i-PI server at {host}:{port}: {e.Message}");
        }
        return new IpiConnection(socket) { Description = $"{host}:{port}" };
    }

    /// <summary>The next header with its padding removed, or null when the server closed the connection before one.</summary>
    public string? ReadHeader()
    {
        var got = 0;
        while (got < HeaderLength)
        {
            var n = Receive(_header.AsSpan(got));
            if (n == 0)
            {
                if (got == 0) return null;
                throw new InputException("the server closed the connection in the middle of a message header");
            }
            got += n;
        }
        return Encoding.ASCII.GetString(_header).TrimEnd(' ', '\0');
    }

    public void WriteHeader(string message)
    {
        Span<byte> bytes = stackalloc byte[HeaderLength];
        Header(message, bytes);
        _stream.Write(bytes);
    }

    /// <summary>A header padded with spaces into the first 12 bytes of <paramref name="destination"/>.</summary>
    public static void Header(string message, Span<byte> destination)
    {
        destination[..HeaderLength].Fill((byte)' ');
        Encoding.ASCII.GetBytes(message, destination);
    }

    public int ReadInt32()
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(b);
        return BinaryPrimitives.ReadInt32LittleEndian(b);
    }

    public void ReadDoubles(Span<double> values)
    {
        var bytes = new byte[8 * values.Length];
        ReadExactly(bytes);
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(8 * i));
    }

    public void ReadBytes(Span<byte> bytes) => ReadExactly(bytes);

    /// <summary>Writes raw bytes (a header with its payload in one send).</summary>
    public void Write(ReadOnlySpan<byte> payload) => _stream.Write(payload);

    /// <summary>True for the exception a write raises when the server has gone away (broken pipe, reset).</summary>
    public static bool IsClosed(IOException e) =>
        e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected };

    private void ReadExactly(Span<byte> buffer)
    {
        var got = 0;
        while (got < buffer.Length)
        {
            var n = Receive(buffer[got..]);
            if (n == 0) throw new InputException("the server closed the connection in the middle of a message");
            got += n;
        }
    }

    /// <summary>A blocking read; a reset connection counts as closed (the server went away).</summary>
    private int Receive(Span<byte> buffer)
    {
        try
        {
            return _stream.Read(buffer);
        }
        catch (IOException e) when (IsClosed(e))
        {
            return 0;
        }
    }

    public void Dispose() => _stream.Dispose();
}
