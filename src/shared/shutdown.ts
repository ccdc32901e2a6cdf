// Things a process must close when it stops (gateway connections, …), registered by the modules that open
// them and run by `startServer`'s stop after the worker has finished its last job.
const hooks = new Map<string, () => Promise<void>>();

export function onShutdown(name: string, hook: () => Promise<void>): void {
  hooks.set(name, hook);
}

/** Runs every hook once (a failing one does not stop the others) and forgets them. */
export async function runShutdownHooks(): Promise<void> {
  const pending = [...hooks.values()];
  hooks.clear();
  await Promise.allSettled(pending.map((hook) => hook()));
}
