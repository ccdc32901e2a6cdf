// Child process for the crash test: appends orders to the queue in argv[2] forever and prints the id of each append
// once it has resolved, so the parent knows which items were promised to be on disk when it kills this process.

import { writeSync } from 'node:fs';
import { OfflineQueue } from '../../../src/pos/offline-queue.ts';

const queue = await OfflineQueue.open(process.argv[2]);
writeSync(1, 'ready\n');
for (let number = 1; ; number++) {
  const item = await queue.append({
    operation: 'Offline.SaveOfflineOrder',
    transactionId: `crash-${process.pid}-${number}`,
    body: { order: { ids: { iikoOrderId: `order-${number}` }, totalPrice: number, lines: [{ lineNumber: 1, basePricePerItem: number }] } },
  });
  writeSync(1, `${item.id}\n`);
}
