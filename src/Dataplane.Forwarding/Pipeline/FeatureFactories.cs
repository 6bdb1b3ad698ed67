using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Lisp;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>Creates the features the configured roles need, besides routing (which is always there).</summary>
internal static class FeatureFactories
{
    public static IEnumerable<IForwardingFeature> Create(DataplaneConfig config, ForwardingPlane plane)
    {
        // LISP (itr, etr, pitr, petr, rtr): one LispTables instance, shared by the decapsulating and the
        // encapsulating features.
        bool itr = plane.HasRole("itr");
        bool pitr = plane.HasRole("pitr");
        bool rtr = plane.HasRole("rtr");
        if (itr || pitr || rtr || plane.HasRole("etr") || plane.HasRole("petr"))
        {
            var lisp = config.Lisp ?? throw new ConfigurationException("lisp", "the roles itr, etr, pitr, petr and rtr need a \"lisp\" section");
            var tables = LispTables.FromConfig(lisp, plane.Options.Clock);

            // The decapsulation feature (etr, petr, rtr) is added here by the ETR stage.
            if (itr || pitr || rtr)
            {
                yield return new LispEncapsulationFeature(tables, LispEncapsulationSettings.FromConfig(lisp), itr, pitr, rtr);
            }
        }

        // VXLAN (vtep): added by the VTEP stage.
        if (plane.HasRole("vtep"))
        {
            yield return Vxlan.VxlanFeature.Create(config, plane);
        }

        // GTP-U (gtpu): added by the GTP-U endpoint stage.
    }
}
