using System.Runtime.CompilerServices;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// When one worker last saw each tunnel and each NAT flow, by the entry's slot in its table (an entry never moves):
/// each worker writes only its own arrays, with a plain store per packet, so no stamp line ever moves between cores,
/// where one shared stamp per entry would move every time another worker wrote it. The control thread reads them, and
/// an entry's last sight is the latest stamp any worker has for its slot, and never earlier than the entry's
/// creation (<see cref="TofFeature"/>: listing and idle purge). A slot's stamp may be a former occupant's; that is
/// older than the current entry's creation, which then wins.
/// </summary>
public sealed class TofIdleStamps(int tunnelCapacity, int flowCapacity)
{
    // Two cache lines each side, so the first and last stamps share no line (nor its adjacent-line pair) with another worker's data.
    private const int Padding = 16;

    private readonly long[] tunnels = new long[Padding + tunnelCapacity + Padding];
    private readonly long[] flows = new long[Padding + flowCapacity + Padding];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void StampTunnel(int slot, long now) => tunnels[Padding + slot] = now;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void StampFlow(int slot, long now) => flows[Padding + slot] = now;

    /// <summary>This worker's last sight of the tunnel in <paramref name="slot"/>, 0 if never.</summary>
    public long Tunnel(int slot) => Volatile.Read(ref tunnels[Padding + slot]);

    /// <summary>This worker's last sight of the flow in <paramref name="slot"/>, 0 if never.</summary>
    public long Flow(int slot) => Volatile.Read(ref flows[Padding + slot]);
}
