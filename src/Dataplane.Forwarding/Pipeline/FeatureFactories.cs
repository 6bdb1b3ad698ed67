using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Lisp;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>Creates the features the configured roles need, besides routing (which is always there).</summary>
internal static class FeatureFactories
{
    public static IEnumerable<IForwardingFeature> Create(DataplaneConfig config, ForwardingPlane plane)
    {
        var features = new List<IForwardingFeature>();

        // LISP (itr, etr, pitr, petr, rtr): one LispTables instance, shared by the decapsulating and the
        // encapsulating features.
        bool itr = plane.HasRole("itr");
        bool pitr = plane.HasRole("pitr");
        bool rtr = plane.HasRole("rtr");
        bool anyLisp = itr || pitr || rtr || plane.HasRole("etr") || plane.HasRole("petr");
        if (anyLisp)
        {
            var lisp = config.Lisp ?? throw new ConfigurationException("lisp", "the roles itr, etr, pitr, petr and rtr need a \"lisp\" section");
            var tables = LispTables.FromConfig(lisp, plane.Options.Clock);

            // The decapsulation feature (etr, petr, rtr) is added here by the ETR stage.
            if (itr || pitr || rtr)
            {
                features.Add(new LispEncapsulationFeature(tables, LispEncapsulationSettings.FromConfig(lisp), itr, pitr, rtr));
            }
        }

        // VXLAN (vtep): added by the VTEP stage.
        // GTP-U (gtpu): added by the GTP-U endpoint stage.
        return features;
    }
}
