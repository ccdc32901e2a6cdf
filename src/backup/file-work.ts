// The file work of an embedded backup: copying the data directory while PostgreSQL writes it, and archiving the
// copy. It runs in a worker thread (file-work.worker.ts), so a server busy with calls does not slow it down, nor it them.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { entriesOf, tarStream, type TarEntry } from './tar.ts';

export type FileWork =
  /** copies the files of `from` into `to`, except the relative paths named or under a prefix named */
  | { kind: 'copy'; from: string; to: string; skipPaths: string[]; skipPrefixes: string[] }
  /** writes a gzipped tar of `dir`, `first` as its first entry, to `file` */
  | { kind: 'archive'; dir: string; first: { name: string; text: string }; file: string };

export type FileWorkResult = { ok: true } | { ok: false; message: string };

const PARALLEL_COPIES = 8;

export async function doFileWork(work: FileWork): Promise<void> {
  if (work.kind === 'copy') {
    const skip = (relative: string) => work.skipPaths.includes(relative) || work.skipPrefixes.some((prefix) => relative.startsWith(prefix));
    await copyFiles(work.from, work.to, skip);
  } else {
    const text = Buffer.from(work.first.text);
    const first: TarEntry = { name: work.first.name, path: null, data: text, size: text.length, mode: 0o600, mtime: new Date() };
    await pipeline(tarStream([first, ...(await entriesOf(work.dir))]), createGzip({ level: 1 }), createWriteStream(work.file, { mode: 0o600 }));
  }
}

/** Copies the files of `from` into `to` (made as needed), a few at a time. */
async function copyFiles(from: string, to: string, skip: (relative: string) => boolean): Promise<void> {
  const entries = await entriesOf(from, skip);
  await mkdir(to, { recursive: true });
  for (const directory of entries.filter((entry) => !entry.path)) await mkdir(join(to, directory.name), { recursive: true });
  const files = entries.filter((entry) => entry.path);
  await Promise.all(
    Array.from({ length: PARALLEL_COPIES }, async (_, worker) => {
      for (let index = worker; index < files.length; index += PARALLEL_COPIES) await copyAsItIs(files[index].path!, join(to, files[index].name));
    }),
  );
}

/**
 * Copies a file that PostgreSQL may be writing, extending or truncating meanwhile: read to its end, whatever its
 * size was when listed (copyFile would wait for bytes of a file that shrank). A file removed since it was listed
 * (a dropped table, a recycled log segment) is not needed.
 */
async function copyAsItIs(from: string, to: string): Promise<void> {
  try {
    await pipeline(createReadStream(from, { highWaterMark: 1024 * 1024 }), createWriteStream(to));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
