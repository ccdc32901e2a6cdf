// Holds the current project snapshot for a running process. After an apply in this process it is
// reloaded at once; other processes notice the new version on their next refresh.
import type { Db } from '../db/database.ts';
import { readProjectState } from './project.repository.ts';
import { loadProject } from './project.service.ts';
import type { ProjectSnapshot } from './snapshot.ts';

export class ProjectStore {
  private constructor(
    private readonly db: Db,
    private snapshot: ProjectSnapshot,
  ) {}

  static async open(db: Db): Promise<ProjectStore> {
    return new ProjectStore(db, await loadProject(db));
  }

  get current(): ProjectSnapshot {
    return this.snapshot;
  }

  async reload(): Promise<ProjectSnapshot> {
    this.snapshot = await loadProject(this.db);
    return this.snapshot;
  }

  /** Reloads when another process applied a newer project version. */
  async refreshIfStale(): Promise<void> {
    const state = await readProjectState(this.db);
    if (state && state.version !== this.snapshot.version) await this.reload();
  }
}
