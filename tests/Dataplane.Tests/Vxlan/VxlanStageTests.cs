using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;
using static Dataplane.Tests.Vxlan.VxlanFrames;

namespace Dataplane.Tests.Vxlan;

public sealed class VxlanStageTests : IDisposable
{
    private const ulong RemoteHost = 0x0200_0000_0201;
    private const ulong LocalHost = 0x0200_0000_0101;
    private const ulong Broadcast = 0xFFFF_FFFF_FFFF;

    private readonly PacketPool pool = new(bufferCount: 512);
    private readonly PacketBatch batch = new();
    private readonly ManualClock clock = new(1_000_000_000);

    [Fact]
    public void A_mac_learned_behind_a_vtep_is_used_until_it_ages_out()
    {
        var plane = Build(L2Config, clock);
        var worker = plane.CreateWorker();

        // RemoteHost speaks from VTEP C: learned behind C, and the broadcast goes to the single access port.
        Add(batch, pool, VxlanFrames.Vxlan(VtepC, 5000, InnerFrame(Broadcast, RemoteHost)), UnderlayPort);
        worker.Process(batch);
        Assert.Equal(PacketDisposition.Transmit, batch[0].Disposition);
        Assert.Equal(AccessPort, batch[0].EgressPort);
        Assert.Equal(1, plane.Counters().Counted(ForwardingEvent.MacLearned));
        Reset();

        clock.Advance(TimeSpan.FromSeconds(299));
        Add(batch, pool, InnerFrame(RemoteHost, LocalHost), AccessPort);
        worker.Process(batch);
        Assert.Equal(PacketDisposition.Transmit, batch[0].Disposition);
        Assert.Equal(UnderlayPort, batch[0].EgressPort);
        Assert.Equal(VtepC, OuterDestination(batch[0]));
        Reset();

        // Aged out: unknown unicast again, flooded to both remote VTEPs (a copy to B, the frame itself to C).
        clock.Advance(TimeSpan.FromSeconds(2));
        worker.Emitter.UseSources([], new PacketPoolBufferSource(pool, UnderlayPort));
        Add(batch, pool, InnerFrame(RemoteHost, LocalHost), AccessPort);
        worker.Process(batch);
        Assert.Equal(VtepC, OuterDestination(batch[0]));
        var copy = Assert.Single(worker.Emitter.Packets.ToArray());
        Assert.Equal(VtepB, OuterDestination(copy));
        Assert.Equal(2, plane.Counters().Counted(ForwardingEvent.VxlanFlooded)); // the first broadcast too
        Assert.True(plane.Counters().IsConserved);
        pool.FreeBulk(worker.Emitter.Packets);
        worker.Emitter.Clear();
    }

    [Fact]
    public void A_static_mac_wins_over_what_the_traffic_says()
    {
        var plane = Build(L2Config, clock);
        var worker = plane.CreateWorker();

        // The pinned MAC shows up behind VTEP C: not learned, counted as a conflict.
        Add(batch, pool, VxlanFrames.Vxlan(VtepC, 5000, InnerFrame(Broadcast, StaticOnB)), UnderlayPort);
        worker.Process(batch);
        Reset();
        Add(batch, pool, InnerFrame(StaticOnB, LocalHost), AccessPort);
        worker.Process(batch);

        Assert.Equal(VtepB, OuterDestination(batch[0]));
        var counters = plane.Counters();
        Assert.Equal(1, counters.Counted(ForwardingEvent.MacStaticConflict));
        Assert.Equal(1, counters.Counted(ForwardingEvent.MacLearned)); // LocalHost only
        Assert.Equal(1, counters.Counted(ForwardingEvent.VxlanEncapsulated));
    }

    [Fact]
    public void A_learned_mac_moves_from_a_vtep_to_the_access_port()
    {
        var plane = Build(L2Config, clock);
        var worker = plane.CreateWorker();
        Add(batch, pool, VxlanFrames.Vxlan(VtepC, 5000, InnerFrame(Broadcast, RemoteHost)), UnderlayPort);
        worker.Process(batch);
        Reset();
        Add(batch, pool, InnerFrame(StaticOnB, RemoteHost), AccessPort);
        worker.Process(batch);
        Reset();

        // Now a frame from VTEP B to RemoteHost goes out of the access port, not back into the overlay.
        Add(batch, pool, VxlanFrames.Vxlan(VtepB, 5000, InnerFrame(RemoteHost, StaticOnB)), UnderlayPort);
        worker.Process(batch);
        Assert.Equal(AccessPort, batch[0].EgressPort);
        Assert.Equal(1, plane.Counters().Counted(ForwardingEvent.MacMoved));
    }

