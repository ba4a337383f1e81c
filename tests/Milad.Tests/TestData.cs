namespace Milad.Tests;

/// <summary>Where the shared real data lives: ../shared/data beside the repository root.</summary>
public static class TestData
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Directory { get; } = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));

    public static string File(params string[] parts) => Path.Combine([Directory, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Milad.sln"))) return dir.FullName;
        throw new InvalidOperationException("Milad.sln not found above the test assembly");
    }
}
