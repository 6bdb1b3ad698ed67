using Dataplane.Host.Replay;

namespace Dataplane.Tests.Host;

/// <summary>`dataplane replay` in process, and the small files its tests hand it, one place for every replay test class.</summary>
public static class ReplayInvocation
{
    public static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = ReplayCommand.Run(arguments, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in <paramref name="directory"/> and returns the path.</summary>
    public static string Write(string directory, string name, string text)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
