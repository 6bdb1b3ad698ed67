namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// The order stages run in. Tunnel terminations come first (they turn tunnelled packets into native ones), then the
/// encapsulating stages (which claim native packets whose destination they serve), and routing last: whatever is
/// still native and pending is forwarded by the FIB.
/// </summary>
public static class StageOrder
{
    public const int NeighbourDiscovery = 50;
    /// <summary>Fragments addressed to us are put back together before any stage looks into a tunnel, the TOF included.</summary>
    public const int Reassembly = 60;
    /// <summary>The TOF handles S1-U GTP-U itself (learning, offload) and passes the rest through, so it runs before the GTP-U endpoint.</summary>
    public const int Tof = 90;
    public const int GtpU = 100;
    /// <summary>NSH over VXLAN-GPE is the SFF's, so it runs before the VTEP, which then sees only the GPE packets it carries.</summary>
    public const int Nsh = 190;
    public const int Vxlan = 200;
    public const int LispControl = 250;
    public const int LispDecapsulation = 300;
    /// <summary>Traffic rules of scope instance: native packets after every decapsulation, before encapsulation and routing.</summary>
    public const int InstanceRules = 350;
    public const int LispEncapsulation = 400;
    public const int Routing = 900;
}
