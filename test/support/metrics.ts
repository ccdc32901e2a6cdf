// Reads a scrape of GET /metrics (the Prometheus text format) for the tests: one sample's value by name and labels.

export interface Scrape {
  text: string;
  /** the value of the one sample named `name` whose labels include `labels`; undefined when there is none */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** the sum of the samples named `name` whose labels include `labels` (0 when there is none) */
  sum(name: string, labels?: Record<string, string>): number;
}

function samples(text: string, name: string, labels: Record<string, string>): number[] {
  const found: number[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const own = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => own[key] === value)) found.push(Number(match[3]));
  }
  return found;
}

export function readScrape(text: string): Scrape {
  return {
    text,
    value(name, labels = {}) {
      const found = samples(text, name, labels);
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
      return found[0];
    },
    sum: (name, labels = {}) => samples(text, name, labels).reduce((total, value) => total + value, 0),
  };
}
