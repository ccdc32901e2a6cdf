// Admin API: GET /api/admin/messages — the SMS log with status, attempts and errors, in keyset pages, newest
// first or failed first. Phones are masked unless the list is filtered by phone.
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { phoneForLookup } from '../customers/phone.ts';
import { adminRoute, invalidInput, type AdminRoutes } from '../http/admin-route.ts';
import { beforeCursor } from '../http/pagination.ts';
import { pageOfMessages, type MessageCursor } from './mailings.service.ts';

const CURSOR = /^(failed|others|all)~(\d{4}-\d{2}-\d{2}T[\d:.]+Z)~([0-9a-f-]{36})$/;

/** `part~createdAt~id`: the part of a failed-first list the page stopped in, and its last message. */
const cursorText = (cursor: MessageCursor) => `${cursor.part}~${cursor.createdAt.toISOString()}~${cursor.id}`;

function readCursor(text: string): MessageCursor | null {
  const [, part, createdAt, id] = CURSOR.exec(text) ?? [];
  if (!part || Number.isNaN(Date.parse(createdAt))) return null;
  return { part: part as MessageCursor['part'], createdAt: new Date(createdAt), id };
}

export const messageListQuery = z.object({
  phone: z.string().max(50).optional().describe('a phone in any format: only its messages, the phone shown in full'),
  status: z.enum(['queued', 'sending', 'sent', 'delivered', 'failed']).optional(),
  customerId: z.coerce.number().int().positive().optional().describe("a guest's messages"),
  order: z.enum(['newest', 'failedFirst']).default('newest').describe('`failedFirst`: every failed message before the others, each part newest first'),
  before: beforeCursor(readCursor),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const message = z.object({
  id: z.string(),
  customerId: z.number().nullable(),
  phone: z.string(),
  text: z.string().nullable().describe('one-time codes masked (••••); null for a message stored before 0.2, whose text may hold a code'),
  mailing: z.string().nullable(),
  connection: z.string(),
  source: z.string().nullable(),
  status: z.string(),
  attempts: z.number(),
  providerMessageId: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  failedAt: z.string().nullable(),
});

export const messagesRoutes: AdminRoutes<AppContext> = (admin, app) => {
  adminRoute(
    admin,
    {
      method: 'GET',
      url: '/api/admin/messages',
      tag: 'Messages',
      summary: 'The SMS log: status, attempts and the last error of every message',
      query: messageListQuery,
      response: z.object({ items: z.array(message), next: z.string().nullable() }),
    },
    async ({ query }) => {
      const phone = query.phone === undefined ? undefined : phoneForLookup(query.phone, app.project.current.settings.defaultCountry);
      if (phone === null) throw invalidInput('query', [{ location: '/phone', message: 'not a phone number' }]);
      const page = await pageOfMessages(app.db, app.secrets, {
        phone,
        status: query.status,
        customerId: query.customerId,
        failedFirst: query.order === 'failedFirst',
        after: query.before,
        limit: query.limit,
      });
      return { items: page.items, next: page.next && cursorText(page.next) };
    },
  );
};
