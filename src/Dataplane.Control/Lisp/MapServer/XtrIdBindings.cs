namespace Dataplane.Control.Lisp.MapServer;

/// <summary>
/// Which site (and site-ID) each xTR-ID registers for: the first to register it owns it while any of its parts
/// lives, so another site, or the same site under another site-ID, cannot present it to slip its locators into a
/// merged set or take another xTR's part over (a forged merge). Bounded by the registrations' parts: a binding goes
/// with the last part that holds it.
/// </summary>
public sealed class XtrIdBindings
{
    private readonly Dictionary<UInt128, Binding> bindings = [];

    public int Count => bindings.Count;

    /// <summary>Whether <paramref name="xtrId"/> may register for <paramref name="site"/> under <paramref name="siteId"/>.</summary>
    public bool Permits(UInt128 xtrId, string site, ulong siteId) =>
        !bindings.TryGetValue(xtrId, out var bound) || (bound.Site == site && bound.SiteId == siteId);

    public void Hold(RegistrantKey key, string site, ulong siteId)
    {
        if (!key.HasXtrId)
        {
            return;
        }

        bindings[key.XtrId] = bindings.TryGetValue(key.XtrId, out var bound) ? bound with { Parts = bound.Parts + 1 } : new Binding(site, siteId, 1);
    }

    public void Release(RegistrantKey key)
    {
        if (!key.HasXtrId || !bindings.TryGetValue(key.XtrId, out var bound))
        {
            return;
        }

        if (bound.Parts <= 1)
        {
            bindings.Remove(key.XtrId);
        }
        else
        {
            bindings[key.XtrId] = bound with { Parts = bound.Parts - 1 };
        }
    }

    private readonly record struct Binding(string Site, ulong SiteId, int Parts);
}
