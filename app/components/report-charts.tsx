import "@shopify/polaris-viz/build/esm/styles.css";
import { BarChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";

/**
 * The Reports page's charts (polaris-viz, bundled with the app: no CDN). Loaded in the browser
 * only: the charts measure their container, which the server cannot. Texts and number formats
 * come from the page (the message catalogs and Intl in the reader's locale).
 */
export interface ChartSeries {
  name: string;
  points: { key: string; value: number }[];
  comparison?: boolean;
  dashed?: boolean;
}

export interface ReportChartProps {
  kind: "line" | "bar";
  series: ChartSeries[];
  formatY: (v: number) => string;
  formatX?: (key: string) => string;
  emptyText: string;
  height?: number;
}

export default function ReportChart({ kind, series, formatY, formatX, emptyText, height = 260 }: ReportChartProps) {
  const data = series.map((s) => ({
    name: s.name,
    isComparison: s.comparison,
    data: s.points.map((p) => ({ key: p.key, value: p.value })),
    ...(s.dashed ? { styleOverride: { line: { strokeDasharray: "4 4", hasArea: false } } } : {}),
  }));
  const xAxisOptions = { labelFormatter: (v: string | number | null) => (formatX ? formatX(String(v)) : String(v)) };
  const yAxisOptions = { labelFormatter: (v: string | number | null) => formatY(Number(v ?? 0)) };
  return (
    <PolarisVizProvider>
      <div style={{ height }}>
        {kind === "line" ? (
          <LineChart data={data} theme="Light" isAnimated={false} emptyStateText={emptyText} xAxisOptions={xAxisOptions} yAxisOptions={yAxisOptions} />
        ) : (
          <BarChart data={data} theme="Light" isAnimated={false} emptyStateText={emptyText} xAxisOptions={xAxisOptions} yAxisOptions={yAxisOptions} />
        )}
      </div>
    </PolarisVizProvider>
  );
}
