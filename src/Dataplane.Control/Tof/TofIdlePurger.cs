using Dataplane.Control.Logging;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Tof;
using Dataplane.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Tof;

/// <summary>Purges the TOF's idle tunnels and NAT flows once a second, on the control thread (workers never scan the tables).</summary>
public sealed class TofIdlePurger(TofFeature tof, ILogger? log = null) : IControlPlaneService
{
    private const long PeriodMilliseconds = 1000;
    private long nextPurge;

    public void OnPunt(in PacketDescriptor packet)
    {
    }

    public void OnTick(long nowMilliseconds)
    {
        if (nowMilliseconds < nextPurge)
        {
            return;
        }

        nextPurge = nowMilliseconds + PeriodMilliseconds;
        var (tunnels, flows) = tof.PurgeIdle();
        if (tunnels + flows > 0 && log is not null)
        {
            TofLog.Purged(log, tunnels, flows);
        }
    }
}
