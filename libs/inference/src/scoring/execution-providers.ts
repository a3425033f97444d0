import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ResolvedProviders {
  readonly providers: string[];
  /** One line per requested provider that cannot be used here, for the log. */
  readonly notes: string[];
}

/**
 * The ordered provider list the workers use: requested order, minus what is not installed, and
 * always ending with cpu (ONNX Runtime's own fallback for nodes a provider cannot run).
 */
export function resolveExecutionProviders(
  requested: readonly string[],
  installed: { readonly cuda: boolean },
): ResolvedProviders {
  const providers: string[] = [];
  const notes: string[] = [];
  for (const provider of requested) {
    if (providers.includes(provider)) continue;
    if (provider === 'cuda' && !installed.cuda) {
      notes.push(
        'CUDA requested but the GPU build of onnxruntime-node is not installed ' +
          '(install with ONNXRUNTIME_NODE_INSTALL=cuda12, see deploy/docker/Dockerfile runtime-gpu); using cpu',
      );
      continue;
    }
    providers.push(provider);
  }
  if (!providers.includes('cpu')) providers.push('cpu');
  return { providers, notes };
}

/**
 * Whether onnxruntime-node's CUDA provider library is on disk: the npm package ships only the CPU
 * library; its install script adds libonnxruntime_providers_cuda.so when asked for cuda12.
 */
export function cudaProviderInstalled(): boolean {
  const bin = join(dirname(require.resolve('onnxruntime-node')), '..', 'bin');
  const stack = [bin];
  while (stack.length > 0) {
    const dir = stack.pop() ?? '';
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) stack.push(join(dir, entry.name));
      else if (entry.name.startsWith('libonnxruntime_providers_cuda')) return true;
    }
  }
  return false;
}
