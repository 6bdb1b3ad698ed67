using Dataplane.Forwarding.Buffers;

namespace Dataplane.Ports.Pcap;

/// <summary>Helpers that map between capture link types and what the pipeline sees.</summary>
public static class CaptureLinkTypes
{
    /// <summary>True for the link types we can put in front of the pipeline.</summary>
    public static bool IsSupported(ushort linkType) =>
        linkType is (ushort)CaptureLinkType.Ethernet or (ushort)CaptureLinkType.Raw
            or (ushort)CaptureLinkType.Ipv4 or (ushort)CaptureLinkType.Ipv6;

    /// <summary>How frames of this link type start.</summary>
    public static FrameFormat ToFrameFormat(this CaptureLinkType linkType) =>
        linkType == CaptureLinkType.Ethernet ? FrameFormat.Ethernet : FrameFormat.RawIp;

    /// <summary>The link type to write a frame of this format under.</summary>
    public static CaptureLinkType ToLinkType(this FrameFormat format) =>
        format == FrameFormat.Ethernet ? CaptureLinkType.Ethernet : CaptureLinkType.Raw;
}
