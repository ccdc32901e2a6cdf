// Holds the current project snapshot and the integration points' live key hashes for a running process.
// After an apply in this process it is reloaded at once; other processes notice the new version (and
// revoked keys) on their next refresh. A key not known here waits for the keys to be read again before it
// is refused, so a key added by another process works at once; that read happens at most once a second
// whatever the number of unknown keys, which share it (decision 0014).
import type { Db } from '../db/database.ts';
import { allLiveKeyHashes, readProjectState } from './project.repository.ts';
import { loadProject } from './project.service.ts';
import { hashSecret } from './secrets.ts';
import type { SecretValues } from './secret-values.ts';
import type { ProjectSnapshot } from './snapshot.ts';

/** The keys are read again for an unknown key no sooner than this after their last read began. */
const KEY_READ_INTERVAL_MS = 1000;

export class ProjectStore {
  private liveKeys = new Set<string>();
  /** when the last read of the keys began (performance.now()) */
  private keysReadAt = Number.NEGATIVE_INFINITY;
  private keysBeingRead: Promise<void> = Promise.resolve();
  /** the next read for unknown keys, not begun yet: every unknown key until it begins waits for it */
  private nextKeyRead: Promise<void> | null = null;

  private constructor(
    private readonly db: Db,
    /** seals, opens and redacts the project's secret fields (decision 0008) */
    readonly secrets: SecretValues,
    private snapshot: ProjectSnapshot,
  ) {}

  static async open(db: Db, secrets: SecretValues): Promise<ProjectStore> {
    const store = new ProjectStore(db, secrets, await loadProject(db, secrets));
    await store.reloadKeys();
    return store;
  }

  get current(): ProjectSnapshot {
    return this.snapshot;
  }

  async reload(): Promise<ProjectSnapshot> {
    this.snapshot = await loadProject(this.db, this.secrets);
    return this.snapshot;
  }

  /**
   * Whether `key` is a live secret key of the integration point: one lookup in memory, and for a key not known
   * there, the wait for the next read of the keys (at most a second), shared with every other unknown key.
   */
  async isLiveKey(integrationPoint: string, key: string): Promise<boolean> {
    const entry = keyEntry(integrationPoint, hashSecret(key));
    if (this.liveKeys.has(entry)) return true;
    await this.readKeysSoon();
    return this.liveKeys.has(entry);
  }

  private readKeysSoon(): Promise<void> {
    this.nextKeyRead ??= (async () => {
      await delay(this.keysReadAt + KEY_READ_INTERVAL_MS - performance.now());
      // a read already running may have begun before the key was added: this one begins after it
      await this.keysBeingRead.catch(() => {});
      this.nextKeyRead = null;
      await this.reloadKeys();
    })();
    return this.nextKeyRead;
  }

  /** Reloads when another process applied a newer project version; always re-reads the live keys. */
  async refreshIfStale(): Promise<void> {
    const state = await readProjectState(this.db);
    if (state && state.version !== this.snapshot.version) await this.reload();
    await this.reloadKeys();
  }

  private reloadKeys(): Promise<void> {
    this.keysReadAt = performance.now();
    const read = allLiveKeyHashes(this.db).then((rows) => {
      this.liveKeys = new Set(rows.map((row) => keyEntry(row.integration_point, row.key_hash)));
    });
    this.keysBeingRead = read;
    return read;
  }
}

const delay = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

const keyEntry = (integrationPoint: string, keyHash: string) => `${integrationPoint}\n${keyHash}`;
