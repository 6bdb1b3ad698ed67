using Dataplane.Forwarding.Buffers;
using Dataplane.Runtime.Workers;

namespace Dataplane.Control.Metrics;

/// <summary>
/// A control-thread service that copies some component's counters into the metrics registry once a second: on the
/// thread that writes them, so it reads without locks, and often enough for a scrape interval of seconds.
/// </summary>
public abstract class PeriodicMetricsPublisher : IControlPlaneService
{
    private const long IntervalMilliseconds = 1000;
    private long nextPublish;

    public void OnPunt(in PacketDescriptor packet)
    {
    }

    public void OnTick(long nowMilliseconds)
    {
        if (nowMilliseconds < nextPublish)
        {
            return;
        }

        nextPublish = nowMilliseconds + IntervalMilliseconds;
        Publish();
    }

    protected abstract void Publish();
}
