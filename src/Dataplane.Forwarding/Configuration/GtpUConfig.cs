namespace Dataplane.Forwarding.Configuration;

/// <summary>The "gtpu" section: configured GTP-U tunnels (docs/configuration/gtpu.md).</summary>
public sealed record GtpUConfig
{
    /// <summary>The tunnels this endpoint terminates; (peerAddress, localAddress, teidIn) must be unique.</summary>
    public IReadOnlyList<GtpUTunnelConfig> Tunnels { get; init; } = [];

    /// <summary>Error Indications and Supported Extension Headers Notifications each worker may send per second; 0 sends none.</summary>
    public int ErrorIndicationsPerSecond { get; init; } = 100;

    /// <summary>Seconds between Echo Requests to each peer (TS 29.281 section 7.2.1: not more often than every 60 s in deployments); 0 sends none.</summary>
    public int EchoIntervalSeconds { get; init; } = 60;

    /// <summary>Echo Requests in a row left unanswered (N3-REQUESTS in TS 29.281 / TS 23.007 practice) before the peer is reported down.</summary>
    public int EchoMissedLimit { get; init; } = 3;
}

/// <summary>One GTP-U tunnel (3GPP TS 29.281): both directions of one PDU session / bearer.</summary>
public sealed record GtpUTunnelConfig
{
    public required string Name { get; init; }

    /// <summary>Our endpoint address; must be one of the port addresses.</summary>
    public required string LocalAddress { get; init; }

    /// <summary>The remote endpoint (gNB/eNodeB toward N3/S1-U, or a UPF on N9), reached through the underlay (instance 0).</summary>
    public required string PeerAddress { get; init; }

    /// <summary>The TEID the peer sends to us (checked on decapsulation).</summary>
    public required uint TeidIn { get; init; }

    /// <summary>The TEID we send to the peer with.</summary>
    public required uint TeidOut { get; init; }

    /// <summary>The UE's inner address ("10.45.0.2", "2001:db8:ue::1") or prefix ("10.45.0.0/24").</summary>
    public required string UeAddress { get; init; }

    /// <summary>Instance / VRF of the inner packets: decapsulated packets are routed in it, encapsulation looks in it.</summary>
    public uint InstanceId { get; init; }

    /// <summary>When set (0..63), sent G-PDUs carry a PDU Session Container (DL PDU SESSION INFORMATION, TS 38.415) with this QFI.</summary>
    public byte? Qfi { get; init; }
}
