using System.Buffers;

namespace Milad.Cli;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}.Shared"/>: the formatted output of a block of frames,
/// made on a worker and written by the consumer, without a new large array per block.
/// </summary>
internal sealed class PooledBytes : IBufferWriter<byte>, IDisposable
{
    private byte[] _array;

    public PooledBytes(int capacity = 1 << 16) => _array = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, Length);

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsSpan(Length);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    public void Write(byte b)
    {
        GetSpan(1)[0] = b;
        Length++;
    }

    private void Reserve(int sizeHint)
    {
        var need = Length + Math.Max(sizeHint, 1);
        if (need <= _array.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(need, 2 * _array.Length));
        _array.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }

    public void Dispose()
    {
        if (_array.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        Length = 0;
    }
}
