using BenchmarkDotNet.Running;

namespace Dataplane.Benchmarks;

/// <summary>
/// Micro-benchmarks: <c>dotnet run -c Release --project bench/Dataplane.Benchmarks -- --filter '*'</c>
/// (or a narrower filter such as '*Checksum*'). Every class runs with MemoryDiagnoser.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
