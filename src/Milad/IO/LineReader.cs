namespace Milad.IO;

/// <summary>
/// Reads lines of a <see cref="TextReader"/> as spans into one reusable buffer, counting them.
/// Unlike <see cref="TextReader.ReadLine"/> it allocates nothing per line, and it reads the source
/// in fixed chunks, so it never pulls in more of a file than the line it is asked for needs.
/// </summary>
/// <param name="reader">The text to read.</param>
/// <param name="chunk">Characters read from it at a time.</param>
/// <param name="linesBefore">Lines before the reader's first (a piece of a file: line numbers go on from there).</param>
internal sealed class LineReader(TextReader reader, int chunk = 1 << 16, long linesBefore = 0)
{
    private char[] _buffer = new char[chunk];
    private int _start, _end;
    private bool _eof;

    /// <summary>Lines of the first <paramref name="length"/> characters of <paramref name="text"/> (all of the input: nothing is read or copied).</summary>
    public LineReader(char[] text, int length, long linesBefore) : this(TextReader.Null, 0, linesBefore)
    {
        _buffer = text;
        _end = length;
        _eof = true;
    }

    /// <summary>1-based number of the line last returned (0 before the first).</summary>
    public long LineNumber { get; private set; } = linesBefore;

    /// <summary>Characters taken from the underlying reader so far.</summary>
    public long CharactersRead { get; private set; }

    /// <summary>The next line without its "\n" or "\r\n"; false at the end of the input.</summary>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        var scanned = 0;
        while (true)
        {
            var newline = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf('\n');
            if (newline >= 0)
            {
                var length = scanned + newline;
                line = Trim(_buffer.AsSpan(_start, length));
                _start += length + 1;
                return Count(ref line);
            }
            scanned = _end - _start;
            if (_eof)
            {
                if (scanned == 0) { line = default; return false; }
                line = Trim(_buffer.AsSpan(_start, scanned));
                _start = _end;
                return Count(ref line);
            }
            Fill();
        }
    }

    private bool Count(ref ReadOnlySpan<char> line)
    {
        // A byte-order mark that a caller's own reader left in place would otherwise spoil the atom count.
        if (LineNumber++ == 0 && line.Length > 0 && line[0] == '\uFEFF') line = line[1..];
        return true;
    }

    private static ReadOnlySpan<char> Trim(ReadOnlySpan<char> line) =>
        line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;

    private void Fill()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
        var n = reader.Read(_buffer, _end, Math.Min(_buffer.Length - _end, chunk));
        if (n == 0) _eof = true;
        CharactersRead += n;
        _end += n;
    }
}
