namespace Milad.IO;

/// <summary>What a cheap pass over a structure file tells about one frame, without reading its atoms.</summary>
/// <param name="Atoms">Number of atoms.</param>
/// <param name="IsPeriodic">Periodic in some direction (false when the pass was not asked to find out).</param>
public readonly record struct FrameSummary(int Atoms, bool IsPeriodic);
