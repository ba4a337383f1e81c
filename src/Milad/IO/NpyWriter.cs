using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Milad.IO;

/// <summary>
/// Writes a 2-D float64 array (rows x columns, C order, little endian) as a NumPy .npy file, format
/// version 1.0, row by row so a large array never has to be in memory.
/// </summary>
/// <remarks>
/// The row count goes into the header, which comes first. When it is known up front, give it to the
/// constructor: the header is written at once and <see cref="Complete"/> checks that exactly that
/// many rows came. When it is not, the stream must be seekable: the header is written with 0 rows and
/// padded to the size the largest row count needs, and <see cref="Complete"/> seeks back and patches
/// it in place. The header is padded with spaces to a multiple of 64 bytes, ending in a newline.
/// </remarks>
public sealed class NpyWriter : IDisposable
{
    private const int Alignment = 64;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long? _expectedRows;
    private readonly long _headerStart;
    private readonly int _headerLength;
    private readonly string? _path, _tempPath; // set when writing a file through a temporary one
    private bool _completed, _disposed;

    /// <summary>
    /// Starts an array on <paramref name="stream"/> at its current position. With <paramref name="rows"/>
    /// null the row count is patched in by <see cref="Complete"/>, which needs a seekable stream.
    /// </summary>
    public NpyWriter(Stream stream, int columns, long? rows = null, bool leaveOpen = false)
        : this(stream, columns, rows, leaveOpen, null, null)
    {
    }

    private NpyWriter(Stream stream, int columns, long? rows, bool leaveOpen, string? path, string? tempPath)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (rows is < 0) throw new ArgumentOutOfRangeException(nameof(rows));
        if (rows == null && !stream.CanSeek)
            throw new ArgumentException("the row count must be given up front for a stream that cannot seek", nameof(rows));
        _stream = stream;
        _leaveOpen = leaveOpen;
        _path = path;
        _tempPath = tempPath;
        _expectedRows = rows;
        Columns = columns;
        _headerStart = stream.CanSeek ? stream.Position : 0;
        var header = rows is { } r ? Header(r, columns, 0) : Header(0, columns, Header(long.MaxValue, columns, 0).Length);
        _headerLength = header.Length;
        _stream.Write(header);
    }

    /// <summary>
    /// Starts an array in a temporary file beside <paramref name="path"/>; <see cref="Complete"/> renames it
    /// to <paramref name="path"/>, and disposing without completing deletes it (no half-written output).
    /// </summary>
    public static NpyWriter Create(string path, int columns, long? rows = null)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        try { return new NpyWriter(stream, columns, rows, leaveOpen: false, full, temp); }
        catch
        {
            stream.Dispose();
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Writes a whole array to <paramref name="path"/> (through a temporary file).</summary>
    public static void Write(string path, double[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var w = Create(path, data.GetLength(1), data.GetLength(0));
        w.WriteRows(data);
        w.Complete();
    }

    /// <summary>Writes a whole array to a stream.</summary>
    public static void Write(Stream stream, double[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var w = new NpyWriter(stream, data.GetLength(1), data.GetLength(0), leaveOpen: true);
        w.WriteRows(data);
        w.Complete();
    }

    public int Columns { get; }

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Appends one row of exactly <see cref="Columns"/> values.</summary>
    public void WriteRow(ReadOnlySpan<double> row)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException("the array is already complete");
        if (row.Length != Columns) throw new ArgumentException($"row of {row.Length} values, expected {Columns}", nameof(row));
        if (Rows == _expectedRows) throw new InvalidOperationException($"more than the {_expectedRows} rows announced");
        if (BitConverter.IsLittleEndian)
            _stream.Write(MemoryMarshal.AsBytes(row));
        else
        {
            Span<byte> bytes = stackalloc byte[8];
            foreach (var x in row)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(bytes, x);
                _stream.Write(bytes);
            }
        }
        Rows++;
    }

    private void WriteRows(double[,] data)
    {
        var flat = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(data)), data.Length);
        for (var r = 0; r < data.GetLength(0); r++) WriteRow(flat.Slice(r * Columns, Columns));
    }

    /// <summary>Finishes the array: checks or patches the row count, flushes, and for a file renames it into place.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) return;
        if (_expectedRows is { } expected)
        {
            if (Rows != expected) throw new InvalidOperationException($"{Rows} rows written, {expected} announced in the header");
        }
        else
        {
            var end = _stream.Position;
            _stream.Position = _headerStart;
            _stream.Write(Header(Rows, Columns, _headerLength));
            _stream.Position = end;
        }
        _stream.Flush();
        _completed = true;
        if (_path != null)
        {
            _stream.Dispose();
            File.Move(_tempPath!, _path, overwrite: true);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_leaveOpen) _stream.Dispose();
        if (_tempPath != null && !_completed) File.Delete(_tempPath);
    }

    /// <summary>
    /// The header a writer started without a row count ends with: padded to the length the largest count
    /// needs, so it has the same bytes whether the count was patched in at the end or known up front (a
    /// file written in pieces, the first piece with this header, the others rows only).
    /// </summary>
    public static byte[] PaddedHeader(long rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        return Header(rows, columns, Header(long.MaxValue, columns, 0).Length);
    }

    /// <summary>The .npy 1.0 header for a rows x columns float64 array, padded to a multiple of 64 bytes and at least <paramref name="minLength"/>.</summary>
    internal static byte[] Header(long rows, int columns, int minLength)
    {
        var dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
        var preamble = 10; // magic (6), version (2), header length (2)
        var total = (preamble + dict.Length + 1 + Alignment - 1) / Alignment * Alignment;
        total = Math.Max(total, minLength);
        var bytes = new byte[total];
        ReadOnlySpan<byte> magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        magic.CopyTo(bytes);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), checked((ushort)(total - preamble)));
        Encoding.ASCII.GetBytes(dict, bytes.AsSpan(preamble));
        bytes.AsSpan(preamble + dict.Length, total - preamble - dict.Length - 1).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return bytes;
    }
}
