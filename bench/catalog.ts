// Catalogue import benchmark: a 50 000-product menu through Offline.SendProductCatalog (JSON, the same
// again, then a second version with changed prices and removed dishes, then the menu as a YML feed), with
// the time of each upload and the peak resident memory.
//   npx tsx bench/catalog.ts [--products 50000]        in-process server on PGlite (TEST_DATABASE_URL: PostgreSQL)
// `npm run bench` runs it against the real server process as the scenario `catalogScenario`.
import { resourceUsage } from 'node:process';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mb, processMemory } from './lib/memory.ts';

const CATEGORIES = 200;
const OPERATION = 'Offline.SendProductCatalog';

function categories() {
  return Array.from({ length: CATEGORIES }, (_, i) => ({
    ids: { iiko: `menu-cat-${i}` },
    name: `Категория ${i}`,
    ...(i >= 20 ? { parentCategory: { ids: { iiko: `menu-cat-${i % 20}` } } } : {}),
  }));
}

/** Version 2 changes every 10th price and leaves out every 20th dish. */
function jsonCatalogue(products: number, version: 1 | 2): string {
  const items = [];
  for (let i = 0; i < products; i++) {
    if (version === 2 && i % 20 === 0) continue;
    items.push({
      ids: { iiko: `menu-${i}` },
      name: `Блюдо номер ${i}`,
      description: `Описание блюда ${i}`,
      price: 100 + (i % 900) + (version === 2 && i % 10 === 5 ? 1 : 0),
      isAvailable: true,
      categories: [{ ids: { iiko: `menu-cat-${i % CATEGORIES}` } }],
      customFields: { iikoProductCategory: `acc-${i % 9}` },
    });
  }
  return JSON.stringify({ productCatalog: { categories: categories(), products: items } });
}

function ymlCatalogue(products: number): string {
  const parts = ['<?xml version="1.0" encoding="UTF-8"?><yml_catalog date="2026-01-01"><shop><categories>'];
  for (const category of categories()) {
    const parent = category.parentCategory ? ` parentId="${category.parentCategory.ids.iiko}"` : '';
    parts.push(`<category id="${category.ids.iiko}"${parent}>${category.name}</category>`);
  }
  parts.push('</categories><offers>');
  for (let i = 0; i < products; i++) {
    parts.push(
      `<offer id="menu-${i}" available="true"><price>${100 + (i % 900)}</price><currencyId>RUR</currencyId>` +
        `<categoryId>menu-cat-${i % CATEGORIES}</categoryId><name>Блюдо номер ${i}</name><description>Описание блюда ${i}</description>` +
        `<param name="iikoProductCategory">acc-${i % 9}</param></offer>`,
    );
  }
  parts.push('</offers></shop></yml_catalog>');
  return parts.join('');
}

interface Upload {
  label: string;
  format: 'json' | 'xml';
  body: () => string;
}

function uploads(products: number): Upload[] {
  return [
    { label: 'catalogue: JSON, first upload', format: 'json', body: () => jsonCatalogue(products, 1) },
    { label: 'catalogue: JSON, same again', format: 'json', body: () => jsonCatalogue(products, 1) },
    { label: 'catalogue: JSON, 10 % changed, 5 % gone', format: 'json', body: () => jsonCatalogue(products, 2) },
    { label: 'catalogue: YML feed, whole menu', format: 'xml', body: () => ymlCatalogue(products) },
  ];
}

/** The `productCatalog` node of a JSON or XML answer. */
function countsOf(format: 'json' | 'xml', text: string): Record<string, number> {
  if (format === 'json') return JSON.parse(text).productCatalog ?? {};
  const node = /<productCatalog>(.*?)<categories>.*?<\/categories>(.*?)<\/productCatalog>/s.exec(text);
  if (!node) return {};
  return Object.fromEntries([...`${node[1]}${node[2]}`.matchAll(/<(\w+)>(\d+)</g)].map((m) => [m[1], Number(m[2])]));
}

function describe(label: string, seconds: number, bodyChars: number, counts: Record<string, number>): string {
  return (
    `${label}: ${seconds.toFixed(2)} s, body ${mb(bodyChars)}, server ${counts.durationMs} ms; ` +
    `created ${counts.created}, changed ${counts.changed}, unchanged ${counts.unchanged}, made unavailable ${counts.madeUnavailable}, errors ${counts.errors}`
  );
}

/** For bench/run.ts: the uploads against the real server process, with that process's peak memory. */
export const catalogScenario = {
  name: 'catalog',
  async run(server: { url: string; secretKey: string; process: { child: { pid?: number } } }): Promise<{ name: string; note?: string }[]> {
    const rows: { name: string; note?: string }[] = [];
    const pid = server.process.child.pid;
    for (const upload of uploads(50_000)) {
      const body = upload.body();
      const started = performance.now();
      const response = await fetch(`${server.url}/v3/operations/sync?endpointId=iiko&operation=${OPERATION}`, {
        method: 'POST',
        headers: { 'content-type': upload.format === 'json' ? 'application/json' : 'application/xml', authorization: `SecretKey ${server.secretKey}` },
        body,
      });
      const text = await response.text();
      const counts = countsOf(upload.format, text);
      if (response.status !== 200 || counts.durationMs === undefined) throw new Error(`${upload.label} failed: ${text.slice(0, 500)}`);
      const seconds = (performance.now() - started) / 1000;
      const memory = processMemory(pid);
      rows.push({
        name: upload.label,
        note: `${seconds.toFixed(2)} s (server ${counts.durationMs} ms), ${counts.created} created, ${counts.changed} changed, ${counts.madeUnavailable} made unavailable` +
          (memory ? `; server RSS ${mb(memory.now)}, peak ${mb(memory.peak)}` : ''),
      });
    }
    return rows;
  },
};

async function standalone(): Promise<void> {
  const { values } = parseArgs({ options: { products: { type: 'string', default: '50000' } } });
  const products = Number(values.products);
  const { createTestApp } = await import('../test/support/app.ts');

  const t = await createTestApp({ env: { REGULARS_BODY_LIMIT_MB: '256' } });
  const startRss = process.memoryUsage().rss;
  console.log(`catalogue import benchmark: ${products} products, ${CATEGORIES} categories, ${t.database.kind}, in-process server`);
  console.log(`rss after start ${mb(startRss)}`);
  let peakRss = startRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 10);
  try {
    for (const upload of uploads(products)) {
      const body = upload.body();
      const started = performance.now();
      const answer = await t.call(OPERATION, undefined, { raw: body, format: upload.format });
      const seconds = (performance.now() - started) / 1000;
      const counts = countsOf(upload.format, answer.text);
      if (counts.durationMs === undefined) throw new Error(`${upload.label} failed: ${answer.text.slice(0, 500)}`);
      console.log(`${describe(upload.label, seconds, body.length, counts)}; rss now ${mb(process.memoryUsage().rss)}`);
    }
  } finally {
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await t.close();
  }
  console.log(
    `peak rss during the uploads ${mb(peakRss)} (sampled every 10 ms; ${mb(peakRss - startRss)} above the started server), ` +
      `maxRSS ${mb(resourceUsage().maxRSS * 1024)} (whole run, start-up included); the request bodies are built in this process too`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await standalone();
