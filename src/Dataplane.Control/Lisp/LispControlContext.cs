using System.Security.Cryptography;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Lisp;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Control.Lisp;

/// <summary>
/// What every part of the LISP control plane shares: the configuration, the tables (absent on a pure map-server),
/// the way out (bare IP packets handed to the injection port), the clock its timers run on, nonces and counters.
/// Everything here runs on the control thread.
/// </summary>
public sealed class LispControlContext
{
    private readonly Func<byte[], bool> inject;
    private readonly Func<long> nowMilliseconds;
    private readonly Action<string> log;
    private readonly Locator[] configuredRlocs;
    private IMonotonicClock? controlClock;

    /// <param name="inject">Hands a bare IP packet to the data plane (the injection port); false when refused.</param>
    /// <param name="nowMilliseconds">The timers' clock (Environment.TickCount64 in the daemon; a test's own clock in tests).</param>
    public LispControlContext(LispConfig config, LispTables? tables, IMonotonicClock tableClock, Func<byte[], bool> inject,
        Func<long> nowMilliseconds, Action<string>? log = null)
    {
        Config = config;
        Tables = tables;
        TableClock = tableClock;
        this.inject = inject;
        this.nowMilliseconds = nowMilliseconds;
        this.log = log ?? (_ => { });
        configuredRlocs = config.LocalRlocs.Select((r, i) => new Locator(
            ConfigValues.Ip(r.Address, $"lisp.localRlocs[{i}].address"), r.Priority, r.Weight, r.Up, IsLocal: true)).ToArray();
    }

    public LispConfig Config { get; }

    public LispTables? Tables { get; }

    public IMonotonicClock TableClock { get; }

    public LispControlCounters Counters { get; } = new();

    /// <summary>
    /// Whether an address is one of this node's (its RLOCs and port addresses): nothing is sent to those through the
    /// underlay. Set by the control plane, which knows the port addresses.
    /// </summary>
    public Func<IpAddress, bool> IsOwnAddress { get; set; } = _ => false;

    public long Now => nowMilliseconds();

    /// <summary>The timers' clock as an <see cref="IMonotonicClock"/> (milliseconds), for the shared token bucket.</summary>
    public IMonotonicClock ControlClock => controlClock ??= new MillisecondClock(nowMilliseconds);

    /// <summary>Our RLOCs: the local database's when there is one (it can change at run time), else the configured ones.</summary>
    public ReadOnlySpan<Locator> LocalRlocs => Tables is { } t ? t.LocalDatabase.Rlocs : configuredRlocs;

    public bool IsLocalRloc(IpAddress address)
    {
        foreach (var rloc in LocalRlocs)
        {
            if (rloc.Address == address)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The RLOC we send from toward <paramref name="destination"/>: our first of the same family.</summary>
    public bool TrySource(IpAddress destination, out IpAddress source)
    {
        foreach (var rloc in LocalRlocs)
        {
            if (rloc.Address.Family == destination.Family)
            {
                source = rloc.Address;
                return true;
            }
        }

        source = default;
        return false;
    }

    /// <summary>
    /// Sends a LISP control message in a UDP datagram from <paramref name="source"/>, or by default our first RLOC of
    /// the destination's family; counts it.
    /// </summary>
    public bool Send(IpAddress destination, byte[] message, LispControlEvent sent, ushort destinationPort = TunnelPorts.LispControl,
        IpAddress? source = null)
    {
        if (source is { } chosen && chosen.Family == destination.Family)
        {
            return SendFrom(chosen, destination, message, sent, destinationPort);
        }

        if (!TrySource(destination, out var first))
        {
            Log($"no local RLOC of {destination}'s family to send from");
            return false;
        }

        return SendFrom(first, destination, message, sent, destinationPort);
    }

    private bool SendFrom(IpAddress source, IpAddress destination, byte[] message, LispControlEvent sent, ushort destinationPort)
    {
        if (IsOwnAddress(destination))
        {
            // A registrant, ITR-RLOC, map-server or locator that is us: through the underlay it would come straight
            // back to us, and a map-server forwarding to itself would forward again without end.
            Counters.Count(LispControlEvent.SelfAddressed);
            Log($"not sent: {destination} is one of our own addresses");
            return false;
        }

        var datagram = new UdpDatagram(source, destination, TunnelPorts.LispControl, destinationPort, message);
        if (!inject(datagram.ToIpPacket()))
        {
            Counters.Count(LispControlEvent.InjectRefused);
            return false;
        }

        Counters.Count(sent);
        return true;
    }

    public static ulong NewNonce()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }

    public void Log(string message) => log(message);
}

/// <summary>A millisecond clock over a function (Environment.TickCount64, or a test's).</summary>
internal sealed class MillisecondClock(Func<long> nowMilliseconds) : IMonotonicClock
{
    public long Now => nowMilliseconds();

    public long Frequency => 1000;
}
