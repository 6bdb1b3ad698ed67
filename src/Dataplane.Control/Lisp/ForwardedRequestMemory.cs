using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Lisp;

/// <summary>
/// The map-server's memory of the last few thousand encapsulated Map-Requests by nonce, with who sent each first.
/// An ITR retransmits under the same nonce, from the same address (to this map-resolver or another); the same nonce
/// coming back from another address is that request forwarded to us by another map-server, after we handled it
/// ourselves: a forwarding loop between map-servers, broken here.
/// </summary>
internal sealed class ForwardedRequestMemory(int capacity = 4096)
{
    private readonly Dictionary<ulong, IpAddress> firstSender = [];
    private readonly Queue<ulong> order = new();

    /// <summary>False when <paramref name="nonce"/> was seen recently from another sender than <paramref name="from"/>.</summary>
    public bool TryAccept(ulong nonce, IpAddress from)
    {
        if (firstSender.TryGetValue(nonce, out var first))
        {
            return first == from;
        }

        firstSender[nonce] = from;
        order.Enqueue(nonce);
        if (order.Count > capacity)
        {
            firstSender.Remove(order.Dequeue());
        }

        return true;
    }
}
