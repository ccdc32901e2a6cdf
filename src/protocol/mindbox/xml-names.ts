// Names an XML answer gives differently from the JSON one. Mindbox's XML shows a balance's amounts as
// `totalValue`, `availableValue`, `blockedValue` where JSON says `total`, `available`, `blocked` (reference §3.4,
// developers.mindbox.ru get-customer-bonus-balance; the official PHP SDK's balance element reads the same names).
// A balance is an item of `balances` (CheckCustomer) or the `balance` of `bonusPointsInfo` and
// `totalBonusPointsInfo` in an order answer: the same `<balance>` element.

const BALANCE_AMOUNTS: Readonly<Record<string, string>> = { total: 'totalValue', available: 'availableValue', blocked: 'blockedValue' };

const isNode = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);

function renamed(node: unknown, key: string | null, inBalances: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => renamed(item, key, key === 'balances'));
  if (!isNode(node)) return node;
  const isBalance = inBalances || key === 'balance';
  return Object.fromEntries(
    Object.entries(node).map(([name, value]) => [isBalance && Object.hasOwn(BALANCE_AMOUNTS, name) ? BALANCE_AMOUNTS[name] : name, renamed(value, name, false)]),
  );
}

/** The answer with the names its XML form uses. */
export function withXmlNames(answer: Record<string, unknown>): Record<string, unknown> {
  return renamed(answer, null, false) as Record<string, unknown>;
}
