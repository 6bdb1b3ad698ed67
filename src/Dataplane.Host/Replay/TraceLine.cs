using System.Text;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Routing;
using Dataplane.Host.Inspect;
using Dataplane.Ports.Replay;

namespace Dataplane.Host.Replay;

/// <summary>
/// One traced packet on one line (<c>--trace</c>): its number and ingress port, its headers as read, what the
/// classifier made of it, each stage that was handed it with the events it counted (and its verdict when it decided),
/// and how it left: <c>#3 eid-side ipv4[10.1.0.10&gt;10.2.0.5 ttl=64] udp[40000&gt;5000]: classify=NativeIpv4
/// lisp-encapsulation: LispEncapsulated -&gt; port rloc-side eth ipv4[192.0.2.1&gt;198.51.100.1 ...] ...</c>.
/// </summary>
public static class TraceLine
{
    public static string Format(PacketTrace trace, PortTable ports)
    {
        var dissector = new LayerDissector();
        var line = new StringBuilder();
        line.Append('#').Append(trace.Number).Append(' ').Append(PortName(ports, trace.IngressPort)).Append(' ');
        dissector.Dissect(trace.Input, trace.InputFormat == FrameFormat.RawIp);
        line.Append(dissector.Description).Append(": classify=").Append(trace.Kind);
        var kind = trace.Kind;
        foreach (var step in trace.Steps)
        {
            int mark = line.Append(' ').Append(step.Stage).Append(':').Length;
            if (step.Events.Count > 0)
            {
                line.Append(' ').AppendJoin(',', step.Events);
            }

            if (step.Emitted > 0)
            {
                line.Append(" +").Append(step.Emitted).Append(" emitted");
            }

            if (step.Verdict.IsDropped)
            {
                line.Append(" drop ").Append(step.Verdict.DropReason);
            }
            else if (step.KindAfter != kind)
            {
                line.Append(" now ").Append(step.KindAfter);
            }

            if (line.Length == mark)
            {
                line.Append(" pass");
            }

            kind = step.KindAfter;
        }

        var outcome = trace.Outcome;
        line.Append(" -> ");
        if (outcome.IsDropped)
        {
            line.Append("drop ").Append(outcome.DropReason).Append(" at ").Append(outcome.DroppedBy);
            return line.ToString();
        }

        line.Append(outcome.Disposition == PacketDisposition.Transmit ? $"port {PortName(ports, outcome.EgressPort)}" : "punt");
        if (trace.Output is { } output)
        {
            dissector.Dissect(output, trace.OutputIsRawIp);
            line.Append(' ').Append(dissector.Description);
        }

        return line.ToString();
    }

    private static string PortName(PortTable ports, ushort id) => ports.TryGet(id, out var port) ? port.Name : $"port{id}";
}
