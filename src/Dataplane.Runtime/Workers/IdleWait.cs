using System.Runtime.InteropServices;
using Dataplane.Runtime.Ports;

namespace Dataplane.Runtime.Workers;

/// <summary>
/// How an idle worker waits for traffic. When every port it polls can wake it (<see cref="IPollablePort"/>, the
/// injection port aside: control traffic is rare and may wait a millisecond), it blocks in poll(2) on their
/// descriptors for at most the given time; otherwise it gives the core away with a sleep.
/// </summary>
internal sealed unsafe partial class IdleWait
{
    private const short PollIn = 0x001;
    private readonly PollDescriptor[] descriptors;

    public IdleWait(PortSet ports, int queue)
    {
        var fds = new List<PollDescriptor>();
        bool allPollable = true;
        foreach (var port in ports.All)
        {
            if (queue >= port.QueueCount || port is InjectionPort)
            {
                continue;
            }

            if (port is IPollablePort pollable)
            {
                fds.Add(new PollDescriptor { Descriptor = pollable.ReceiveDescriptor(queue), Events = PollIn });
            }
            else
            {
                allPollable = false;
            }
        }

        descriptors = allPollable ? [.. fds] : [];
    }

    /// <summary>True when the worker blocks on its ports' descriptors rather than sleeping.</summary>
    public bool Blocks => descriptors.Length > 0;

    /// <summary>Waits until a port has traffic or <paramref name="milliseconds"/> pass.</summary>
    public void Wait(int milliseconds)
    {
        if (descriptors.Length == 0)
        {
            Thread.Sleep(milliseconds);
            return;
        }

        fixed (PollDescriptor* fds = descriptors)
        {
            _ = Poll(fds, (nuint)descriptors.Length, milliseconds); // an error (EINTR) just ends the wait early
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "poll")]
    private static partial int Poll(PollDescriptor* fds, nuint count, int timeoutMilliseconds);
}
