// Admin API of SMS campaigns (decision 0020):
//   POST /api/admin/campaigns/estimate   who would get it and why not, SMS parts, cost; nothing is written
//   POST /api/admin/campaigns            a draft, with that estimate
//   POST /api/admin/campaigns/:id/start  now, or at its sendAt
//   POST /api/admin/campaigns/:id/cancel stop: nobody else gets it
//   GET  /api/admin/campaigns/:id        status and progress
//   GET  /api/admin/campaigns            newest first, { items, next }
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { beforeCursor, idCursor, nextCursor } from '../http/pagination.ts';
import { systemName } from '../project/schemas.ts';
import type { CampaignInput } from './campaigns.service.ts';
import { campaignProgress, cancelCampaign, createCampaign, estimateCampaign, listCampaigns, startCampaign, type CampaignView } from './campaigns.service.ts';

const campaignBody = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  segments: z.array(systemName).min(1, 'name at least one segment').max(50).describe('system names: guests in any of them'),
  excludeSegments: z.array(systemName).max(50).default([]).describe('system names: guests in any of them are left out'),
  text: z.string().min(1, 'must not be empty').max(2000).describe('the SMS, in the mailing template language: ${Recipient.FirstName}, ${Recipient.CustomFields.Rank}, ${Recipient.GetBonusPointsAccount("Bonus").Available}'),
  sendAt: z.iso.datetime({ offset: true }).optional().describe('when to send; now when left out (a campaign started before then waits)'),
  connection: systemName.optional().describe("the SMS connection; the project's `default` when left out"),
});

const inputOf = (body: z.output<typeof campaignBody>): CampaignInput => ({ ...body, sendAt: body.sendAt ? new Date(body.sendAt) : null });

const audience = z.object({
  total: z.number().describe('guests in the segments, less those in the excluded ones'),
  recipients: z.number().describe('of them, those who would get the SMS now'),
  skipped: z.object({
    noConsent: z.number().describe('never agreed to SMS, or withdrew'),
    invalidPhone: z.number().describe('no mobile phone an SMS reaches'),
    frequencyCap: z.number().describe('had as many marketing SMS in 7 days as the project allows'),
  }),
});
const estimate = z.object({
  audience,
  sms: z
    .object({
      encoding: z.enum(['GSM-7', 'UCS-2']),
      minParts: z.number(),
      maxParts: z.number(),
      sampled: z.number().describe('guests whose personalised texts were counted'),
    })
    .describe('SMS parts of the text as the audience reads it: 160/153 characters per part in GSM-7, 70/67 in UCS-2'),
  cost: z
    .object({ pricePerPart: z.number(), estimate: z.number() })
    .nullable()
    .describe("recipients × parts × the connection's pricePerPart; null when the connection has no price"),
});

const counts = z
  .object({ queued: z.number(), sent: z.number(), delivered: z.number(), failed: z.number(), skipped: z.number() })
  .describe('each guest of the audience is in one: waiting (or not yet written), taken by the gateway, delivered, failed, skipped');

const campaignAnswer = z.object({
  id: z.number(),
  name: z.string(),
  text: z.string(),
  connection: z.string(),
  segments: z.array(z.string()),
  excludeSegments: z.array(z.string()),
  status: z.enum(['draft', 'scheduled', 'sending', 'finished', 'cancelled']),
  sendAt: z.string().nullable(),
  estimate,
  counts,
  skippedBy: z
    .object({ noConsent: z.number(), invalidPhone: z.number(), frequencyCap: z.number(), emptyText: z.number(), stopped: z.number() })
    .describe('why the skipped were: checked again when each SMS is written; `stopped`: the campaign was stopped first'),
  resolvingAudience: z.boolean().describe('the audience is still being written down, so the counts grow'),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  cancelledBy: z.string().nullable(),
});

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function campaignView({ campaign, counts, skippedBy }: CampaignView): z.output<typeof campaignAnswer> {
  return {
    id: campaign.id,
    name: campaign.name,
    text: campaign.text,
    connection: campaign.connection,
    segments: campaign.segments,
    excludeSegments: campaign.exclude_segments,
    status: campaign.status,
    sendAt: iso(campaign.send_at),
    estimate: campaign.estimate,
    counts,
    skippedBy,
    resolvingAudience: campaign.status === 'sending' && campaign.resolved_at === null,
    createdBy: campaign.created_by,
    createdAt: iso(campaign.created_at)!,
    startedAt: iso(campaign.started_at),
    finishedAt: iso(campaign.finished_at),
    cancelledAt: iso(campaign.cancelled_at),
    cancelledBy: campaign.cancelled_by,
  };
}

