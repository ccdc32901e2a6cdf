// Which fields of a request an operation did not use. A field the server does not know is dropped without a
// word by Mindbox too, so an integrator cannot tell a typo (`mobilPhone`) from a feature this server lacks
// (`order.deliveryCost`). Every handler gets the body through a proxy that records each field it reads; what
// it never read is noted in the operation log entry of the call, with its path. Being generic, this needs no
// list of known fields per operation: a shape that learns a field (the customer's `subscriptions`) stops
// noting it by reading it.
import { isAppError } from '../../shared/errors.ts';
import { maskRawText } from './mask.ts';
import type { OperationAnswer, OperationCall, OperationDeps, OperationHandler } from './operations/types.ts';

/** The note names at most this many fields (or groups of one field in every item of a list). */
const MAX_NOTED = 20;

type Node = Record<string, unknown> | unknown[];

const isNode = (value: unknown): value is Node => !!value && typeof value === 'object';

/** A namespace declaration of an XML root (`xmlns`, `xmlns:xsi`) is not a field. */
const isXmlNamespace = (key: string) => key === '@xmlns' || key.startsWith('@xmlns:');

export interface TrackedBody {
  /** the body to hand to the reader: reading a field through it records the field as read */
  body: Record<string, unknown>;
  /** paths (`/order/lines/0/costPricePerItem`) of the fields nobody read; a node nobody entered is one path */
  unread(): string[];
}

export function trackReads(body: Record<string, unknown>): TrackedBody {
  // every object of the body gets one proxy and one set of the keys read through it (method names such as
  // `forEach` land there too, harmlessly: only the node's own fields are looked up in it)
  const reads = new WeakMap<object, Set<PropertyKey>>();
  const proxies = new WeakMap<object, object>();
  const proxyOf = <T extends object>(target: T): T => {
    const cached = proxies.get(target);
    if (cached) return cached as T;
    const keys = new Set<PropertyKey>();
    const proxy = new Proxy(target, {
      get(node, key, receiver) {
        keys.add(key);
        const value: unknown = Reflect.get(node, key, receiver);
        return isNode(value) ? proxyOf(value) : value;
      },
      has(node, key) {
        keys.add(key);
        return Reflect.has(node, key);
      },
    });
    reads.set(target, keys);
    proxies.set(target, proxy);
    return proxy;
  };

  const unread = (): string[] => {
    const paths: string[] = [];
    // a path's keys stay raw while walking; only a path that is noted is escaped and masked
    const walk = (node: Node, path: PathStep[]) => {
      const read = reads.get(node);
      const inList = Array.isArray(node);
      for (const [key, value] of Object.entries(node)) {
        if (isXmlNamespace(key)) continue;
        const at = [...path, { key, inList }];
        if (!read?.has(key)) paths.push(pointerOf(at));
        else if (isNode(value)) walk(value, at);
      }
    };
    walk(body, []);
    return paths;
  };
  return { body: proxyOf(body), unread };
}

interface PathStep {
  key: string;
  /** the key is an index of a list */
  inList: boolean;
}

/** A path as a JSON Pointer; keys are masked, as the sender chose them and one may be a phone number. */
function pointerOf(path: PathStep[]): string {
  return path.map(({ key, inList }) => `/${inList ? key : maskRawText(key.replace(/~/g, '~0').replace(/\//g, '~1'))}`).join('');
}

/**
 * The paths as a short text: one field in several items of a list is one entry, its index written "*" and the
 * count after it, as in "…/lines/N/area (3×)" with N a star; at most MAX_NOTED entries.
 */
export function describePaths(paths: string[]): string {
  const groups = new Map<string, string[]>();
  for (const path of paths) {
    const pattern = path.replace(/\/\d+(?=\/|$)/g, '/*');
    groups.set(pattern, [...(groups.get(pattern) ?? []), path]);
  }
  const entries = [...groups].map(([pattern, members]) => (members.length === 1 ? members[0] : `${pattern} (${members.length}×)`));
  const shown = entries.slice(0, MAX_NOTED);
  return entries.length > shown.length ? `${shown.join(', ')} and ${entries.length - shown.length} more` : shown.join(', ');
}

/**
 * Reads and runs the call, noting in the operation log the fields of the request the handler did not read. A
 * refused call is read only up to its refusal, so its note says so; other failures (an outage, a fault) note nothing.
 */
export async function performNotingIgnoredFields<Input>(handler: OperationHandler<Input>, call: OperationCall, deps: OperationDeps): Promise<OperationAnswer> {
  const tracked = trackReads(call.body);
  const traced = { ...call, body: tracked.body };
  try {
    const answer = await handler.run(traced, deps, handler.read(traced, deps));
    const unread = tracked.unread();
    if (unread.length > 0) deps.notes.push(`fields this operation does not use: ${describePaths(unread)}`);
    return answer;
  } catch (error) {
    const unread = isAppError(error) && (error.code === 'validation' || error.code === 'bad_request') ? tracked.unread() : [];
    if (unread.length > 0) deps.notes.push(`fields not read before the call was refused: ${describePaths(unread)}`);
    throw error;
  }
}
