namespace Dataplane.Forwarding.Buffers;

/// <summary>
/// What the first byte of a frame is: an Ethernet header (NICs, AF_PACKET, most captures) or an
/// IP header (TUN devices, raw-IP captures). Classification starts from here.
/// </summary>
public enum FrameFormat : byte
{
    Ethernet = 0,
    RawIp = 1,
}
