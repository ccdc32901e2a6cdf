// Issue 16's bench line: an SMS campaign to 100 000 consenting guests (and BENCH_CAMPAIGN_REFUSING more without
// a consent, who are skipped) is resolved and queued, then sent through a loopback SMPP server double
// (test/support/smpp-gateway.ts: it takes the submits of the server's sender lanes as they come and sends a
// delivery receipt for each) at the connection's ratePerSecond (40/s on PGlite, 100/s on PostgreSQL;
// BENCH_CAMPAIGN_RATE). Measured: the time from the start until every guest of the audience has a recipient row
// (the issue asks ≤ 10 s); the submits the double received over BENCH_CAMPAIGN_WINDOW_S (25 s) against the
// configured rate (within 5 %); the server's resident memory meanwhile (flat). The campaign is stopped then:
// sending all of it would take 100 000 / rate seconds.
//   npm run bench -- --scenarios campaigns [--only pglite|postgres]
import http, { request } from 'node:http';
import { sql } from 'kysely';
import type { Db } from '../src/db/database.ts';
import { applyProject, loadProject } from '../src/project/project.service.ts';
import { recalculateAllSegments } from '../src/segments/segments.service.ts';
import { startSmppGateway } from '../test/support/smpp-gateway.ts';
import { withCpu } from './lib/cpu.ts';
import { mb, processMemory } from './lib/memory.ts';
import type { ReportRow } from './lib/report.ts';
import type { BenchScenario } from './lib/scenario.ts';
import { loopbackUrl, send } from './lib/load.ts';
import { operationRequest, type BenchServer, type TargetKind } from './lib/target.ts';

const CONSENTING = Number(process.env.BENCH_CAMPAIGN_GUESTS ?? 100_000);
/** guests of the audience without a "yes" to Sms: half said no, half never answered */
const REFUSING = Number(process.env.BENCH_CAMPAIGN_REFUSING ?? 3000);
/**
 * The connection's messages per second: what a 2-core machine holds with the bench beside the server (a message costs
 * the server about 15 ms of CPU on PGlite, 3 ms + 3 ms of PostgreSQL's on PostgreSQL); BENCH_CAMPAIGN_RATE sets both.
 */
const RATES: Record<TargetKind, number> = { pglite: 40, postgres: 100 };
const rateOf = (kind: TargetKind) => Number(process.env.BENCH_CAMPAIGN_RATE ?? RATES[kind]);
const WINDOW_MS = Number(process.env.BENCH_CAMPAIGN_WINDOW_S ?? 25) * 1000;
/** sending is under way (the first messages written, the SMPP session bound) before the window opens */
const WARM_UP_MS = 3000;
const SEGMENT = 'BenchCampaignAudience';
const FIELD = 'BenchAudience';
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const count = (n: number) => n.toLocaleString('en');

async function seed(db: Db, kind: TargetKind): Promise<ReportRow[]> {
  const started = performance.now();
  const current = await loadProject(db);
  // the audience is a real segment, computed by the segments module; marketing may go at any hour (equal times: no quiet hours)
  await applyProject(db, {
    settings: { ...current.definition.settings, marketingSmsFrom: '00:00', marketingSmsTo: '00:00' },
    customFields: [{ entity: 'Customer', systemName: FIELD, name: 'Аудитория нагрузочного теста', type: 'String' }],
    segments: [{ systemName: SEGMENT, name: 'Гости рассылки нагрузочного теста', conditions: [{ type: 'customField', field: FIELD, equals: 'campaign' }] }],
  });
  await sql`
    insert into customers (mobile_phone, is_mobile_phone_confirmed, first_name, custom_fields, registered_via, created_at, updated_at)
    select '7995' || lpad(g::text, 7, '0'), true, 'Гость ' || g, ${JSON.stringify({ [FIELD]: 'campaign' })}::jsonb, 'bench-campaigns', now(), now()
    from generate_series(1, ${CONSENTING + REFUSING}::int) g`.execute(db);
  // the first CONSENTING said yes to Sms; of the rest, every other one said no, the others never answered
  await sql`
    insert into customer_subscriptions (customer_id, point_of_contact, brand, topic, is_subscribed, changed_at)
    select id, 'Sms', '', '', g <= ${CONSENTING}, now()
    from (select id, right(mobile_phone, 7)::int as g from customers where registered_via = 'bench-campaigns') c
    where g <= ${CONSENTING} or g % 2 = 0`.execute(db);
  const seeded = performance.now() - started;
  const report = await recalculateAllSegments(db, await loadProject(db), new Date(), 'definitions');
  // the events of entering the segments are not part of the test
  await sql`update outbox set status = 'done', processed_at = now() where status = 'pending'`.execute(db);
  await sql`analyze`.execute(db);
  if (kind === 'pglite') await sql`checkpoint`.execute(db);
  return [
    {
      name: 'campaigns: seed',
      note: `${count(CONSENTING)} guests subscribed to Sms + ${count(REFUSING)} without consent, in segment ${SEGMENT}, in ${seconds(seeded)}; segments ${seconds(report?.durationMs ?? 0)}`,
    },
  ];
}

