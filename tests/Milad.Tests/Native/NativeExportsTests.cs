using System.Runtime.InteropServices.Marshalling;
using Milad.Cli;
using Milad.Fingerprints;
using Milad.Native;

namespace Milad.Tests.Native;

/// <summary>
/// The C interface in-process (the managed code that NativeAOT compiles into libmilad.so): settings JSON gives
/// the command line's settings, and failures come back as a status and a message, never as an exception.
/// python/tests exercise the compiled library itself.
/// </summary>
public unsafe class NativeExportsTests
{
    [Theory]
    [InlineData("""{"preset": "paper"}""", "paper", null, null, null, "molecule")]
    [InlineData("""{"preset": "paper", "mode": "environments"}""", "paper", null, null, null, "environments")]
    [InlineData("""{"preset": "default", "nmax": 9, "cutoff": 5.5, "weights": {"H": 1, "C": 6}}""", "default", 9, 5.5, "H=1,C=6", "molecule")]
    [InlineData("""{"nmax": 4, "mode": "environments", "weights": {"mo": 42}}""", "default", 4, null, "Mo=42", "environments")]
    public void OptionsGiveTheSettingsOfMiladFingerprint(string json, string preset, int? nmax, double? cutoff, string? weights, string mode)
    {
        var cli = new FingerprintCommand.FingerprintOptions(preset, nmax, cutoff, FingerprintCommand.ParseWeights(weights), null, false, false);
        var expected = cli.SettingsFor(mode);
        var actual = DescriptorOptions.Parse(json);
        Assert.Equal(expected with { Weights = null }, actual with { Weights = null });
        Assert.Equal(expected.Weights, actual.Weights);
    }

    [Fact]
    public void AFullSettingsObjectIsTakenAsWritten()
    {
        var settings = Presets.Get("compact", "environments") with { Weights = new Dictionary<string, double> { ["Mo"] = 1.5 } };
        var length = new Descriptor(settings).Length;
        var json = $$"""{"n_max": 7, "invariants": "compact", "cutoff": 5, "weights": {"Mo": 1.5}, "smooth_cutoff": true, "include_centre": false, "length": {{length}}}""";
        var actual = DescriptorOptions.Parse(json);
        Assert.Equal(settings with { Weights = null }, actual with { Weights = null });
        var e = Assert.Throws<InputException>(() => DescriptorOptions.Parse(json.Replace($"\"length\": {length}", "\"length\": 3")));
        Assert.Contains("another version of milad", e.Message);
    }

    [Theory]
    [InlineData("{", "invalid JSON")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("""{"presett": "paper"}""", "unknown key \"presett\"")]
    [InlineData("""{"nmax": "seven"}""", "nmax must be an integer")]
    [InlineData("""{"mode": "crystal"}""", "mode must be")]
    [InlineData("""{"weights": {"Xx": 1}}""", "unknown element 'Xx'")]
    [InlineData("""{"cutoff": -1}""", "cutoff must be a positive number")]
    public void BadSettingsAreOneLineErrors(string json, string message)
    {
        var e = Assert.Throws<InputException>(() => DescriptorOptions.Parse(json));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void FailuresAreAStatusAndAMessageNeverAnException()
    {
        delegate* unmanaged<byte*, nint*, int> create = &DescriptorExports.Create;
        delegate* unmanaged<nint, long*, int> length = &DescriptorExports.Length;
        delegate* unmanaged<byte*> lastError = &DescriptorExports.LastError;
        delegate* unmanaged<nint, void> free = &DescriptorExports.Free;
        string Message() => Utf8StringMarshaller.ConvertToManaged(lastError())!;

        nint handle = 42;
        var json = Utf8StringMarshaller.ConvertToUnmanaged("""{"preset": "nope"}""");
        Assert.Equal(NativeErrors.InvalidInput, create(json, &handle));
        Assert.Equal(0, handle);
        Assert.Equal("unknown preset 'nope' (expected default, paper, compact)", Message());
        Utf8StringMarshaller.Free(json);

        Assert.Equal(NativeErrors.InvalidInput, create(null, &handle));
        Assert.Equal("settings_json is NULL", Message());

        long n;
        Assert.Equal(NativeErrors.InvalidInput, length(0, &n));
        Assert.Equal("the descriptor handle is NULL", Message());

        json = Utf8StringMarshaller.ConvertToUnmanaged("""{"preset": "paper"}""");
        Assert.Equal(NativeErrors.Ok, create(json, &handle));
        Utf8StringMarshaller.Free(json);
        Assert.Equal(NativeErrors.Ok, length(handle, &n));
        Assert.Equal(new Descriptor(Presets.Get("paper")).Length, n);
        free(handle);
        free(0);
    }
}
