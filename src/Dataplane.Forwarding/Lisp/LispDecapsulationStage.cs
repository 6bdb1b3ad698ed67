using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Icmp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;
using Dataplane.Forwarding.Configuration;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// ETR / PETR / RTR decapsulation (RFC 9300 sections 5 and 7), one per worker.
/// <para>
/// LISP data (UDP 4341): accepted only when the outer destination is one of our RLOCs (else LispToForeignRloc);
/// a missing or short LISP header is MalformedLisp; a LISP-crypto payload (KK bits set, RFC 8061) is
/// LispCryptoUnsupported; the instance ID is the header's when the I bit is set, else 0, and must be one we serve
/// (<see cref="LispTables.ServesInstance"/>, else UnknownInstanceId); the inner packet must be a whole IPv4/IPv6
/// packet (else InnerHeaderMalformed). A pure ETR (no petr or rtr role) also requires the inner destination to be
/// one of our EIDs (else NotLocalEid). Then the RFC 9300 section 5.3 decapsulation rules are applied to the inner
/// header (TTL/hop limit lowered to the outer one when that is smaller, and when that leaves 1 or less the packet
/// becomes ICMP Time Exceeded, see <see cref="ExpireInSite"/>; a CE mark in the outer ECN field carried
/// into an ECN-capable inner header, RFC 6040), the outer Ethernet/IP/UDP/LISP headers are stripped by moving the
/// frame start (no copy), and the packet is left pending as a native packet of the header's instance, flagged
/// Decapsulated | FromLispTunnel, for routing (or, on an RTR, the encapsulation stage) to forward.
/// </para>
/// <para>
/// Outer fragments are not reassembled (RFC 9300 section 7 leaves reassembly to the ETR; not done yet): a first
/// fragment never gets here (the classifier finds its UDP length running past the fragment: MalformedUdp), and later
/// fragments carry no UDP header, so they are native packets to our address, which routing punts.
/// </para>
/// <para>
/// The outer UDP checksum is not verified (RFC 9300 section 5.3 makes that a MAY). Ignored header fields (RFC 9300
/// allows it): the nonce and echo-nonce request (no echo-nonce state is kept),
/// the locator-status-bits (RFC 9300 section 10: an ETR may use them as a reachability hint; we leave reachability
/// to the control plane), and map-versions (RFC 9302 map-versioning is optional; a stale version is not acted on).
/// The inner DSCP is kept as it is (the ITR copied it outward, so the outer one is normally the same).
/// </para>
/// <para>
/// LISP control (UDP 4342) is not this stage's: <see cref="LispControlStage"/> punts or routes it before.
/// </para>
/// </summary>
public sealed class LispDecapsulationStage : IBatchStage
{
    private const int LispOverhead = UdpHeader.Length + LispDataHeader.Length;
    private const byte KeyIdBits = 0x03; // the KK bits of the LISP flags octet
    private const byte EcnMask = 0x03;
    private const byte EcnCongestionExperienced = 0x03;

    private readonly ForwardingPlane plane;
    private readonly LispTables tables;
    private readonly bool requireLocalEid;
    private readonly IcmpErrorSender errors;
    private readonly IpAddress[] ownAddresses;

    private readonly bool acceptsBadChecksums;

    // The last instance found served in the current batch: packets of one batch mostly share an instance, so the
    // local-database scan and two table probes run once per batch instead of once per packet.
    private uint servedInstance;
    private bool servedInstanceKnown;

    public LispDecapsulationStage(ForwardingPlane plane, LispTables tables)
    {
        this.plane = plane;
        this.tables = tables;
        requireLocalEid = plane.HasRole(DataplaneRoles.Etr) && !plane.HasRole(DataplaneRoles.Petr) && !plane.HasRole(DataplaneRoles.Rtr);
        errors = IcmpErrorSender.ForStage(plane);
        ownAddresses = [.. plane.Ports.All.SelectMany(port => port.Addresses)];

        acceptsBadChecksums = TunnelUdpChecksum.AcceptsBad(plane.Config);
    }

    public string Name => "lisp-decap";

    public PacketKinds Accepts => PacketKinds.LispData;

    public void Run(Span<PacketDescriptor> packets, ReadOnlySpan<ushort> vector, WorkerCounters counters)
    {
        var database = tables.LocalDatabase;
        var fib = plane.Fib;
        servedInstanceKnown = false;
        foreach (ushort i in vector)
        {
            ref var packet = ref packets[i];
            var reason = Decapsulate(ref packet, database, fib, counters, out byte innerTtl);
            if (reason == DropReason.None)
            {
                counters.Count(ForwardingEvent.LispDecapsulated);
                if (innerTtl <= 1)
                {
                    ExpireInSite(ref packet, database, counters);
                }
            }
            else
            {
                packet.Drop(reason, counters);
            }
        }
    }

