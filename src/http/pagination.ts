// One way to page every admin list: the answer is `{ items, next }`, `next` a cursor naming where the page
// stopped (null on the last page), and the following page is asked for with `?before=<next>`. The cursor is
// text the list's route makes and reads back; a cursor it cannot read is a 400 naming `before`.
import { z } from 'zod';

const NOT_A_CURSOR = 'not a `next` cursor this list gave out';

/** The `before` query parameter, read back with the list's own `decode` (null: not one of its cursors). */
export function beforeCursor<T>(decode: (text: string) => T | null) {
  return z
    .string()
    .max(1000)
    .transform((text, context) => {
      const cursor = decode(text);
      if (cursor !== null) return cursor;
      context.addIssue({ code: 'custom', message: NOT_A_CURSOR });
      return z.NEVER;
    })
    .optional()
    .describe('keyset cursor: `next` of the previous page');
}

/** A cursor that is a row id, for lists ordered by id. */
export const idCursor = (text: string): number | null => {
  const id = /^\d{1,15}$/.test(text) ? Number(text) : 0;
  return id > 0 ? id : null;
};

/** The `next` of a page read with `limit`: the cursor of its last row when the page is full. */
export function nextCursor<T>(items: readonly T[], limit: number, cursorOf: (last: T) => string): string | null {
  return items.length === limit && items.length > 0 ? cursorOf(items[items.length - 1]) : null;
}
