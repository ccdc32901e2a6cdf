// A worker thread that runs one of the server's own files. Compiled (dist/regulars.mjs, decision 0025), each
// worker is a bundle of its own beside the server's (scripts/build-server.mjs); run as TypeScript, the worker
// registers tsx's loader before it imports its file: a thread does not inherit the loader its process started with.
import { basename } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** True in dist/regulars.mjs, where every bundled module's import.meta.url is the bundle's. */
const COMPILED = import.meta.url.endsWith('.mjs');

/** Starts `source` (a `.worker.ts` file, as `new URL('./x.worker.ts', import.meta.url)` names it) in a thread. */
export function startWorkerThread(source: URL, options: WorkerOptions = {}): Worker {
  if (COMPILED) return new Worker(new URL(`./${basename(source.pathname, '.ts')}.mjs`, import.meta.url), options);
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(source.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options);
}
