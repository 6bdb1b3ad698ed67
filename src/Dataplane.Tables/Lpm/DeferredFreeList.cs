namespace Dataplane.Tables.Lpm;

/// <summary>
/// Indices of table blocks (IPv4 second-level groups, IPv6 trie nodes) that the writer has unlinked. A retired
/// block may still be under a reader that followed the old pointer, so it becomes reusable only when the owner
/// says no such reader can remain (<see cref="Reclaim"/>, at a quiescent point). Writer-side only.
/// </summary>
internal sealed class DeferredFreeList
{
    private readonly Stack<int> _free = new();
    private readonly List<int> _retired = [];

    public int FreeCount => _free.Count;

    public int RetiredCount => _retired.Count;

    public void Retire(int block) => _retired.Add(block);

    public bool TryTake(out int block) => _free.TryPop(out block);

    public void Reclaim()
    {
        foreach (int block in _retired)
        {
            _free.Push(block);
        }

        _retired.Clear();
    }
}
