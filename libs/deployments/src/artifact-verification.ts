import type { ModelArtifact } from '@streamscore/contracts';
import {
  assertOnnxBytes,
  ModelError,
  ModelRepository,
  readManifest,
  sha256Hex,
  type ModelManifest,
} from '@streamscore/models';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VerifiedArtifact {
  readonly artifact: ModelArtifact;
  readonly manifest: ModelManifest;
  /** The ONNX file's bytes, already checked against the sha256 of the record and the manifest. */
  readonly onnx: Uint8Array;
  /** Absolute directory holding manifest.json and the ONNX file. */
  readonly directory: string;
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Where an artifact's files are: a `file://` URL, an absolute path, or a path relative to the model
 * repository (`flight-delay/2`). Other schemes are refused: replicas only read local files.
 */
export function artifactDirectory(uri: string, repositoryRoot: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  if (isAbsolute(uri)) return uri;
  if (URL_SCHEME.test(uri)) {
    throw new ModelError('NOT_FOUND', `artifact uri ${uri} has an unsupported scheme (only file: and paths)`);
  }
  return resolve(repositoryRoot, uri);
}

async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new ModelError('NOT_FOUND', `cannot read ${path}: ${(cause as Error).message}`, [], { cause });
  }
}

/**
 * Checks that an artifact can serve before any replica tries: a valid manifest for the same version
 * (and model, when given), an ONNX file whose sha256 equals both the record's and the manifest's, and
 * bytes that decode as an ONNX graph. Throws ModelError naming the file and what is wrong.
 */
export async function verifyArtifact(
  artifact: ModelArtifact,
  repositoryRoot: string,
  expectedModel?: string,
): Promise<VerifiedArtifact> {
  const directory = artifactDirectory(artifact.uri, repositoryRoot);
  const manifest = await readManifest(directory);
  if (String(manifest.version) !== artifact.version) {
    throw new ModelError(
      'INVALID_MANIFEST',
      `manifest in ${directory} is version ${manifest.version}, the deployment names version ${artifact.version}`,
      [{ path: '/version', message: 'does not match the deployment record' }],
    );
  }
  if (expectedModel !== undefined && manifest.name !== expectedModel) {
    throw new ModelError(
      'INVALID_MANIFEST',
      `manifest in ${directory} is model ${manifest.name}, the deployment is for ${expectedModel}`,
      [{ path: '/name', message: 'does not match the deployment record' }],
    );
  }
  const path = join(directory, manifest.model.file);
  const onnx = await readModelFile(path);
  const actual = sha256Hex(onnx);
  if (actual !== artifact.sha256.toLowerCase()) {
    throw new ModelError(
      'SHA256_MISMATCH',
      `sha256 mismatch for ${path}: the deployment record says ${artifact.sha256}, the file has ${actual}`,
    );
  }
  if (actual !== manifest.model.sha256.toLowerCase()) {
    throw new ModelError(
      'SHA256_MISMATCH',
      `sha256 mismatch for ${path}: its manifest says ${manifest.model.sha256}, the file has ${actual}`,
    );
  }
  assertOnnxBytes(onnx, path);
  return { artifact, manifest, onnx, directory };
}

const VERSION = /^[1-9][0-9]*$/;

/**
 * The artifact record of `<repositoryRoot>/<model>/<version>`: uri `<model>/<version>` (relative, so
 * replicas resolve it against their own mount of the repository) and the sha256 of the file itself.
 * Not a verification: a file that disagrees with its manifest is caught by verifyArtifact.
 */
export async function artifactFor(
  repositoryRoot: string,
  model: string,
  version: string,
): Promise<ModelArtifact> {
  if (!VERSION.test(version)) {
    throw new ModelError('NOT_FOUND', `model version must be a positive integer, got "${version}"`);
  }
  const repository = new ModelRepository(repositoryRoot);
  const manifest = await repository.readManifest(model, Number(version));
  const onnx = await readModelFile(join(repository.directory(model, Number(version)), manifest.model.file));
  return { version, uri: `${model}/${version}`, sha256: sha256Hex(onnx) };
}
