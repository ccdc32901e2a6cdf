// Hash routes (#/guests/42?tab=ledger): the server serves one page, and a reload keeps the place.
import { useEffect, useState } from 'react';
import type { User } from './api.ts';

export interface Route {
  parts: string[];
  params: URLSearchParams;
}

/** What a page is given: who is signed in and the parameters of its address. */
export interface PageProps {
  user: User;
  params: URLSearchParams;
}

function current(): Route {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [path, search] = hash.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search ?? '') };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function href(path: string, params: Record<string, string | number | undefined | null> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function navigate(path: string, params: Record<string, string | number | undefined | null> = {}) {
  window.location.hash = href(path, params).slice(1);
}
