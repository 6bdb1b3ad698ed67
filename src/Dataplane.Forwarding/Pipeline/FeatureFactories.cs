using Dataplane.Forwarding.Configuration;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>Creates the features the configured roles need, besides routing (which is always there).</summary>
internal static class FeatureFactories
{
    public static IEnumerable<IForwardingFeature> Create(DataplaneConfig config, ForwardingPlane plane)
    {
        // LISP (itr, etr, pitr, petr, rtr): added by the LISP stages.
        // VXLAN (vtep): added by the VTEP stage.
        if (plane.HasRole("vtep"))
        {
            yield return Vxlan.VxlanFeature.Create(config, plane);
        }

        // GTP-U (gtpu): the GTP-U endpoint stage.
        if (plane.HasRole("gtpu"))
        {
            yield return GtpU.GtpUFeature.Create(config, plane);
        }
    }
}
