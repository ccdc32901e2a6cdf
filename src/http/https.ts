// Whether a browser reached the server over https: directly, or through the one trusted proxy that says so
// (README, Behind a reverse proxy). Cookies are Secure then.
import type { FastifyRequest } from 'fastify';

export function overHttps(request: FastifyRequest, trustProxy: boolean): boolean {
  if (request.protocol === 'https') return true;
  const forwarded = request.headers['x-forwarded-proto'];
  // the first proxy (the one the browser reached) writes the leftmost value
  return trustProxy && typeof forwarded === 'string' && forwarded.split(',')[0].trim().toLowerCase() === 'https';
}
