using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Logging;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Reload;

/// <summary>What a reload did.</summary>
public sealed record ReloadOutcome(bool Accepted, int Applied, int Refused, IReadOnlyList<string> NeedsRestart);

/// <summary>
/// <c>dataplane run</c>'s reload (SIGHUP): reads the configuration file again and checks it as a start would (parse,
/// then build a plane from it); a file that fails changes nothing and is logged with the field it names. Otherwise
/// the rule-state difference between the file last applied and this one goes through the control methods, journaled
/// like an operator's calls; a changed <c>control.logLevel</c> through log.set-level; every other difference (ports,
/// drivers, workers, addresses, roles ...) is logged as needing a restart and left as it runs.
/// </summary>
public sealed class ConfigurationReloader
{
    private readonly string path;
    private readonly ControlMethods methods;
    private readonly ILogger log;
    private DataplaneConfig applied;
    private JsonObject? appliedRules;

    /// <param name="running">The configuration the daemon started with (the file's content then).</param>
    public ConfigurationReloader(string path, DataplaneConfig running, ControlMethods methods)
    {
        this.path = path;
        applied = running;
        this.methods = methods;
        log = methods.Context.Logging.Logger(LogCategories.Reload);
    }

    public ReloadOutcome Reload()
    {
        ReloadLog.Reloading(log, path);
        DataplaneConfig next;
        JsonObject nextRules;
        try
        {
            next = DataplaneConfigFile.Load(path);
            LogLevels.FromConfig(next.Control);
            nextRules = RuleChanges.RulesOf(next);
            appliedRules ??= RuleChanges.RulesOf(applied); // built once, at the first reload: it passed at start
        }
        catch (ConfigurationException e)
        {
            ReloadLog.Refused(log, path, e.Field, e.Problem);
            return new ReloadOutcome(false, 0, 0, []);
        }

        var needsRestart = SettingsDifference.NeedingRestart(applied, next);
        if (needsRestart.Count > 0)
        {
            ReloadLog.NeedsRestart(log, string.Join(", ", needsRestart));
        }

        var changes = new List<RuleChange>(RuleChanges.Between(appliedRules, nextRules));
        if (applied.Control?.LogLevel != next.Control?.LogLevel)
        {
            changes.Add(new RuleChange("log.set-level", new JsonObject { ["level"] = LogLevels.Name(LogLevels.FromConfig(next.Control)) }));
        }

        int done = 0, refused = 0;
        foreach (var change in changes)
        {
            string parameters = change.Params.ToJsonString();
            try
            {
                methods.Invoke(change.Method, change.Element());
                ReloadLog.Applied(log, change.Method, parameters);
                done++;
            }
            catch (Exception e) when (e is ControlRpcException or InvalidOperationException or ArgumentException or IOException or JsonException)
            {
                // Another change went on (an operator's entry in the way ...): this one is named, the others still apply.
                ReloadLog.ChangeRefused(log, change.Method, parameters, e.Message);
                refused++;
            }
        }

        applied = next;
        appliedRules = nextRules;
        ReloadLog.Reloaded(log, path, done, refused);
        return new ReloadOutcome(true, done, refused, needsRestart);
    }
}
