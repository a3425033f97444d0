/** A configuration problem found at boot. Names every offending variable so start-up can stop with one clear message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${p.variable}: ${p.message}`).join('; '));
  }
}

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}
