using System.Text.Json;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Ports.Pcap;
using Dataplane.Tables.MapCache;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Lisp;

/// <summary>
/// Replays the golden cases of pcaps/golden/generate_lisp_itr.py (expected bytes from Scapy and the RFCs) through a
/// plane built from each case's config.json, as the lead's golden runner will: transmitted frames byte for byte and
/// in order, punted frames, the counters, and tshark's verdict on everything transmitted.
/// </summary>
public sealed class LispItrGoldenCasesTests
{
    public static TheoryData<string> Cases =>
    [
        "itr-v4-over-v4", "itr-v6-over-v4", "itr-v4-over-v6", "itr-v6-over-v6", "itr-cache-miss", "itr-negative-drop",
        "itr-negative-native-forward", "itr-ttl-1", "itr-over-mtu-icmp", "itr-over-mtu-drop", "pitr", "itr-source-port-mode",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_output_equals_the_scapy_expectation(string name)
    {
        string directory = Path.Combine(RepositoryPaths.Root, "pcaps", "golden", name);
        var config = DataplaneConfigFile.Load(Path.Combine(directory, "config.json"));
        var plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
        var worker = plane.CreateWorker();
        using var pool = new PacketPool(bufferCount: 1024);
        var transmitted = new List<byte[]>();
        var punted = new List<byte[]>();
        using (var reader = CaptureReader.Open(Path.Combine(directory, "input.pcap"), pool))
        {
            var batch = new PacketBatch();
            CaptureReadResult result;
            do
            {
                batch.Clear();
                result = reader.ReadBatch(batch);
                worker.Process(batch);
                foreach (ref var packet in batch.AsSpan())
                {
                    if (!packet.IsDropped && packet.Disposition == PacketDisposition.Transmit)
                    {
                        transmitted.Add(packet.Data.ToArray());
                    }

                    if (packet.IsDropped || packet.Disposition != PacketDisposition.Punt)
                    {
                        pool.Free(ref packet);
                    }
                }

                while (worker.Punts.TryDequeue(out var p))
                {
                    punted.Add(p.Data.ToArray());
                    pool.Free(ref p);
                }
            }
            while (result == CaptureReadResult.Packet);
        }

        Assert.Equal(Hex(ReadFrames(Path.Combine(directory, "expected.pcap"))), Hex(transmitted));
        string puntPath = Path.Combine(directory, "expected-punt.pcap");
        Assert.Equal(File.Exists(puntPath) ? Hex(ReadFrames(puntPath)) : [], Hex(punted));

        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "expected-counters.json")));
        var root = expected.RootElement;
        Assert.Equal(root.GetProperty("received").GetInt64(), counters.Received);
        Assert.Equal(root.GetProperty("transmitted").GetInt64(), counters.Transmitted);
        Assert.Equal(root.GetProperty("punted").GetInt64(), counters.Punted);
        var drops = root.GetProperty("drops").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(drops.OrderBy(p => p.Key), counters.Drops.Where(p => p.Value != 0).ToDictionary(p => p.Key.ToString(), p => p.Value).OrderBy(p => p.Key));
        var events = root.GetProperty("events").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(events.OrderBy(p => p.Key), counters.Events.Where(p => p.Value != 0).ToDictionary(p => p.Key.ToString(), p => p.Value).OrderBy(p => p.Key));

        if (transmitted.Count > 0 && TsharkOracle.IsInstalled)
        {
            string output = Path.Combine(Path.GetTempPath(), $"dataplane-golden-{name}-{Guid.NewGuid():N}.pcap");
            try
            {
                using (var writer = new PcapWriter(output))
                {
                    for (int i = 0; i < transmitted.Count; i++)
                    {
                        writer.Write(transmitted[i], i);
                    }
                }

                Assert.Empty(TsharkOracle.Problems(output));
            }
            finally
            {
                File.Delete(output);
            }
        }
    }

    private static List<byte[]> ReadFrames(string path)
    {
        using var pool = new PacketPool(bufferCount: 4);
        using var reader = CaptureReader.Open(path, pool);
        var frames = new List<byte[]>();
        var packet = default(PacketDescriptor);
        while (reader.TryRead(ref packet) == CaptureReadResult.Packet)
        {
            frames.Add(packet.Data.ToArray());
            pool.Free(ref packet);
        }

        return frames;
    }

    private static string[] Hex(List<byte[]> frames) => frames.Select(Convert.ToHexString).ToArray();
}
