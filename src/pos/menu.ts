// The menu on the POS side: the iiko nomenclature (parsed as the server's catalogue import parses it), the dishes a
// cashier can ring up, the `Offline.SendProductCatalog` body built from it, and the daily upload at
// `time_sendProducts` (POS local time) with an injectable clock.

import { readFileSync } from 'node:fs';
import { parseIikoNomenclature } from '../wire/catalog/iiko-nomenclature.ts';
import type { CatalogUpload } from '../wire/catalog/types.ts';
import { toDecimal } from '../wire/money.ts';
import type { ProductCatalogRequest } from '../wire/requests.ts';
import type { MenuItem } from './cashier.ts';
import type { DailyTime } from './config.ts';

export interface Menu {
  upload: CatalogUpload;
  /** what can be sold: available products with a price, in menu order */
  items: MenuItem[];
}

/** Reads an iikoCloud nomenclature file; ids are dish guids or articles as `send_product_id` says. */
export function loadMenu(path: string, sendProductId: boolean): Menu {
  const document: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return menuFromNomenclature(document, sendProductId);
}

export function menuFromNomenclature(document: unknown, sendProductId: boolean): Menu {
  const upload = parseIikoNomenclature(document, { ids: sendProductId ? 'guid' : 'article' });
  const categoryNames = new Map(upload.categories.map((category) => [category.id, category.name]));
  const items = upload.products
    .filter((product) => product.isAvailable && product.priceMinor !== null)
    .map((product) => ({
      productId: product.id,
      name: product.name,
      priceMinor: product.priceMinor!,
      category: categoryNames.get(product.categoryIds[0] ?? '') ?? null,
    }));
  return { upload, items };
}

/** The JSON body of `Offline.SendProductCatalog`: the whole menu, ids under the external system `product_id`. */
export function productCatalogBody(upload: CatalogUpload, externalSystem: string): ProductCatalogRequest {
  const ids = (id: string) => ({ [externalSystem]: id });
  return {
    productCatalog: {
      categories: upload.categories.map((category) => ({
        ids: ids(category.id),
        name: category.name,
        ...(category.parentId === null ? {} : { parentCategory: { ids: ids(category.parentId) } }),
      })),
      products: upload.products.map((product) => ({
        ids: ids(product.id),
        name: product.name,
        ...(product.description === null ? {} : { description: product.description }),
        ...(product.priceMinor === null ? {} : { price: toDecimal(product.priceMinor) }),
        ...(product.oldPriceMinor === null ? {} : { oldPrice: toDecimal(product.oldPriceMinor) }),
        isAvailable: product.isAvailable,
        categories: product.categoryIds.map((id) => ({ ids: ids(id) })),
        ...(Object.keys(product.customFields).length === 0 ? {} : { customFields: product.customFields }),
      })),
    },
  };
}

/** The next moment at the daily time, POS local time, strictly after `now`. */
export function nextDailyRun(now: Date, time: DailyTime): Date {
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate(), time.hours, time.minutes, time.seconds, 0);
  if (next.getTime() <= now.getTime()) {
    next.setDate(next.getDate() + 1);
    next.setHours(time.hours, time.minutes, time.seconds, 0);
  }
  return next;
}

export interface SchedulerClock {
  now(): Date;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const SYSTEM_CLOCK: SchedulerClock = {
  now: () => new Date(),
  setTimer: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type UploadResult = { ok: true } | { ok: false; reason: string };

export interface MenuUploadSchedulerOptions {
  time: DailyTime;
  upload: () => Promise<UploadResult>;
  clock?: SchedulerClock;
  /** after a failed upload, try again this much later (but never past the next daily run); default 10 minutes */
  retryMs?: number;
  onRun?: (at: Date, result: UploadResult) => void;
}

// Timers longer than this overflow in Node (they fire at once); a longer wait is done in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Uploads the menu every day at `time_sendProducts`, and on demand with `runNow()`; one upload at a time. */
export class MenuUploadScheduler {
  private readonly clock: SchedulerClock;
  private readonly retryMs: number;
  private timer: unknown = null;
  private nextRun: Date | null = null;
  private running: Promise<UploadResult> | null = null;
  private stopped = true;

  constructor(private readonly options: MenuUploadSchedulerOptions) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.retryMs = options.retryMs ?? 10 * 60_000;
  }

  /** When the next automatic upload is due; null when stopped. */
  get next(): Date | null {
    return this.nextRun;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(nextDailyRun(this.clock.now(), this.options.time));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.nextRun = null;
  }

  /** Uploads now (the cashier's "upload the menu" command); joins an upload already in progress. */
  runNow(): Promise<UploadResult> {
    this.running ??= this.options
      .upload()
      .catch((error: unknown): UploadResult => ({ ok: false, reason: error instanceof Error ? error.message : String(error) }))
      .then((result) => {
        this.running = null;
        try {
          this.options.onRun?.(this.clock.now(), result);
        } catch {
          // An observer must not stop the schedule.
        }
        return result;
      });
    return this.running;
  }

  private schedule(at: Date): void {
    if (this.stopped) return;
    this.nextRun = at;
    const wait = Math.max(0, at.getTime() - this.clock.now().getTime());
    this.timer = this.clock.setTimer(() => this.fire(), Math.min(wait, MAX_TIMER_MS));
  }

  private async fire(): Promise<void> {
    this.timer = null;
    if (this.stopped || this.nextRun === null) return;
    const now = this.clock.now();
    if (now.getTime() < this.nextRun.getTime()) return this.schedule(this.nextRun);
    const result = await this.runNow();
    if (this.stopped) return;
    const daily = nextDailyRun(this.clock.now(), this.options.time);
    const retry = new Date(this.clock.now().getTime() + this.retryMs);
    this.schedule(!result.ok && retry < daily ? retry : daily);
  }
}
