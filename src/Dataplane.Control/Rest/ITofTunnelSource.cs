namespace Dataplane.Control.Rest;

/// <summary>
/// Where GET /tunnel reads the GTP-U tunnels the TOF has learned from the traffic (the TOF feature's tunnel table in
/// the daemon; a fake in tests). Called on the REST server's thread, never per packet: it may allocate.
/// </summary>
public interface ITofTunnelSource
{
    IReadOnlyList<TofTunnelView> List();
}
