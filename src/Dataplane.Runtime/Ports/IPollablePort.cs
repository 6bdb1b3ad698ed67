namespace Dataplane.Runtime.Ports;

/// <summary>
/// A port whose queues are file descriptors the kernel can wake an idle worker on (AF_PACKET sockets). A worker
/// whose queues are all of this kind blocks in poll(2) when there is no traffic instead of spinning: on a core it
/// shares with the kernel's receive processing (veth, RPS), spinning would take the time that processing needs.
/// </summary>
public interface IPollablePort
{
    /// <summary>The descriptor that becomes readable when <paramref name="queue"/> has packets.</summary>
    int ReceiveDescriptor(int queue);
}
