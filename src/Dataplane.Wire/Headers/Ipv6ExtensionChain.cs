namespace Dataplane.Wire.Headers;

/// <summary>
/// What <see cref="Ipv6ExtensionWalker"/> found after the extension headers. Offsets count from the start of the
/// fixed IPv6 header. A plain struct so the walk allocates nothing.
/// </summary>
public readonly record struct Ipv6ExtensionChain
{
    /// <summary>
    /// The Next Header value that ended the walk: an upper-layer protocol (TCP, UDP, ICMPv6, ESP ...),
    /// or <see cref="IpProtocol.NoNextHeader"/>.
    /// </summary>
    public byte UpperLayerProtocol { get; init; }

    /// <summary>Where that upper-layer header starts (for a non-first fragment: where the fragment data starts).</summary>
    public int UpperLayerOffset { get; init; }

    /// <summary>The number of extension headers walked (0 when the fixed header points straight at the upper layer).</summary>
    public int ExtensionCount { get; init; }

    public bool HasFragmentHeader { get; init; }

    /// <summary>The fragment offset field in 8-byte units (0 when there is no fragment header).</summary>
    public ushort FragmentOffset { get; init; }

    /// <summary>The M flag: more fragments follow.</summary>
    public bool MoreFragments { get; init; }

    public uint FragmentIdentification { get; init; }

    /// <summary>
    /// True when the bytes at <see cref="UpperLayerOffset"/> start an upper-layer header: false for No Next Header
    /// and for a fragment other than the first, whose data is the middle of some other packet.
    /// </summary>
    public bool IsUpperLayerHeaderPresent => UpperLayerProtocol != IpProtocol.NoNextHeader && (!HasFragmentHeader || FragmentOffset == 0);
}
