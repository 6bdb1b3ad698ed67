namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// The roles a data plane plays, as a set: the configuration names them ("itr", "vtep" ...), the builder turns the
/// names into this once, and everything after asks the set, so a misspelt role is a configuration error, never a
/// silently false test.
/// </summary>
[Flags]
public enum DataplaneRoles
{
    None = 0,
    Itr = 1 << 0,
    Etr = 1 << 1,
    Pitr = 1 << 2,
    Petr = 1 << 3,
    Rtr = 1 << 4,
    Msmr = 1 << 5,
    Vtep = 1 << 6,
    Gtpu = 1 << 7,
    Tof = 1 << 8,

    /// <summary>The roles that encapsulate native packets into LISP (and resolve EIDs): ITR, PITR, RTR.</summary>
    LispEncapsulating = Itr | Pitr | Rtr,

    /// <summary>The roles that decapsulate LISP (and answer for local EIDs): ETR, PETR, RTR.</summary>
    LispDecapsulating = Etr | Petr | Rtr,

    /// <summary>Every LISP tunnel router role.</summary>
    LispXtr = LispEncapsulating | LispDecapsulating,
}

/// <summary>The configuration's names of <see cref="DataplaneRoles"/>.</summary>
public static class DataplaneRoleNames
{
    private static readonly (string Name, DataplaneRoles Role)[] Names =
    [
        ("itr", DataplaneRoles.Itr), ("etr", DataplaneRoles.Etr), ("pitr", DataplaneRoles.Pitr), ("petr", DataplaneRoles.Petr),
        ("rtr", DataplaneRoles.Rtr), ("msmr", DataplaneRoles.Msmr), ("vtep", DataplaneRoles.Vtep), ("gtpu", DataplaneRoles.Gtpu),
        ("tof", DataplaneRoles.Tof),
    ];

    /// <summary>Every name a configuration may use, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> Known { get; } = [.. Names.Select(n => n.Name)];

    public static bool TryParse(string name, out DataplaneRoles role)
    {
        foreach (var (known, value) in Names)
        {
            if (known == name)
            {
                role = value;
                return true;
            }
        }

        role = DataplaneRoles.None;
        return false;
    }

    /// <summary>The roles <paramref name="names"/> name; names that are no role are left out (the builder reports them).</summary>
    public static DataplaneRoles SetOf(IEnumerable<string> names)
    {
        var roles = DataplaneRoles.None;
        foreach (string name in names)
        {
            roles |= TryParse(name, out var role) ? role : DataplaneRoles.None;
        }

        return roles;
    }

    /// <summary>The names of the roles in <paramref name="roles"/>.</summary>
    public static IEnumerable<string> NamesOf(DataplaneRoles roles) => Names.Where(n => (roles & n.Role) != 0).Select(n => n.Name);

    /// <summary>True when <paramref name="roles"/> holds any of <paramref name="any"/>.</summary>
    public static bool HasAny(this DataplaneRoles roles, DataplaneRoles any) => (roles & any) != 0;
}
