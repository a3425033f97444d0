import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from 'onnxruntime-node';
import { mulberry32 } from '@streamscore/drift';
import { createSession, readManifest } from '@streamscore/models';
import { gaussian } from '@streamscore/training';

/**
 * The standalone ONNX Runtime figure: one session with the service's options (intraOpNumThreads 1,
 * interOpNumThreads 1, CPU), `runs` runs of a `rows`-row tensor, timed around `session.run` exactly
 * as the scoring worker times it. Returns ms per row.
 *
 * `gapMs` > 0 idles that long before each run, as the service's scoring thread does between two
 * micro-batches: a run after an idle gap finds the session's weights, arena and code out of the
 * caches, and on these VMs costs 1.6× (1 ms gap) to 3.7× (10 ms) a back-to-back run.
 */
export async function ortMsPerRow(modelDir: string, rows: number, runs: number, gapMs = 0): Promise<number> {
  const manifest = await readManifest(modelDir);
  const input = manifest.inputs[0];
  const output = manifest.outputs[0];
  if (!input || !output) throw new Error('manifest has no input or output');
  const width = input.shape[1];
  const session = await createSession(readFileSync(join(modelDir, manifest.model.file)), 'bench', {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionProviders: ['cpu'],
  });
  const random = mulberry32(7);
  const values = new Float32Array(rows * width);
  for (let i = 0; i < values.length; i++) values[i] = gaussian(random);
  try {
    for (let i = 0; i < 50; i++)
      await session.run({ [input.tensor]: new Tensor('float32', values, [rows, width]) });
    let totalMs = 0;
    for (let i = 0; i < runs; i++) {
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      const started = performance.now();
      const results = await session.run({ [input.tensor]: new Tensor('float32', values, [rows, width]) });
      totalMs += performance.now() - started;
      if (!(results[output.tensor]?.data instanceof Float32Array)) throw new TypeError('no float32 output');
    }
    return totalMs / (runs * rows);
  } finally {
    await session.release();
  }
}
