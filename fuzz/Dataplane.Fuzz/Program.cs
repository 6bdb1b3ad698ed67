using System.Runtime.InteropServices;
using Dataplane.Fuzz.Targets;
using SharpFuzz;
using SharpFuzz.Common;

// dataplane-fuzz TARGET                  run under afl-fuzz (SharpFuzz persistent mode, the input on stdin)
// dataplane-fuzz TARGET --replay FILE... run each file once and name the ones that fail (crash triage)
// DATAPLANE_REPO overrides where the golden configurations are read from (default: above this binary, then the cwd).
if (args.Length == 0)
{
    Console.Error.WriteLine($"usage: dataplane-fuzz TARGET [--replay FILE...]; targets: {string.Join(", ", FuzzTargets.Families)}, selftest");
    return 2;
}

// The instrumented assemblies write every branch to Trace.SharedMem, which SharpFuzz points at AFL's coverage map
// only once Fuzzer.Run starts; until then (and in --replay) they write to a scratch map of the same 64 KiB.
unsafe
{
    Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(1 << 16);
}

string name = args[0];
string root = Environment.GetEnvironmentVariable("DATAPLANE_REPO") is { Length: > 0 } configured
    ? configured
    : FindRepositoryRoot(AppContext.BaseDirectory) ?? FindRepositoryRoot(Environment.CurrentDirectory)
      ?? throw new DirectoryNotFoundException("no Dataplane.sln above this binary or the current directory; set DATAPLANE_REPO");
var target = FuzzTargets.Create(name, root);

if (args.Length > 1 && args[1] == "--replay")
{
    int failed = 0;
    foreach (string file in args.Skip(2))
    {
        try
        {
            target.Execute(File.ReadAllBytes(file));
        }
#pragma warning disable CA1031 // triage reports every exception, whatever its type
        catch (Exception e)
#pragma warning restore CA1031
        {
            failed++;
            Console.WriteLine($"{file}: {e}");
        }
    }

    Console.WriteLine($"{args.Length - 2} inputs, {failed} failed");
    return failed == 0 ? 0 : 1;
}

byte[] buffer = new byte[1 << 20];
Fuzzer.Run(stream =>
{
    int length = 0;
    int read;
    while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
    {
        length += read;
    }

    target.Execute(buffer.AsSpan(0, length));
});
return 0;

static string? FindRepositoryRoot(string start)
{
    for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Dataplane.sln")))
        {
            return directory.FullName;
        }
    }

    return null;
}
