namespace Dataplane.Forwarding.Tof;

/// <summary>Which way a GTP-U packet crosses S1-U / N3.</summary>
public enum TofDirection : byte
{
    /// <summary>Neither eNB -> SGW nor SGW -> eNB (shared port, addresses not in the lists): passed through.</summary>
    None,

    /// <summary>eNB -> SGW.</summary>
    Uplink,

    /// <summary>SGW -> eNB.</summary>
    Downlink,
}
