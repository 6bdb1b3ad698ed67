using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Throughput.Reports;

/// <summary>throughput.json: every run's figures per cell, with the medians and spread the table shows.</summary>
public static class JsonReport
{
    public static string Write(HarnessReport report)
    {
        var root = new JsonObject
        {
            ["machine"] = new JsonObject
            {
                ["cpu"] = report.Machine.CpuModel,
                ["cores"] = report.Machine.Cores,
                ["loadAverageAtStart"] = report.Machine.LoadAverageAtStart,
                ["loadAverageAtEnd"] = report.Machine.LoadAverageAtEnd,
                ["dotnet"] = report.Machine.DotnetVersion,
                ["date"] = report.Machine.Date,
            },
            ["command"] = report.CommandLine,
            ["settings"] = new JsonObject
            {
                ["ring"] = report.Options.Ring,
                ["prefixes"] = report.Options.Prefixes,
                ["warmupSeconds"] = report.Options.WarmupSeconds,
                ["seconds"] = report.Options.Seconds,
                ["runs"] = report.Options.Runs,
                ["gcSeconds"] = report.Options.GcSeconds,
            },
            ["cells"] = new JsonArray(report.Cells.Select(Cell).ToArray<JsonNode?>()),
            ["gcCheck"] = report.GcCheck is null ? null : Cell(report.GcCheck),
            ["baseline"] = report.Baseline is not { } baseline ? null : new JsonObject
            {
                ["command"] = baseline.Command,
                ["medianMpps"] = baseline.MedianMpps,
                ["runsMpps"] = new JsonArray(baseline.RunsMpps.Select(mpps => (JsonNode?)mpps).ToArray()),
                ["problem"] = baseline.Problem,
                ["csharpMedianMpps"] = report.BaselineCell?.MedianTotalMpps,
                ["csharpToCRatio"] = report.CSharpToCRatio,
            },
            ["failed"] = report.Failed,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject Cell(CellResult cell) => new()
    {
        ["scenario"] = cell.Scenario,
        ["requestedFrameBytes"] = cell.RequestedFrameBytes,
        ["frameBytes"] = cell.FrameBytes,
        ["workers"] = cell.Workers,
        ["receivedLength"] = cell.ReceivedLength,
        ["transmittedLength"] = cell.TransmittedLength,
        ["medianTotalMpps"] = cell.MedianTotalMpps,
        ["minTotalMpps"] = cell.MinTotalMpps,
        ["maxTotalMpps"] = cell.MaxTotalMpps,
        ["medianMppsPerWorker"] = cell.MedianMppsPerWorker,
        ["medianOnCpuMppsPerWorker"] = cell.MedianOnCpuMppsPerWorker,
        ["nsPerPacket"] = cell.NsPerPacket,
        ["wireGbps"] = cell.WireGbps,
        ["lineRateMpps"] = cell.LineRateMpps,
        ["lineRateRatio"] = cell.LineRateRatio,
        ["gen0"] = cell.Gen0Collections,
        ["gen1"] = cell.Gen1Collections,
        ["gen2"] = cell.Gen2Collections,
        ["failure"] = cell.Failure,
        ["pinningProblem"] = cell.PinningProblem,
        ["stages"] = new JsonArray(cell.Stages.Select(stage => (JsonNode?)new JsonObject
        {
            ["stage"] = stage.Name,
            ["calls"] = stage.Calls,
            ["packets"] = stage.Packets,
            ["nsPerPacket"] = stage.NanosecondsPerPacket,
        }).ToArray()),
        ["runs"] = new JsonArray(cell.Runs.Select(run => (JsonNode?)new JsonObject
        {
            ["totalMpps"] = run.TotalMpps,
            ["packets"] = run.Packets,
            ["threadAllocatedBytes"] = run.ThreadAllocatedBytes,
            ["processAllocatedBytes"] = run.ProcessAllocatedBytes,
            ["gen0"] = run.Gen0Collections,
            ["gen1"] = run.Gen1Collections,
            ["gen2"] = run.Gen2Collections,
            ["workers"] = new JsonArray(run.Workers.Select(worker => (JsonNode?)new JsonObject
            {
                ["worker"] = worker.Worker,
                ["packets"] = worker.Packets,
                ["seconds"] = worker.Seconds,
                ["mpps"] = worker.Mpps,
                ["cpuSeconds"] = worker.CpuSeconds,
                ["onCpuMpps"] = worker.OnCpuMpps,
                ["allocatedBytes"] = worker.AllocatedBytes,
            }).ToArray()),
        }).ToArray()),
    };
}
