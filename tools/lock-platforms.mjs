// npm records an optional, platform-specific package (e.g. @swc/core-darwin-arm64) in
// package-lock.json only when the registry serves it. The registry mirror of our machines does not
// serve the binaries of other platforms, so npm leaves them out and then `npm ci` refuses the lock
// ("Missing: @swc/core-darwin-arm64@ from lock file"). This adds the missing entries with their
// os/cpu constraints, so `npm ci` skips them on this platform and installs them on the others.
// Run after any `npm install` that rewrites the lock: node tools/lock-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = 'package-lock.json';
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

function platformOf(name) {
  const os = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony'].find((o) =>
    name.includes(`-${o}-`),
  );
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64'].find((c) =>
    new RegExp(`-${c}(-|$)`).test(name.split('/').pop()),
  );
  const libc = /-(musl|musleabihf)$/.test(name)
    ? ['musl']
    : /-gnu(eabihf)?$/.test(name)
      ? ['glibc']
      : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const installPath = `node_modules/${dep}`;
    if (packages[installPath] || packages[`${path}/${installPath}`]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os || !cpu) continue;
    packages[installPath] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...(libc ? { libc } : {}),
      os: [os],
      cpu: [cpu],
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
lock.packages = sorted;
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`lock-platforms: added ${added} platform entries\n`);
