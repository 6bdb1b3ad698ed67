using System.Diagnostics;

namespace Dataplane.Tests.Control.Http;

/// <summary>
/// A self-signed certificate for 127.0.0.1 and localhost made by Debian's openssl (not by the code under test), as
/// PEM files in a scratch directory removed on dispose; the certificate is its own CA, so a client that trusts
/// exactly it (curl --cacert) can check the server.
/// </summary>
public sealed class TestCertificate : IDisposable
{
    public TestCertificate()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("dataplane-tls-").FullName;
        CertificatePath = Path.Combine(Directory, "cert.pem");
        KeyPath = Path.Combine(Directory, "key.pem");
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=dataplane-test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", KeyPath, "-out", CertificatePath);
    }

    public string Directory { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    /// <summary>Another key, not this certificate's.</summary>
    public string OtherKey()
    {
        string path = Path.Combine(Directory, "other-key.pem");
        OpenSsl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path);
        return path;
    }

    /// <summary>Runs a program to its end (at most 30 s) and gives its exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Output, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            process.WaitForExit(5_000);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish in 30 s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    private static void OpenSsl(params string[] arguments)
    {
        var (code, _, error) = Run("openssl", arguments);
        Assert.True(code == 0, $"openssl {string.Join(' ', arguments)}: {error}");
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