type Admin = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<any>;

function adminOf(server: BenchServer): Admin {
  return (method, path, body) =>
    new Promise<any>((resolve, reject) => {
      const call = request(`${server.url}${path}`, { method, agent: false, headers: { authorization: `Bearer ${server.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200) reject(new Error(`${method} ${path}: ${response.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      });
      call.on('error', reject);
      call.end(body === undefined ? undefined : JSON.stringify(body));
    });
}

const settled = (counts: Record<'queued' | 'sent' | 'delivered' | 'failed' | 'skipped', number>) =>
  counts.queued + counts.sent + counts.delivered + counts.failed + counts.skipped;

async function run(server: BenchServer): Promise<ReportRow[]> {
  const admin = adminOf(server);
  const RATE = rateOf(server.kind);
  const pid = server.process.child.pid;
  const gateway = await startSmppGateway();
  gateway.receipts = true;
  let id: number | null = null;
  try {
    // the settings go along: a file without them would put them back to their defaults (09:00–21:00 hours among them)
    const { settings } = await admin('GET', '/api/admin/project');
    await admin('POST', '/api/admin/project/apply', {
      content: JSON.stringify({
        settings: { ...settings, marketingSmsFrom: '00:00', marketingSmsTo: '00:00' },
        smsConnections: [{ systemName: 'default', url: `smpp://user:pass@127.0.0.1:${gateway.port}?source=Regulars`, ratePerSecond: RATE }],
      }),
    });
    const created = await admin('POST', '/api/admin/campaigns', { name: 'Нагрузочный тест', segments: [SEGMENT], text: '${Recipient.FirstName}, у нас новое меню!' });
    id = created.id as number;
    const audience = created.audience.total as number;
    const memoryBefore = processMemory(pid);

    // resolved and queued: every guest of the audience has its campaign_recipients row (pending, which the API counts
    // as queued, or skipped with the reason) and the campaign's resolved_at is set
    const started = performance.now();
    await admin('POST', `/api/admin/campaigns/${id}/start`);
    // a cashier's calls meanwhile, one after another: what the POS waits while the audience resolves
    const cashier = { resolving: true, latencies: [] as number[], failed: 0 };
    const cashierAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const checking = (async () => {
      for (let guest = 1; cashier.resolving; guest++) {
        const call = performance.now();
        const answer = await send(cashierAgent, loopbackUrl(server.url), operationRequest(server, 'Offline.CheckCustomer', { customer: { mobilePhone: `7995${String(guest).padStart(7, '0')}` } })).catch(() => null);
        if (answer?.status === 200) cashier.latencies.push(performance.now() - call);
        else cashier.failed += 1;
      }
    })();
    let view: any;
    // a poll waits while the embedded database is busy with a batch; a new connection each time (agent: false)
    let unanswered = 0;
    for (;;) {
      try {
        view = await admin('GET', `/api/admin/campaigns/${id}`);
      } catch (error) {
        // on PGlite the server may not read a request for seconds while a batch runs: 408 or a reset socket; ask again
        unanswered += 1;
        if (unanswered > 50) throw error;
        continue;
      }
      if (!view.resolvingAudience && settled(view.counts) >= audience) break;
      if (view.status !== 'sending') throw new Error(`campaign ${id} is ${view.status} while its audience is resolved`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const resolvedMs = performance.now() - started;
    cashier.resolving = false;
    await checking;
    cashierAgent.destroy();
    const cashierSorted = [...cashier.latencies].sort((a, b) => a - b);
    const cashierAt = (share: number) => cashierSorted[Math.min(cashierSorted.length - 1, Math.floor(share * cashierSorted.length))] ?? 0;
    const atResolution = { ...view.counts, skippedBy: view.skippedBy, received: gateway.received.length };

    // the sending: submits the double took, sampled each second with the server's resident memory
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const samples: { at: number; received: number; rss: number | null }[] = [];
    const sample = () => samples.push({ at: performance.now(), received: gateway.received.length, rss: processMemory(pid)?.now ?? null });
    const sending = await withCpu(
      pid,
      async () => {
        sample();
        const opened = samples[0]!.at;
        while (performance.now() - opened < WINDOW_MS) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, opened + WINDOW_MS - performance.now())));
          sample();
        }
        return { requests: samples.at(-1)!.received - samples[0]!.received };
      },
      server.postgres,
    );
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const achieved = (sending.requests * 1000) / (last.at - first.at);
    // each whole second of the window (the last sample may come a moment after the one before)
    const perSecond = samples
      .slice(1)
      .map((s, i) => ({ received: s.received - samples[i]!.received, ms: s.at - samples[i]!.at }))
      .filter((second) => second.ms >= 900)
      .map((second) => (second.received * 1000) / second.ms);
    const rss = samples.map((s) => s.rss).filter((value): value is number => value !== null);

    const cancelled = await admin('POST', `/api/admin/campaigns/${id}/cancel`);
    id = null;
    const deviation = ((achieved - RATE) / RATE) * 100;
    const skipped = Object.entries(atResolution.skippedBy as Record<string, number>).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${count(n)}`).join(', ');
    const rows: ReportRow[] = [
      {
        name: 'campaign: resolved and queued',
        note:
          `${count(audience)} guests in ${seconds(resolvedMs)} from start (≤ 10 s asked): every one has its recipient row, ` +
          `${count(atResolution.queued)} queued (pending; messages are written 200 ahead of the sender), ${count(atResolution.skipped)} skipped (${skipped}); ` +
          `${count(atResolution.sent + atResolution.delivered)} sent by then; ${unanswered} polls unanswered (408 or reset); resident memory ${memoryBefore ? mb(memoryBefore.now) : '?'} before the start`,
      },
      {
        name: 'campaign: a cashier meanwhile',
        note: `${count(cashierSorted.length)} CheckCustomer calls one after another while the audience resolved: p50 ${cashierAt(0.5).toFixed(0)} ms, p99 ${cashierAt(0.99).toFixed(0)} ms, max ${(cashierSorted.at(-1) ?? 0).toFixed(0)} ms (the POS gives up after 3 s); ${cashier.failed} not answered`,
      },
      {
        name: `campaign: sending at ${RATE}/s (SMPP loopback)`,
        note:
          `${count(sending.requests)} submits in ${seconds(last.at - first.at)}: ${achieved.toFixed(1)}/s, ${deviation >= 0 ? '+' : ''}${deviation.toFixed(1)} % of the configured ${RATE}/s (±5 % asked); ` +
          `each second ${Math.min(...perSecond).toFixed(0)}–${Math.max(...perSecond).toFixed(0)}/s` +
          (sending.cpu ? `; CPU ms/SMS: server ${sending.cpu.serverMs.toFixed(2)}${sending.cpu.postgresMs === undefined ? '' : `, PostgreSQL ${sending.cpu.postgresMs.toFixed(2)}`}` : ''),
      },
      {
        name: 'campaign: server memory while sending',
        note: rss.length
          ? `resident ${mb(rss[0]!)} at the window's start, ${mb(Math.max(...rss))} at most, ${mb(rss.at(-1)!)} at its end (${rss.length} samples, 1 s apart)`
          : 'not measured (no /proc)',
      },
      {
        name: 'campaign: stopped',
        note: `counts then: queued ${count(cancelled.counts.queued)}, sent ${count(cancelled.counts.sent)}, delivered ${count(cancelled.counts.delivered)}, failed ${count(cancelled.counts.failed)}, skipped ${count(cancelled.counts.skipped)}; the double received ${count(gateway.received.length)}`,
      },
    ];
    return rows;
  } finally {
    if (id !== null) await admin('POST', `/api/admin/campaigns/${id}/cancel`).catch(() => {});
    await gateway.stop();
  }
}

export const campaignsScenario: BenchScenario = { name: 'campaigns', seed, run };
