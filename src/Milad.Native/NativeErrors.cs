using System.Runtime.InteropServices;
using System.Text;

namespace Milad.Native;

/// <summary>
/// Status codes and the per-thread message of the last failure (milad_last_error). Every export runs its body
/// through <see cref="Guard"/>, so no exception ever crosses into the caller: a user mistake is status 1 with the
/// library's one-line message, anything else status 2.
/// </summary>
internal static unsafe class NativeErrors
{
    public const int Ok = 0;
    public const int InvalidInput = 1;
    public const int Internal = 2;
    public const int BufferTooSmall = 3;

    // UTF-8, NUL-terminated, owned by this thread; replaced (and the old one freed) by the next failure on the thread.
    [ThreadStatic] private static byte* _message;
    private static readonly byte* Empty = (byte*)NativeMemory.AllocZeroed(1);

    public static byte* Message => _message == null ? Empty : _message;

    public static int Fail(int status, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var copy = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.AsSpan().CopyTo(new Span<byte>(copy, bytes.Length));
        copy[bytes.Length] = 0;
        var old = _message;
        _message = copy;
        if (old != null) NativeMemory.Free(old);
        return status;
    }

    /// <summary>Runs an export's body: its status, or the status and message of what it threw.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (InputException e)
        {
            return Fail(InvalidInput, e.Message);
        }
        catch (ArgumentException e)
        {
            // The library's argument checks (a degenerate cell, an array of the wrong size): the caller's mistake.
            return Fail(InvalidInput, e.Message);
        }
        catch (OutOfMemoryException)
        {
            return Fail(Internal, "out of memory");
        }
        catch (Exception e)
        {
            return Fail(Internal, $"internal error ({e.GetType().Name}): {e.Message} -- please report it with the input that caused it");
        }
    }

    /// <summary>Writes a string as UTF-8 with its NUL into a caller's buffer: status 3 when it does not fit (a NULL buffer only asks the size).</summary>
    public static int WriteString(string text, byte* buffer, nuint size, nuint* needed)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var total = (nuint)bytes.Length + 1;
        if (needed != null) *needed = total;
        if (buffer == null) return Ok;
        if (size < total) return Fail(BufferTooSmall, $"the buffer holds {size} bytes, the text needs {total}");
        bytes.AsSpan().CopyTo(new Span<byte>(buffer, bytes.Length));
        buffer[bytes.Length] = 0;
        return Ok;
    }

    /// <summary>A required pointer argument.</summary>
    public static void Require(void* pointer, string name)
    {
        if (pointer == null) throw new InputException($"{name} is NULL");
    }
}
