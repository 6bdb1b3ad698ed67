using BenchmarkDotNet.Attributes;
using Dataplane.Wire.Checksums;

namespace Dataplane.Benchmarks;

/// <summary>The three Internet-checksum paths side by side; the scalar reference is the baseline the ratios are against.</summary>
[MemoryDiagnoser]
public class ChecksumBenchmarks
{
    private byte[] _data = [];

    [Params(20, 64, 128, 256, 1500, 9000)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Length];
        new Random(1071).NextBytes(_data);
    }

    [Benchmark(Baseline = true)]
    public uint Reference() => ScalarChecksum.Sum(_data);

    [Benchmark]
    public uint WideScalar() => WideScalarChecksum.Sum(_data);

    [Benchmark]
    public uint Vector() => VectorChecksum.Sum(_data);

    [Benchmark]
    public uint Dispatched() => InternetChecksum.Sum(_data);
}
