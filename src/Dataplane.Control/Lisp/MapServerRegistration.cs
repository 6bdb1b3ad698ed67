using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The ETR's registration with one map-server, kept apart from the others' so a dead server delays nobody: whether
/// its Map-Notify confirmed the current round, when a Map-Notify last came, and the registers sent this round.
/// </summary>
public sealed class MapServerRegistration(IpAddress address)
{
    public IpAddress Address { get; } = address;

    /// <summary>This round's registration was confirmed by the server's Map-Notify.</summary>
    public bool Confirmed { get; internal set; }

    /// <summary>Map-Registers sent to it this round (the first and its repetitions until a Map-Notify).</summary>
    public int Attempts { get; internal set; }

    /// <summary>When the unconfirmed register is repeated; null once confirmed or when the next round comes first.</summary>
    public long? RetryAt { get; internal set; }

    /// <summary>When its last valid Map-Notify came, on the control plane's millisecond clock; null before the first.</summary>
    public long? LastNotifyAt { get; internal set; }

    /// <summary>A new registration round: nothing confirmed or sent yet (the last Map-Notify's time stays).</summary>
    internal void NewRound()
    {
        Confirmed = false;
        Attempts = 0;
        RetryAt = null;
    }
}
