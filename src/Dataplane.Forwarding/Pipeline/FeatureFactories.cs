using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Lisp;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>Creates the features the configured roles need, besides routing (which is always there).</summary>
internal static class FeatureFactories
{
    public static IEnumerable<IForwardingFeature> Create(DataplaneConfig config, ForwardingPlane plane)
    {
        var features = new List<IForwardingFeature>();
        if (plane.HasRole(DataplaneRoles.LispXtr))
        {
            var lisp = config.Lisp ?? throw new ConfigurationException("lisp", $"roles {string.Join(", ", DataplaneRoleNames.NamesOf(plane.Roles & DataplaneRoles.LispXtr))} need a \"lisp\" section");

            // One set of LISP tables for every LISP stage: the decapsulating and encapsulating features share it.
            var lispTables = LispTables.FromConfig(lisp, plane.Options.Clock);
            features.Add(new LispControlFeature(lispTables));
            if (plane.HasRole(DataplaneRoles.LispDecapsulating))
            {
                CheckDecapsulationConfig(lisp, plane);
                features.Add(new LispDecapsulationFeature(lispTables));
            }

            if (plane.HasRole(DataplaneRoles.LispEncapsulating))
            {
                features.Add(new LispEncapsulationFeature(lispTables, LispEncapsulationSettings.FromConfig(lisp),
                    plane.HasRole(DataplaneRoles.Itr), plane.HasRole(DataplaneRoles.Pitr), plane.HasRole(DataplaneRoles.Rtr)));
            }
        }

        else if (plane.HasRole(DataplaneRoles.Msmr))
        {
            features.Add(new LispControlFeature(tables: null)); // a pure map-server: control messages only
        }

        // VXLAN (vtep): the VTEP stage.
        if (plane.HasRole(DataplaneRoles.Vtep))
        {
            features.Add(Vxlan.VxlanFeature.Create(config, plane));
        }

        // GTP-U (gtpu): the GTP-U endpoint stage.
        if (plane.HasRole(DataplaneRoles.Gtpu))
        {
            features.Add(GtpU.GtpUFeature.Create(config, plane));
        }

        // TOF (tof): the traffic offloading function on S1-U / N3.
        if (plane.HasRole(DataplaneRoles.Tof))
        {
            features.Add(Tof.TofFeature.Create(config, plane));
        }

        // NSH (an "nsh" section): the service function forwarder.
        if (config.Nsh is not null)
        {
            features.Add(Nsh.NshFeature.Create(config, plane));
        }

        // Traffic rules: the table every stage that applies rules reads, and the instance stage when a rule needs it.
        features.Add(Rules.TrafficRuleFeature.Create(config, plane, features.OfType<Tof.TofFeature>().FirstOrDefault()?.Services));
        return features;
    }

    /// <summary>Refuses decapsulating roles that could never decapsulate anything, instead of dropping every packet at run time.</summary>
    private static void CheckDecapsulationConfig(LispConfig lisp, ForwardingPlane plane)
    {
        if (lisp.LocalRlocs.Count == 0)
        {
            throw new ConfigurationException("lisp.localRlocs", "roles etr, petr and rtr decapsulate only packets sent to our own RLOCs: list at least one");
        }

        if (plane.HasRole(DataplaneRoles.Etr) && !plane.HasRole(DataplaneRoles.Petr) && !plane.HasRole(DataplaneRoles.Rtr) && lisp.LocalEids.Count == 0)
        {
            throw new ConfigurationException("lisp.localEids", "an etr decapsulates only toward its own EID prefixes: list at least one (or add role petr to decapsulate toward any destination)");
        }
    }
}
