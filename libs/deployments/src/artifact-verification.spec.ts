import { ModelError, sha256Hex } from '@streamscore/models';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { artifactDirectory, artifactFor, verifyArtifact } from './artifact-verification';
import { makeTestRepository, TEST_MODEL, TestVersions, type TestRepository } from './test-repository.fixture';

let repository: TestRepository;

beforeAll(async () => {
  repository = await makeTestRepository();
});

afterAll(async () => {
  await repository.remove();
});

async function refusal(run: Promise<unknown>): Promise<ModelError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof ModelError) return error;
    throw error;
  }
  throw new Error('expected a ModelError');
}

describe('artifactFor', () => {
  it('should name the version by a repository-relative uri and the sha256 of its file', async () => {
    const artifact = await artifactFor(repository.root, TEST_MODEL, TestVersions.good);
    expect(artifact).toEqual({
      version: '1',
      uri: 'flight-delay/1',
      sha256: sha256Hex(await readFile(join(repository.root, TEST_MODEL, '1', 'model.onnx'))),
    });
  });

  it('should refuse a version that is not in the repository or not a positive integer', async () => {
    expect((await refusal(artifactFor(repository.root, TEST_MODEL, '9'))).code).toBe('NOT_FOUND');
    expect((await refusal(artifactFor(repository.root, TEST_MODEL, 'latest'))).code).toBe('NOT_FOUND');
  });
});

describe('verifyArtifact', () => {
  it('should return the manifest, the ONNX bytes and the directory of a good version', async () => {
    const artifact = await artifactFor(repository.root, TEST_MODEL, TestVersions.goodToo);
    const verified = await verifyArtifact(artifact, repository.root, TEST_MODEL);
    expect(verified.manifest.version).toBe(2);
    expect(verified.directory).toBe(join(repository.root, TEST_MODEL, '2'));
    expect(verified.onnx.byteLength).toBeGreaterThan(1000);
  });

  it('should accept an absolute path and a file: URL', async () => {
    const artifact = await artifactFor(repository.root, TEST_MODEL, TestVersions.good);
    const directory = join(repository.root, TEST_MODEL, '1');
    await expect(verifyArtifact({ ...artifact, uri: directory }, '/nowhere')).resolves.toBeDefined();
    const url = pathToFileURL(directory).href;
    await expect(verifyArtifact({ ...artifact, uri: url }, '/nowhere')).resolves.toBeDefined();
  });

  it('should refuse a record whose sha256 is not the file’s', async () => {
    const artifact = await artifactFor(repository.root, TEST_MODEL, TestVersions.good);
    const error = await refusal(verifyArtifact({ ...artifact, sha256: '0'.repeat(64) }, repository.root));
    expect(error.code).toBe('SHA256_MISMATCH');
    expect(error.message).toMatch(/flight-delay\/1\/model\.onnx: the deployment record says 0{64}/);
  });

  it('should refuse a file whose bytes changed after its manifest was written', async () => {
    const artifact = await artifactFor(repository.root, TEST_MODEL, TestVersions.corruptBytes);
    const error = await refusal(verifyArtifact(artifact, repository.root));
    expect(error.code).toBe('SHA256_MISMATCH');
    expect(error.message).toMatch(/flight-delay\/3\/model\.onnx: its manifest says/);
  });

  it('should refuse bytes that are not ONNX even when every sha256 agrees', async () => {
    const artifact = await artifactFor(repository.root, TEST_MODEL, TestVersions.notOnnx);
    const error = await refusal(verifyArtifact(artifact, repository.root));
    expect(error.code).toBe('NOT_ONNX');
    expect(error.message).toMatch(/flight-delay\/4\/model\.onnx is not an ONNX model/);
  });

  it('should refuse a record naming another version or model than the manifest', async () => {
    const artifact = await artifactFor(repository.root, TEST_MODEL, TestVersions.good);
    expect((await refusal(verifyArtifact({ ...artifact, version: '2' }, repository.root))).message).toMatch(
      /is version 1, the deployment names version 2/,
    );
    expect((await refusal(verifyArtifact(artifact, repository.root, 'other-model'))).message).toMatch(
      /is model flight-delay, the deployment is for other-model/,
    );
  });

  it('should refuse a missing directory and an unsupported uri scheme', async () => {
    const missing = { version: '1', uri: 'flight-delay/77', sha256: '0'.repeat(64) };
    expect((await refusal(verifyArtifact(missing, repository.root))).code).toBe('NOT_FOUND');
    expect(() => artifactDirectory('s3://bucket/flight-delay/1', repository.root)).toThrow(
      /unsupported scheme/,
    );
  });
});
