using Dataplane.Host.Cli;

namespace Dataplane.Host;

/// <summary>The <c>dataplane</c> program: one verb per job (<see cref="DataplaneCli"/>, docs/cli.md).</summary>
public static class Program
{
    public static int Main(string[] args) => DataplaneCli.Invoke(args, Console.Out, Console.Error);
}
