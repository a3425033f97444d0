import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * patches/kafkajs+<version>.patch rewrites kafkajs internals, which are not an API: it is only
 * valid for the kafkajs it was written against. `npm ci` fails on a mismatch (patch-package
 * --error-on-warn); this says so in the tests too, and keeps npm from moving kafkajs under it.
 */
const ROOT = join(__dirname, '..', '..', '..');

describe('patches/kafkajs+<version>.patch', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const installed = (require('kafkajs/package.json') as { version: string }).version;
  const patches = readdirSync(join(ROOT, 'patches')).filter((name) => name.startsWith('kafkajs+'));

  it('is named for the installed kafkajs', () => {
    expect(patches).toEqual([`kafkajs+${installed}.patch`]);
  });

  it('is for the kafkajs version package.json pins exactly', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(patches).toEqual([`kafkajs+${manifest.dependencies['kafkajs'] ?? 'missing'}.patch`]);
  });
});
