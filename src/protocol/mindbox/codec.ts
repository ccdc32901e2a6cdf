// JSON and XML bodies of the Mindbox v3 protocol. XML requests have the root <operation>, answers the
// root <result>; a JSON array is an XML wrapper element holding singular items (<lines><line/></lines>).
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { protocolError } from '../../shared/errors.ts';
import { MAX_BODY_DEPTH } from './limits.ts';
import { maskRawText } from './mask.ts';
import { withXmlNames } from './xml-names.ts';

export type BodyFormat = 'json' | 'xml';

export interface DecodedBody {
  format: BodyFormat;
  /** the operation body: the JSON object, or the content of the XML root element */
  body: Record<string, unknown>;
  /** the XML root element's name (operation, yml_catalog, …) */
  xmlRoot: string | null;
  raw: string;
}

const SINGULAR_OVERRIDES: Record<string, string> = {
  bonusPoints: 'bonusPointsItem',
  ids: 'id',
  content: 'contentItem',
};

export function singularOf(wrapper: string): string {
  // own keys only: a wrapper called valueOf or constructor would find Object.prototype's functions
  if (Object.hasOwn(SINGULAR_OVERRIDES, wrapper)) return SINGULAR_OVERRIDES[wrapper];
  if (wrapper.endsWith('ies')) return `${wrapper.slice(0, -3)}y`;
  if (wrapper.endsWith('sses')) return wrapper.slice(0, -2);
  if (wrapper.endsWith('s')) return wrapper.slice(0, -1);
  return `${wrapper}Item`;
}

export function formatOf(contentType: string | undefined): BodyFormat | null {
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type === 'text/json' || type === '') return 'json';
  if (type === 'application/xml' || type === 'text/xml') return 'xml';
  return null;
}

export function answerFormatOf(accept: string | undefined, requestFormat: BodyFormat | null): BodyFormat {
  const wanted = (accept ?? '').toLowerCase();
  if (wanted.includes('xml')) return 'xml';
  if (wanted.includes('json')) return 'json';
  return requestFormat ?? 'json';
}

/**
 * Names a body may not use, in JSON or XML: set on a plain object they reach its prototype (`__proto__`) or hide
 * the methods every object has (`toString`), and no Mindbox field is called so.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set(['prototype', ...Object.getOwnPropertyNames(Object.prototype)]);

class ReservedName extends Error {
  constructor(readonly reservedName: string) {
    super(`reserved name ${reservedName}`);
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  // it counts the levels below the root: 64 levels of elements with the root
  maxNestedTags: MAX_BODY_DEPTH - 1,
  // the parser refuses __proto__, constructor and prototype itself; the other reserved names it would rename
  onDangerousProperty: (name) => {
    throw new ReservedName(name);
  },
});

/** Turns wrapper elements back into arrays: {lines: {line: x}} → {lines: [x]}. */
function unwrapArrays(node: unknown, key: string | null): unknown {
  if (Array.isArray(node)) return node.map((item) => unwrapArrays(item, key));
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>);
  if (key && entries.length === 1 && entries[0][0] === singularOf(key)) {
    const items = entries[0][1];
    return (Array.isArray(items) ? items : [items]).map((item) => unwrapArrays(item, null));
  }
  return Object.fromEntries(entries.map(([name, value]) => [name, unwrapArrays(value, name)]));
}

const YML_ROOT = 'yml_catalog';
const LEADING_ROOT = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.:-]*)/;

function rootElementOf(raw: string): string | null {
  return LEADING_ROOT.exec(raw.slice(0, 4096))?.[1] ?? null;
}

/** U+0000 and a lone surrogate cannot be stored in PostgreSQL text or JSON; nobody types them. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses a decoded body that nests deeper than MAX_BODY_DEPTH, uses a reserved name or holds text that cannot be
 * stored. Walks the body with a stack of its own, so no depth of nesting can overflow the call stack.
 */
