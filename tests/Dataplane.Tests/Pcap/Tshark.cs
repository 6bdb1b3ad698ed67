using System.Diagnostics;

namespace Dataplane.Tests.Pcap;

/// <summary>Runs the system tshark, the independent judge of the files we write.</summary>
internal static class Tshark
{
    private const string Executable = "/usr/bin/tshark";

    public static void SkipIfMissing()
    {
        if (!File.Exists(Executable))
        {
            Assert.Skip("tshark not installed: run scripts/setup.sh");
        }
    }

    /// <summary>One line per frame, the fields tab-separated.</summary>
    public static string[][] Fields(string path, params string[] fields)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-r");
        start.ArgumentList.Add(path);
        start.ArgumentList.Add("-T");
        start.ArgumentList.Add("fields");
        foreach (var field in fields)
        {
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add(field);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "tshark did not finish");
        Assert.True(process.ExitCode == 0, $"tshark failed ({process.ExitCode}): {stderr.Result}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToArray();
    }

    /// <summary>frame.time_epoch ("1700000000.123456789") as nanoseconds, without floating point.</summary>
    public static long EpochNanoseconds(string text)
    {
        var dot = text.IndexOf('.');
        var seconds = long.Parse(dot < 0 ? text : text[..dot]);
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        return seconds * 1_000_000_000L + long.Parse(fraction.PadRight(9, '0')[..9]);
    }
}
