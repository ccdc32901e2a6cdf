// Holds the current project snapshot and the integration points' live key hashes for a running process.
// After an apply in this process it is reloaded at once; other processes notice the new version (and
// revoked keys) on their next refresh. A key not known here is looked up in the database before it is
// refused, so a key added by another process works at once.
import type { Db } from '../db/database.ts';
import { allLiveKeyHashes, readProjectState } from './project.repository.ts';
import { loadProject } from './project.service.ts';
import { hashSecret } from './secrets.ts';
import type { SecretValues } from './secret-values.ts';
import type { ProjectSnapshot } from './snapshot.ts';

export class ProjectStore {
  private liveKeys = new Set<string>();

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

  /** Whether `key` is a live secret key of the integration point. */
  async isLiveKey(integrationPoint: string, key: string): Promise<boolean> {
    const entry = keyEntry(integrationPoint, hashSecret(key));
    if (this.liveKeys.has(entry)) return true;
    await this.reloadKeys();
    return this.liveKeys.has(entry);
  }

  /** Reloads when another process applied a newer project version; always re-reads the live keys. */
  async refreshIfStale(): Promise<void> {
    const state = await readProjectState(this.db);
    if (state && state.version !== this.snapshot.version) await this.reload();
    await this.reloadKeys();
  }

  private async reloadKeys(): Promise<void> {
    const rows = await allLiveKeyHashes(this.db);
    this.liveKeys = new Set(rows.map((row) => keyEntry(row.integration_point, row.key_hash)));
  }
}

const keyEntry = (integrationPoint: string, keyHash: string) => `${integrationPoint}\n${keyHash}`;
