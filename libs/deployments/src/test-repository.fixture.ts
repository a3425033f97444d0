import { sha256Hex } from '@streamscore/models';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The committed demo model: the only real ONNX file the tests copy. */
const DEMO_VERSION = join(__dirname, '..', '..', '..', 'models', 'flight-delay', '1');
export const TEST_MODEL = 'flight-delay';

/** Versions the fixture writes, by what is wrong with them. */
export const TestVersions = {
  good: '1',
  goodToo: '2',
  /** model.onnx has flipped bytes; the manifest still has the original sha256. */
  corruptBytes: '3',
  /** Bytes that are not ONNX, with a manifest whose sha256 matches them. */
  notOnnx: '4',
} as const;

export interface TestRepository {
  readonly root: string;
  remove(): Promise<void>;
}

async function rewriteManifest(
  dir: string,
  change: (manifest: Record<string, unknown>) => void,
): Promise<void> {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  change(manifest);
  await writeFile(path, JSON.stringify(manifest, null, 2));
}

async function copyVersion(root: string, version: string): Promise<string> {
  const dir = join(root, TEST_MODEL, version);
  await cp(DEMO_VERSION, dir, { recursive: true });
  await rewriteManifest(dir, (manifest) => {
    manifest['version'] = Number(version);
    manifest['createdAt'] = new Date(Date.UTC(2026, 0, Number(version))).toISOString();
  });
  return dir;
}

/** A model repository in a temp dir: two good copies of the demo model and two broken ones. */
export async function makeTestRepository(): Promise<TestRepository> {
  const root = await mkdtemp(join(tmpdir(), 'deployments-'));
  await copyVersion(root, TestVersions.good);
  await copyVersion(root, TestVersions.goodToo);

  const corrupt = await copyVersion(root, TestVersions.corruptBytes);
  const bytes = await readFile(join(corrupt, 'model.onnx'));
  for (let i = 100; i < 110; i += 1) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
  await writeFile(join(corrupt, 'model.onnx'), bytes);

  const notOnnx = await copyVersion(root, TestVersions.notOnnx);
  const garbage = Buffer.from('this is not an ONNX model, only some bytes\n'.repeat(20));
  await writeFile(join(notOnnx, 'model.onnx'), garbage);
  await rewriteManifest(notOnnx, (manifest) => {
    manifest['model'] = { ...(manifest['model'] as object), sha256: sha256Hex(garbage) };
  });

  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
