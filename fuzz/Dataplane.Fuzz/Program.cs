using Dataplane.Fuzz.Targets;
using SharpFuzz;

// dataplane-fuzz TARGET                  run under afl-fuzz (SharpFuzz persistent mode, the input on stdin)
// dataplane-fuzz TARGET --replay FILE... run each file once and name the ones that fail (crash triage)
// DATAPLANE_REPO overrides where the golden configurations are read from (default: above this binary, then the cwd).
if (args.Length == 0)
{
    Console.Error.WriteLine($"usage: dataplane-fuzz TARGET [--replay FILE...]; targets: {string.Join(", ", FuzzTargets.Families)}, selftest");
    return 2;
}

string name = args[0];
string root = Environment.GetEnvironmentVariable("DATAPLANE_REPO") is { Length: > 0 } configured
    ? configured
    : TryFindRoot(AppContext.BaseDirectory) ?? FuzzTargets.FindRepositoryRoot(Environment.CurrentDirectory);

if (args.Length > 1 && args[1] == "--replay")
{
    var replayed = FuzzTargets.Create(name, root);
    int failed = 0;
    foreach (string file in args.Skip(2))
    {
        try
        {
            replayed.Execute(File.ReadAllBytes(file));
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

// The target is built inside the first execution, not here: the instrumented assemblies write to AFL's coverage
// map, which SharpFuzz maps only once Fuzzer.Run starts (before that the map pointer is null).
IFuzzTarget? target = null;
byte[] buffer = new byte[1 << 20];
Fuzzer.Run(stream =>
{
    target ??= FuzzTargets.Create(name, root);
    int length = 0;
    int read;
    while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
    {
        length += read;
    }

    target.Execute(buffer.AsSpan(0, length));
});
return 0;

static string? TryFindRoot(string start)
{
    try
    {
        return FuzzTargets.FindRepositoryRoot(start);
    }
    catch (DirectoryNotFoundException)
    {
        return null;
    }
}
