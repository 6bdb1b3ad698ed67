namespace Dataplane.Tests.Host.Cli;

/// <summary>
/// Every verb refuses what it cannot use with the documented exit code (2 usage or configuration, 1 bad input data
/// or no daemon) and one line that names the problem: never a stack trace. "{dir}" in the arguments is a scratch
/// directory holding good.json (a valid one-port configuration), garbage.json, garbage.pcap and not-a-socket.
/// </summary>
public sealed class CliBadArgumentTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-cli-").FullName;

    public CliBadArgumentTests()
    {
        File.WriteAllText(Path.Combine(scratch, "good.json"), """{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01" } ] }""");
        File.WriteAllText(Path.Combine(scratch, "garbage.json"), "{ this is not json");
        File.WriteAllBytes(Path.Combine(scratch, "garbage.pcap"), "not a capture at all, just text"u8.ToArray());
        File.WriteAllText(Path.Combine(scratch, "not-a-socket"), "");
    }

    public static TheoryData<string, int, string> Cases => new()
    {
        // The program and its verbs.
        { "repaly", 2, "unknown command 'repaly' (did you mean 'replay'?)" },
        { "ispect", 2, "(did you mean 'inspect'?)" },
        { "--bogus", 2, "unknown option '--bogus'" },
        { "completion zsh", 2, "'zsh'" },
        // inspect
        { "inspect --bogus", 2, "unknown option '--bogus'" },
        { "inspect a.pcap b.pcap", 2, "unexpected argument 'b.pcap'" },
        { "inspect {dir}/missing.pcap", 1, "{dir}/missing.pcap" },
        { "inspect {dir}/garbage.pcap", 1, "{dir}/garbage.pcap" },
        { "inspect {dir}", 1, "{dir}" },
        // replay
        { "replay --bogus", 2, "unknown option '--bogus'" },
        { "replay --confg {dir}/good.json", 2, "unknown option '--confg' (did you mean '--config'?)" },
        { "replay --in", 2, "--in needs a value" },
        { "replay --nonce-seed abc", 2, "--nonce-seed: 'abc' is not a non-negative integer" },
        { "replay --nonce-seed -1", 2, "--nonce-seed: '-1' is not a non-negative integer" },
        { "replay --out {dir}/no-such-dir/out.pcap", 2, "--out: directory '{dir}/no-such-dir' does not exist" },
        { "replay --punt {dir}/no-such-dir/punt.pcap --out {dir}/o.pcap", 2, "--punt: directory '{dir}/no-such-dir' does not exist" },
        { "replay --out {dir}", 2, "--out: '{dir}' is a directory" },
        { "replay --config {dir}/missing.json --out {dir}/o.pcap --punt {dir}/p.pcap", 2, "{dir}/missing.json" },
        { "replay --config {dir}/garbage.json --out {dir}/o.pcap --punt {dir}/p.pcap", 2, "{dir}/garbage.json" },
        { "replay --config {dir}/good.json --in-port nosuch --out {dir}/o.pcap --punt {dir}/p.pcap", 2, "nosuch" },
        { "replay --config {dir}/good.json --in {dir}/missing.pcap --out {dir}/o.pcap --punt {dir}/p.pcap --quiet", 1, "{dir}/missing.pcap" },
        { "replay --config {dir}/good.json --in {dir}/garbage.pcap --out {dir}/o.pcap --punt {dir}/p.pcap --quiet", 1, "{dir}/garbage.pcap" },
        { "replay extra", 2, "unexpected argument 'extra'" },
        // run
        { "run", 2, "--config is required" },
        { "run --config", 2, "--config needs a value" },
        { "run --config {dir}/good.json --duration abc", 2, "--duration: 'abc' is not a positive number of seconds" },
        { "run --config {dir}/good.json --duration -1", 2, "--duration: '-1' is not a positive number of seconds" },
        { "run --config {dir}/good.json --exit-when-idle 0", 2, "--exit-when-idle: '0' is not a positive number of seconds" },
        { "run --config {dir}/good.json --nonce-seed 1.5", 2, "--nonce-seed: '1.5' is not a non-negative integer" },
        { "run --config {dir}/missing.json", 2, "{dir}/missing.json" },
        { "run --config {dir}/garbage.json", 2, "{dir}/garbage.json" },
        { "run --config {dir}/good.json --bogus", 2, "unknown option '--bogus'" },
        // ctl: the command line first, then a daemon that is not there.
        { "ctl", 2, "no method given" },
        { "ctl --bogus mapcache.list", 2, "unknown option '--bogus'" },
        { "ctl --socket", 2, "--socket needs a value" },
        { "ctl --socket {dir}/c.sock mapcache.add eid", 2, "'eid' is not key=value" },
        { "ctl --socket {dir}/c.sock mapcache.add eid=[7]10.0.0.0/8 locators=198.51.100.1:1", 2, "locators: '198.51.100.1:1' is not ADDRESS:PRIORITY:WEIGHT" },
        { "ctl --socket {dir}/c.sock mapcache.add --params {bad", 2, "--params: not JSON" },
        { "ctl --socket {dir}/c.sock mapcache.add --params [1]", 2, "--params: expected a JSON object" },
        { "ctl --socket {dir}/c.sock events.subscribe count=abc", 2, "count 'abc' is not a positive integer" },
        { "ctl --socket {dir}/c.sock events.subscribe seconds=soon", 2, "seconds 'soon' is not a positive number" },
        { "ctl --socket {dir}/c.sock mapcache.list", 1, "no daemon at {dir}/c.sock (connect: No such file or directory)" },
        { "ctl --socket {dir}/c.sock events.subscribe count=1", 1, "no daemon at {dir}/c.sock (connect: No such file or directory)" },
        { "ctl --socket {dir}/not-a-socket mapcache.list", 1, "no daemon at {dir}/not-a-socket (connect: Connection refused)" },
        // The hidden verbs refuse a bad command line before they touch DPDK.
        { "dpdk-forward", 2, "--config is required" },
        { "dpdk-forward --config {dir}/good.json --idle-ms soon", 2, "--idle-ms: 'soon' is not an integer of at least 1" },
        { "dpdk-mbuf-check", 2, "--eal is required" },
        { "dpdk-ring-bench --config {dir}/good.json --frames x.pcap", 2, "--ingress is required" },
        { "dpdk-ring-bench --config {dir}/good.json --frames x.pcap --ingress a --seconds 0", 2, "--seconds: '0' is not a positive number of seconds" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_command_line_or_input_gets_its_exit_code_and_one_line_naming_the_problem(string arguments, int exitCode, string problem)
    {
        string[] words = arguments.Replace("{dir}", scratch, StringComparison.Ordinal).Split(' ');

        var (code, _, error) = CliRun.InProcess(words);

        Assert.True(code == exitCode, $"dataplane {arguments}: exit {code}, expected {exitCode}; stderr:\n{error}");
        CliRun.AssertOneLineProblem(error, problem.Replace("{dir}", scratch, StringComparison.Ordinal), arguments);
    }

    [Fact]
    public void The_program_itself_prints_one_line_for_a_missing_daemon_and_no_stack_even_with_debug_off()
    {
        string socket = Path.Combine(scratch, "none.sock");

        var (code, output, error) = CliRun.Child(null, "ctl", "--socket", socket, "runtime.show");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        CliRun.AssertOneLineProblem(error, $"dataplane: no daemon at {socket} (connect: No such file or directory); is `dataplane run` running", "ctl runtime.show");
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
