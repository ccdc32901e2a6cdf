// The little of the tar format (POSIX ustar) a backup of the embedded database needs: regular files and
// directories, written as a stream from a directory and read back as a stream into one. `tar tzf` and
// `tar xzf` read what this writes.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, posix, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';

const BLOCK = 512;

export interface TarEntry {
  /** the path inside the archive, with forward slashes; a directory ends with "/" */
  name: string;
  /** the file it is read from (null for a directory or an entry given as `data`) */
  path: string | null;
  data?: Buffer;
  size: number;
  mode: number;
  mtime: Date;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(entry: TarEntry): Buffer {
  const block = Buffer.alloc(BLOCK);
  let name = entry.name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`path too long for a tar entry: ${entry.name}`);
  }
  const directory = entry.name.endsWith('/');
  block.write(name, 0, 100, 'utf8');
  block.write(octal(entry.mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(directory ? 0 : entry.size, 12), 124, 'ascii');
  block.write(octal(Math.floor(entry.mtime.getTime() / 1000), 12), 136, 'ascii');
  block.write(directory ? '5' : '0', 156, 'ascii');
  block.write('ustar\0' + '00', 257, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  block.fill(' ', 148, 156);
  let checksum = 0;
  for (const byte of block) checksum += byte;
  block.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** Every file and directory under `dir` (depth first), except the names `skip` says to leave out. */
export async function entriesOf(dir: string, skip: (relative: string) => boolean = () => false): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const walk = async (relative: string) => {
    for (const dirent of (await readdir(join(dir, relative), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = relative ? `${relative}/${dirent.name}` : dirent.name;
      if (skip(child)) continue;
      const path = join(dir, child);
      if (dirent.isDirectory()) {
        const info = await stat(path);
        entries.push({ name: `${child}/`, path: null, size: 0, mode: info.mode, mtime: info.mtime });
        await walk(child);
      } else if (dirent.isFile()) {
        const info = await stat(path);
        entries.push({ name: child, path, size: info.size, mode: info.mode, mtime: info.mtime });
      }
    }
  };
  await walk('');
  return entries;
}

/** A tar stream of the entries, files read one after another (the whole archive is never in memory). */
export function tarStream(entries: TarEntry[]): Readable {
  return Readable.from(
    (async function* () {
      for (const entry of entries) {
        yield header(entry);
        if (entry.name.endsWith('/')) continue;
        let written = 0;
        if (entry.data) {
          yield entry.data;
          written = entry.data.length;
        } else if (entry.path) {
          for await (const chunk of createReadStream(entry.path)) {
            const part = (chunk as Buffer).subarray(0, entry.size - written);
            written += part.length;
            yield part;
            if (written === entry.size) break;
          }
        }
        if (written !== entry.size) throw new Error(`${entry.name} changed size while it was archived`);
        const padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
        if (padding) yield Buffer.alloc(padding);
      }
      yield Buffer.alloc(BLOCK * 2);
    })(),
    { objectMode: false },
  );
}

/** Reads exactly `size` bytes (or to the end) from a stream of buffers, keeping what comes after for the next read. */
class ByteReader {
  #buffered: Buffer[] = [];
  #length = 0;
  #iterator: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  async #fill(size: number): Promise<void> {
    while (this.#length < size) {
      const next = await this.#iterator.next();
      if (next.done) return;
      this.#buffered.push(next.value);
      this.#length += next.value.length;
    }
  }

  async read(size: number): Promise<Buffer> {
    await this.#fill(size);
    const all = Buffer.concat(this.#buffered);
    const taken = all.subarray(0, size);
    const rest = all.subarray(taken.length);
    this.#buffered = rest.length ? [rest] : [];
    this.#length = rest.length;
    return taken;
  }

  /** Up to `max` bytes, without waiting for more than one chunk. */
  async readSome(max: number): Promise<Buffer> {
    await this.#fill(1);
    return this.read(Math.min(max, this.#length));
  }
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

/**
 * Writes the archive's files and directories under `targetDir`, except the entries `skip` names; returns the names
 * read. An entry naming a path outside the target (absolute, or with `..`) is refused.
 */
export async function extractTar(source: AsyncIterable<Buffer>, targetDir: string, skip: (name: string) => boolean = () => false): Promise<string[]> {
  const reader = new ByteReader(source);
  const root = resolve(targetDir);
  const names: string[] = [];
  for (;;) {
    const block = await reader.read(BLOCK);
    if (block.length < BLOCK) throw new Error('the archive ends in the middle: the backup file is incomplete');
    if (block.every((byte) => byte === 0)) return names;
    const prefix = field(block, 345, 155);
    const name = prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100);
    const size = parseInt(field(block, 124, 12).trim() || '0', 8);
    const mode = parseInt(field(block, 100, 8).trim() || '644', 8);
    const type = String.fromCharCode(block[156] || 48);
    const normalized = posix.normalize(name);
    if (posix.isAbsolute(normalized) || normalized.split('/').includes('..')) throw new Error(`the archive names a path outside its directory: ${name}`);
    const target = resolve(root, normalized);
    if (target !== root && !target.startsWith(root + sep)) throw new Error(`the archive names a path outside its directory: ${name}`);
    names.push(normalized);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    const content = Readable.from(
      (async function* () {
        for (let left = size; left > 0; ) {
          const chunk = await reader.readSome(Math.min(left, 1024 * 1024));
          if (chunk.length === 0) throw new Error('the archive ends in the middle: the backup file is incomplete');
          left -= chunk.length;
          yield chunk;
        }
      })(),
    );
    if (type === '5') {
      await mkdir(target, { recursive: true, mode: mode & 0o777 });
    } else if (type !== '0' && type !== '\0') {
      throw new Error(`the archive holds an entry of a kind a backup never has (type ${type}): ${name}`);
    } else if (skip(normalized)) {
      await finished(content.resume());
    } else {
      await mkdir(resolve(target, '..'), { recursive: true });
      await pipeline(content, createWriteStream(target, { mode: mode & 0o777 }));
    }
    await reader.read(padding);
  }
}

/** The first entry of an archive (name and content, at most `maxBytes`), read without reading the rest. */
export async function readFirstEntry(source: AsyncIterable<Buffer>, maxBytes = 1024 * 1024): Promise<{ name: string; content: Buffer }> {
  const reader = new ByteReader(source);
  const block = await reader.read(BLOCK);
  if (block.length < BLOCK || block.every((byte) => byte === 0)) throw new Error('the archive is empty or incomplete');
  const size = parseInt(field(block, 124, 12).trim() || '0', 8);
  if (size > maxBytes) throw new Error(`the archive's first entry is larger than ${maxBytes} bytes`);
  return { name: field(block, 0, 100), content: await reader.read(size) };
}