    /// <param name="innerTtl">The inner TTL / hop limit once the section 5.3 rules applied (0 unless None is returned).</param>
    private DropReason Decapsulate(ref PacketDescriptor packet, LocalDatabase database, Fib fib, WorkerCounters counters, out byte innerTtl)
    {
        innerTtl = 0;
        var buffer = packet.BufferSpan;
        int frameEnd = packet.DataOffset + packet.Length;
        int l3 = packet.L3Offset;
        int l4 = packet.L4Offset;
        if (l3 >= frameEnd || l4 <= l3 || l4 >= frameEnd)
        {
            return DropReason.MalformedLisp;
        }

        var outer = buffer[l3..frameEnd];
        IpAddress destination;
        int outerEnd;
        byte outerTtl;
        byte outerEcn;
        if ((outer[0] >> 4) == 4)
        {
            if (!Ipv4Header.TryCreate(outer, out var ipv4))
            {
                return DropReason.MalformedIpv4;
            }

            destination = ipv4.Destination;
            outerEnd = l3 + ipv4.TotalLength;
            outerTtl = ipv4.TimeToLive;
            outerEcn = ipv4.Ecn;
        }
        else
        {
            if (!Ipv6Header.TryCreate(outer, out var ipv6))
            {
                return DropReason.MalformedIpv6;
            }

            destination = ipv6.Destination;
            outerEnd = l3 + Ipv6Header.Length + ipv6.PayloadLength;
            outerTtl = ipv6.HopLimit;
            outerEcn = ipv6.Ecn;
        }

        // RFC 9300 section 7: the ETR decapsulates what is sent to its own RLOCs; anything else is not ours to open.
        if (!database.IsLocalRloc(destination))
        {
            return DropReason.LispToForeignRloc;
        }

        if (l4 >= outerEnd || !UdpHeader.TryCreate(buffer[l4..outerEnd], out var udp))
        {
            return DropReason.MalformedUdp;
        }

        DropReason checksum;
        if (udp.Checksum != 0
            && (checksum = TunnelUdpChecksum.Check(in packet, buffer[..outerEnd], l3, l4, (outer[0] >> 4) == 4, acceptsBadChecksums, counters)) != DropReason.None)
        {
            return checksum;
        }

        if (!LispDataHeader.TryCreate(udp.Payload, out var lisp))
        {
            return DropReason.MalformedLisp;
        }

        // RFC 8061: non-zero key-ID bits mean the payload is encrypted; decapsulating it would forward ciphertext.
        if ((lisp.ReservedFlags & KeyIdBits) != 0)
        {
            return DropReason.LispCryptoUnsupported;
        }

        uint instanceId = lisp.InstanceIdPresent ? lisp.InstanceId : 0;
        if (!Serves(instanceId, fib))
        {
            return DropReason.UnknownInstanceId;
        }

        int innerStart = l4 + LispOverhead;
        var inner = lisp.Payload;
        if (inner.IsEmpty)
        {
            return DropReason.InnerHeaderMalformed;
        }

        PacketKind kind;
        IpAddress innerDestination;
        int innerLength;
        int innerL4;
        switch (inner[0] >> 4)
        {
            case 4:
                if (!Ipv4Header.TryCreate(inner, out var ipv4))
                {
                    return DropReason.InnerHeaderMalformed;
                }

                kind = PacketKind.NativeIpv4;
                innerDestination = ipv4.Destination;
                innerLength = ipv4.TotalLength;
                innerL4 = ipv4.FragmentOffset == 0 ? innerStart + ipv4.HeaderLength : 0;
                break;
            case 6:
                if (!Ipv6Header.TryCreate(inner, out var ipv6) || !ipv6.TryWalkExtensions(out var chain))
                {
                    return DropReason.InnerHeaderMalformed;
                }

                kind = PacketKind.NativeIpv6;
                innerDestination = ipv6.Destination;
                innerLength = Ipv6Header.Length + ipv6.PayloadLength;
                innerL4 = chain.IsUpperLayerHeaderPresent ? innerStart + chain.UpperLayerOffset : 0;
                break;
            default:
                return DropReason.InnerHeaderMalformed;
        }

        if (requireLocalEid && !database.IsLocalEid(instanceId, innerDestination))
        {
            return DropReason.NotLocalEid;
        }

        // Every check passed: from here on the packet is rewritten.
        if (kind == PacketKind.NativeIpv4)
        {
            innerTtl = ApplyOuterTtlAndEcnV4(inner, outerTtl, outerEcn);
        }
        else
        {
            innerTtl = ApplyOuterTtlAndEcnV6(inner, outerTtl, outerEcn);
        }

        packet.HandOffInner(innerStart - packet.DataOffset, innerLength, kind, innerL4 == 0 ? 0 : innerL4 - innerStart, instanceId, PacketFlags.FromLispTunnel);
        return DropReason.None;
    }

