using System.Globalization;
using System.Security;
using System.Text;

namespace Dataplane.Throughput.Reports;

/// <summary>
/// throughput.svg, written by hand: Mpps against frame size (logarithmic axis) for 1 worker, one line per scenario,
/// and the 10GbE line-rate curve (dashed, id "line-rate") a port would have to keep up with.
/// </summary>
public static class SvgChart
{
    private const double Width = 860, Height = 520, Left = 70, Right = 210, Top = 40, Bottom = 60;
    private const double MinSize = 64, MaxSize = 1518;

    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string Write(HarnessReport report)
    {
        var cells = report.Cells.Where(cell => cell.Workers == 1 && !cell.Failed).ToArray();
        double top = Math.Max(LineRate.TenGigabitMpps(64), cells.Length == 0 ? 0 : cells.Max(cell => cell.MedianTotalMpps));
        double yMax = NiceCeiling(top * 1.1);
        var svg = new StringBuilder();
        svg.AppendLine(Invariant($"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">"""))
            .AppendLine(Invariant($"""<rect x="0" y="0" width="{Width}" height="{Height}" fill="white"/>"""))
            .AppendLine(Invariant($"""<text x="{Left}" y="22" font-size="15">In-memory throughput, 1 worker: Mpps by frame size</text>"""));

        // axes, ticks, grid
        double plotRight = Width - Right, plotBottom = Height - Bottom;
        svg.AppendLine(Invariant($"""<line x1="{Left}" y1="{plotBottom}" x2="{plotRight}" y2="{plotBottom}" stroke="black"/>"""))
            .AppendLine(Invariant($"""<line x1="{Left}" y1="{Top}" x2="{Left}" y2="{plotBottom}" stroke="black"/>"""));
        foreach (int size in new[] { 64, 128, 256, 512, 1024, 1500 })
        {
            double x = X(size);
            svg.AppendLine(Invariant($"""<line x1="{x:F1}" y1="{plotBottom}" x2="{x:F1}" y2="{plotBottom + 5}" stroke="black"/>"""))
                .AppendLine(Invariant($"""<text x="{x:F1}" y="{plotBottom + 18}" text-anchor="middle">{size}</text>"""));
        }

        double step = yMax / 5;
        for (int i = 0; i <= 5; i++)
        {
            double value = step * i, y = Y(value, yMax);
            svg.AppendLine(Invariant($"""<line x1="{Left - 5}" y1="{y:F1}" x2="{plotRight}" y2="{y:F1}" stroke="{(i == 0 ? "black" : "#e0e0e0")}"/>"""))
                .AppendLine(Invariant($"""<text x="{Left - 8}" y="{y + 4:F1}" text-anchor="end">{value:0.#}</text>"""));
        }

        svg.AppendLine(Invariant($"""<text x="{(Left + plotRight) / 2:F1}" y="{Height - 15}" text-anchor="middle">frame size on the wire, bytes (FCS included; log scale)</text>"""))
            .AppendLine(Invariant($"""<text x="18" y="{(Top + plotBottom) / 2:F1}" text-anchor="middle" transform="rotate(-90 18 {(Top + plotBottom) / 2:F1})">Mpps (median)</text>"""));

        // the 10GbE line-rate curve
        var curve = new StringBuilder();
        for (double size = MinSize; size <= MaxSize; size *= 1.02)
        {
            curve.Append(Invariant($"{X(size):F1},{Y(LineRate.TenGigabitMpps((int)size), yMax):F1} "));
        }

        svg.AppendLine(Invariant($"""<polyline id="line-rate" points="{curve.ToString().TrimEnd()}" fill="none" stroke="black" stroke-width="1.5" stroke-dasharray="6 4"/>"""))
            .AppendLine(Invariant($"""<text id="line-rate-label" x="{X(64) + 6:F1}" y="{Y(LineRate.TenGigabitMpps(64), yMax) - 6:F1}">10GbE line rate ({LineRate.TenGigabitMpps(64):F2} Mpps at 64 B)</text>"""));

        // one line per scenario
        int colour = 0;
        double legendY = Top + 10;
        foreach (var group in cells.GroupBy(cell => cell.Scenario))
        {
            string stroke = Colours[colour++ % Colours.Length];
            var points = group.OrderBy(cell => cell.FrameBytes).Select(cell => Invariant($"{X(cell.FrameBytes):F1},{Y(cell.MedianTotalMpps, yMax):F1}"));
            string name = SecurityElement.Escape(group.Key);
            svg.AppendLine(Invariant($"""<polyline class="scenario" data-scenario="{name}" points="{string.Join(" ", points)}" fill="none" stroke="{stroke}" stroke-width="2"/>"""));
            foreach (var cell in group)
            {
                svg.AppendLine(Invariant($"""<circle cx="{X(cell.FrameBytes):F1}" cy="{Y(cell.MedianTotalMpps, yMax):F1}" r="3" fill="{stroke}"><title>{name} {cell.FrameBytes} B: {cell.MedianTotalMpps:F2} Mpps</title></circle>"""));
            }

            svg.AppendLine(Invariant($"""<line x1="{plotRight + 15}" y1="{legendY}" x2="{plotRight + 40}" y2="{legendY}" stroke="{stroke}" stroke-width="2"/>"""))
                .AppendLine(Invariant($"""<text x="{plotRight + 46}" y="{legendY + 4}">{name}</text>"""));
            legendY += 18;
        }

        svg.AppendLine(Invariant($"""<line x1="{plotRight + 15}" y1="{legendY}" x2="{plotRight + 40}" y2="{legendY}" stroke="black" stroke-width="1.5" stroke-dasharray="6 4"/>"""))
            .AppendLine(Invariant($"""<text x="{plotRight + 46}" y="{legendY + 4}">10GbE line rate</text>"""))
            .AppendLine("</svg>");
        return svg.ToString();
    }

    private static double X(double size) => Left + ((Math.Log(size) - Math.Log(MinSize)) / (Math.Log(MaxSize) - Math.Log(MinSize)) * (Width - Right - Left));

    private static double Y(double mpps, double yMax) => Height - Bottom - (Math.Min(mpps, yMax) / yMax * (Height - Bottom - Top));

    private static double NiceCeiling(double value)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double factor in new[] { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 })
        {
            if (factor * magnitude >= value)
            {
                return factor * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
