using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Vxlan;
using Dataplane.Tables.Time;
using static Dataplane.Tests.Vxlan.VxlanFrames;

namespace Dataplane.Tests.Vxlan;

/// <summary>
/// Head-end replication in the VTEP stage (RFC 7348 section 4.2 with unicast flood lists): who gets a copy of a
/// broadcast, what happens when buffers run out halfway, and flood lists changed at run time. The bytes of the copies
/// are checked against Scapy in the golden cases vtep-l2-flood and vtep-l2-flood-decap.
/// </summary>
public sealed class VxlanFloodTests : IDisposable
{
    private const ulong RemoteHost = 0x0200_0000_0201;
    private const ulong LocalHost = 0x0200_0000_0101;
    private const ulong Broadcast = 0xFFFF_FFFF_FFFF;
    private const ushort SecondAccessPort = 2;
    private const string VtepD = "198.51.100.4";

    /// <summary>L2Config with a second access port in the domain.</summary>
    private static readonly string TwoAccessPorts = L2Config
        .Replace("""{ "name": "access0", "mac": "02:00:00:00:00:a0" }""", """{ "name": "access0", "mac": "02:00:00:00:00:a0" }, { "name": "access1", "mac": "02:00:00:00:00:a1" }""")
        .Replace("\"ports\": [\"access0\"]", "\"ports\": [\"access0\", \"access1\"]");

    private readonly PacketPool pool = new(bufferCount: 512);
    private readonly PacketBatch batch = new();
    private readonly ManualClock clock = new(1_000_000_000);

    [Fact]
    public void A_broadcast_from_an_access_port_goes_to_the_other_access_port_and_every_remote_vtep_once()
    {
        var plane = Build(TwoAccessPorts, clock);
        var worker = Worker(plane, pool);
        Add(batch, pool, InnerFrame(Broadcast, LocalHost), AccessPort);

        worker.Process(batch);

        // Copies to access1 and VTEP B, the frame itself to VTEP C (the last target).
        var copies = worker.Emitter.Packets.ToArray();
        Assert.Equal(2, copies.Length);
        Assert.Equal(SecondAccessPort, copies[0].EgressPort);
        Assert.Equal(InnerFrame(Broadcast, LocalHost), copies[0].Data.ToArray());
        Assert.Equal(UnderlayPort, copies[1].EgressPort);
        Assert.Equal(VtepB, OuterDestination(copies[1]));
        Assert.Equal(VtepC, OuterDestination(batch[0]));
        Assert.Equal(batch[0].Data[50..].ToArray(), copies[1].Data[50..].ToArray()); // the same inner frame in both tunnels
        var counters = plane.Counters();
        Assert.Equal(1, counters.Counted(ForwardingEvent.VxlanFlooded));
        Assert.Equal(2, counters.Counted(ForwardingEvent.VxlanEncapsulated));
        Assert.Equal(2, counters.Emitted);
        Assert.Equal(3, counters.Transmitted);
        Assert.True(counters.IsConserved, counters.ToTable());
    }

    [Fact]
    public void A_broadcast_from_a_vtep_reaches_every_access_port_and_no_other_vtep()
    {
        var plane = Build(TwoAccessPorts, clock);
        var worker = Worker(plane, pool);
        Add(batch, pool, VxlanFrames.Vxlan(VtepB, 5000, InnerFrame(Broadcast, RemoteHost)), UnderlayPort);

        worker.Process(batch);

        var copy = Assert.Single(worker.Emitter.Packets.ToArray());
        Assert.Equal(AccessPort, copy.EgressPort);
        Assert.Equal(SecondAccessPort, batch[0].EgressPort);
        Assert.Equal(InnerFrame(Broadcast, RemoteHost), copy.Data.ToArray());
        Assert.Equal(InnerFrame(Broadcast, RemoteHost), batch[0].Data.ToArray());
        Assert.Equal(0, plane.Counters().Counted(ForwardingEvent.VxlanEncapsulated)); // split horizon
    }

