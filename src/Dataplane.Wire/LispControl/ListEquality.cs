namespace Dataplane.Wire.LispControl;

/// <summary>Element-wise equality and hashing for the lists and byte arrays inside the message records.</summary>
internal static class ListEquality
{
    public static bool Equal<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null || a.Count != b.Count)
        {
            return false;
        }

        var comparer = EqualityComparer<T>.Default;
        for (int i = 0; i < a.Count; i++)
        {
            if (!comparer.Equals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static bool Equal(byte[]? a, byte[]? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.AsSpan().SequenceEqual(b));

    public static int Hash<T>(IReadOnlyList<T>? list)
    {
        var hash = new HashCode();
        if (list is not null)
        {
            foreach (var item in list)
            {
                hash.Add(item);
            }
        }

        return hash.ToHashCode();
    }

    public static int Hash(byte[]? bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
