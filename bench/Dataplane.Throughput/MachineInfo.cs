using System.Runtime.InteropServices;

namespace Dataplane.Throughput;

/// <summary>What the figures were measured on.</summary>
public sealed record MachineInfo(string CpuModel, int Cores, string LoadAverageAtStart, string DotnetVersion, string Date)
{
    public string LoadAverageAtEnd { get; set; } = "";

    public static MachineInfo Read() => new(ReadCpuModel(), Environment.ProcessorCount, LoadAverage(), Environment.Version.ToString(), DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture));

    public static string LoadAverage()
    {
        try
        {
            string[] fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(" ", fields.Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static string ReadCpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
