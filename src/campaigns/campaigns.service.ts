// SMS campaigns to segments (decision 0020). A marketer writes a text in the mailing language, picks segments (and
// segments to leave out), and sees before sending who of that audience will get it and who will not and why, the
// SMS parts of the text as the audience reads it, and the cost. Started (now, or at a time), the campaign's audience
// is resolved in batches by guest id into one row per guest, unique; each row becomes a marketing message (or a
// skip, with the reason) in the transaction that writes the message, shortly before it is sent, and the consent and
// the frequency cap are looked at again then. The marketing sender (src/messaging/marketing-sender.ts) sends the
// messages within the project's hours at the connection's rate. A campaign can be stopped at any time.
import type { AppContext } from '../app-context.ts';
import { mailingRecipient, type CustomerRow } from '../customers/customers.service.ts';
import { inTransaction, type Db } from '../db/database.ts';
import type { CampaignEstimate, MessageStatus } from '../db/schema.ts';
import { failQueuedMarketing, marketingMessagesBySource, queueSms, renderSms, type MailingDeps, type SmsText } from '../messaging/mailings.service.ts';
import { compileTemplate, recipientParameters, TemplateError } from '../messaging/template/index.ts';
import { smsParts } from '../messaging/sms-parts.ts';
import type { ProjectSnapshot } from '../project/snapshot.ts';
import { AppError, validationError, type ValidationMessage } from '../shared/errors.ts';
import * as repository from './campaigns.repository.ts';
import type { AudienceRule, CampaignRow, SkipReason } from './campaigns.repository.ts';

const DAY_MS = 86_400_000;
/** Guests whose rows one transaction writes while the audience is resolved. */
const RESOLVE_BATCH = 5000;
/** Recipients whose messages one transaction writes. */
const PREPARE_BATCH = 20;
/** Messages a campaign keeps written ahead of the sender: enough for a few seconds at a fast gateway's rate. */
const WRITTEN_AHEAD = 200;
/** Guests whose texts make the estimate of the SMS parts. */
const ESTIMATE_SAMPLE = 20;
/** Template parameters a campaign cannot give: codes and coupons come from scenarios' events. */
const EVENT_PARAMETERS = /Recipient\s*\.\s*(AuthentificationCode|MobilePhoneConfirmationCode|CodeExpiresAt|CouponCode)\b/;

export interface CampaignInput {
  name: string;
  segments: string[];
  excludeSegments: string[];
  text: string;
  sendAt: Date | null;
  /** the SMS connection; the project's `default` (or its first) when not given */
  connection?: string;
}

/** The source of a campaign's messages. */
export const campaignSource = (id: number) => `campaign:${id}`;

function audienceRule(project: ProjectSnapshot, input: Pick<CampaignInput, 'segments' | 'excludeSegments'>, now: Date): AudienceRule {
  return {
    segments: input.segments,
    excludeSegments: input.excludeSegments,
    capSince: new Date(now.getTime() - 7 * DAY_MS),
    cap: project.settings.marketingSmsPer7Days,
  };
}

/** The connection a campaign sends through, and the problems of what the marketer wrote (each at its path). */
function checkInput(project: ProjectSnapshot, input: CampaignInput, now: Date): string {
  const problems: ValidationMessage[] = [];
  input.segments.forEach((name, index) => {
    if (!project.segment(name)) problems.push({ location: `/segments/${index}`, message: `segment "${name}" is not defined in the project` });
  });
  input.excludeSegments.forEach((name, index) => {
    if (!project.segment(name)) problems.push({ location: `/excludeSegments/${index}`, message: `segment "${name}" is not defined in the project` });
  });
  const connections = project.definition.smsConnections;
  const connection = input.connection ?? (project.smsConnection('default') ? 'default' : connections[0]?.systemName);
  if (!connection || !project.smsConnection(connection)) {
    problems.push({ location: '/connection', message: input.connection ? `SMS connection "${input.connection}" is not defined in the project` : 'the project has no SMS connection' });
  }
  try {
    compileTemplate(input.text, { parameters: recipientParameters(project.customFields('Customer')) });
    const eventParameter = EVENT_PARAMETERS.exec(input.text);
    if (eventParameter) problems.push({ location: '/text', message: `a campaign carries no ${eventParameter[1]}: codes and coupons come with a scenario's event` });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    problems.push({ location: '/text', message: error.message });
  }
  if (input.sendAt && input.sendAt.getTime() < now.getTime() - 60_000) {
    problems.push({ location: '/sendAt', message: 'is in the past: leave it out to send now' });
  }
  if (problems.length > 0) throw validationError(problems);
  return connection!;
}

