// The worker thread of an embedded backup's file work (file-work.ts): one piece of work per message, answered in order.
import { parentPort } from 'node:worker_threads';
import { doFileWork, type FileWork, type FileWorkResult } from './file-work.ts';

const port = parentPort!;
let queue = Promise.resolve();
port.on('message', (work: FileWork) => {
  queue = queue.then(async () => {
    let result: FileWorkResult;
    try {
      await doFileWork(work);
      result = { ok: true };
    } catch (error) {
      result = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(result);
  });
});
