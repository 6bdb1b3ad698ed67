using System.Collections.Frozen;
using Dataplane.Tables.Vxlan;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Vxlan;

/// <summary>
/// Everything the VTEP stage reads, built once from the "vxlan" section by <see cref="VxlanTablesBuilder"/>:
/// immutable apart from the learned <see cref="Macs"/>, so workers read it without locks.
/// </summary>
public sealed class VxlanTables
{
    // Unspecified when there is none. The hot path reads these by reference: a nullable 32-byte address is copied
    // through the stack in parts and read back whole at every use, which stalled the encapsulation loop (perf).
    private readonly IpAddress localVtepV4;
    private readonly IpAddress localVtepV6;

    public required IpAddress? LocalVtepV4
    {
        get => localVtepV4.Family == IpFamily.Unspecified ? null : localVtepV4;
        init => localVtepV4 = value ?? default;
    }

    public required IpAddress? LocalVtepV6
    {
        get => localVtepV6.Family == IpFamily.Unspecified ? null : localVtepV6;
        init => localVtepV6 = value ?? default;
    }

    public required ushort UdpPort { get; init; }

    public required ushort GpeUdpPort { get; init; }

    public required byte Ttl { get; init; }

    /// <summary>Remote VTEP addresses; FDB entries and L3 routes hold an index into this array.</summary>
    public required IpAddress[] RemoteVteps { get; init; }

    public required FrozenDictionary<IpAddress, ushort> RemoteVtepIndex { get; init; }

    /// <summary>Per port number: the bridge domain the port is an access port of, or null.</summary>
    public required BridgeDomain?[] DomainOfPort { get; init; }

    public required BridgeDomain[] Domains { get; init; }

    public required FrozenDictionary<uint, VniBinding> Vnis { get; init; }

    public required L3Vni[] L3Vnis { get; init; }

    /// <summary>Learned MACs of every domain (static ones are in each <see cref="BridgeDomain"/>).</summary>
    public required MacTable Macs { get; init; }

    /// <summary>True when <paramref name="address"/> is one of our VTEP addresses.</summary>
    public bool IsLocalVtep(in IpAddress address) =>
        address.Family != IpFamily.Unspecified && (address == localVtepV4 || address == localVtepV6);

    /// <summary>Our VTEP address of <paramref name="remote"/>'s family (the outer source toward it); Unspecified when there is none.</summary>
    public ref readonly IpAddress LocalVtepToward(in IpAddress remote) => ref remote.IsV4 ? ref localVtepV4 : ref localVtepV6;

    /// <summary>The L3 VNI carrying <paramref name="instanceId"/>, or null.</summary>
    public L3Vni? L3VniOfInstance(uint instanceId)
    {
        var vnis = L3Vnis;
        for (int i = 0; i < vnis.Length; i++)
        {
            if (vnis[i].InstanceId == instanceId)
            {
                return vnis[i];
            }
        }

        return null;
    }
}