/** Who of the audience would get the campaign now and who would not, the SMS parts of its text, and the cost. */
export async function estimateCampaign(db: Db, deps: MailingDeps, input: CampaignInput, now: Date): Promise<CampaignEstimate & { connection: string }> {
  const { project } = deps;
  const connection = checkInput(project, input, now);
  const rule = audienceRule(project, input, now);
  const byRefusal = await repository.audienceByRefusal(db, rule);
  const count = (reason: SkipReason | null) => byRefusal.get(reason) ?? 0;
  const total = [...byRefusal.values()].reduce((sum, guests) => sum + guests, 0);
  const audience = {
    total,
    recipients: count(null),
    skipped: { noConsent: count('noConsent'), invalidPhone: count('invalidPhone'), frequencyCap: count('frequencyCap') },
  };
  const text: SmsText = { template: input.text, mailing: null, connection };
  const sample = await repository.audienceSample(db, rule, ESTIMATE_SAMPLE);
  const guests = sample.length > 0 ? sample.map(mailingRecipient) : [{ ...mailingRecipient(blankGuest()), id: 0 }];
  const counts = [];
  for (const guest of guests) counts.push(smsParts(await renderSms(db, project, text, guest, now)));
  const parts = counts.map((count) => count.parts);
  const averageParts = parts.reduce((sum, n) => sum + n, 0) / parts.length;
  const pricePerPart = project.smsConnection(connection)?.pricePerPart;
  return {
    connection,
    audience,
    sms: {
      encoding: counts.some((count) => count.encoding === 'UCS-2') ? 'UCS-2' : 'GSM-7',
      minParts: Math.min(...parts),
      maxParts: Math.max(...parts),
      sampled: sample.length,
    },
    cost: pricePerPart === undefined ? null : { pricePerPart, estimate: Math.round(audience.recipients * averageParts * pricePerPart * 100) / 100 },
  };
}

/** A guest with nothing filled in: what an audience nobody would get the campaign from is estimated with. */
function blankGuest(): CustomerRow {
  return { id: 0, first_name: null, last_name: null, middle_name: null, email: null, mobile_phone: null, birth_date: null, custom_fields: {} } as unknown as CustomerRow;
}

/** Writes a campaign as a draft, with its estimate; it sends when started. */
export async function createCampaign(db: Db, deps: MailingDeps, input: CampaignInput, actor: string, now: Date): Promise<{ id: number; estimate: CampaignEstimate }> {
  const { connection, ...estimate } = await estimateCampaign(db, deps, input, now);
  const id = await repository.insertCampaign(db, {
    name: input.name,
    text: input.text,
    connection,
    segments: input.segments,
    excludeSegments: input.excludeSegments,
    sendAt: input.sendAt,
    estimate,
    createdBy: actor,
    now,
  });
  return { id, estimate };
}

function notFound(id: number): AppError {
  return new AppError('not_found', `no campaign ${id}`);
}

/** A draft starts: now, or at its `sendAt` (scheduled until then). */
export async function startCampaign(db: Db, project: ProjectSnapshot, id: number, now: Date): Promise<void> {
  await inTransaction(db, async (trx) => {
    const campaign = await repository.getCampaign(trx, id, { lock: true });
    if (!campaign) throw notFound(id);
    if (campaign.status !== 'draft') throw new AppError('conflict', `campaign ${id} is ${campaign.status}: only a draft starts`);
    if (!project.smsConnection(campaign.connection)) throw new AppError('conflict', `SMS connection "${campaign.connection}" is no longer in the project`);
    const later = campaign.send_at !== null && new Date(campaign.send_at).getTime() > now.getTime();
    await repository.setStatus(trx, id, later ? { status: 'scheduled' } : { status: 'sending', startedAt: now });
  });
}

/**
 * Stops a campaign: nobody else gets it. Guests not yet written to are skipped (`stopped`) and messages not yet
 * handed to the gateway fail; a message being sent at that moment goes.
 */
export async function cancelCampaign(db: Db, id: number, actor: string, now: Date): Promise<void> {
  await inTransaction(db, async (trx) => {
    const campaign = await repository.getCampaign(trx, id, { lock: true });
    if (!campaign) throw notFound(id);
    if (campaign.status === 'finished' || campaign.status === 'cancelled') throw new AppError('conflict', `campaign ${id} is ${campaign.status} already`);
    await repository.setStatus(trx, id, { status: 'cancelled', cancelledAt: now, cancelledBy: actor });
    await repository.skipPendingRecipients(trx, id, 'stopped', now);
    await failQueuedMarketing(trx, campaignSource(id), 'the campaign was stopped before it went', now);
  });
}

export interface CampaignCounts {
  /** each guest of the audience is in one of these */
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  skipped: number;
}

