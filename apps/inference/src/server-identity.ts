import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What GET /v2 (the protocol's server metadata) names this server. */
export const SERVER_NAME = 'streamscore-inference';

/**
 * The platform's version: package.json of the working directory (the repository root, /app in
 * the images, where schemas/ and models/ are read from too); "unknown" when it is not there.
 */
export function serverVersion(cwd: string = process.cwd()): string {
  try {
    const { version } = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
