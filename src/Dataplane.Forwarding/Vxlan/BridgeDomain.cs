using System.Collections.Frozen;
using Dataplane.Tables.Vxlan;

namespace Dataplane.Forwarding.Vxlan;

/// <summary>
/// One L2 VNI as the stage uses it: its index in the MAC table keys, its access ports, the remote VTEPs (indexes
/// into <see cref="VxlanTables.RemoteVteps"/>) and the static MACs, which never age or move and win over learned ones.
/// </summary>
public sealed record BridgeDomain(
    ushort Index,
    uint Vni,
    ushort[] AccessPorts,
    ushort[] RemoteVteps,
    FrozenDictionary<ulong, MacTableEntry> StaticMacs,
    uint AgingSeconds)
{
    /// <summary>Whether frames from this VTEP index may be learned in this domain.</summary>
    public bool HasRemoteVtep(ushort vtepIndex) => Array.IndexOf(RemoteVteps, vtepIndex) >= 0;
}
