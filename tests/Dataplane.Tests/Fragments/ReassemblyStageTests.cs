using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Fragments;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;
using Dataplane.Tests.Golden;
using static Dataplane.Tests.Fragments.FragmentFrames;

namespace Dataplane.Tests.Fragments;

/// <summary>
/// The reassembly table's limits on the ETR of pcaps/golden/etr-v4-in-v4, driven with a manual clock: the timeout,
/// the number of datagrams, the bytes held, the buffer the datagram must fit; and what is not ours to reassemble
/// (transit fragments, a node that decapsulates nothing) going on as fragments.
/// </summary>
public sealed class ReassemblyStageTests : IDisposable
{
    private readonly ManualClock clock = new(1_000_000);
    private readonly PacketPool pool = new(bufferCount: 64);
    private readonly PacketBatch batch = new();

    [Fact]
    public void A_datagram_completes_within_the_timeout_and_leaves_as_its_inner_packet()
    {
        var (plane, worker) = Etr();
        var datagram = LispDatagram(0x10, 300);
        var fragments = Cut(datagram, 128);
        Assert.Equal(3, fragments.Count);

        Run(worker, fragments[2], fragments[0]);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        var sent = Assert.Single(Run(worker, fragments[1]));

        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(1, counters.Transmitted);
        Assert.Equal(2, counters.Dropped(DropReason.FragmentHeldForReassembly));
        Assert.Equal(1, counters.Counted(ForwardingEvent.FragmentsReassembled));
        Assert.Equal(1, counters.Counted(ForwardingEvent.LispDecapsulated));

        // Routed to 10.1.0.10 on the EID port: Ethernet to its MAC, then the inner packet with its TTL one lower.
        var inner = Inner(datagram);
        Assert.Equal(EthernetLength + inner.Length, sent.Length);
        Assert.Equal(new byte[] { 0x02, 0, 0, 0, 0x01, 0x0A }, sent[..6]);
        Assert.Equal(inner[..8], sent[14..22]);
        Assert.Equal(63, sent[22]);
        Assert.Equal(inner[12..], sent[26..]);
        Assert.Equal(0, Table(worker).Pending);
        Assert.Equal(0, Table(worker).BytesInFlight);
    }

    [Fact]
    public void A_datagram_whose_fragments_come_too_far_apart_is_abandoned()
    {
        var (plane, worker) = Etr();
        var fragments = Cut(LispDatagram(0x20, 300), 128);

        Run(worker, fragments[0]);
        clock.Advance(TimeSpan.FromMilliseconds(1001));
        Run(worker, fragments[1], fragments[2]);

        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(0, counters.Transmitted);
        Assert.Equal(3, counters.Dropped(DropReason.FragmentHeldForReassembly));
        Assert.Equal(1, counters.Counted(ForwardingEvent.ReassemblyTimedOut));

        // The two late fragments wait in a datagram of their own, which the timeout ends too.
        Assert.Equal(1, Table(worker).Pending);
        clock.Advance(TimeSpan.FromMilliseconds(1001));
        Run(worker, Cut(LispDatagram(0x30, 300), 128)[0]);
        Assert.Equal(2, plane.Counters().Counted(ForwardingEvent.ReassemblyTimedOut));
        Assert.Equal(1, Table(worker).Pending);
    }

    [Fact]
    public void A_full_table_refuses_a_new_datagram_until_one_completes()
    {
        var (plane, worker) = Etr(new ReassemblyConfig { MaxDatagrams = 2 });
        var a = Cut(LispDatagram(0x40, 100), 64);
        var b = Cut(LispDatagram(0x50, 100), 64);
        var c = Cut(LispDatagram(0x60, 100), 64);

        Run(worker, a[0], b[0], c[0]);
        Assert.Equal(1, plane.Counters().Dropped(DropReason.ReassemblyTableFull));
        Run(worker, a[1..].ToArray());
        Run(worker, [.. c]);

        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(1, counters.Dropped(DropReason.ReassemblyTableFull));
        Assert.Equal(2, counters.Counted(ForwardingEvent.FragmentsReassembled));
        Assert.Equal(2, counters.Transmitted);
        Assert.Equal(1, Table(worker).Pending); // b
    }