    /// <summary>
    /// The inner TTL / hop limit (after the section 5.3 minimum with the outer one) is 1 or less, so forwarding the
    /// packet into the site would expire it: the ETR is that hop. Unless it is addressed to us, it becomes ICMP Time
    /// Exceeded here, before the encapsulation stage, from our address inside the site (one that is a local EID of the
    /// packet's instance, as an xTR's EID-facing interface is). So on an xTR, whose ITR side encapsulates packets from
    /// its EIDs, the error goes back through the tunnel to the source's site, and traceroute shows the ETR by its
    /// site address, as deployed xTRs show it. With no such address the error comes from the port the tunnel packet
    /// arrived on and is routed natively. No error may go out: dropped (TtlExpired), as routing would have.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ExpireInSite(ref PacketDescriptor packet, LocalDatabase database, WorkerCounters counters)
    {
        var ip = packet.BufferSpan[packet.L3Offset..(packet.DataOffset + packet.Length)];
        bool v4 = packet.Kind == PacketKind.NativeIpv4;
        IpAddress destination = v4
            ? new Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(ip[16..]))
            : new Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(ip[24..]));
        if (plane.LocalAddressSet.Contains(destination))
        {
            return; // for us: routing punts it, no hop is taken
        }

        var source = SiteAddress(database, packet.InstanceId, v4);
        if (source.Family == IpFamily.Unspecified)
        {
            source = errors.SourceFor(packet.IngressPort, v4);
        }

        if (!errors.TrySend(ref packet, IcmpErrorKind.TimeExceeded, source, counters))
        {
            packet.Drop(DropReason.TtlExpired, counters);
        }
    }

    /// <summary>Our first address of the family that is a local EID of the instance, or Unspecified.</summary>
    private IpAddress SiteAddress(LocalDatabase database, uint instanceId, bool v4)
    {
        foreach (var address in ownAddresses)
        {
            if (address.IsV4 == v4 && database.IsLocalEid(instanceId, address))
            {
                return address;
            }
        }

        return default;
    }

    private bool Serves(uint instanceId, Fib fib)
    {
        if (servedInstanceKnown && servedInstance == instanceId)
        {
            return true;
        }

        if (!tables.ServesInstance(instanceId, fib))
        {
            return false;
        }

        servedInstance = instanceId;
        servedInstanceKnown = true;
        return true;
    }

    /// <summary>
    /// RFC 9300 section 5.3, decapsulation: the inner TTL takes the outer TTL when that is smaller (so a packet cannot
    /// gain hops by looping through tunnels), and a Congestion Experienced mark on the outer header survives into an
    /// ECN-capable inner header (RFC 6040 section 4.2; a Not-ECT inner header is left Not-ECT). The header checksum
    /// is patched incrementally (RFC 1624) for each 16-bit word that changed. Returns the inner TTL it leaves, which
    /// decides whether forwarding into the site expires the packet.
    /// </summary>
    private static byte ApplyOuterTtlAndEcnV4(Span<byte> inner, byte outerTtl, byte outerEcn)
    {
        Ipv4Header.TryCreate(inner, out var ipv4);
        ushort checksum = ipv4.Checksum;
        bool changed = false;
        if (outerTtl < ipv4.TimeToLive)
        {
            ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(inner[8..]);
            ipv4.TimeToLive = outerTtl;
            checksum = InternetChecksum.Update(checksum, oldWord, BinaryPrimitives.ReadUInt16BigEndian(inner[8..]));
            changed = true;
        }

        if (CarriesCongestionMark(outerEcn, ipv4.Ecn))
        {
            ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(inner);
            inner[1] |= EcnCongestionExperienced;
            checksum = InternetChecksum.Update(checksum, oldWord, BinaryPrimitives.ReadUInt16BigEndian(inner));
            changed = true;
        }

        if (changed)
        {
            ipv4.Checksum = checksum;
        }

        return ipv4.TimeToLive;
    }

    /// <summary>The same rules for IPv6, which has no header checksum to patch; returns the hop limit it leaves.</summary>
    private static byte ApplyOuterTtlAndEcnV6(Span<byte> inner, byte outerHopLimit, byte outerEcn)
    {
        Ipv6Header.TryCreate(inner, out var ipv6);
        if (outerHopLimit < ipv6.HopLimit)
        {
            ipv6.HopLimit = outerHopLimit;
        }

        if (CarriesCongestionMark(outerEcn, ipv6.Ecn))
        {
            ipv6.TrafficClass |= EcnCongestionExperienced;
        }

        return ipv6.HopLimit;
    }

    private static bool CarriesCongestionMark(byte outerEcn, byte innerEcn) =>
        (outerEcn & EcnMask) == EcnCongestionExperienced && (innerEcn & EcnMask) is 1 or 2;
}