function checkStructure(body: Record<string, unknown>): void {
  const pending: { node: object; depth: number }[] = [{ node: body, depth: 1 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (depth > MAX_BODY_DEPTH) throw protocolError(`the body nests deeper than ${MAX_BODY_DEPTH} levels`);
    const values = Array.isArray(node) ? node : Object.values(node);
    if (!Array.isArray(node)) {
      for (const name of Object.keys(node)) {
        if (RESERVED_NAMES.has(name)) throw protocolError(`the body uses the reserved name "${name}"`);
        if (UNSTORABLE.test(name)) throw protocolError('the body has a name with U+0000 or a lone surrogate, which cannot be stored');
      }
    }
    for (const value of values) {
      if (typeof value === 'string' && UNSTORABLE.test(value)) throw protocolError('the body has a text with U+0000 or a lone surrogate, which cannot be stored');
      if (value && typeof value === 'object') pending.push({ node: value, depth: depth + 1 });
    }
  }
}

/** Where JSON.parse stopped, without its excerpt of the body (which may hold a phone or a code). */
function jsonFailure(error: unknown): string {
  const position = /position (\d+)/.exec((error as Error).message)?.[1];
  return position === undefined ? 'the body is not valid JSON' : `the body is not valid JSON (at character ${position})`;
}

function parseXml(raw: string): Record<string, unknown> {
  try {
    return parser.parse(raw) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ReservedName) throw protocolError(`the body uses the reserved name "${error.reservedName}"`);
    const message = (error as Error).message;
    if (/nested tags/i.test(message)) throw protocolError(`the body nests deeper than ${MAX_BODY_DEPTH} levels`);
    const reserved = /Invalid name: "([^"]+)"/.exec(message)?.[1];
    if (reserved !== undefined && RESERVED_NAMES.has(reserved)) throw protocolError(`the body uses the reserved name "${reserved}"`);
    throw protocolError(`the body is not valid XML: ${maskRawText(message)}`);
  }
}

export function decodeBody(raw: string, format: BodyFormat): DecodedBody {
  if (raw.trim() === '') return { format, body: {}, xmlRoot: null, raw };
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw protocolError(jsonFailure(error));
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw protocolError('the JSON body must be an object');
    checkStructure(parsed as Record<string, unknown>);
    return { format, body: parsed as Record<string, unknown>, xmlRoot: null, raw };
  }
  // A YML feed goes to its own parser as it is; reading it as a generic document first would parse it twice.
  if (rootElementOf(raw) === YML_ROOT) return { format, body: {}, xmlRoot: YML_ROOT, raw };
  const valid = XMLValidator.validate(raw);
  // the validator's message names the tags it met, which the body chose: phones and codes in them are masked
  if (valid !== true) throw protocolError(`the body is not valid XML: ${maskRawText(valid.err.msg)} (line ${valid.err.line})`);
  if (/<!DOCTYPE/i.test(raw)) throw protocolError('XML bodies with a DOCTYPE are not accepted');
  const document = parseXml(raw);
  const roots = Object.keys(document).filter((name) => !name.startsWith('?'));
  if (roots.length !== 1) throw protocolError('the XML body must have exactly one root element');
  const root = roots[0];
  const content = document[root];
  const body = content && typeof content === 'object' ? (unwrapArrays(content, null) as Record<string, unknown>) : {};
  checkStructure(body);
  return { format, body, xmlRoot: root, raw };
}

const builder = new XMLBuilder({ ignoreAttributes: true, format: false, suppressEmptyNode: false, processEntities: true });

function wrapArrays(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(wrapArrays);
  if (!node || typeof node !== 'object' || node instanceof Date) return node;
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([name, value]) => [name, Array.isArray(value) ? { [singularOf(name)]: value.map(wrapArrays) } : wrapArrays(value)]),
  );
}

export function encodeAnswer(answer: Record<string, unknown>, format: BodyFormat): { contentType: string; payload: string } {
  if (format === 'json') return { contentType: 'application/json; charset=utf-8', payload: JSON.stringify(answer) };
  const xml = builder.build({ result: wrapArrays(withXmlNames(answer)) }) as string;
  return { contentType: 'application/xml; charset=utf-8', payload: `<?xml version="1.0" encoding="utf-8"?>${xml}` };
}
