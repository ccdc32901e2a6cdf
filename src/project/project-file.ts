// A project file sent to the server (plan, apply) is read in a worker thread, one file at a time: parsing a
// large YAML file takes about a second per megabyte, which would stop every other request on the event loop, and
// a burst of files would take every core. The size is limited before, the time and memory while it is parsed.
import type { Worker } from 'node:worker_threads';
import { AppError } from '../shared/errors.ts';
import { startWorkerThread } from '../shared/worker-thread.ts';
import type { ParsedProjectFile } from './project-file.worker.ts';

export const PROJECT_FILE_LIMIT_BYTES = 1024 * 1024;
const PARSE_TIME_LIMIT_MS = 10_000;
const PARSER_MEMORY_MB = 256;


const unreadable = (why: string) => new AppError('bad_request', `the file is neither YAML nor JSON: ${why}`);

class ProjectFileReader {
  private worker: Worker | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** The file's value; a bad_request AppError when it cannot be read. */
  read(content: string): Promise<unknown> {
    const bytes = Buffer.byteLength(content, 'utf8');
    if (bytes > PROJECT_FILE_LIMIT_BYTES) {
      return Promise.reject(new AppError('payload_too_large', `a project file has at most 1 MB; this one has ${(bytes / 1024 / 1024).toFixed(1)} MB`));
    }
    const turn = this.queue.then(() => this.parse(content));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private parse(content: string): Promise<unknown> {
    const worker = this.running();
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        worker.off('message', answered).off('error', failed).off('exit', exited);
        settle();
      };
      const answered = (answer: ParsedProjectFile) => finish(() => (answer.ok ? resolve(answer.value) : reject(unreadable(answer.message))));
      const failed = (error: Error & { code?: string }) => {
        this.worker = null;
        finish(() => reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? unreadable(`reading it needs more than ${PARSER_MEMORY_MB} MB`) : error));
      };
      const exited = () => failed(new Error('the project file reader stopped'));
      const timer = setTimeout(() => {
        this.worker = null;
        void worker.terminate();
        finish(() => reject(unreadable(`reading it takes more than ${PARSE_TIME_LIMIT_MS / 1000} s`)));
      }, PARSE_TIME_LIMIT_MS);
      worker.on('message', answered).on('error', failed).on('exit', exited);
      worker.postMessage(content);
    });
  }

  private running(): Worker {
    if (!this.worker) {
      this.worker = startWorkerThread(new URL('./project-file.worker.ts', import.meta.url), {
        execArgv: [],
        resourceLimits: { maxOldGenerationSizeMb: PARSER_MEMORY_MB },
      });
      // an idle reader does not keep the process running
      this.worker.unref();
    }
    return this.worker;
  }
}

const reader = new ProjectFileReader();

/** Reads a project file's text (YAML or JSON) off the event loop. */
export function readProjectFile(content: string): Promise<unknown> {
  return reader.read(content);
}
