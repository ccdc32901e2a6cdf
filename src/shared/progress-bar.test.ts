import assert from 'node:assert/strict';
import { it } from 'node:test';
import { progressBar } from './progress-bar.ts';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
}

it('draws on a terminal and clears its line when done', () => {
  const { written, stream } = fakeStream(true);
  const bar = progressBar('Saving products', stream);
  bar.update(0, 4);
  bar.update(4, 4);
  bar.finish();
  assert.equal(written[0], `\rSaving products [${'-'.repeat(30)}] 0/4 (0 %)`);
  assert.equal(written[1], `\rSaving products [${'#'.repeat(30)}] 4/4 (100 %)`);
  assert.equal(written[2], '\r\x1b[2K');
});

it('writes nothing when the output is not a terminal', () => {
  const { written, stream } = fakeStream(false);
  const bar = progressBar('Saving products', stream);
  bar.update(1, 2);
  bar.finish();
  assert.deepEqual(written, []);
});
