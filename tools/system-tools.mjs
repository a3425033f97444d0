// Which system commands a command of ours needs (tools/system-packages.txt), and one line naming
// what is missing with the install line, instead of a stack trace deep inside a test.
//   node tools/system-tools.mjs deploy   exits 1 with that line when a deploy-check tool is missing
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSTALL_LINE = 'sudo bash tools/system-packages.sh';
const TABLE = join(dirname(fileURLToPath(import.meta.url)), 'system-packages.txt');

/** The table's rows: { command, pkg, neededBy: ['tests', 'chaos', 'deploy'] }. */
export function systemTools() {
  return readFileSync(TABLE, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [command, pkg, neededBy] = line.split(/\s+/);
      return { command, pkg, neededBy: neededBy.split(',') };
    });
}

const onPath = (command) =>
  spawnSync('sh', ['-c', `command -v "${command}"`], { stdio: 'ignore' }).status === 0;

/** Rows needed by `use` whose command is not on the PATH; `skip` leaves some out (e.g. a Redis already runs). */
export function missingTools(use, skip = []) {
  return systemTools().filter(
    (t) => t.neededBy.includes(use) && !skip.includes(t.command) && !onPath(t.command),
  );
}

/** One line: what is missing, for what, and the install line. */
export function missingMessage(what, missing) {
  const names = missing.map((t) => `${t.command} (Debian package ${t.pkg})`).join(', ');
  return `${what} needs ${names}, not found on this machine. Install what the tests need: ${INSTALL_LINE}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const use = process.argv[2] ?? 'tests';
  const missing = missingTools(use);
  if (missing.length > 0) {
    process.stderr.write(
      `${missingMessage(`npm run ${use === 'deploy' ? 'deploy:check' : use}`, missing)}\n`,
    );
    process.exit(1);
  }
}
