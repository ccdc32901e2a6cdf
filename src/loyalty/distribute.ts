// Splits an integer amount (kopecks, points) over items in proportion to their weights without losing
// or inventing a single unit. Used for order discounts, points spending, earning and returns.

function assertNonNegativeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
}

/**
 * Distributes `total` over the items in proportion to `weights` (largest remainder method: everyone gets
 * the floor of their exact share, the units left go one each to the largest remainders, ties to the
 * earlier index). With `caps`, no item gets more than its cap; what a capped item cannot take goes to
 * the others, again in proportion to their weights. The result adds up to `total`, or to the caps'
 * sum when that is lower. Items of weight 0 receive something only when every weighted item is full;
 * they then share the rest equally (and when all weights are 0 from the start).
 */
export function distributeByLargestRemainder(total: number, weights: readonly number[], caps?: readonly number[]): number[] {
  assertNonNegativeInteger(total, 'total');
  weights.forEach((weight, index) => assertNonNegativeInteger(weight, `weights[${index}]`));
  if (caps) {
    if (caps.length !== weights.length) throw new RangeError(`caps has ${caps.length} items, weights has ${weights.length}`);
    caps.forEach((cap, index) => assertNonNegativeInteger(cap, `caps[${index}]`));
  }
  if (weights.length === 0) {
    if (total === 0) return [];
    throw new RangeError(`cannot distribute ${total} over no items`);
  }

  const result: number[] = weights.map(() => 0);
  const roomOf = (index: number) => (caps ? caps[index] - result[index] : Number.POSITIVE_INFINITY);
  let remaining = caps ? Math.min(total, caps.reduce((sum, cap) => sum + cap, 0)) : total;
  let open = weights.map((_, index) => index).filter((index) => roomOf(index) > 0);

  while (remaining > 0) {
    const weighted = open.filter((index) => weights[index] > 0);
    const pool = weighted.length > 0 ? weighted : open;
    const weightOf = (index: number) => (weighted.length > 0 ? BigInt(weights[index]) : 1n);
    const totalWeight = pool.reduce((sum, index) => sum + weightOf(index), 0n);
    const toShare = BigInt(remaining);

    // An item whose exact share exceeds its room is filled up and leaves; the rest share again.
    const overflowing = caps ? pool.filter((index) => toShare * weightOf(index) > BigInt(roomOf(index)) * totalWeight) : [];
    if (overflowing.length > 0) {
      for (const index of overflowing) {
        remaining -= roomOf(index);
        result[index] = caps![index];
      }
      open = open.filter((index) => !overflowing.includes(index));
      continue;
    }

    // No exact share exceeds its room, so the floors plus one unit for the largest remainders fit too.
    const shares = pool.map((index) => ({
      index,
      floor: (toShare * weightOf(index)) / totalWeight,
      remainder: (toShare * weightOf(index)) % totalWeight,
    }));
    let leftover = remaining;
    for (const share of shares) {
      result[share.index] += Number(share.floor);
      leftover -= Number(share.floor);
    }
    shares.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
    for (let position = 0; position < leftover; position += 1) result[shares[position].index] += 1;
    remaining = 0;
  }
  return result;
}
