// Reads project files for the server, off its event loop (project-file.ts): each message is a file's text, each
// answer the parsed value or why it could not be read. YAML's own limits stay on (an alias bomb is refused).
import { parentPort } from 'node:worker_threads';
import YAML from 'yaml';

export type ParsedProjectFile = { ok: true; value: unknown } | { ok: false; message: string };

parentPort!.on('message', (content: string) => {
  let answer: ParsedProjectFile;
  try {
    answer = { ok: true, value: YAML.parse(content) };
  } catch (error) {
    answer = { ok: false, message: (error as Error).message.split('\n')[0] };
  }
  parentPort!.postMessage(answer);
});