export interface CampaignView {
  campaign: CampaignRow;
  counts: CampaignCounts;
  skippedBy: Record<SkipReason, number>;
}

/** A campaign with its progress: its audience by where each guest's SMS is, and why those skipped were. */
export async function campaignProgress(db: Db, id: number): Promise<CampaignView> {
  const campaign = await repository.getCampaign(db, id);
  if (!campaign) throw notFound(id);
  const [recipients, messages] = await Promise.all([repository.recipientCounts(db, id), marketingMessagesBySource(db, campaignSource(id))]);
  const skippedBy: Record<SkipReason, number> = { noConsent: 0, invalidPhone: 0, frequencyCap: 0, emptyText: 0, stopped: 0 };
  let pending = 0;
  for (const row of recipients) {
    if (row.status === 'pending') pending += row.recipients;
    if (row.status === 'skipped' && row.reason) skippedBy[row.reason] += row.recipients;
  }
  const of = (status: MessageStatus) => messages[status] ?? 0;
  return {
    campaign,
    skippedBy,
    counts: {
      queued: pending + of('queued') + of('sending'),
      sent: of('sent'),
      delivered: of('delivered'),
      failed: of('failed'),
      skipped: Object.values(skippedBy).reduce((sum, n) => sum + n, 0),
    },
  };
}

export const listCampaigns = repository.listCampaigns;

/**
 * One step of every campaign under way, for the marketing loop: scheduled campaigns whose time came start; a
 * campaign's audience is resolved a batch at a time; messages are written while fewer than WRITTEN_AHEAD of the
 * campaign wait; a campaign whose every guest is settled finishes. True when it did something (call again soon).
 */
export async function advanceCampaigns(app: AppContext): Promise<boolean> {
  const now = app.now();
  let busy = (await repository.startDueCampaigns(app.db, now)).length > 0;
  for (const campaign of await repository.sendingCampaigns(app.db)) {
    if (campaign.resolved_at === null) {
      await resolveAudienceBatch(app, campaign);
      busy = true;
      continue;
    }
    const messages = await marketingMessagesBySource(app.db, campaignSource(campaign.id));
    const waiting = (messages.queued ?? 0) + (messages.sending ?? 0);
    if (await repository.hasPendingRecipients(app.db, campaign.id)) {
      if ((messages.queued ?? 0) < WRITTEN_AHEAD && (await writeMessages(app, campaign)) > 0) busy = true;
    } else if (waiting === 0) {
      await repository.setStatus(app.db, campaign.id, { status: 'finished', finishedAt: app.now() });
      app.logger.info({ campaign: campaign.id }, 'campaign finished');
      busy = true;
    }
  }
  return busy;
}

/** Writes the rows of the next RESOLVE_BATCH guests of the audience (by id), in one transaction. */
async function resolveAudienceBatch(app: AppContext, campaign: CampaignRow): Promise<void> {
  const project = app.project.current;
  const now = app.now();
  const rule = audienceRule(project, { segments: campaign.segments, excludeSegments: campaign.exclude_segments }, now);
  await inTransaction(app.db, async (trx) => {
    const locked = await repository.getCampaign(trx, campaign.id, { lock: true });
    if (!locked || locked.status !== 'sending' || locked.resolved_at !== null) return;
    const after = locked.resolved_through ?? 0;
    const ids = await repository.nextAudienceIds(trx, rule.segments, after, RESOLVE_BATCH);
    await repository.insertRecipients(trx, campaign.id, ids, rule, ids.at(-1) ?? after, ids.length < RESOLVE_BATCH, now);
  });
}

/** Writes the messages of the next pending recipients (or their skips), each with its row, in one transaction; how many. */
async function writeMessages(app: AppContext, campaign: CampaignRow): Promise<number> {
  const project = app.project.current;
  const deps: MailingDeps = { project, defaultSmsUrl: app.config.smsUrl, secrets: app.secrets };
  const text: SmsText = { template: campaign.text, mailing: null, connection: campaign.connection };
  return inTransaction(app.db, async (trx) => {
    const locked = await repository.getCampaign(trx, campaign.id);
    if (!locked || locked.status !== 'sending') return 0;
    const guests = await repository.lockPendingRecipients(trx, campaign.id, PREPARE_BATCH);
    for (const guest of guests) {
      const now = app.now();
      const outcome = await queueSms(trx, deps, { text, recipient: mailingRecipient(guest), kind: 'marketing', source: campaignSource(campaign.id), now });
      await repository.settleRecipient(
        trx,
        campaign.id,
        guest.id,
        outcome.status === 'skipped' ? { status: 'skipped', reason: outcome.refusal ?? 'emptyText' } : { status: 'messaged', messageId: outcome.messageId },
        now,
      );
    }
    return guests.length;
  });
}
