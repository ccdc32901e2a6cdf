// The types of build-server.mjs (plain JavaScript, so `npm start` checks the build without a TypeScript loader).
export const SERVER_BUNDLE: string;
export function buildServerBundle(options?: { force?: boolean }): boolean;
