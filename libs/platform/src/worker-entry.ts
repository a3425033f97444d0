import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a worker thread's script is and the flags it starts with. The compiled worker sits beside
 * its caller; under jest/tsx only the .ts exists and needs tsx's loader. CPU-profiling flags of the
 * process (`--cpu-prof*`, e.g. from STREAMSCORE_SERVICE_NODE_ARGS) are passed on, so a profiled
 * service also profiles its threads.
 */
export function workerEntry(dir: string, name: string): { file: string; execArgv: string[] } {
  const profiling = process.execArgv.filter((arg) => arg.startsWith('--cpu-prof'));
  const js = join(dir, `${name}.js`);
  if (existsSync(js)) return { file: js, execArgv: profiling };
  return { file: join(dir, `${name}.ts`), execArgv: ['--require', 'tsx/cjs', ...profiling] };
}
