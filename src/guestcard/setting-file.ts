// A file a Wallet setting names (a certificate, a key), read once when the server starts: one that cannot be read
// stops the start with the setting's name, not a guest's download later.
import { readFileSync } from 'node:fs';

export function readSettingFile(path: string, setting: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`${setting}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
