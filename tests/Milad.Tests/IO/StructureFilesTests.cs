using Milad.IO;

namespace Milad.Tests.IO;

public class StructureFilesTests
{
    [Theory]
    [InlineData("molecules", "qm9_first100.xyz", 100)]
    [InlineData("mlearn-json/Mo", "test.json", 23)]
    public void DispatchesByExtension(string folder, string file, int frames) =>
        Assert.Equal(frames, StructureFiles.Read(TestData.File(folder, file)).Count());

    [Fact]
    public void ExtxyzAndUpperCaseExtensions()
    {
        using var temp = new TempFolder();
        Assert.Single(StructureFiles.Read(temp.File("a.extxyz", "1\n\nH 0 0 0\n")));
        Assert.Single(StructureFiles.Read(temp.File("b.XYZ", "1\n\nH 0 0 0\n")));
    }

    [Fact]
    public void UnknownExtensionMissingFileAndFolderAreOneLineErrors()
    {
        using var temp = new TempFolder();
        var cif = temp.File("x.cif", "data_x\n");
        Assert.Equal($"{cif}: unknown structure file type '.cif' (expected .xyz, .extxyz, .json)",
            Assert.Throws<InputException>(() => StructureFiles.Read(cif)).Message);
        var bare = temp.File("noext", "1\n\nH 0 0 0\n");
        Assert.Contains("(no extension)", Assert.Throws<InputException>(() => StructureFiles.Read(bare)).Message);
        var missing = temp.Combine("missing.xyz");
        Assert.Equal($"{missing}: no such file", Assert.Throws<InputException>(() => StructureFiles.Read(missing)).Message);
        Assert.StartsWith($"{temp.Path}: is a folder", Assert.Throws<InputException>(() => StructureFiles.Read(temp.Path)).Message);
    }
}
