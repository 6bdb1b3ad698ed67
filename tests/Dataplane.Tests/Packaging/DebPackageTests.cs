using System.Text.RegularExpressions;

namespace Dataplane.Tests.Packaging;

/// <summary>
/// The Debian package: what <c>dpkg-deb</c> says is inside, and that it installs, runs, and purges in a throw-away
/// root (an overlay of this system in a private mount namespace, so dpkg's database and files here stay untouched).
/// </summary>
[Collection(InstalledProgramCollection.Name)]
public sealed partial class DebPackageTests(InstalledProgram installed)
{
    [Fact]
    public void The_control_file_names_the_version_the_runtime_libraries_and_the_conffile()
    {
        string deb = DebPackage.For(installed);
        Assert.Equal($"dataplane_{InstalledProgram.PropsVersion}_amd64.deb", Path.GetFileName(deb));

        var info = ProgramRun.Run(TimeSpan.FromSeconds(30), ["dpkg-deb", "--field", deb]);
        Assert.True(info.ExitCode == 0, info.ToString());
        var fields = ControlFields(info.Output);
        Assert.Equal("dataplane", fields["Package"]);
        Assert.Equal(InstalledProgram.PropsVersion, fields["Version"]);
        Assert.Equal("amd64", fields["Architecture"]);
        var depends = fields["Depends"].Split(',', StringSplitOptions.TrimEntries).Select(d => d.Split(' ')[0]).ToHashSet();
        // The shim's DPDK libraries (22.11 is ABI 23), the libraries loaded by name at run time, and the C library.
        foreach (string package in new[] { "libc6", "librte-eal23", "librte-ethdev23", "librte-mbuf23", "librte-mempool23", "librte-ring23", "librte-net-ring23", "librte-net-pcap23", "libpcap0.8", "libssl3" })
        {
            Assert.Contains(package, depends);
        }

        var known = ProgramRun.Run(TimeSpan.FromSeconds(60), ["apt-cache", "show", "--no-all-versions", .. depends]);
        Assert.True(known.ExitCode == 0, $"a dependency Debian does not know: {known.Error}");

        var conffiles = ProgramRun.Run(TimeSpan.FromSeconds(30), ["dpkg-deb", "--info", deb, "conffiles"]);
        Assert.Equal("/etc/dataplane/dataplane.json\n", conffiles.Output);
    }

    [Fact]
    public void The_package_holds_the_program_the_shim_the_unit_the_configuration_and_the_documentation()
    {
        string deb = DebPackage.For(installed);
        var contents = ProgramRun.Run(TimeSpan.FromSeconds(30), ["dpkg-deb", "--contents", deb]);
        Assert.True(contents.ExitCode == 0, contents.ToString());
        var entries = contents.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ContentEntry).ToDictionary(e => e.Path, e => e);

        Assert.Equal("-rwxr-xr-x", entries["./usr/lib/dataplane/dataplane"].Mode);
        Assert.Equal("../lib/dataplane/dataplane", entries["./usr/bin/dataplane"].LinkTarget);
        foreach (string file in new[]
        {
            "./usr/lib/dataplane/libdpdkshim.so", "./usr/lib/dataplane/libcoreclr.so", "./lib/systemd/system/dataplane.service",
            "./etc/dataplane/dataplane.json", "./usr/share/man/man1/dataplane.1.gz", "./usr/share/bash-completion/completions/dataplane",
            "./usr/share/doc/dataplane/copyright", "./usr/share/doc/dataplane/install.md",
        })
        {
            Assert.True(entries.TryGetValue(file, out var entry), $"{file} is not in the package:\n{contents.Output}");
            Assert.Equal("root/root", entry.Owner);
        }

