import { ConfigError } from '@streamscore/config';
import { buildProgram } from './program';

/** Errors are one clear line and a non-zero exit. */
buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const message =
      error instanceof ConfigError
        ? `invalid configuration: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`streamscore: ${message}\n`);
    process.exit(1);
  });
