import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { ModelError } from './errors';
import type { ModelManifest } from './manifest-types';
import { formatIssues, validateManifest } from './manifest-validation';
import { checkSessionAgainstManifest, createSession, sha256Hex } from './model-session';

export const MANIFEST_FILE = 'manifest.json';

export interface LoadOptions {
  /** A sha256 the caller expects (e.g. from a deployment record), checked besides the manifest's. */
  readonly expectedSha256?: string;
  readonly sessionOptions?: InferenceSession.SessionOptions;
}

export interface LoadedModel {
  readonly manifest: ModelManifest;
  readonly session: InferenceSession;
  readonly directory: string;
  readonly sha256: string;
}

async function readOrNotFound(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new ModelError('NOT_FOUND', `cannot read ${path}: ${(cause as Error).message}`, [], { cause });
  }
}

/** Reads and validates `<directory>/manifest.json`; a bad manifest is refused with its field paths. */
export async function readManifest(directory: string): Promise<ModelManifest> {
  const path = join(directory, MANIFEST_FILE);
  const text = (await readOrNotFound(path)).toString('utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new ModelError('INVALID_MANIFEST', `${path} is not JSON: ${(cause as Error).message}`, [], {
      cause,
    });
  }
  const result = validateManifest(document);
  if (!result.valid) {
    throw new ModelError(
      'INVALID_MANIFEST',
      `invalid manifest ${path}: ${formatIssues(result.issues)}`,
      result.issues,
    );
  }
  return result.manifest;
}

/**
 * Loads one model version directory: validates the manifest, checks the model file's sha256,
 * creates the ONNX Runtime session and checks its tensors against the manifest.
 */
export async function loadModelDirectory(directory: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const manifest = await readManifest(directory);
  const modelPath = join(directory, manifest.model.file);
  const bytes = await readOrNotFound(modelPath);
  const sha256 = sha256Hex(bytes);
  for (const expected of [manifest.model.sha256, options.expectedSha256]) {
    if (expected !== undefined && expected !== sha256) {
      throw new ModelError(
        'SHA256_MISMATCH',
        `sha256 mismatch for ${modelPath}: expected ${expected}, file has ${sha256}`,
      );
    }
  }
  const session = await createSession(bytes, modelPath, options.sessionOptions);
  try {
    checkSessionAgainstManifest(session, manifest);
  } catch (error) {
    await session.release();
    throw error;
  }
  return { manifest, session, directory, sha256 };
}

async function subdirectories(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw cause;
  }
}

/** `<root>/<name>/<version>/{model.onnx, manifest.json}`, versions are positive integers. */
export class ModelRepository {
  constructor(readonly root: string) {}

  async listModels(): Promise<string[]> {
    return (await subdirectories(this.root)).sort();
  }

  /** Version numbers present for a model, ascending; directories that are not integers are ignored. */
  async listVersions(name: string): Promise<number[]> {
    const names = await subdirectories(join(this.root, name));
    return names
      .filter((entry) => /^[1-9][0-9]*$/.test(entry))
      .map(Number)
      .sort((a, b) => a - b);
  }

  async latestVersion(name: string): Promise<number> {
    const latest = (await this.listVersions(name)).at(-1);
    if (latest === undefined)
      throw new ModelError('NOT_FOUND', `no versions of model ${name} in ${this.root}`);
    return latest;
  }

  directory(name: string, version: number): string {
    return join(this.root, name, String(version));
  }

  async readManifest(name: string, version: number): Promise<ModelManifest> {
    const manifest = await readManifest(this.directory(name, version));
    if (manifest.name !== name || manifest.version !== version) {
      throw new ModelError(
        'INVALID_MANIFEST',
        `manifest in ${this.directory(name, version)} names ${manifest.name} version ${manifest.version}`,
        [{ path: manifest.name !== name ? '/name' : '/version', message: 'does not match the directory' }],
      );
    }
    return manifest;
  }

  async load(name: string, version: number, options: LoadOptions = {}): Promise<LoadedModel> {
    await this.readManifest(name, version);
    return loadModelDirectory(this.directory(name, version), options);
  }
}
