namespace Dataplane.Host.Replay;

/// <summary>
/// Where a replay writes: the paths given, or names made from the input's (<c>IN.out.pcapng</c>,
/// <c>IN.punt.pcapng</c>) in --out-dir, the input's directory, or for the embedded example the current directory.
/// </summary>
public sealed record ReplayOutputPaths(string Transmitted, string Punted, string? Drops)
{
    /// <summary>The stem of the default output names when the embedded example is replayed.</summary>
    public const string EmbeddedStem = "quickstart-xtr";

    /// <summary>A name ending in .pcap is written as classic pcap (every port merged); anything else as pcapng.</summary>
    public static bool IsClassicPcap(string path) => path.EndsWith(".pcap", StringComparison.OrdinalIgnoreCase);

    /// <summary>The paths for <paramref name="options"/>; false with the problem when a directory is missing or a format cannot hold what goes there.</summary>
    public static bool TryResolve(ReplayOptions options, out ReplayOutputPaths paths, out string problem)
    {
        paths = new ReplayOutputPaths("", "", null);
        if (options.OutputDirectory is { } directory && !Directory.Exists(directory))
        {
            problem = $"--out-dir: directory '{directory}' does not exist";
            return false;
        }

        string stem = options.InputPath is null ? EmbeddedStem : Path.GetFileNameWithoutExtension(options.InputPath);
        string home = options.OutputDirectory ?? (options.InputPath is null ? "" : Path.GetDirectoryName(options.InputPath) ?? "");
        paths = new ReplayOutputPaths(
            options.OutputPath ?? Path.Combine(home, stem + ".out.pcapng"),
            options.PuntPath ?? Path.Combine(home, stem + ".punt.pcapng"),
            options.DropsPath);

        if (paths.Drops is { } drops && IsClassicPcap(drops))
        {
            problem = $"--drops: '{drops}' would be a classic pcap, which cannot hold the drop comments; name it .pcapng";
            return false;
        }

        foreach (var (option, path) in new[] { ("--out", paths.Transmitted), ("--punt", paths.Punted), ("--drops", paths.Drops) })
        {
            if (path is null)
            {
                continue;
            }

            string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
            if (parent is not null && !Directory.Exists(parent))
            {
                problem = $"{option}: directory '{Path.GetDirectoryName(path)}' of '{path}' does not exist";
                return false;
            }
        }

        problem = "";
        return true;
    }
}