    [Fact]
    public void When_buffers_run_out_mid_flood_the_copies_without_one_are_counted_and_the_frame_still_goes()
    {
        var plane = Build(TwoAccessPorts.Replace("\"198.51.100.3\"]", $"\"198.51.100.3\", \"{VtepD}\"]"), clock);
        using var scarce = new PacketPool(bufferCount: 1); // one copy of the three a broadcast needs here
        var worker = Worker(plane, scarce);
        Add(batch, pool, InnerFrame(Broadcast, LocalHost), AccessPort);

        worker.Process(batch);

        Assert.Equal(SecondAccessPort, Assert.Single(worker.Emitter.Packets.ToArray()).EgressPort);
        Assert.Equal(VtepD, OuterDestination(batch[0]));
        var counters = plane.Counters();
        Assert.Equal(2, counters.Dropped(DropReason.ReplicaNoBuffer));
        Assert.Equal(3, counters.Emitted);
        Assert.Equal(2, counters.Transmitted);
        Assert.True(counters.IsConserved, counters.ToTable());
        scarce.FreeBulk(worker.Emitter.Packets);
        worker.Emitter.Clear();
    }

    [Fact]
    public void A_vtep_added_at_run_time_gets_the_next_flood_and_learned_macs_survive_an_addition()
    {
        var plane = Build(L2Config, clock);
        var feature = plane.Feature<VxlanFeature>()!;
        var worker = Worker(plane, pool);
        Add(batch, pool, VxlanFrames.Vxlan(VtepC, 5000, InnerFrame(LocalHost, RemoteHost)), UnderlayPort); // learns RemoteHost behind C
        worker.Process(batch);
        Reset(worker);

        var domain = feature.Config.BridgeDomains[0];
        feature.Update(feature.Config with { BridgeDomains = [domain with { RemoteVteps = [.. domain.RemoteVteps, VtepD] }] }, keepLearned: true);
        Add(batch, pool, InnerFrame(Broadcast, LocalHost), AccessPort);
        Add(batch, pool, InnerFrame(RemoteHost, LocalHost), AccessPort);
        worker.Process(batch);

        Assert.Equal([VtepB, VtepC], worker.Emitter.Packets.ToArray().Select(p => OuterDestination(p)));
        Assert.Equal(VtepD, OuterDestination(batch[0]));
        Assert.Equal(VtepC, OuterDestination(batch[1])); // still learned behind C
        Reset(worker);

        // Removing VTEP C forgets what was learned: RemoteHost is unknown again and flooded to B and D.
        feature.Update(feature.Config with { BridgeDomains = [domain with { RemoteVteps = [VtepB, VtepD] }] }, keepLearned: false);
        Add(batch, pool, InnerFrame(RemoteHost, LocalHost), AccessPort);
        worker.Process(batch);
        Assert.Equal(VtepB, OuterDestination(Assert.Single(worker.Emitter.Packets.ToArray())));
        Assert.Equal(VtepD, OuterDestination(batch[0]));
        Assert.True(plane.Counters().IsConserved);
        Reset(worker);
    }

    [Fact]
    public void A_change_the_configuration_rules_refuse_leaves_the_tables_as_they_were()
    {
        var plane = Build(L2Config, clock);
        var feature = plane.Feature<VxlanFeature>()!;
        var before = feature.Tables;
        var domain = feature.Config.BridgeDomains[0];

        var error = Assert.Throws<ConfigurationException>(() =>
            feature.Update(feature.Config with { BridgeDomains = [domain with { RemoteVteps = [.. domain.RemoteVteps, "192.0.2.1"] }] }, keepLearned: true));

        Assert.Equal("vxlan.bridgeDomains[0].remoteVteps[2]", error.Field);
        Assert.Same(before, feature.Tables);
        Assert.Equal(2, feature.Config.BridgeDomains[0].RemoteVteps.Count);
    }

    private static ForwardingPipeline Worker(ForwardingPlane plane, PacketPool copies)
    {
        var worker = plane.CreateWorker();
        worker.Emitter.UseSources([], new PacketPoolBufferSource(copies, UnderlayPort));
        return worker;
    }

    private void Reset(ForwardingPipeline worker)
    {
        pool.Free(batch);
        pool.FreeBulk(worker.Emitter.Packets);
        worker.Emitter.Clear();
    }

    public void Dispose()
    {
        pool.Free(batch);
        pool.Dispose();
    }
}
