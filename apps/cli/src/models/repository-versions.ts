import { ModelRepository } from '@streamscore/models';
import type { RepositoryVersion } from './deployment-lines';

/** Every version directory of `model`, each with its validated manifest or the reason it has none. */
export async function repositoryVersions(root: string, model: string): Promise<RepositoryVersion[]> {
  const repository = new ModelRepository(root);
  const versions = await repository.listVersions(model);
  return Promise.all(
    versions.map(async (version): Promise<RepositoryVersion> => {
      try {
        return { version: String(version), manifest: await repository.readManifest(model, version) };
      } catch (error) {
        return { version: String(version), problem: (error as Error).message };
      }
    }),
  );
}