    [Fact]
    public void Decapsulated_frames_toward_another_vtep_are_dropped_by_split_horizon()
    {
        var plane = Build(L2Config, clock);
        var worker = plane.CreateWorker();
        Add(batch, pool, VxlanFrames.Vxlan(VtepB, 5000, InnerFrame(StaticOnB, RemoteHost)), UnderlayPort);
        worker.Process(batch);
        Assert.True(batch[0].IsDropped);
        Assert.Equal(1, plane.Counters().Dropped(DropReason.VxlanSplitHorizon));
    }

    [Fact]
    public void A_configured_udp_port_is_recognised_and_sent()
    {
        var plane = Build(L2Config.Replace("\"localVteps\": [\"192.0.2.1\"],", "\"localVteps\": [\"192.0.2.1\"], \"udpPort\": 8472,"), clock);
        var worker = plane.CreateWorker();
        Add(batch, pool, VxlanFrames.Vxlan(VtepC, 5000, InnerFrame(Broadcast, RemoteHost), destinationPort: 8472), UnderlayPort);
        Add(batch, pool, VxlanFrames.Vxlan(VtepC, 5000, InnerFrame(Broadcast, RemoteHost)), UnderlayPort); // 4789 is not ours now
        Add(batch, pool, InnerFrame(StaticOnB, LocalHost), AccessPort);
        worker.Process(batch);

        Assert.Equal(AccessPort, batch[0].EgressPort);
        Assert.Equal(PacketDisposition.Transmit, batch[0].Disposition);
        Assert.True(batch[1].IsDropped);
        Assert.Equal(8472, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(batch[2].Data[36..]));
        var counters = plane.Counters();
        Assert.Equal(1, counters.Counted(ForwardingEvent.VxlanDecapsulated));
        Assert.Equal(1, counters.Counted(ForwardingEvent.VxlanEncapsulated));
        Assert.True(counters.IsConserved);
    }

    [Fact]
    public void A_gpe_oam_packet_is_punted_and_a_bad_version_is_malformed()
    {
        var plane = Build(L2Config, clock);
        var worker = plane.CreateWorker();
        // draft-ietf-nvo3-vxlan-gpe 3.2: flags I|P|O with next protocol Ethernet (3); then version 1.
        Add(batch, pool, VxlanFrames.Vxlan(VtepB, 5000, InnerFrame(Broadcast, RemoteHost), 4790, 0x0D00_0003), UnderlayPort);
        Add(batch, pool, VxlanFrames.Vxlan(VtepB, 5000, InnerFrame(Broadcast, RemoteHost), 4790, 0x1C00_0003), UnderlayPort);
        Add(batch, pool, VxlanFrames.Vxlan(VtepB, 5000, InnerFrame(Broadcast, RemoteHost), 4790, 0x0C00_0003), UnderlayPort);
        worker.Process(batch);

        var counters = plane.Counters();
        Assert.Equal(1, counters.Punted);
        Assert.Equal(1, counters.Counted(ForwardingEvent.VxlanGpeOamPunted));
        Assert.Equal(1, counters.Dropped(DropReason.MalformedVxlan));
        Assert.Equal(1, counters.Counted(ForwardingEvent.VxlanGpeDecapsulated));
        Assert.Equal(AccessPort, batch[2].EgressPort);
        Assert.True(worker.Punts.TryDequeue(out _));
    }

