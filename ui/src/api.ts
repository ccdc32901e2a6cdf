// The admin API as the pages call it: same-origin fetch with the session cookie, the CSRF token on every
// change, JSON in and out. A 401 anywhere means the session ended: the app shows the sign-in form.
export interface User {
  name: string;
  role: 'owner' | 'marketer' | 'viewer';
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSignedOut: () => void = () => {};

export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

export function whenSignedOut(handler: () => void) {
  onSignedOut = handler;
}

export async function api<T = any>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  if (response.status === 401 && !url.startsWith('/api/auth/login')) onSignedOut();
  if (!response.ok) throw new ApiError(response.status, (data && data.error) || response.statusText, (data && data.issues) || []);
  return data as T;
}

export const get = <T = any>(url: string) => api<T>('GET', url);
export const post = <T = any>(url: string, body: unknown = {}) => api<T>('POST', url, body);

/** A query string from the filled values only. */
export function query(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