const idParams = z.object({ id: z.coerce.number().int().positive() });

export const campaignsRoutes: AdminRoutes<AppContext> = (admin, app) => {
  const deps = () => ({ project: app.project.current, defaultSmsUrl: app.config.smsUrl, secrets: app.secrets });

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/campaigns/estimate',
      tag: 'Campaigns',
      summary: 'What a campaign would reach now: the audience and why some would not get it, the SMS parts, the cost',
      description: 'Writes nothing. A text the template language refuses, or a segment the project lacks, answers 400 at its path.',
      body: campaignBody,
      response: estimate,
    },
    async ({ body }) => {
      const { connection: _, ...result } = await estimateCampaign(app.db, deps(), inputOf(body), app.now());
      return result;
    },
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/campaigns',
      tag: 'Campaigns',
      summary: 'Writes a campaign (a draft) with its estimate; POST …/start sends it',
      body: campaignBody,
      response: estimate.extend({ id: z.number() }),
    },
    async ({ body, principal }) => {
      const created = await createCampaign(app.db, deps(), inputOf(body), principal.name, app.now());
      return { id: created.id, ...created.estimate };
    },
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/campaigns/:id/start',
      tag: 'Campaigns',
      summary: 'Starts a draft: it sends now, or at its sendAt',
      description:
        'Marketing SMS go only to guests who agreed, within the project\'s hours (settings marketingSmsFrom–marketingSmsTo), under the frequency cap (marketingSmsPer7Days) and at the connection\'s ratePerSecond. 409 when the campaign is not a draft.',
      params: idParams,
      response: campaignAnswer,
    },
    async ({ params }) => {
      await startCampaign(app.db, app.project.current, params.id, app.now());
      return campaignView(await campaignProgress(app.db, params.id));
    },
  );

  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/campaigns/:id/cancel',
      tag: 'Campaigns',
      summary: 'Stops a campaign: nobody else gets it',
      description: 'Guests not yet written to are skipped (`stopped`), messages not yet handed to the gateway fail; one being sent at that moment goes. 409 when it is finished or stopped already.',
      params: idParams,
      response: campaignAnswer,
    },
    async ({ params, principal }) => {
      await cancelCampaign(app.db, params.id, principal.name, app.now());
      return campaignView(await campaignProgress(app.db, params.id));
    },
  );

  adminRoute(
    admin,
    { method: 'GET', url: '/api/admin/campaigns/:id', tag: 'Campaigns', summary: 'A campaign with its progress', params: idParams, response: campaignAnswer },
    async ({ params }) => campaignView(await campaignProgress(app.db, params.id)),
  );

  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/campaigns',
      tag: 'Campaigns',
      summary: 'Campaigns, newest first, with their progress',
      query: z.object({ before: beforeCursor(idCursor), limit: z.coerce.number().int().min(1).max(100).default(20) }),
      response: z.object({ items: z.array(campaignAnswer), next: z.string().nullable() }),
    },
    async ({ query }) => {
      const rows = await listCampaigns(app.db, { before: query.before, limit: query.limit });
      const items = [];
      for (const row of rows) items.push(campaignView(await campaignProgress(app.db, row.id)));
      return { items, next: nextCursor(rows, query.limit, (last) => String(last.id)) };
    },
  );
};