    [Theory]
    [InlineData("\"localVteps\": [\"192.0.2.9\"]", "vxlan.localVteps[0]")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"bridgeDomains\": [{ \"vni\": 16777216, \"ports\": [\"access0\"] }]", "vxlan.bridgeDomains[0].vni")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"bridgeDomains\": [{ \"vni\": 1, \"ports\": [\"nope\"] }]", "vxlan.bridgeDomains[0].ports[0]")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"bridgeDomains\": [{ \"vni\": 1, \"ports\": [\"underlay\"] }]", "vxlan.bridgeDomains[0].ports[0]")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"bridgeDomains\": [{ \"vni\": 1, \"ports\": [\"access0\"], \"staticMacs\": [{ \"mac\": \"02:00:00:00:00:01\", \"vtep\": \"198.51.100.2\", \"port\": \"access0\" }] }]", "vxlan.bridgeDomains[0].staticMacs[0]")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"bridgeDomains\": [{ \"vni\": 1, \"ports\": [\"access0\"], \"staticMacs\": [{ \"mac\": \"02:00:00:00:00:01\", \"vtep\": \"198.51.100.2\" }] }]", "vxlan.bridgeDomains[0].staticMacs[0].vtep")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"bridgeDomains\": [{ \"vni\": 1, \"ports\": [\"access0\"], \"agingSeconds\": 0 }]", "vxlan.bridgeDomains[0].agingSeconds")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"l3Vnis\": [{ \"vni\": 7, \"instanceId\": 5, \"routerMac\": \"01:00:00:00:00:01\" }]", "vxlan.l3Vnis[0].routerMac")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"l3Vnis\": [{ \"vni\": 7, \"instanceId\": 5, \"routerMac\": \"02:00:00:00:00:01\", \"routes\": [{ \"prefix\": \"10.0.0.0/8\", \"vtep\": \"198.51.100.2\" }] }]", "vxlan.l3Vnis[0].routes[0].mac")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"l3Vnis\": [{ \"vni\": 7, \"instanceId\": 5, \"routerMac\": \"02:00:00:00:00:01\", \"routes\": [{ \"prefix\": \"2001:db8::/32\", \"vtep\": \"2001:db8::2\", \"mac\": \"02:00:00:00:00:02\" }] }]", "vxlan.l3Vnis[0].routes[0].vtep")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"ttl\": 0, \"bridgeDomains\": [{ \"vni\": 1, \"ports\": [\"access0\"] }]", "vxlan.ttl")]
    [InlineData("\"localVteps\": [\"192.0.2.1\"], \"macTableSize\": 1, \"bridgeDomains\": [{ \"vni\": 1, \"ports\": [\"access0\"] }]", "vxlan.macTableSize")]
    public void Configuration_errors_name_the_field(string vxlanBody, string field)
    {
        string json = $$"""
            { "roles": ["vtep"],
              "ports": [{ "name": "underlay", "mac": "02:00:00:00:00:b1", "addresses": ["192.0.2.1"] }, { "name": "access0", "mac": "02:00:00:00:00:a0" }],
              "vxlan": { {{vxlanBody}} } }
            """;
        var error = Assert.Throws<ConfigurationException>(() => Build(json, clock));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void A_vtep_without_a_vxlan_section_is_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => Build("""{ "roles": ["vtep"], "ports": [{ "name": "p", "mac": "02:00:00:00:00:01" }] }""", clock));
        Assert.Equal("vxlan", error.Field);
    }

    [Fact]
    public void Encapsulation_and_decapsulation_allocate_nothing_per_batch()
    {
        var plane = Build(L2Config, clock);
        var worker = plane.CreateWorker();
        var encap = InnerFrame(StaticOnB, LocalHost);
        var decap = VxlanFrames.Vxlan(VtepB, 5000, InnerFrame(LocalHost, RemoteHost));
        for (int i = 0; i < 64; i++)
        {
            Add(batch, pool, i % 2 == 0 ? encap : decap, i % 2 == 0 ? AccessPort : UnderlayPort);
        }

        var saved = batch.AsSpan().ToArray();
        void Round()
        {
            var packets = batch.AsSpan();
            for (int i = 0; i < packets.Length; i++)
            {
                packets[i] = saved[i];
                (i % 2 == 0 ? encap : decap).CopyTo(packets[i].Data);
            }

            worker.Process(batch);
        }

        for (int i = 0; i < 100; i++)
        {
            Round();
        }

        long least = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                Round();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        var counters = plane.Counters();
        Assert.Equal(counters.Received, counters.Transmitted);
        Assert.Equal(counters.Received / 2, counters.Counted(ForwardingEvent.VxlanEncapsulated));
        Assert.Equal(counters.Received / 2, counters.Counted(ForwardingEvent.VxlanDecapsulated));
    }

    private void Reset()
    {
        pool.Free(batch);
    }

    public void Dispose()
    {
        pool.Free(batch);
        pool.Dispose();
    }
}
