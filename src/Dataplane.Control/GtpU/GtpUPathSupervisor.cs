using System.Buffers.Binary;
using Dataplane.Control.Lisp;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Stages;
using Dataplane.Runtime.Workers;
using Dataplane.Tables.Gtp;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Control.GtpU;

/// <summary>
/// GTP-U path management (3GPP TS 29.281 section 7.2, TS 23.007 section 20): every interval (the first one interval
/// after start), an Echo Request from our
/// address to each peer of the GTP-U tunnels (their distinct local / peer address pairs, read afresh each round, so
/// tunnels added over the control socket are supervised too), injected like any control-plane packet. The worker
/// punts the Echo Responses to us (the GTP-U stage punts every signalling message but the Echo Request it answers);
/// one with the outstanding sequence number marks the path up. Echo Requests left unanswered when the next one is
/// due are missed; the configured number in a row marks the path down. A Recovery value that differs from the
/// previous response's is reported as a restart of the peer (TS 23.007: its restart counter changed); TS 29.281
/// section 7.2.2 has GTP-U senders put 0 there, so only peers that keep a real counter ever report one.
/// </summary>
/// <remarks>
/// Runs on the control thread (punts and ticks), so its tables take no lock; <see cref="Peers"/> is an immutable
/// list it republishes after each change, for the control socket and the metrics. At most <see cref="MaxPeers"/>
/// paths are supervised; the rest are counted in <see cref="PeersNotSupervised"/>.
/// </remarks>
public sealed class GtpUPathSupervisor(GtpUTunnelTable tunnels, int intervalMilliseconds, int missedLimit, Func<byte[], bool> inject,
    Func<long> now) : IControlPlaneService
{
    /// <summary>Paths supervised at most: a bound on the table and on the Echo Requests of one round.</summary>
    public const int MaxPeers = 4096;

    private readonly Dictionary<(IpAddress Local, IpAddress Peer), Path> paths = [];
    private IReadOnlyList<GtpUPeerStatus> published = [];
    private long nextRound;
    private long sent;
    private long answered;
    private long unmatched;
    private int notSupervised;

    /// <summary>A path changed state, or its peer restarted. Raised on the control thread.</summary>
    public event Action<GtpUPeerEvent>? Changed;

    /// <summary>Every supervised path, ordered by peer then local address; safe to read from any thread.</summary>
    public IReadOnlyList<GtpUPeerStatus> Peers => Volatile.Read(ref published);

    /// <summary>Echo Requests handed to the injection port.</summary>
    public long EchoesSent => Interlocked.Read(ref sent);

    /// <summary>Echo Responses that answered an outstanding request.</summary>
    public long EchoesAnswered => Interlocked.Read(ref answered);

    /// <summary>Echo Responses that matched no outstanding request (late, duplicated, unsolicited, from elsewhere).</summary>
    public long EchoesUnmatched => Interlocked.Read(ref unmatched);

    /// <summary>Peers beyond <see cref="MaxPeers"/> in the last round.</summary>
    public int PeersNotSupervised => Volatile.Read(ref notSupervised);

    public void OnTick(long nowMilliseconds)
    {
        if (nowMilliseconds < nextRound)
        {
            return;
        }

        bool first = nextRound == 0;
        nextRound = nowMilliseconds + intervalMilliseconds;
        Refresh();
        if (first)
        {
            // The first round is one interval after start: the peers' neighbours get learned from traffic meanwhile,
            // and a short run (a capture replayed on pcap ports) originates nothing it was not given.
            Publish();
            return;
        }

        foreach (var ((local, peer), path) in paths)
        {
            if (path.Outstanding is not null)
            {
                path.Outstanding = null;
                path.MissedInARow++;
                if (path.MissedInARow >= missedLimit && path.State != GtpUPeerState.Down)
                {
                    path.State = GtpUPeerState.Down;
                    Changed?.Invoke(new GtpUPeerEvent(GtpUPeerEventKind.Down, local, peer, path.RestartCounter));
                }
            }

            ushort sequence = path.NextSequence++;
            var message = new byte[GtpUPathMessage.EchoRequestLength];
            GtpUPathMessage.WriteEchoRequest(message, sequence);
            var packet = new UdpDatagram(local, peer, TunnelPorts.GtpU, TunnelPorts.GtpU, message).ToIpPacket();
            if (inject(packet))
            {
                path.Outstanding = (sequence, nowMilliseconds);
                path.Sent++;
                Interlocked.Increment(ref sent);
            }
        }

        Publish();
    }

    public void OnPunt(in PacketDescriptor packet)
    {
        if (packet.Kind != PacketKind.GtpU || !UdpDatagram.TryRead(packet, out var datagram) || datagram.SourcePort != TunnelPorts.GtpU
            && datagram.DestinationPort != TunnelPorts.GtpU)
        {
            return;
        }

        var message = datagram.Payload;
        if (!GtpUHeader.TryCreate(message, out var gtp) || gtp.MessageType != GtpUMessageType.EchoResponse)
        {
            return;
        }

        if (!paths.TryGetValue((datagram.Destination, datagram.Source), out var path) || path.Outstanding is not { } outstanding
            || !gtp.SequenceNumberPresent || gtp.SequenceNumber != outstanding.Sequence)
        {
            Interlocked.Increment(ref unmatched);
            return;
        }

        path.Outstanding = null;
        path.Answered++;
        Interlocked.Increment(ref answered);
        path.MissedInARow = 0;
        path.LastRttMilliseconds = now() - outstanding.SentAt;
        if (!GtpUPathMessage.TryReadRecovery(gtp.Payload, out byte? restartCounter))
        {
            restartCounter = null; // IEs we cannot walk: the peer still answered
        }

        var (local, peer) = (datagram.Destination, datagram.Source);
        if (restartCounter is { } counter)
        {
            if (path.RestartCounter is { } previous && previous != counter)
            {
                path.Restarts++;
                path.RestartCounter = counter;
                Changed?.Invoke(new GtpUPeerEvent(GtpUPeerEventKind.Restarted, local, peer, counter));
            }

            path.RestartCounter = counter;
        }

        if (path.State != GtpUPeerState.Up)
        {
            path.State = GtpUPeerState.Up;
            Changed?.Invoke(new GtpUPeerEvent(GtpUPeerEventKind.Up, local, peer, path.RestartCounter));
        }

        Publish();
    }

    /// <summary>The paths of the tunnels now configured: new ones start Unknown, those no tunnel uses any more are forgotten.</summary>
    private void Refresh()
    {
        var wanted = new HashSet<(IpAddress, IpAddress)>();
        int beyond = 0;
        foreach (var tunnel in tunnels.Snapshot.Tunnels)
        {
            var key = (tunnel.Local, tunnel.Peer);
            if (wanted.Contains(key))
            {
                continue;
            }

            if (wanted.Count >= MaxPeers)
            {
                beyond++;
                continue;
            }

            wanted.Add(key);
        }

        foreach (var key in paths.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            paths.Remove(key);
        }

        foreach (var key in wanted)
        {
            if (!paths.ContainsKey(key))
            {
                // Sequence numbers start at a value of the clock so that a restarted supervisor does not take an
                // answer to its predecessor's request for one of its own.
                paths[key] = new Path { NextSequence = (ushort)now() };
            }
        }

        Volatile.Write(ref notSupervised, beyond);
    }

    private void Publish() => Volatile.Write(ref published, paths
        .OrderBy(p => p.Key.Peer.Value).ThenBy(p => p.Key.Local.Value)
        .Select(p => new GtpUPeerStatus(p.Key.Local, p.Key.Peer, p.Value.State, p.Value.Sent, p.Value.Answered, p.Value.MissedInARow,
            p.Value.RestartCounter, p.Value.Restarts, p.Value.LastRttMilliseconds))
        .ToList());

    private sealed class Path
    {
        public GtpUPeerState State;
        public ushort NextSequence;
        public (ushort Sequence, long SentAt)? Outstanding;
        public long Sent;
        public long Answered;
        public int MissedInARow;
        public byte? RestartCounter;
        public int Restarts;
        public double? LastRttMilliseconds;
    }
}
