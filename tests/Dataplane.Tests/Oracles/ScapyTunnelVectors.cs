using System.Diagnostics;
using System.Text.Json;

namespace Dataplane.Tests.Oracles;

/// <summary>
/// Reference packets built by Scapy (Debian's python3-scapy, run with Debian's /usr/bin/python3: the first python3 on
/// PATH may be another interpreter without it). The script runs once per test run; tests skip when Scapy is absent.
/// </summary>
internal static class ScapyTunnelVectors
{
    private const string Python = "/usr/bin/python3";
    private const int NoScapyExitCode = 3;

    private static readonly Lazy<(JsonElement? Vectors, string? SkipReason)> Loaded = new(Load);

    /// <summary>The named vector; skips the calling test when Scapy cannot run.</summary>
    public static ScapyVector Vector(string name)
    {
        var (vectors, skipReason) = Loaded.Value;
        if (vectors is null)
        {
            Assert.Skip(skipReason ?? "Scapy oracle unavailable");
        }

        return new ScapyVector(vectors.Value.GetProperty(name));
    }

    private static (JsonElement?, string?) Load()
    {
        if (!File.Exists(Python))
        {
            return (null, $"Scapy oracle skipped: {Python} not found (install Debian's python3-scapy)");
        }

        string script = Path.Combine(AppContext.BaseDirectory, "Oracles", "tunnel_vectors.py");
        var start = new ProcessStartInfo(Python, [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode == NoScapyExitCode)
        {
            return (null, $"Scapy oracle skipped: {Python} has no scapy module (apt install python3-scapy): {stderr.Result.Trim()}");
        }

        if (process.ExitCode != 0)
        {
            // A broken script is a test failure, not a reason to skip.
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {stderr.Result}");
        }

        using var document = JsonDocument.Parse(stdout);
        return (document.RootElement.Clone(), null);
    }
}

/// <summary>One Scapy-built packet and the field values it was built from.</summary>
internal readonly struct ScapyVector(JsonElement element)
{
    /// <summary>The tunnel header and everything after it.</summary>
    public byte[] Bytes => Convert.FromHexString(element.GetProperty("hex").GetString()!);

    /// <summary>What follows the tunnel header(s).</summary>
    public byte[] Payload => Convert.FromHexString(element.GetProperty("payload").GetString()!);

    public uint Field(string name) => element.GetProperty(name).GetUInt32();

    public string Text(string name) => element.GetProperty(name).GetString()!;
}
