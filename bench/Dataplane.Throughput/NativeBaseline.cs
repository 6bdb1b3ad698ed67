using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Dataplane.Throughput;

/// <summary>The C yardstick's figure (native/bench/itr_baseline.c) on the same map-cache and the same ring of frames.</summary>
public sealed record BaselineResult(string Command, double? MedianMpps, IReadOnlyList<double> RunsMpps, string? Problem)
{
    public static BaselineResult Run(string path, int prefixes, int frames, double seconds, int runs)
    {
        string[] arguments = ["--prefixes", prefixes.ToString(CultureInfo.InvariantCulture), "--frames", frames.ToString(CultureInfo.InvariantCulture), "--seconds", seconds.ToString(CultureInfo.InvariantCulture), "--runs", runs.ToString(CultureInfo.InvariantCulture), "--json"];
        string command = $"{path} {string.Join(" ", arguments)}";
        if (!File.Exists(path))
        {
            return new BaselineResult(command, null, [], $"{path} is missing (build it with scripts/build-native.sh)");
        }

        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start it");
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60 + (seconds * runs * 2))))
            {
                process.Kill();
                return new BaselineResult(command, null, [], "it did not finish in time");
            }

            if (process.ExitCode != 0)
            {
                return new BaselineResult(command, null, [], $"it exited with {process.ExitCode}: {stderr.Result.Trim()}");
            }

            using var json = JsonDocument.Parse(stdout);
            var runsMpps = json.RootElement.GetProperty("runs").EnumerateArray().Select(run => run.GetProperty("mpps").GetDouble()).ToArray();
            return new BaselineResult(command, json.RootElement.GetProperty("medianMpps").GetDouble(), runsMpps, null);
        }
        catch (Exception exception) when (exception is InvalidOperationException or JsonException or KeyNotFoundException or System.ComponentModel.Win32Exception)
        {
            return new BaselineResult(command, null, [], exception.Message);
        }
    }
}
