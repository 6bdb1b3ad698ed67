namespace Dataplane.Control.Verification;

/// <summary>How bad a finding is: an error makes <c>dataplane verify</c> exit 1; a warning is reported and passes.</summary>
public enum FindingSeverity
{
    Error,
    Warning,
}

/// <summary>
/// One thing <c>dataplane verify</c> found: its <see cref="Severity"/>, a short <see cref="Code"/> (<see cref="FindingCodes"/>),
/// the JSON path of the element it is about (<c>routes[4]</c>, <c>lisp.localEids[1]</c>, or a state entry
/// such as <c>state:mapcache[10.1.0.0/16]</c>), and one sentence.
/// </summary>
public sealed record VerificationFinding(FindingSeverity Severity, string Code, string Path, string Message)
{
    public static VerificationFinding Error(string code, string path, string message) => new(FindingSeverity.Error, code, path, message);

    public static VerificationFinding Warning(string code, string path, string message) => new(FindingSeverity.Warning, code, path, message);

    public string SeverityName => Severity == FindingSeverity.Error ? "error" : "warning";

    /// <summary>The plain output's line: <c>error route-loop routes[3]: ...</c>.</summary>
    public override string ToString() => $"{SeverityName} {Code} {Path}: {Message}";
}
