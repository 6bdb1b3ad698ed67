using System.Text.Json;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Ports.Pcap;
using Dataplane.Tables.Time;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Vxlan;

/// <summary>
/// Replays the VTEP golden cases (pcaps/golden/vtep-*, written by generate_vxlan.py from Scapy and the RFCs) through
/// a pipeline and compares every transmitted frame byte for byte and the counters, until the lead's suite-wide
/// runner replays them all; and has tshark judge what we transmit.
/// </summary>
public sealed class VxlanGoldenCaseTests : IDisposable
{
    private readonly PacketPool pool = new(bufferCount: 512);
    private readonly string output = Path.Combine(Path.GetTempPath(), $"dataplane-vtep-{Guid.NewGuid():N}.pcap");

    public static TheoryData<string> Cases() =>
        new(Directory.GetDirectories(Path.Combine(RepositoryPaths.Root, "pcaps", "golden"), "vtep-*").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_case_transmits_exactly_the_expected_frames_and_counts(string name)
    {
        string directory = Path.Combine(RepositoryPaths.Root, "pcaps", "golden", name);
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(Path.Combine(directory, "config.json")),
            new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
        var worker = plane.CreateWorker();
        worker.Emitter.UseSources([], new PacketPoolBufferSource(pool, ownerPort: 0)); // flood copies
        var batch = new PacketBatch();
        var expected = new PacketBatch();
        try
        {
            using (var reader = CaptureReader.Open(Path.Combine(directory, "input.pcap"), pool))
            {
                reader.ReadBatch(batch);
            }

            using (var reader = CaptureReader.Open(Path.Combine(directory, "expected.pcap"), pool))
            {
                reader.ReadBatch(expected);
            }

            worker.Process(batch);

            var sent = new List<string>();
            using (var writer = new PcapWriter(output, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds, 65535))
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    if (batch[i].Disposition == PacketDisposition.Transmit && !batch[i].IsDropped)
                    {
                        sent.Add(Convert.ToHexString(batch[i].Data));
                        writer.Write(batch[i].Data, i);
                    }
                }

                // Flood copies go out after the batch, as a worker and replay send them.
                foreach (ref var copy in worker.Emitter.Packets)
                {
                    if (copy.Disposition == PacketDisposition.Transmit && !copy.IsDropped)
                    {
                        sent.Add(Convert.ToHexString(copy.Data));
                        writer.Write(copy.Data, sent.Count);
                    }
                }
            }

            var want = new List<string>();
            for (int i = 0; i < expected.Count; i++)
            {
                want.Add(Convert.ToHexString(expected[i].Data));
            }

            Assert.Equal(want, sent);
            var counters = plane.Counters();
            Assert.True(counters.IsConserved, counters.ToTable());
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "expected-counters.json")));
            var root = json.RootElement;
            Assert.Equal(root.GetProperty("received").GetInt64(), counters.Received);
            Assert.Equal(root.GetProperty("transmitted").GetInt64(), counters.Transmitted);
            Assert.Equal(root.GetProperty("punted").GetInt64(), counters.Punted);
            Assert.Equal(root.TryGetProperty("emitted", out var emitted) ? emitted.GetInt64() : 0, counters.Emitted);
            var drops = root.GetProperty("drops").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
            Assert.Equal(drops.OrderBy(d => d.Key), counters.Drops.Where(d => d.Value != 0).ToDictionary(d => d.Key.ToString(), d => d.Value).OrderBy(d => d.Key));
            foreach (var expectedEvent in root.GetProperty("events").EnumerateObject())
            {
                Assert.Equal(expectedEvent.Value.GetInt64(), counters.Counted(Enum.Parse<ForwardingEvent>(expectedEvent.Name)));
            }

            // tshark judges what we sent, and reads the VNI we meant out of every tunnel packet.
            if (sent.Count > 0 && TsharkOracle.IsInstalled)
            {
                Assert.Empty(TsharkOracle.Problems(output));
                foreach (var frame in TsharkOracle.Fields(output, "udp.dstport", "vxlan.vni"))
                {
                    if (frame["udp.dstport"].FirstOrDefault() is "4789" or "4790")
                    {
                        Assert.Contains(frame["vxlan.vni"][0], new[] { "5000", "9000", "9100" });
                    }
                }
            }
        }
        finally
        {
            pool.Free(batch);
            pool.Free(expected);
            pool.FreeBulk(worker.Emitter.Packets);
            worker.Emitter.Clear();
        }
    }

    public void Dispose()
    {
        pool.Dispose();
        File.Delete(output);
    }
}
