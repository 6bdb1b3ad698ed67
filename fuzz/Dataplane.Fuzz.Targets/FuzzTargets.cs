namespace Dataplane.Fuzz.Targets;

/// <summary>The targets by name: one per parser family, plus the harness self-test.</summary>
public static class FuzzTargets
{
    /// <summary>The parser families, in the order scripts/fuzz runs them (selftest is not among them).</summary>
    public static readonly string[] Families = ["wire", "lisp-control", "capture", "json-rpc", "rest"];

    /// <summary>A fresh target named <paramref name="name"/>, its fixtures read from the repository at <paramref name="repositoryRoot"/>.</summary>
    public static IFuzzTarget Create(string name, string repositoryRoot) => name switch
    {
        "wire" => new WireTarget(repositoryRoot),
        "lisp-control" => new LispControlTarget(),
        "capture" => new CaptureTarget(),
        "json-rpc" => new JsonRpcTarget(repositoryRoot),
        "rest" => new RestTarget(repositoryRoot),
        "selftest" => new SelfTestTarget(),
        _ => throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", Families)}, selftest", nameof(name)),
    };
}