    [Fact]
    public void The_bytes_held_stay_within_the_budget()
    {
        var (plane, worker) = Etr(new ReassemblyConfig { MaxBytesInFlight = 600 });
        var first = Cut(LispDatagram(0x70, 600), 256);
        var second = Cut(LispDatagram(0x80, 600), 256);
        var third = Cut(LispDatagram(0x90, 600), 256);

        Run(worker, first[0], second[0], third[0]);

        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(2, counters.Dropped(DropReason.FragmentHeldForReassembly));
        Assert.Equal(1, counters.Dropped(DropReason.ReassemblyBytesExhausted));
        Assert.Equal(512, Table(worker).BytesInFlight);
        Assert.Equal(2, Table(worker).Pending);
    }

    [Fact]
    public void A_datagram_its_completing_buffer_cannot_hold_is_dropped()
    {
        // 128 bytes of headroom and 400 of frame: the 14-byte Ethernet header and a 520-byte datagram do not fit.
        using var small = new PacketPool(bufferCount: 8, frameCapacity: 400);
        var (plane, worker) = Etr();
        var fragments = Cut(LispDatagram(0xA0, 456), 256);
        Assert.Equal(520, 20 + 256 + fragments[1].Length - EthernetLength - 20);

        foreach (var fragment in fragments)
        {
            batch.Clear();
            Add(batch, small, fragment);
            worker.Process(batch);
            small.Free(batch);
            Assert.Equal(0, batch.Count);
        }

        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(1, counters.Dropped(DropReason.ReassemblyOverBufferCapacity));
        Assert.Equal(1, counters.Counted(ForwardingEvent.ReassemblyAbandoned));
        Assert.Equal(0, Table(worker).Pending);
    }

    [Fact]
    public void A_fragment_to_another_host_is_routed_as_a_fragment()
    {
        var (plane, worker) = Etr();
        var datagram = LispDatagram(0xB0, 300);
        datagram[19] = 11; // to 192.0.2.11, not ours: routed toward the gateway 192.0.2.254 unchanged but for the TTL
        var fragment = Cut(datagram, 128)[0];

        var sent = Assert.Single(Run(worker, fragment));

        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(1, counters.Transmitted);
        Assert.Equal(fragment.Length, sent.Length);
        Assert.Equal(0x20, sent[EthernetLength + 6]); // MF, offset 0
        Assert.Equal(63, sent[EthernetLength + 8]);
        Assert.Equal(fragment[(EthernetLength + 20)..], sent[(EthernetLength + 20)..]);
        Assert.Equal(0, Table(worker).Pending);
    }

    [Fact]
    public void An_itr_encapsulates_the_first_fragment_of_an_eid_hosts_datagram()
    {
        // Before fragments had a kind of their own, a first UDP fragment failed the UDP length check and was dropped.
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(new GoldenCase("itr-v4-over-v4").ConfigPath), new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        var worker = plane.CreateWorker();
        var datagram = LispDatagram(0xC0, 300)[36..]; // 10.2.0.5 to 10.1.0.10: turned around, 10.1.0.10 to 10.2.0.5
        datagram.AsSpan(12, 4).CopyTo(datagram.AsSpan(16));
        new byte[] { 10, 1, 0, 10 }.CopyTo(datagram.AsSpan(12));
        datagram[10] = datagram[11] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(10), global::Dataplane.Wire.Checksums.InternetChecksum.Compute(datagram.AsSpan(0, 20)));
        var fragment = Cut(datagram, 128)[0];
        fragment[5] = 0x01;
        fragment[11] = 0x0A;

