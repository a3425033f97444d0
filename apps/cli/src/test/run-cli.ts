import { buildProgram } from '../program';

/**
 * Runs the CLI in-process as `streamscore <args>` with extra environment, and returns what it wrote
 * to stdout. The environment is restored afterwards. When the command fails, what it wrote to
 * stdout until then is the error's `stdout` (e.g. the commits `produce` made before a failure).
 */
export async function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<string> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  const out: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await buildProgram()
      .exitOverride()
      .parseAsync(['node', 'streamscore', ...args]);
    return out.join('');
  } catch (error) {
    if (typeof error === 'object' && error !== null) Object.assign(error, { stdout: out.join('') });
    throw error;
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }
}
