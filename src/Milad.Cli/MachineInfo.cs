using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;

namespace Milad.Cli;

/// <summary>
/// What a benchmark number depends on: the CPU (model, family, clock from /proc/cpuinfo), the cores, the
/// vector width .NET uses, the runtime and the OS, and the assumed peak double-precision FLOP rate of one
/// core with the reason for it (the denominator of <c>fraction_of_peak</c>).
/// </summary>
public sealed record MachineInfo(
    string CpuModel,
    int? CpuFamily,
    int? CpuModelNumber,
    double? Mhz,
    int LogicalCores,
    int ProcessorCount,
    int VectorDoubleCount,
    bool Vector256Accelerated,
    bool Vector512Accelerated,
    bool FmaSupported,
    string Runtime,
    string Os,
    double FlopsPerCycle,
    double PeakFlopsPerCore,
    string PeakReason)
{
    /// <summary>Clock used for the peak when /proc/cpuinfo has none (GHz).</summary>
    private const double FallbackGhz = 2.5;

    public static MachineInfo Detect() => Detect(File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : "");

    /// <summary>From the text of /proc/cpuinfo (empty on other systems) and the running process.</summary>
    internal static MachineInfo Detect(string cpuinfo)
    {
        var model = Field(cpuinfo, "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var family = Int(Field(cpuinfo, "cpu family"));
        var modelNumber = Int(Field(cpuinfo, "model"));
        var mhz = double.TryParse(Field(cpuinfo, "cpu MHz"), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : (double?)null;
        var logical = cpuinfo.Split('\n').Count(l => l.StartsWith("processor", StringComparison.Ordinal) && l.Contains(':'));
        var (perCycle, why) = CoreFlopsPerCycle(Field(cpuinfo, "vendor_id"), family, modelNumber);
        var ghz = mhz is { } f ? f / 1000 : FallbackGhz;
        var clock = mhz is { } ? string.Create(CultureInfo.InvariantCulture, $"x {ghz:F2} GHz (cpu MHz in /proc/cpuinfo, the nominal clock; boost may be higher)")
            : string.Create(CultureInfo.InvariantCulture, $"x {FallbackGhz} GHz (no clock found: assumed)");
        return new MachineInfo(model, family, modelNumber, mhz, logical > 0 ? logical : Environment.ProcessorCount, Environment.ProcessorCount,
            Vector<double>.Count, Vector256.IsHardwareAccelerated, Vector512.IsHardwareAccelerated, Fma.IsSupported,
            RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription,
            perCycle, perCycle * ghz * 1e9, $"{why} {clock}");
    }

    /// <summary>
    /// Double-precision FLOP per cycle per core: known AMD Zen cores by family and model, else the vector
    /// width .NET uses x 2 FMA units x 2 (an FMA is two FLOPs), a guess stated as one.
    /// </summary>
    private static (double PerCycle, string Why) CoreFlopsPerCycle(string? vendor, int? family, int? model)
    {
        if (vendor == "AuthenticAMD" && family == 25)
        {
            // Family 25 (19h) is Zen 3 and Zen 4: both have two 256-bit FMA pipes; Zen 4 runs AVX-512 as 2 x 256.
            var zen4 = model is >= 0x10 and <= 0x1F or >= 0x60 and <= 0x7F or >= 0xA0 and <= 0xAF;
            return (16, $"AMD family 25 model {model} ({(zen4 ? "Zen 4, AVX-512 executed as 2 x 256 bit" : "Zen 3")}): 2 x 256-bit FMA pipes = 2 x 4 doubles x 2 FLOP = 16 DP FLOP/cycle/core");
        }
        if (vendor == "AuthenticAMD" && family == 23)
            return (model >= 0x30 ? 16 : 8, $"AMD family 23 model {model} ({(model >= 0x30 ? "Zen 2: 2 x 256-bit FMA = 16" : "Zen 1: 2 x 128-bit FMA = 8")} DP FLOP/cycle/core)");
        var lanes = Vector<double>.Count;
        return (lanes * 2 * 2, $"unknown CPU: assumed {lanes} doubles per vector (Vector<double>.Count) x 2 FMA units x 2 FLOP = {lanes * 4} DP FLOP/cycle/core");
    }

    private static string? Field(string cpuinfo, string name)
    {
        foreach (var line in cpuinfo.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == name) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    private static int? Int(string? text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject("machine");
        w.WriteString("cpu_model", CpuModel);
        if (CpuFamily is { } f) w.WriteNumber("cpu_family", f); else w.WriteNull("cpu_family");
        if (CpuModelNumber is { } m) w.WriteNumber("cpu_model_number", m); else w.WriteNull("cpu_model_number");
        if (Mhz is { } mhz) w.WriteNumber("cpu_mhz", mhz); else w.WriteNull("cpu_mhz");
        w.WriteNumber("logical_cores", LogicalCores);
        w.WriteNumber("processor_count", ProcessorCount);
        w.WriteNumber("vector_double_count", VectorDoubleCount);
        w.WriteBoolean("vector256_accelerated", Vector256Accelerated);
        w.WriteBoolean("vector512_accelerated", Vector512Accelerated);
        w.WriteBoolean("fma_supported", FmaSupported);
        w.WriteString("runtime", Runtime);
        w.WriteString("os", Os);
        w.WriteNumber("flops_per_cycle_per_core", FlopsPerCycle);
        w.WriteNumber("peak_flops_per_core", PeakFlopsPerCore);
        w.WriteString("peak_reason", PeakReason);
        w.WriteEndObject();
    }
}
