namespace Milad;

/// <summary>
/// A user mistake in an input (file, setting or fingerprint): the message is one line naming where
/// (file, line or frame) and what is wrong, fit to show a user as it is.
/// </summary>
public sealed class InputException(string message) : Exception(message)
{
    /// <summary>An error at a line of a file: "FILE:LINE: what".</summary>
    public static InputException AtLine(string file, long line, string what) => new($"{file}:{line}: {what}");

    /// <summary>An error in a frame of a file: "FILE: frame N: what".</summary>
    public static InputException AtFrame(string file, int frame, string what) => new($"{file}: frame {frame}: {what}");
}
