using System.Diagnostics;

namespace Dataplane.Tests.Oracles;

/// <summary>
/// Runs Wireshark's tshark, a dissector nobody on this project wrote, over a capture and returns the
/// fields it decoded. Checksum validation is switched on for IPv4, UDP and TCP (off by default in tshark)
/// so a bad checksum shows up as expert info.
/// </summary>
public static class TsharkOracle
{
    public const string Path = "/usr/bin/tshark";

    /// <summary>tshark expert-info severities (epan/proto.h): chat 0x200000, note 0x400000, warn 0x600000, error 0x800000.</summary>
    public const int SeverityWarn = 0x600000;

    public static bool IsInstalled => File.Exists(Path);

    /// <summary>Skips the calling test, with the reason, when tshark is not installed.</summary>
    public static void RequireInstalled()
    {
        if (!IsInstalled)
        {
            Assert.Skip("tshark is not installed: run scripts/setup.sh (apt package tshark)");
        }
    }

    /// <summary>
    /// One dictionary per frame: field name to every occurrence of it in the frame (outer layers first),
    /// an empty array when the field is absent.
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string[]>> Fields(string capturePath, params string[] fields)
    {
        RequireInstalled();
        var arguments = new List<string>
        {
            "-r", capturePath, "-n",
            "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
            // UDP 4790 is left to tshark's own VXLAN-GPE decoding (Wireshark 4.0 registers it): forcing the plain
            // VXLAN dissector there reads a GPE packet with an IPv4/IPv6 next protocol as Ethernet and calls it malformed.
            "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|",
        };
        foreach (string field in fields)
        {
            arguments.Add("-e");
            arguments.Add(field);
        }

        string output = Run(arguments);
        var frames = new List<IReadOnlyDictionary<string, string[]>>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] columns = line.Split('\t');
            var frame = new Dictionary<string, string[]>();
            for (int i = 0; i < fields.Length; i++)
            {
                string column = i < columns.Length ? columns[i] : "";
                frame[fields[i]] = column.Length == 0 ? [] : column.Split('|');
            }

            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>One row per frame, one column per field: the field's first occurrence, "" when absent.</summary>
    public static string[][] Columns(string capturePath, params string[] fields) =>
        Fields(capturePath, fields).Select(frame => fields.Select(field => frame[field].FirstOrDefault() ?? "").ToArray()).ToArray();

    /// <summary>frame.time_epoch ("1700000000.123456789") as nanoseconds, without floating point.</summary>
    public static long EpochNanoseconds(string text)
    {
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        long seconds = long.Parse(dot < 0 ? text : text[..dot], System.Globalization.CultureInfo.InvariantCulture);
        string fraction = dot < 0 ? "" : text[(dot + 1)..];
        return (seconds * 1_000_000_000L) + long.Parse(fraction.PadRight(9, '0')[..9], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Expert-info messages at warning level or above (malformed packets, bad checksums, bad lengths), per frame number.</summary>
    public static IReadOnlyList<string> Problems(string capturePath)
    {
        var problems = new List<string>();
        var frames = Fields(capturePath, "frame.number", "_ws.expert.severity", "_ws.expert.message", "_ws.malformed");
        foreach (var frame in frames)
        {
            string[] severities = frame["_ws.expert.severity"];
            string[] messages = frame["_ws.expert.message"];
            for (int i = 0; i < severities.Length; i++)
            {
                if (int.TryParse(severities[i], out int severity) && severity >= SeverityWarn)
                {
                    problems.Add($"frame {frame["frame.number"][0]}: {(i < messages.Length ? messages[i] : "?")}");
                }
            }

            if (frame["_ws.malformed"].Length > 0)
            {
                problems.Add($"frame {frame["frame.number"][0]}: malformed packet");
            }
        }

        return problems;
    }

    private static string Run(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start tshark");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException("tshark did not finish within 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tshark exited with {process.ExitCode}: {stderr.Result}");
        }

        return stdout;
    }
}
