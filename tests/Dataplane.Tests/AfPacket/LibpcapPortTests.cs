using System.Diagnostics;
using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;
using Dataplane.Ports.Libpcap;

namespace Dataplane.Tests.AfPacket;

/// <summary>The libpcap (SharpPcap) slow-path port against the real kernel, on the same veth-and-namespace setup as the AF_PACKET tests.</summary>
public sealed class LibpcapPortTests
{
    [Fact]
    public void OpeningAMissingInterfaceNamesIt()
    {
        VethNamespace.RequireRoot(); // listing devices needs the capture privilege
        var error = Assert.Throws<IOException>(() => new LibpcapPort(0, "lab", "dpt-no-such-if"));
        Assert.Contains("'dpt-no-such-if' not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FramesSentInTheNamespaceArriveCopiedWithHeadroomAndOursAreNotSeenBack()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        using var port = new LibpcapPort(2, "lab", veth.HostInterface);
        var sent = Enumerable.Range(0, 6).Select(i => TestFrames.Experimental(i, 60 + i * 100)).ToList();
        port.Receive(0, new PacketBatch()); // a first poll, so the capture is running before anything is sent
        NamespacePeer.Send(veth, sent);

        var received = new List<byte[]>();
        var batch = new PacketBatch();
        var clock = Stopwatch.StartNew();
        while (received.Count < sent.Count && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            batch.Clear();
            port.Receive(0, batch);
            foreach (ref var packet in batch.AsSpan())
            {
                Assert.Equal((ushort)2, packet.IngressPort);
                Assert.True(packet.Headroom >= 128);
                received.Add(packet.Data.ToArray());
                port.Free(ref packet);
            }
        }

        Assert.True(sent.Count == received.Count, $"received lengths {string.Join(",", received.Select(r => r.Length))} of {string.Join(",", sent.Select(r => r.Length))}");
        for (int i = 0; i < sent.Count; i++)
        {
            Assert.Equal(sent[i], received[i]);
        }

        Assert.Equal(sent.Count, port.Statistics.ReceivedPackets);
    }

    [Fact]
    public void TransmittedFramesArriveInTheNamespace()
    {
        VethNamespace.RequireRoot();
        using var veth = new VethNamespace();
        using var pool = new PacketPool(8);
        using var port = new LibpcapPort(0, "lab", veth.HostInterface);
        using var ports = new PortSet([port, new PoolPort(1, pool)]);
        var frames = Enumerable.Range(0, 4).Select(i => TestFrames.Experimental(50 + i, 80 + i * 200)).ToArray();
        var packets = new PacketDescriptor[frames.Length];
        Assert.True(pool.TryAllocateBulk(packets));
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.True(packets[i].TryAppend(frames[i].Length, out var room));
            frames[i].CopyTo(room);
            packets[i].IngressPort = 1;
        }

        using var capture = NamespacePeer.StartCapture(veth, frames.Length, 10);
        Assert.Equal(frames.Length, port.Transmit(0, packets, ports));

        Assert.Equal(8, pool.Available);
        var captured = capture.Frames();
        Assert.True(frames.Length == captured.Count, $"captured {captured.Count} of {frames.Length}: {capture.Error}");
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.Equal(frames[i], captured[i]);
        }

        Thread.Sleep(200);
        Assert.Equal(0, port.Receive(0, new PacketBatch())); // our own frames do not loop back into the pipeline
    }
}
