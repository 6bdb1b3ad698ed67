using System.Reflection;

namespace Dataplane.Runtime.Build;

/// <summary>
/// The version and git commit this build was made from, read once from the assembly's informational version
/// (<c>0.9.0+0123abcd...</c>, written by the SDK). One source for <c>dataplane --version</c>, the build-info metric
/// and the package's version.
/// </summary>
public static class BuildInfo
{
    private static readonly string InformationalVersion =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The product version without the commit, e.g. <c>0.9.0</c>.</summary>
    public static string Version { get; } = InformationalVersion.Split('+')[0];

    /// <summary>The full git commit id, or <c>unknown</c> when built outside a git checkout.</summary>
    public static string Commit { get; } =
        InformationalVersion.Split('+') is [_, string commit, ..] && commit.Length > 0 ? commit : "unknown";

    /// <summary>The runtime this build runs on, e.g. <c>.NET 10.0.12</c>.</summary>
    public static string Runtime => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
}
