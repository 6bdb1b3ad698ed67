namespace Dataplane.Throughput;

/// <summary>
/// 10 Gigabit Ethernet's packet rate: every frame costs its bytes (FCS included) plus 8 bytes of preamble and start
/// delimiter and a 12-byte inter-frame gap on the wire (IEEE 802.3 clause 4.4.2), so 64-byte frames come at most
/// 10e9 / (84 * 8) = 14.88 Mpps.
/// </summary>
public static class LineRate
{
    public const double TenGigabitBitsPerSecond = 10e9;

    /// <summary>Preamble + start frame delimiter (8) + inter-frame gap (12).</summary>
    public const int WireOverheadBytes = 20;

    public static double TenGigabitMpps(int frameBytes) => TenGigabitBitsPerSecond / ((frameBytes + WireOverheadBytes) * 8.0) / 1e6;

    /// <summary>Gbit/s on the wire for <paramref name="mpps"/> frames of <paramref name="frameBytes"/> (overhead included).</summary>
    public static double WireGbps(double mpps, int frameBytes) => mpps * 1e6 * (frameBytes + WireOverheadBytes) * 8.0 / 1e9;
}
