using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Lisp;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Icmp;

/// <summary>
/// What a stage that forwards IP calls when it cannot forward a packet: checks that an error may be sent
/// (<see cref="IcmpErrorRules"/>), that this worker's budget allows one (a token bucket, RFC 1812 section 4.3.2.8,
/// RFC 4443 section 2.4 (f)), picks the source (the address of the port the packet came in on, RFC 1812 section
/// 4.3.2.4, or one the caller names) and turns the packet into the error in place (<see cref="IcmpErrorWriter"/>). One
/// per stage and worker: no locks, nothing shared. Counts <see cref="ForwardingEvent.IcmpTimeExceededSent"/>,
/// <see cref="ForwardingEvent.IcmpDestinationUnreachableSent"/>, and, for errors not sent,
/// <see cref="ForwardingEvent.IcmpErrorRateLimited"/> or <see cref="ForwardingEvent.IcmpErrorNotAllowed"/>.
/// </summary>
public sealed class IcmpErrorSender
{
    private readonly TokenBucket budget;
    private readonly IpAddress[] portIpv4;
    private readonly IpAddress[] portIpv6;
    private readonly IpAddress anyIpv4;
    private readonly IpAddress anyIpv6;

    public IcmpErrorSender(PortTable ports, TokenBucket budget)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(budget);
        this.budget = budget;
        portIpv4 = new IpAddress[ports.Count];
        portIpv6 = new IpAddress[ports.Count];
        foreach (var port in ports.All)
        {
            portIpv4[port.Id] = FirstOfFamily(port.Addresses, IpFamily.V4);
            portIpv6[port.Id] = FirstOfFamily(port.Addresses, IpFamily.V6);
            anyIpv4 = anyIpv4.Family == IpFamily.Unspecified ? portIpv4[port.Id] : anyIpv4;
            anyIpv6 = anyIpv6.Family == IpFamily.Unspecified ? portIpv6[port.Id] : anyIpv6;
        }
    }

    /// <summary>A sender for one stage of one worker, with its own bucket of the configured rate (icmpErrors.ratePerSecond).</summary>
    public static IcmpErrorSender ForStage(ForwardingPlane plane)
    {
        ArgumentNullException.ThrowIfNull(plane);
        return new IcmpErrorSender(plane.Ports, new TokenBucket(plane.Options.Clock, plane.Config.IcmpErrors.RatePerSecond));
    }

    /// <summary>
    /// The source of an error about a packet that came in on <paramref name="ingressPort"/>: that port's first address
    /// of the family; for a port without one (an unnumbered interface, RFC 1812 section 4.3.2.4 allows any of the
    /// router's addresses) the first address of the family on any port; Unspecified when the box has none.
    /// </summary>
    public IpAddress SourceFor(ushort ingressPort, bool v4)
    {
        var byPort = v4 ? portIpv4 : portIpv6;
        if (ingressPort < byPort.Length && byPort[ingressPort].Family != IpFamily.Unspecified)
        {
            return byPort[ingressPort];
        }

        return v4 ? anyIpv4 : anyIpv6;
    }

    /// <summary>Turns the packet into the error from its ingress port's address; false (packet untouched) when no error goes out.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // the error path: kept out of the forwarding loops that call it
    public bool TrySend(ref PacketDescriptor packet, IcmpErrorKind kind, WorkerCounters counters) =>
        TrySend(ref packet, kind, SourceFor(packet.IngressPort, packet.Kind == PacketKind.NativeIpv4), counters);

    /// <summary>
    /// Turns the packet into the error from <paramref name="source"/>, left pending as a native packet to the original
    /// source for routing to send. False, and the packet untouched, when the rules forbid an error, there is no source
    /// address, the budget is spent, or the buffer cannot take the headers; the caller then drops it as it would have.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool TrySend(ref PacketDescriptor packet, IcmpErrorKind kind, IpAddress source, WorkerCounters counters)
    {
        bool v4 = packet.Kind == PacketKind.NativeIpv4;
        if (source.Family != (v4 ? IpFamily.V4 : IpFamily.V6) || !IcmpErrorRules.MayReport(ref packet))
        {
            counters.Count(ForwardingEvent.IcmpErrorNotAllowed);
            return false;
        }

        if (!budget.TryTake())
        {
            counters.Count(ForwardingEvent.IcmpErrorRateLimited);
            return false;
        }

        bool written = (kind, v4) switch
        {
            (IcmpErrorKind.TimeExceeded, true) => IcmpErrorWriter.TryWriteTimeExceeded(ref packet, source.AsV4()),
            (IcmpErrorKind.TimeExceeded, false) => IcmpErrorWriter.TryWriteHopLimitExceeded(ref packet, source.AsV6()),
            (_, true) => IcmpErrorWriter.TryWriteNetUnreachable(ref packet, source.AsV4()),
            _ => IcmpErrorWriter.TryWriteNoRoute(ref packet, source.AsV6()),
        };
        if (!written)
        {
            return false; // no headroom: the caller's drop stands
        }

        counters.Count(kind == IcmpErrorKind.TimeExceeded ? ForwardingEvent.IcmpTimeExceededSent : ForwardingEvent.IcmpDestinationUnreachableSent);
        return true;
    }

    private static IpAddress FirstOfFamily(IReadOnlyList<IpAddress> addresses, IpFamily family)
    {
        foreach (var address in addresses)
        {
            if (address.Family == family)
            {
                return address;
            }
        }

        return default;
    }
}
