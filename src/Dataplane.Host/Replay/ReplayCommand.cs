using System.Globalization;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Host.Cli;
using Dataplane.Ports.Replay;

namespace Dataplane.Host.Replay;

/// <summary>
/// <c>dataplane replay</c>: builds the forwarding plane from a configuration, runs a capture through the same
/// pipeline the ports run, writes what it transmits, punts and (when asked) drops to captures, and prints the
/// counters as a table or JSON, optionally comparing them and the transmitted packets with what a regression suite
/// expects. Without arguments it replays the embedded example (an xTR configuration and a capture of both directions
/// plus bad packets), so a fresh checkout shows the data plane at work in one command.
/// Exit codes: 0 done, conserved and as expected; 1 bad input data (a capture or expectation that does not parse,
/// conservation or a comparison that fails); 2 bad command line or configuration (the message names the field).
/// </summary>
public static class ReplayCommand
{
    public const string EmbeddedConfigName = "quickstart-config.json";

    public const string EmbeddedCaptureName = "quickstart-input.pcap";

    /// <summary>The verb as the command line runs it: <c>dataplane replay</c> followed by <paramref name="arguments"/>.</summary>
    public static int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error) =>
        DataplaneCli.Invoke(["replay", .. arguments], output, error);

    public static int Execute(ReplayOptions options, TextWriter output, TextWriter error)
    {
        if (!ReplayOutputPaths.TryResolve(options, out var paths, out string problem))
        {
            error.WriteLine($"dataplane replay: {problem}; see 'dataplane replay --help'");
            return DataplaneCli.UsageError;
        }

        var clock = new ReplayClock();
        ForwardingPlane plane;
        ushort ingressPort;
        try
        {
            var config = options.ConfigPath is null ? DataplaneConfigFile.Parse(ReadEmbeddedText(EmbeddedConfigName)) : DataplaneConfigFile.Load(options.ConfigPath);
            plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = clock, NonceSeed = options.NonceSeed });
            ingressPort = options.IngressPortName is null ? (ushort)0 : ForwardingPlaneBuilder.PortNamed(plane.Ports, options.IngressPortName, "--in-port").Id;
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"dataplane replay: {options.ConfigPath ?? "(embedded configuration)"}: {e.Message}");
            return 2;
        }

        System.Text.Json.Nodes.JsonObject? expected = null;
        if (options.ExpectPath is not null && !CounterExpectation.TryLoad(options.ExpectPath, out expected, out problem))
        {
            error.WriteLine($"dataplane replay: --expect {options.ExpectPath}: {problem}");
            return 1;
        }

        string inputName = options.InputPath ?? $"(embedded) {EmbeddedCaptureName}";
        Stream input;
        try
        {
            input = options.InputPath is null ? OpenEmbedded(EmbeddedCaptureName) : File.OpenRead(options.InputPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"dataplane replay: {inputName}: {e.Message}");
            return 1;
        }

        var traceOutput = options.Json ? error : output;
        ReplayResult result;
        try
        {
            result = Replay(plane, clock, ingressPort, options, paths, input, traceOutput, error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"dataplane replay: cannot write the output: {e.Message}");
            return DataplaneCli.UsageError;
        }

        var report = ReplayReport.Build(result, inputName, plane.Config.Roles, paths);
        if (options.Json)
        {
            output.WriteLine(ReplayReport.Format(report));
        }
        else
        {
            PrintTable(output, result, inputName, plane, paths);
        }

        if (result.InputError is { } inputError)
        {
            error.WriteLine($"dataplane replay: {inputName}: stopped at a bad record: {inputError}");
            return 1;
        }

        int status = result.Counters.IsConserved ? 0 : 1;
        if (expected is not null)
        {
            var differences = CounterExpectation.Compare(expected, report);
            if (differences.Count > 0)
            {
                error.WriteLine($"dataplane replay: the counters differ from {options.ExpectPath}:");
                foreach (string difference in differences)
                {
                    error.WriteLine($"  {difference}");
                }

                status = 1;
            }
        }

        if (options.ExpectPcapPath is not null && !MatchesExpectedCapture(options.ExpectPcapPath, paths.Transmitted, error))
        {
            status = 1;
        }

        return status;
    }

    private static ReplayResult Replay(ForwardingPlane plane, ReplayClock clock, ushort ingressPort, ReplayOptions options, ReplayOutputPaths paths,
        Stream input, TextWriter traceOutput, TextWriter error)
    {
        long inputLength = input.CanSeek ? input.Length : 0;
        using (input)
        using (var transmitted = OpenWriter(paths.Transmitted, plane.Ports))
        using (var punted = OpenWriter(paths.Punted, plane.Ports))
        using (var drops = paths.Drops is null ? null : OpenWriter(paths.Drops, plane.Ports))
        {
            var replay = new PcapReplay(plane, clock)
            {
                IngressPort = ingressPort,
                PortsFromInterfaceNames = true,
                Progress = options.Quiet ? null : (packets, bytes) => error.WriteLine(ProgressLine(packets, bytes, inputLength)),
            };
            return replay.Run(input, new ReplayOutputs
            {
                Transmitted = transmitted,
                Punted = punted,
                Drops = drops,
                TraceCount = options.TraceCount,
                Trace = options.TraceCount == 0 ? null : trace => traceOutput.WriteLine(TraceLine.Format(trace, plane.Ports)),
            });
        }
    }

    private static IReplayCaptureWriter OpenWriter(string path, PortTable ports) =>
        ReplayOutputPaths.IsClassicPcap(path) ? new ClassicCaptureWriter(path) : new PortCaptureWriter(path, ports);

    private static void PrintTable(TextWriter output, ReplayResult result, string inputName, ForwardingPlane plane, ReplayOutputPaths paths)
    {
        var counters = result.Counters;
        output.WriteLine($"replayed {inputName} through roles [{string.Join(", ", plane.Config.Roles)}] in {result.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)} ms");
        output.WriteLine(counters.ToTable());
        output.WriteLine($"{counters.Transmitted} transmitted packets written to {paths.Transmitted}");
        output.WriteLine($"{counters.Punted} punted packets written to {paths.Punted}");
        if (paths.Drops is not null)
        {
            output.WriteLine($"{counters.TotalDropped} dropped packets written to {paths.Drops}");
        }
    }

    private static bool MatchesExpectedCapture(string expectedPath, string transmittedPath, TextWriter error)
    {
        if (!CaptureComparison.TryRead(expectedPath, out var expected, out string problem))
        {
            error.WriteLine($"dataplane replay: --expect-pcap {expectedPath}: {problem}");
            return false;
        }

        if (!CaptureComparison.TryRead(transmittedPath, out var actual, out problem))
        {
            error.WriteLine($"dataplane replay: {transmittedPath}: {problem}");
            return false;
        }

        string? difference = CaptureComparison.FirstDifference(expected, actual);
        if (difference is not null)
        {
            error.WriteLine($"dataplane replay: the transmitted packets differ from {expectedPath}: {difference}");
            return false;
        }

        return true;
    }

    private static string ProgressLine(long packets, long bytes, long total) =>
        total > 0
            ? string.Create(CultureInfo.InvariantCulture, $"replay: {packets} packets, {100.0 * bytes / total:F0}% of the input")
            : string.Create(CultureInfo.InvariantCulture, $"replay: {packets} packets");

    private static Stream OpenEmbedded(string name) =>
        typeof(ReplayCommand).Assembly.GetManifestResourceStream(name)
        ?? throw new IOException($"the program was built without its embedded '{name}'");

    private static string ReadEmbeddedText(string name)
    {
        using var reader = new StreamReader(OpenEmbedded(name));
        return reader.ReadToEnd();
    }
}
