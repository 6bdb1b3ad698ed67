namespace Dataplane.Forwarding.Tof;

/// <summary>An entry of a <see cref="TofSlotTable{TKey, TEntry}"/>: it carries its own key.</summary>
public interface ITofKeyed<TKey>
    where TKey : struct, IEquatable<TKey>
{
    TKey Key { get; }
}
