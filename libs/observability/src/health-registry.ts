import { Injectable } from '@nestjs/common';

/** A readiness dependency (Kafka, Redis, a loaded model …). `check` rejects when it is not usable. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface ReadinessResult {
  readonly ready: boolean;
  readonly checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

/** Services register their dependencies here at init; /health/ready runs them all in parallel. */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  /** Once shutdown starts, readiness turns red so load balancers stop sending work. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async readiness(timeoutMs = DEFAULT_CHECK_TIMEOUT_MS): Promise<ReadinessResult> {
    const entries = await Promise.all(
      [...this.checks.values()].map(async (c) => {
        try {
          await withTimeout(c.check(), timeoutMs, `${c.name} did not answer within ${timeoutMs} ms`);
          return [c.name, { status: 'up' as const }] as const;
        } catch (error) {
          return [c.name, { status: 'down' as const, error: describeError(error) }] as const;
        }
      }),
    );
    const checks: Record<string, { status: 'up' | 'down'; error?: string }> = {};
    for (const [name, result] of entries) checks[name] = result;
    if (this.shuttingDown) checks['shutdown'] = { status: 'down', error: 'shutting down' };
    return { ready: Object.values(checks).every((c) => c.status === 'up'), checks };
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(message));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** One line, without credentials: errors from clients can embed connection URLs. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\/\/([^:/@\s]*):([^@\s]*)@/g, '//$1:***@').split('\n')[0] ?? '';
}
