using System.Globalization;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Host.Cli;
using Dataplane.Ports.Pcap;
using Dataplane.Ports.Replay;

namespace Dataplane.Host.Replay;

/// <summary>
/// <c>dataplane replay</c>: builds the forwarding plane from a configuration, runs a capture through the same
/// pipeline the ports run, writes what it transmits (and punts) to captures, and prints the counters. Without
/// arguments it replays the embedded example (an xTR configuration and a capture of both directions plus bad
/// packets), so a fresh checkout shows the data plane at work in one command.
/// Exit codes: 0 done and conserved; 1 the input capture is bad or conservation failed; 2 bad command line or
/// configuration (the message names the field).
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

        long inputLength = input.CanSeek ? input.Length : 0;
        ReplayResult result;
        PcapWriter transmitted;
        PcapWriter? punted = null;
        string opening = options.OutputPath;
        try
        {
            transmitted = new PcapWriter(options.OutputPath, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds);
            try
            {
                opening = options.PuntPath ?? "";
                punted = options.PuntPath is null ? null : new PcapWriter(options.PuntPath, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds);
            }
            catch
            {
                transmitted.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            input.Dispose();
            error.WriteLine($"dataplane replay: cannot write {opening}: {e.Message}");
            return DataplaneCli.UsageError;
        }

        using (input)
        using (transmitted)
        using (punted)
        {
            var replay = new PcapReplay(plane, clock)
            {
                IngressPort = ingressPort,
                Progress = options.Quiet ? null : (packets, bytes) => error.WriteLine(ProgressLine(packets, bytes, inputLength)),
            };
            result = replay.Run(input, transmitted, punted);
        }

        var counters = result.Counters;
        output.WriteLine($"replayed {inputName} through roles [{string.Join(", ", plane.Config.Roles)}] in {result.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)} ms");
        output.WriteLine(counters.ToTable());
        output.WriteLine($"{counters.Transmitted} transmitted packets written to {options.OutputPath}");
        if (options.PuntPath is not null)
        {
            output.WriteLine($"{counters.Punted} punted packets written to {options.PuntPath}");
        }

        if (result.InputError is { } inputError)
        {
            error.WriteLine($"dataplane replay: {inputName}: stopped at a bad record: {inputError}");
            return 1;
        }

        return counters.IsConserved ? 0 : 1;
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
