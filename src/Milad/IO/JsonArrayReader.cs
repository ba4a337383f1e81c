using System.Text.Json;

namespace Milad.IO;

/// <summary>
/// Reads the items of a top-level JSON array one at a time from a stream, holding only the current
/// item in memory. Unlike JsonSerializer.DeserializeAsyncEnumerable, which parses a whole buffer
/// before handing out any item of it, every complete item is returned before anything after it is
/// looked at, so a broken item never hides the good ones before it; and errors carry the file's line.
/// </summary>
internal sealed class JsonArrayReader(Stream stream, string name)
{
    private byte[] _buffer = new byte[1 << 16];
    private int _start, _end;
    private bool _eof;
    private long _line = 1;      // line of _buffer[_start]
    private int _state;          // 0 before '[', 1 at the first item, 2 after an item, 3 done

    /// <summary>Items returned so far.</summary>
    public int Count { get; private set; }

    /// <summary>1-based line where the item last returned starts.</summary>
    public long ItemLine { get; private set; }

    /// <summary>The next item (the caller disposes it), or null after the closing ']'.</summary>
    public JsonDocument? Next()
    {
        switch (_state)
        {
            case 0:
                while (_end - _start < 3 && !_eof) Fill();
                if (_buffer.AsSpan(_start, _end - _start).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) _start += 3; // UTF-8 byte-order mark
                SkipSpace();
                if (AtEnd) { _state = 3; return null; }
                if (_buffer[_start] != (byte)'[') throw Error(_line, "expected a JSON array of structures ('[')");
                Advance(1);
                SkipSpace();
                if (!AtEnd && _buffer[_start] == (byte)']') return Close();
                _state = 1;
                break;
            case 2:
                SkipSpace();
                if (AtEnd) throw Error(_line, $"invalid JSON: the file ends after frame {Count - 1} without closing the array (']')");
                if (_buffer[_start] == (byte)']') return Close();
                if (_buffer[_start] != (byte)',') throw Error(_line, $"invalid JSON after frame {Count - 1}: expected ',' or ']'");
                Advance(1);
                SkipSpace();
                break;
            case 3:
                return null;
        }

        while (true)
        {
            var complete = false;
            try
            {
                // Not final even at the end of the file, so an unfinished item reads as incomplete rather than malformed.
                var probe = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), false, default);
                complete = probe.Read() && probe.TrySkip();
                if (complete)
                {
                    JsonFields.CheckUtf8(_buffer.AsSpan(_start, (int)probe.BytesConsumed), name, _line);
                    var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, default);
                    var item = JsonDocument.ParseValue(ref reader); // copies: the buffer is reused
                    ItemLine = _line;
                    Advance((int)reader.BytesConsumed);
                    _state = 2;
                    Count++;
                    return item;
                }
            }
            catch (JsonException e)
            {
                throw Error(_line + (e.LineNumber ?? 0), $"invalid JSON in frame {Count}: {Reason(e.Message)}");
            }
            if (_eof) throw Error(_line, $"invalid JSON: the file ends inside frame {Count}");
            Fill();
        }
    }

    private JsonDocument? Close()
    {
        Advance(1);
        _state = 3;
        SkipSpace();
        if (!AtEnd) throw Error(_line, "unexpected text after the array's closing ']'");
        return null;
    }

    private bool AtEnd => _start == _end && _eof;

    private void SkipSpace()
    {
        while (true)
        {
            while (_start < _end && _buffer[_start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                if (_buffer[_start] == (byte)'\n') _line++;
                _start++;
            }
            if (_start < _end || _eof) return;
            Fill();
        }
    }

    private void Advance(int bytes)
    {
        _line += _buffer.AsSpan(_start, bytes).Count((byte)'\n');
        _start += bytes;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // an item larger than the buffer
        var n = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0) _eof = true;
        _end += n;
    }

    /// <summary>The reason of a JsonException without the position it appends (we give the file's line instead).</summary>
    private static string Reason(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd(' ', '|');
    }

    private InputException Error(long line, string what) => InputException.AtLine(name, line, what);
}
