// An append-only file of JSON lines, each `{"rec":<record>,"crc":"<crc32 of the record's JSON, 8 hex>"}`, that
// survives crashes: an append resolves after fdatasync, and on open an incomplete or damaged tail left by a crash is
// cut off; a damaged line with good lines after it is skipped and counted.

import { open, readFile, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/** An append-only JSON-lines file: reads and repairs what is there, then appends synced lines. */
export class AppendFile {
  private broken: Error | null = null;

  private constructor(
    private readonly path: string,
    private handle: FileHandle,
    public size: number,
    readonly records: unknown[],
    readonly tornBytes: number,
    readonly damagedLines: number,
  ) {}

  static async open(path: string): Promise<AppendFile> {
    const handle = await open(path, 'a+');
    try {
      const content = await readFile(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return Buffer.alloc(0);
        throw error;
      });
      const { records, validEnd, damagedLines } = decodeLines(content);
      if (validEnd < content.length) {
        await handle.truncate(validEnd);
        await handle.sync();
      }
      return new AppendFile(path, handle, validEnd, records, content.length - validEnd, damagedLines);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async append(record: object): Promise<void> {
    if (this.broken) throw new Error(`${this.path} cannot be written: ${this.broken.message}`);
    const bytes = Buffer.from(encodeLine(record));
    try {
      let written = 0;
      while (written < bytes.length) {
        const result = await this.handle.write(bytes, written, bytes.length - written);
        written += result.bytesWritten;
      }
      await this.handle.datasync();
      this.size += bytes.length;
    } catch (error) {
      // A partial line would swallow the next one, so cut the file back to the last complete line.
      try {
        await this.handle.truncate(this.size);
      } catch (truncateError) {
        this.broken = truncateError as Error;
      }
      throw error;
    }
  }

  async truncate(): Promise<void> {
    await this.handle.truncate(0);
    await this.handle.sync();
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

const LINE_PREFIX = '{"rec":';
const LINE_SUFFIX = /,"crc":"([0-9a-f]{8})"\}$/;
const LINE_SUFFIX_LENGTH = ',"crc":"'.length + 8 + '"}'.length;

export function encodeLine(record: object): string {
  const json = JSON.stringify(record);
  return `${LINE_PREFIX}${json},"crc":"${checksum(json)}"}\n`;
}

function decodeLine(line: string): { ok: true; record: unknown } | { ok: false } {
  const suffix = LINE_SUFFIX.exec(line);
  if (!line.startsWith(LINE_PREFIX) || !suffix) return { ok: false };
  const json = line.slice(LINE_PREFIX.length, line.length - LINE_SUFFIX_LENGTH);
  if (checksum(json) !== suffix[1]) return { ok: false };
  try {
    return { ok: true, record: JSON.parse(json) };
  } catch {
    return { ok: false };
  }
}

/** Good records, the end of the last good line, and how many bad lines lie before it. */
function decodeLines(content: Buffer): { records: unknown[]; validEnd: number; damagedLines: number } {
  const records: unknown[] = [];
  let validEnd = 0;
  let damagedLines = 0;
  let damagedSinceValid = 0;
  let start = 0;
  for (let newline = content.indexOf(0x0a, start); newline >= 0; newline = content.indexOf(0x0a, start)) {
    const decoded = decodeLine(content.subarray(start, newline).toString('utf8'));
    start = newline + 1;
    if (decoded.ok) {
      records.push(decoded.record);
      validEnd = start;
      damagedLines += damagedSinceValid;
      damagedSinceValid = 0;
    } else {
      damagedSinceValid += 1;
    }
  }
  return { records, validEnd, damagedLines };
}

function checksum(text: string): string {
  return (crc32(text) >>> 0).toString(16).padStart(8, '0');
}

/** Makes a created, renamed or deleted name in the directory durable. */
export async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
