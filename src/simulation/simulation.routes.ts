// Admin API of the simulation: POST /api/admin/project/simulate takes a project file as a plan does and answers
// what it would do, writing nothing (src/simulation/simulation.service.ts). Money in roubles, points in points.
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { adminRoute, type AdminRoutes } from '../http/admin-route.ts';
import { pointScale } from '../loyalty/balances.ts';
import type { CartResult } from '../loyalty/calculate.ts';
import { PROJECT_FILE_LIMIT_BYTES, readProjectFile } from '../project/project-file.ts';
import { toDecimal } from '../shared/money.ts';
import { LEVEL_FIELD } from './levels.ts';
import type { ReplayTotals } from './replay.ts';
import type { PricedBill, SampleBillResult } from './sample-bill.ts';
import { REPLAY_LIMIT, simulateProgram } from './simulation.service.ts';

const MAX_DAYS = 90;
const MAX_SAMPLE = 50;

const sampleBill = z
  .object({
    lines: z
      .array(
        z
          .object({
            productId: z.string().min(1).describe("the dish's id in the catalogue"),
            quantity: z.number().positive().default(1),
            price: z.number().nonnegative().optional().describe("roubles per item; the catalogue's price when left out"),
          })
          .strict(),
      )
      .min(1)
      .max(100),
    customerId: z.number().int().positive().optional().describe('a guest, priced with their segments, level and points'),
    level: z.string().min(1).optional().describe('or a guest of a level, named by its segment (RankGold): no one in particular'),
    points: z.number().nonnegative().optional().describe('points the guest asks to spend (a guest of a level has them)'),
    pointOfContact: z.string().min(1).optional().describe('the venue'),
    at: z.iso.datetime({ offset: true }).optional().describe('the moment (happy hours): now when left out'),
  })
  .strict()
  .refine((bill) => bill.customerId === undefined || bill.level === undefined, { message: 'a guest or a level, not both', path: ['level'] });

const totals = z.object({
  discount: z.number().describe('roubles of our discounts (the POS’s own left out)'),
  pointsEarned: z.number(),
  pointsSpent: z.number(),
});
const sampleGuest = z.object({ id: z.number(), name: z.string().nullable() });
const billLine = z.object({
  lineNumber: z.number(),
  productId: z.string(),
  name: z.string().nullable().describe("the catalogue's name"),
  quantity: z.number(),
  price: z.number().describe('roubles per item'),
  total: z.number().describe('roubles before discounts'),
  discounts: z.array(z.object({ promotion: z.string(), name: z.string(), amount: z.number() })),
  pointsSpent: z.number(),
  pointsEarned: z.number(),
  toPay: z.number().describe('roubles left to pay in money'),
});
const billSide = z.object({
  level: z.string().nullable().describe(`the guest's ${LEVEL_FIELD} under this program`),
  subtotal: z.number(),
  discount: z.number().describe('roubles of every discount, points not included'),
  pointsSpent: z.number(),
  pointsSpentMoney: z.number().describe('roubles the points took off'),
  pointsEarned: z.number(),
  pointsAvailableForOrder: z.number().describe('the most points this bill may be paid with'),
  toPay: z.number(),
  lines: z.array(billLine),
});

const simulationResponse = z.union([
  z.object({
    ok: z.literal(true),
    changed: z.array(z.string()).describe('what the proposal changes, as kind/key; empty: it is the current program'),
    guests: z.object({
      segments: z.array(
        z.object({ segment: z.string(), entering: z.number(), leaving: z.number(), enteringSample: z.array(sampleGuest), leavingSample: z.array(sampleGuest) }),
      ),
      levels: z.array(z.object({ from: z.string().nullable(), to: z.string().nullable(), guests: z.number(), sample: z.array(sampleGuest) })),
    }),
    replay: z.object({
      days: z.number(),
      from: z.string(),
      to: z.string(),
      orders: z.number(),
      complete: z.boolean().describe(`false: more than ${REPLAY_LIMIT.toLocaleString('en')} paid orders in the period; the totals are of the first`),
      current: totals,
      proposed: totals,
      perDay: z.array(z.object({ day: z.string(), orders: z.number(), current: totals, proposed: totals })),
    }),
    bill: z.object({ current: billSide, proposed: billSide }).nullable(),
    durationMs: z.number(),
  }),
  z.object({ ok: z.literal(false), problems: z.array(z.object({ path: z.string(), message: z.string() })) }),
]);