        Assert.DoesNotContain(entries.Keys, path => path.EndsWith(".pdb", StringComparison.Ordinal));
    }

    [Fact]
    public void It_installs_runs_and_purges_in_a_throw_away_root()
    {
        Assert.SkipUnless(ProgramRun.IsRoot, "needs root (a mount namespace with an overlay root for dpkg); CI runs as root");
        Assert.SkipUnless(ProgramRun.OnPath("unshare") && ProgramRun.OnPath("chroot"), "needs unshare and chroot (util-linux, coreutils)");
        string deb = DebPackage.For(installed);
        string mountPoint = Directory.CreateDirectory(Path.Combine(installed.Scratch, "throwaway-root")).FullName;

        var run = ProgramRun.Run(TimeSpan.FromMinutes(2), ["unshare", "--mount", "--fork", "bash", "-c", ThrowAwayRootScript, "throwaway-root", mountPoint, deb]);

        string transcript = run.ToString();
        Assert.True(run.ExitCode == 0, transcript);
        var sections = Sections(run.Output);
        Assert.StartsWith($"dataplane {InstalledProgram.PropsVersion} (commit ", sections["version"], StringComparison.Ordinal);
        Assert.Matches(@"^/etc/dataplane/dataplane\.json [0-9a-f]{32}$", sections["conffiles"].Trim());
        Assert.Equal("verify exit 0", sections["verify"].Trim());
        Assert.Contains("replay", sections["completion"].Split(' ', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("DATAPLANE(1)", sections["man"], StringComparison.Ordinal);
        Assert.Equal("", sections["after purge"].Trim());
        Assert.DoesNotContain("already installed", transcript, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs inside <c>unshare --mount</c>: a tmpfs, an overlay of / on it (writes land in the tmpfs), /proc and /dev
    /// bound in, an empty /run (no systemd there: the maintainer scripts leave systemctl alone) and /tmp; dpkg -i,
    /// the program and the unit checked from inside, then dpkg --purge and what is left. All of it disappears with
    /// the namespace.
    /// </summary>
    private const string ThrowAwayRootScript = """
        set -euo pipefail
        base="$1"; deb="$2"
        mount -t tmpfs tmpfs "$base"
        mkdir "$base/upper" "$base/work" "$base/root"
        mount -t overlay overlay -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$base/root"
        r="$base/root"
        mount --rbind /proc "$r/proc"
        mount --rbind /dev "$r/dev"
        mount -t tmpfs tmpfs "$r/run"
        mount -t tmpfs tmpfs "$r/tmp"
        cp "$deb" "$r/tmp/dataplane.deb"
        if chroot "$r" dpkg-query -W dataplane >/dev/null 2>&1; then echo "dataplane is already installed here"; exit 1; fi
        chroot "$r" env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/dataplane.deb >&2
        echo "== version"; chroot "$r" env -i PATH=/usr/bin:/bin dataplane --version
        echo "== conffiles"; chroot "$r" dpkg-query -W -f='${Conffiles}\n' dataplane
        echo "== verify"; set +e
        chroot "$r" systemd-analyze verify --man=no /lib/systemd/system/dataplane.service >&2; echo "verify exit $?"
        set -e
        echo "== completion"
        chroot "$r" bash -c '. /usr/share/bash-completion/completions/dataplane; COMP_LINE="dataplane re"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(dataplane re); COMP_CWORD=1; $(complete -p dataplane | sed -n "s/.*-F \([^ ]*\) .*/\1/p"); echo "${COMPREPLY[*]}"'
        echo "== man"; chroot "$r" env MANWIDTH=100 man -P cat /usr/share/man/man1/dataplane.1.gz 2>&1 | head -3
        chroot "$r" dpkg --purge dataplane >&2
        echo "== after purge"
        for left in /usr/lib/dataplane /usr/bin/dataplane /etc/dataplane /lib/systemd/system/dataplane.service; do
          if [ -e "$r$left" ] || [ -L "$r$left" ]; then echo "$left"; fi
        done
        """;

    private static Dictionary<string, string> Sections(string output)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in SectionPattern().Matches(output))
        {
            sections[match.Groups["name"].Value] = match.Groups["body"].Value;
        }

        return sections;
    }

    private static Dictionary<string, string> ControlFields(string control)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? last = null;
        foreach (string line in control.Split('\n'))
        {
            if (line.StartsWith(' ') && last is not null)
            {
                fields[last] += "\n" + line;
            }
            else if (line.IndexOf(':', StringComparison.Ordinal) is > 0 and int colon)
            {
                last = line[..colon];
                fields[last] = line[(colon + 1)..].Trim();
            }
        }

        return fields;
    }

    /// <summary>A line of <c>dpkg-deb --contents</c> (tar -tv): mode, owner/group, size, date, time, path [-> target].</summary>
    private static (string Mode, string Owner, string Path, string? LinkTarget) ContentEntry(string line)
    {
        var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        string path = parts[5];
        string? target = null;
        int arrow = path.IndexOf(" -> ", StringComparison.Ordinal);
        if (arrow >= 0)
        {
            target = path[(arrow + 4)..];
            path = path[..arrow];
        }

        return (parts[0], parts[1], path, target);
    }

    [GeneratedRegex(@"^== (?<name>[a-z ]+)\n(?<body>(?:(?!== ).*\n)*)", RegexOptions.Multiline)]
    private static partial Regex SectionPattern();
}
