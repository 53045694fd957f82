/**
 * Mermaid's own parser, for tests of the charts we write into Markdown. Mermaid needs a DOM
 * (DOMPurify), so a jsdom window is put on `globalThis` before Mermaid is first imported; the
 * parse is Mermaid's (the jison grammar of `xychart-beta` that GitHub's renderer uses), not a copy.
 *
 * @module
 */

/** What Mermaid read from an `xychart-beta` diagram. */
export interface ParsedXyChart {
  /** The title, as Mermaid keeps it. */
  title: string;
  /** The x axis: its title and its band's categories (the steps, as text). */
  xAxis: { title: string; categories: string[] };
  /** The y axis title. */
  yAxisTitle: string;
  /** Each `line`'s values, in order. */
  lines: number[][];
}

/** Mermaid, imported once a DOM is in place. */
async function loadMermaid() {
  const g = globalThis as unknown as Record<string, unknown>;
  if (g.window === undefined) {
    const { JSDOM } = await import("jsdom");
    const dom = new JSDOM("<!doctype html><html><body></body></html>");
    g.window = dom.window;
    g.document = dom.window.document;
  }
  return (await import("mermaid")).default;
}

/**
 * Parses `source` (without a fence) with Mermaid and returns the chart it read.
 *
 * @throws Mermaid's parse error (with the line and what was expected) when it does not parse, or
 *   an Error when it is not an xychart.
 */
export async function parseXyChart(source: string): Promise<ParsedXyChart> {
  const mermaid = await loadMermaid();
  const parsed = await mermaid.parse(source);
  if (parsed?.diagramType !== "xychart") {
    throw new Error(`not an xychart: ${parsed ? parsed.diagramType : "(nothing)"}`);
  }
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
  const db = diagram.db as unknown as {
    getDiagramTitle(): string;
    getXYChartData(): {
      xAxis: { title: string; categories?: string[] };
      yAxis: { title: string };
      plots: { type: string; data: [string, number][] }[];
    };
  };
  const data = db.getXYChartData();
  return {
    title: db.getDiagramTitle(),
    xAxis: { title: data.xAxis.title, categories: data.xAxis.categories ?? [] },
    yAxisTitle: data.yAxis.title,
    lines: data.plots.filter((p) => p.type === "line").map((p) => p.data.map(([, v]) => v)),
  };
}

/**
 * The sources of the fenced `mermaid` blocks of a Markdown text (a fence of three or more
 * backticks whose info string is `mermaid`, closed by the same fence).
 */
export function mermaidBlocks(markdown: string): string[] {
  const out: string[] = [];
  const re = /^(`{3,})mermaid[ \t]*\n([\s\S]*?)\n\1[ \t]*$/gm;
  for (let m = re.exec(markdown); m !== null; m = re.exec(markdown)) out.push(m[2] ?? "");
  return out;
}