export const simulationRoutes: AdminRoutes<AppContext> = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'POST',
      url: '/api/admin/project/simulate',
      tag: 'Project',
      summary: 'What a proposed program would do, before it is live',
      description: [
        'Takes a project file as `/api/admin/project/plan` does and writes nothing. Answers the guests whose segments and level would change',
        `(counts and the first few), a sample bill priced by the current and the proposed program side by side, and the paid orders of the last \`days\` (at most ${MAX_DAYS})`,
        `priced again by both: our discounts and the points earned and spent, per local day and in total (at most ${REPLAY_LIMIT.toLocaleString('en')} orders).`,
        'Both programs price the bill as it was paid for the guest as they are now, so the difference is the program’s (docs/decisions/0019-project-versions-and-simulation.md).',
        `Money in roubles, points in points. An owner or a marketer; a file with problems answers \`ok: false\` with them. 413 for a file over ${PROJECT_FILE_LIMIT_BYTES / 1024 / 1024} MB.`,
      ].join(' '),
      body: z
        .object({
          content: z.string().min(1).describe('the proposed project file as text: YAML or JSON'),
          days: z.number().int().min(1).max(MAX_DAYS).default(30),
          bill: sampleBill.optional(),
          sample: z.number().int().min(0).max(MAX_SAMPLE).default(5).describe('guests named per group of moved guests'),
        })
        .strict(),
      response: simulationResponse,
    },
    async ({ body }) => {
      const current = app.project.current;
      const result = await simulateProgram(
        app.db,
        current,
        {
          file: await readProjectFile(body.content),
          days: body.days,
          sampleSize: body.sample,
          ...(body.bill ? { bill: { ...body.bill, at: body.bill.at === undefined ? undefined : new Date(body.bill.at) } } : {}),
        },
        { secrets: app.project.secrets, now: app.now() },
      );
      if (!result.ok) return result;
      const points = (minor: number) => toDecimal(minor, result.replay.pointScale);
      const inRoubles = (side: ReplayTotals) => ({ discount: toDecimal(side.discount), pointsEarned: points(side.pointsEarned), pointsSpent: points(side.pointsSpent) });
      return {
        ok: true as const,
        changed: result.changed,
        guests: result.guests,
        replay: {
          days: body.days,
          from: result.replay.from.toISOString(),
          to: result.replay.to.toISOString(),
          orders: result.replay.orders,
          complete: result.replay.complete,
          current: inRoubles(result.replay.current),
          proposed: inRoubles(result.replay.proposed),
          perDay: result.replay.perDay.map((day) => ({ day: day.day, orders: day.orders, current: inRoubles(day.current), proposed: inRoubles(day.proposed) })),
        },
        bill: result.bill ? { current: billSideOf(result.bill, result.bill.current), proposed: billSideOf(result.bill, result.bill.proposed) } : null,
        durationMs: result.durationMs,
      };
    },
  );
};

function billSideOf(bill: SampleBillResult, priced: PricedBill): z.infer<typeof billSide> {
  const { input, result } = priced;
  const scale = input.balanceType ? pointScale(input.balanceType) : 0;
  const points = (minor: number) => toDecimal(minor, scale);
  const level = input.customer?.customFields[LEVEL_FIELD];
  return {
    level: level === undefined || level === null ? null : String(level),
    subtotal: toDecimal(result.subtotal),
    discount: toDecimal(result.discountTotal),
    pointsSpent: points(result.pointsSpent),
    pointsSpentMoney: toDecimal(result.pointsSpentMoney),
    pointsEarned: points(result.pointsEarned),
    pointsAvailableForOrder: points(result.pointsAvailableForOrder),
    toPay: toDecimal(result.totalPrice),
    lines: bill.lines.map((line, index) => lineOf(bill, line, result.lines[index], points)),
  };
}

function lineOf(bill: SampleBillResult, line: SampleBillResult['lines'][number], priced: CartResult['lines'][number], points: (minor: number) => number): z.infer<typeof billLine> {
  let spent = 0;
  let earned = 0;
  const discounts: z.infer<typeof billLine>['discounts'] = [];
  for (const applied of priced.appliedPromotions) {
    if (applied.type === 'discount') discounts.push({ promotion: applied.promotion.externalId, name: applied.promotion.name, amount: toDecimal(applied.amount) });
    else if (applied.type === 'spentBonusPoints') spent += applied.points;
    else earned += applied.points;
  }
  return {
    lineNumber: line.lineNumber,
    productId: line.productId,
    name: bill.productNames.get(line.productId) ?? null,
    quantity: toDecimal(line.quantity, 3),
    price: toDecimal(line.basePricePerItem),
    total: toDecimal(priced.lineTotal),
    discounts,
    pointsSpent: points(spent),
    pointsEarned: points(earned),
    toPay: toDecimal(priced.discountedPriceOfLine),
  };
}
