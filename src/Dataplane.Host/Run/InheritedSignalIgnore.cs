using System.Runtime.InteropServices;

namespace Dataplane.Host.Run;

/// <summary>
/// Undoes an inherited "ignore" of the stop signals. A process started in the background by a non-interactive shell
/// (<c>dataplane run ... &amp;</c> in a script), or by a parent that itself ignores SIGINT, starts with SIGINT (and
/// SIGQUIT) set to SIG_IGN, and .NET keeps an ignored signal ignored: <see cref="PosixSignalRegistration"/> then
/// installs nothing and the daemon never sees the SIGINT that is its documented way to stop ("did not exit
/// within 15 s of SIGINT"; reproduced by starting it with <c>&amp;</c> from bash: SigIgn in /proc/PID/status had bit 2
/// set and SigCgt did not). Setting SIGINT and SIGTERM back to SIG_DFL before registering makes the registration
/// take. Only ignored signals are touched; a handler already installed is left alone.
/// </summary>
internal static partial class InheritedSignalIgnore
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private static readonly IntPtr SigIgn = 1;

    /// <summary>Resets SIGINT and SIGTERM to their default when they were inherited as ignored; returns the ones it reset.</summary>
    public static IReadOnlyList<string> ResetStopSignals()
    {
        var reset = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            return reset;
        }

        foreach (var (number, name) in new[] { (SigInt, "SIGINT"), (SigTerm, "SIGTERM") })
        {
            if (sigaction(number, IntPtr.Zero, out var current) == 0 && current.Handler == SigIgn)
            {
                var defaultAction = default(SigAction); // SIG_DFL, empty mask, no flags
                if (sigaction(number, ref defaultAction, IntPtr.Zero) == 0)
                {
                    reset.Add(name);
                }
            }
        }

        return reset;
    }

    // glibc's struct sigaction on 64-bit Linux: the handler, a 128-byte sigset_t, int flags, the restorer (152 bytes).
    [StructLayout(LayoutKind.Sequential, Size = 152)]
    private struct SigAction
    {
        public IntPtr Handler;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signal, IntPtr action, out SigAction previous);

    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signal, ref SigAction action, IntPtr previous);
}
