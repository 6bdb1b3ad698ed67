using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Ports;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Dataplane.Ports.Libpcap;

/// <summary>
/// A live port over libpcap (SharpPcap), for lab hosts where neither DPDK nor AF_PACKET fits (another OS, a capture
/// filter in front, an interface type AF_PACKET rings do not suit). It is the SLOW path: libpcap hands each frame
/// out of its own buffer, so every received frame is copied into one of our pool buffers (with headroom), and every
/// transmitted frame is one pcap_sendpacket call. It shares the descriptors and the pipeline with the fast ports.
/// One queue: libpcap has one handle per interface, so workers other than 0 only transmit on it, under a lock.
/// </summary>
public sealed class LibpcapPort : IPacketPort, IBufferPoolOwner
{
    private readonly LibPcapLiveDevice device;
    private readonly SharedPacketPool pool;
    private readonly Lock handleLock = new();
    private long received, receivedBytes, transmitted, transmittedBytes, transmitErrors;
    private bool disposed;

    public LibpcapPort(ushort id, string name, string interfaceName, int bufferCount = 4096)
    {
        Id = id;
        Name = name;
        LibPcapLiveDevice? found;
        try
        {
            found = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == interfaceName);
        }
        catch (Exception e) when (e is DllNotFoundException or PcapException)
        {
            throw new IOException($"port {name}: libpcap is not usable ({e.Message}); install libpcap0.8", e);
        }

        device = found ?? throw new IOException($"port {name}: network interface '{interfaceName}' not found by libpcap");
        try
        {
            device.Open(new DeviceConfiguration { Mode = DeviceModes.Promiscuous, ReadTimeout = 1, Immediate = true, Snaplen = 9216 });
            // No "inbound" filter: the kernel does not hand a packet socket what it sent itself (the tests check),
            // and setting a filter makes libpcap flush frames already in its ring.
            device.NonBlockingMode = true;
        }
        catch (PcapException e)
        {
            throw new IOException($"port {name}: cannot open '{interfaceName}' with libpcap: {e.Message} (capturing needs root or CAP_NET_RAW)", e);
        }

        pool = new SharedPacketPool(bufferCount, 9216, 256);
    }

    public ushort Id { get; }

    public string Name { get; }

    /// <summary>The buffers received frames are copied into.</summary>
    public IReadOnlyList<BufferPoolUse> BufferPools => [new(Name, pool.InUse, pool.Capacity)];

    public int QueueCount => 1;

    public PortStatistics Statistics
    {
        get
        {
            long drops = 0;
            lock (handleLock)
            {
                if (!disposed)
                {
                    var stats = device.Statistics;
                    drops = stats.DroppedPackets + stats.InterfaceDroppedPackets;
                }
            }

            return new PortStatistics(Volatile.Read(ref received), Volatile.Read(ref receivedBytes), Volatile.Read(ref transmitted), Volatile.Read(ref transmittedBytes), drops, Volatile.Read(ref transmitErrors));
        }
    }

    public int Receive(int queue, PacketBatch batch)
    {
        if (queue != 0)
        {
            return 0;
        }

        int got = 0;
        lock (handleLock)
        {
            while (!batch.IsFull && device.GetNextPacket(out var capture) == GetPacketStatus.PacketRead)
            {
                var frame = capture.Data;
                // Workers free this port's buffers from their threads when they transmit its packets.
                if (!pool.TryCopyIn(frame, out var packet))
                {
                    continue; // counted by libpcap's own statistics as seen; too big or no buffer: nothing to hand on
                }

                packet.IngressPort = Id;
                packet.Format = FrameFormat.Ethernet;
                packet.Timestamp = (long)(capture.Header.Timeval.Date - DateTime.UnixEpoch).Ticks * 100;
                batch.TryAdd(packet);
                got++;
                receivedBytes += frame.Length;
            }
        }

        received += got;
        return got;
    }

    public int Transmit(int queue, Span<PacketDescriptor> packets, PortSet owners)
    {
        lock (handleLock)
        {
            foreach (ref var packet in packets)
            {
                try
                {
                    device.SendPacket(packet.Data);
                    transmitted++;
                    transmittedBytes += packet.Length;
                }
                catch (PcapException)
                {
                    transmitErrors++;
                }

                owners.Free(ref packet);
            }
        }

        return packets.Length;
    }

    public void Free(ref PacketDescriptor packet) => pool.Free(ref packet);

    public void Dispose()
    {
        lock (handleLock)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            device.Close();
        }

        pool.Dispose();
    }
}
