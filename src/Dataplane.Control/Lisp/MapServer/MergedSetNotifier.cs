using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Control.Lisp.MapServer;

/// <summary>
/// Tells registrants that their prefix's merged locator set changed (a part joined, changed, left or expired): a
/// Map-Notify signed with the site's key, carrying the merged record and the registrant's own xTR-ID and site-ID
/// (RFC 9301 5.7), sent unasked. Each waits for its Map-Notify-Ack (type 5, same nonce, from the registrant, signed
/// with the same key) and is sent again every <see cref="RetransmitMilliseconds"/>, <see cref="MaxRetransmits"/>
/// times at most, then given up (`MapNotifyGaveUp`; the registrant's next periodic register gets the merged set in
/// its Map-Notify anyway). At most <see cref="MaxPending"/> wait at once: past it a notify is sent once and not tracked.
/// </summary>
public sealed class MergedSetNotifier(LispControlContext context)
{
    public const long RetransmitMilliseconds = 1000;
    public const int MaxRetransmits = 3;
    public const int MaxPending = 10_000;

    private readonly Dictionary<ulong, Pending> pending = [];
    private readonly List<ulong> due = [];

    public int PendingCount => pending.Count;

    /// <summary>Sends <paramref name="part"/> the merged <paramref name="record"/>, signed with <paramref name="key"/> under <paramref name="keyId"/>.</summary>
    public void Notify(RegistrationPart part, MappingRecord record, ushort keyId, byte[] key)
    {
        ulong nonce = LispControlContext.NewNonce();
        var notify = new MapNotify(nonce, keyId, new byte[LispAuthentication.AuthenticationLength(keyId, part.TruncatedHmac)], [record])
        {
            XtrIdPresent = part.Key.HasXtrId,
            XtrId = part.Key.XtrId,
            SiteId = part.SiteId,
        };
        var bytes = new byte[notify.Size];
        notify.WriteSigned(bytes, key);
        if (!context.Send(part.Registrant, bytes, LispControlEvent.MergedSetNotifySent, part.Port))
        {
            return;
        }

        if (pending.Count >= MaxPending)
        {
            context.Counters.Count(LispControlEvent.NotifyPendingLimitReached);
            return;
        }

        pending[nonce] = new Pending(bytes, part.Registrant, part.Port, keyId, key, context.Now + RetransmitMilliseconds);
    }

    /// <summary>A Map-Notify-Ack (type 5) from <paramref name="from"/>; false (and counted) when it answers nothing we wait for.</summary>
    public bool OnAck(ReadOnlySpan<byte> message, IpAddress from)
    {
        if (!MapNotify.TryParse(message, out var ack, out _) || !ack!.IsAcknowledgement)
        {
            context.Counters.Count(LispControlEvent.Malformed);
            return false;
        }

        if (!pending.TryGetValue(ack.Nonce, out var waiting) || waiting.To != from)
        {
            context.Counters.Count(LispControlEvent.UnmatchedMapNotifyAck);
            return false;
        }

        if (AuthenticationCheck.Refusal(message, MapNotify.AuthenticationDataOffset, ack.KeyId, ack.AuthenticationData.Length,
                waiting.KeyId, waiting.Key) is { } refusal)
        {
            context.Counters.Count(refusal);
            return false;
        }

        pending.Remove(ack.Nonce);
        context.Counters.Count(LispControlEvent.MapNotifyAckReceived);
        return true;
    }

    /// <summary>Whether a type-5 message's nonce is one of ours (so it is a Map-Notify-Ack, not a legacy Change-Priority).</summary>
    public bool IsWaitingFor(ulong nonce) => pending.ContainsKey(nonce);

    public void OnTick(long now)
    {
        due.Clear();
        foreach (var (nonce, waiting) in pending)
        {
            if (now >= waiting.NextAt)
            {
                due.Add(nonce);
            }
        }

        foreach (ulong nonce in due)
        {
            var waiting = pending[nonce];
            if (waiting.Retransmits >= MaxRetransmits)
            {
                pending.Remove(nonce);
                context.Counters.Count(LispControlEvent.MapNotifyGaveUp);
                continue;
            }

            context.Send(waiting.To, waiting.Message, LispControlEvent.MapNotifyRetransmitted, waiting.Port);
            pending[nonce] = waiting with { Retransmits = waiting.Retransmits + 1, NextAt = now + RetransmitMilliseconds };
        }
    }

    private sealed record Pending(byte[] Message, IpAddress To, ushort Port, ushort KeyId, byte[] Key, long NextAt, int Retransmits = 0);
}
