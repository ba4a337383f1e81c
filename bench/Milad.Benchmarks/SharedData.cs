namespace Milad.Benchmarks;

/// <summary>The shared real data, ../shared/data beside the repository root.</summary>
public static class SharedData
{
    public static string File(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Milad.sln")))
                return Path.Combine([dir.FullName, "..", "shared", "data", .. parts]);
        throw new InvalidOperationException("Milad.sln not found above the benchmark assembly");
    }
}