        Run(worker, fragment);

        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(1, counters.Counted(ForwardingEvent.LispEncapsulated));
        Assert.Equal(1, counters.Transmitted);
        Assert.Null(worker.Stages.OfType<ReassemblyStage>().Single().Table);
    }

    [Fact]
    public void Reassembly_allocates_nothing_per_datagram()
    {
        var (plane, worker) = Etr();
        var fragments = Cut(LispDatagram(0xD0, 300), 128);
        void RunDatagrams(int count)
        {
            for (int n = 0; n < count; n++)
            {
                foreach (var fragment in fragments)
                {
                    RunOne(worker, fragment);
                }
            }
        }

        RunDatagrams(50);
        long smallest = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            RunDatagrams(300);
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, smallest);
        Assert.Equal(50 + 900, plane.Counters().Counted(ForwardingEvent.FragmentsReassembled));
    }

    [Fact]
    public void An_ipv6_atomic_fragment_is_decapsulated_as_the_whole_packet_it_is()
    {
        // The last frame of the hostile family is a LISP packet with a Fragment header, offset 0 and M clear (RFC 6946).
        var frame = CaptureFrames.Read(Hostile.HostileCorpus.PcapPath("fragments-ipv6"))[^1];
        Assert.Equal(44, frame[EthernetLength + 6]);
        Assert.Equal(0, frame[EthernetLength + 40 + 3] & 0xF9);
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(new GoldenCase("etr-v4-in-v6").ConfigPath), new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        var worker = plane.CreateWorker();

        var sent = Assert.Single(Run(worker, frame));

        var counters = plane.Counters();
        Assert.True(counters.IsConserved, counters.ToTable());
        Assert.Equal(1, counters.Counted(ForwardingEvent.LispDecapsulated));
        Assert.Equal(0, counters.Dropped(DropReason.FragmentHeldForReassembly));
        Assert.Equal(0x45, sent[EthernetLength]); // the inner IPv4 packet, routed toward 10.1.0.10
        Assert.Equal(0, Table(worker).Pending);
    }

    [Theory]
    [InlineData("maxDatagrams", 0)]
    [InlineData("maxDatagramBytes", 70000)]
    [InlineData("maxFragments", 1)]
    [InlineData("timeoutMilliseconds", 61000)]
    [InlineData("maxBytesInFlight", 100)]
    public void A_limit_out_of_range_is_a_configuration_error_naming_it(string field, int value)
    {
        string json = File.ReadAllText(new GoldenCase("etr-v4-in-v4").ConfigPath).TrimEnd().TrimEnd('}')
            + $", \"reassembly\": {{ \"{field}\": {value} }} }}";
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json)));
        Assert.Equal($"reassembly.{field}", error.Field);
    }

    private (ForwardingPlane Plane, ForwardingPipeline Worker) Etr(ReassemblyConfig? limits = null)
    {
        var config = DataplaneConfigFile.Load(new GoldenCase("etr-v4-in-v4").ConfigPath);
        if (limits is not null)
        {
            config = config with { Reassembly = limits };
        }

        var plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        return (plane, plane.CreateWorker());
    }

    private static ReassemblyTable Table(ForwardingPipeline worker) => worker.Stages.OfType<ReassemblyStage>().Single().Table!;

    /// <summary>One batch of <paramref name="frames"/>; returns the frames transmitted. The buffers go back to the pool.</summary>
    private List<byte[]> Run(ForwardingPipeline worker, params byte[][] frames)
    {
        batch.Clear();
        foreach (var frame in frames)
        {
            Add(batch, pool, frame);
        }

        worker.Process(batch);
        var sent = new List<byte[]>();
        foreach (ref var packet in batch.AsSpan())
        {
            if (!packet.IsDropped && packet.Disposition == PacketDisposition.Transmit)
            {
                sent.Add(packet.Data.ToArray());
            }
        }

        pool.Free(batch);
        return sent;
    }

    /// <summary>One frame in a batch of its own, allocating nothing.</summary>
    private void RunOne(ForwardingPipeline worker, byte[] frame)
    {
        batch.Clear();
        Add(batch, pool, frame);
        worker.Process(batch);
        pool.Free(batch);
    }

    public void Dispose() => pool.Dispose();
}
