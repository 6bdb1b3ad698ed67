namespace Dataplane.Control.Lisp;

/// <summary>The last few thousand nonces seen: an authenticated message whose nonce is among them is a replay.</summary>
internal sealed class NonceMemory(int capacity = 4096)
{
    private readonly HashSet<ulong> nonces = [];
    private readonly Queue<ulong> order = new();

    public bool Contains(ulong nonce) => nonces.Contains(nonce);

    /// <summary>Remembers <paramref name="nonce"/>; false when it was already remembered (a replay).</summary>
    public bool TryRemember(ulong nonce)
    {
        if (!nonces.Add(nonce))
        {
            return false;
        }

        order.Enqueue(nonce);
        if (order.Count > capacity)
        {
            nonces.Remove(order.Dequeue());
        }

        return true;
    }
}
