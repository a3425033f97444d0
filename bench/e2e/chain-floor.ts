import { type ChildProcess, fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { loadSchemaHistory, SINGLE_OBJECT_HEADER_BYTES } from '@streamscore/contracts';
import { randomName } from '@streamscore/testing';
import { benchTopics, expectCount, expectEachOnce, progress, readOutputs } from '../common/bench-kit';
import { RoleCpuClock } from '../common/process-cpu';
import { RunWatch, type RunMeasure } from './run-watch';
import { CHAIN_STAGES, type ChainMessage, type ChainStage, type StageArgs } from './stage-settings';

const ROOT = resolve(__dirname, '..', '..');
/** As libs/testing's startServiceProcess starts every service (and the images run them). */
const SERVICE_NODE_OPTIONS = '--max-semi-space-size=64';

export interface ChainFloorOptions {
  /** The departures of the demo's replay plan, by id (one prediction each is expected). */
  readonly departureIds: readonly string[];
  readonly outcomes: number;
  readonly partitions: number;
  readonly brokers: string;
  readonly pipeline: string;
  readonly brokerPid: number;
  readonly redisPid: number;
}

/** A forked process of the chain and what it has told the bench. */
class ChainProcess {
  delivered = 0;
  private readonly messages: ChainMessage[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (m: ChainMessage) => {
      if (m.kind === 'delivered') this.delivered = m.rows;
      else this.messages.push(m);
    });
    this.exited = new Promise((done) => {
      child.once('exit', (code) => {
        done(code);
      });
    });
  }

  static start(name: string, file: string, args: object): ChainProcess {
    const child = fork(join(__dirname, file), [JSON.stringify(args)], {
      cwd: ROOT,
      execArgv: ['--require', 'tsx/cjs'],
      // What a service process gets (libs/testing service-process.ts); the stages take their settings from args.
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_OPTIONS: SERVICE_NODE_OPTIONS,
        KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
        // Only the default-partitioner notice of kafkajs 2, once per producer; changes nothing.
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new ChainProcess(name, child);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid`);
    return this.child.pid;
  }

  /** Resolves with the first message of `kind`; fails when the process exits first or after `timeoutMs`. */
  async awaitMessage<K extends ChainMessage['kind']>(
    kind: K,
    timeoutMs: number,
  ): Promise<Extract<ChainMessage, { kind: K }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m): m is Extract<ChainMessage, { kind: K }> => m.kind === kind);
      if (found) return found;
      if (this.child.exitCode !== null)
        throw new Error(`${this.name} exited ${this.child.exitCode} before '${kind}'`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no '${kind}' in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async awaitDelivered(rows: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.delivered < rows && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/**
 * chain_floor: the pipeline's Kafka work alone. Each stage is the platform runner (libs/kafka's
 * PartitionBatchRunner, the delivery its service uses) with its service's settings, in a process
 * of its own, all four at once and wired as the pipeline is: events and outcomes → their validated
 * topics (copies, ingestion's headers); both validated topics → features' shape (offsets only, one
 * transaction per micro-batch); validated events → one real Prediction each on `predictions`;
 * predictions → the drift monitor's shape (the member's transaction, offsets only). Fed by the
 * demo's replay at `--rate 0` (replay-producer.ts) and measured by the same RunWatch as the
 * pipeline; fails (through the counts) unless every stage delivered every record once and every
 * departure has exactly one prediction.
 */
export async function runChainFloor(
  kafka: Kafka,
  admin: Admin,
  options: ChainFloorOptions,
): Promise<RunMeasure> {
  const departures = options.departureIds.length;
  const { prefix, catalogue: topics } = await benchTopics(admin, 'e2e-chain', options.partitions);
  const groupOf = Object.fromEntries(CHAIN_STAGES.map((s) => [s, randomName(`bench-chain-${s}`)])) as Record<
    ChainStage,
    string
  >;
  const stages = CHAIN_STAGES.map((stage) => {
    const args: StageArgs = {
      stage,
      env: {
        KAFKA_BROKERS: options.brokers,
        STREAMSCORE_PIPELINE: options.pipeline,
        STREAMSCORE_GROUP_ID: groupOf[stage],
      },
      topicPrefix: prefix,
      partitions: options.partitions,
    };
    return ChainProcess.start(stage, 'chain-stage.ts', args);
  });
  const all = [...stages];
  const groups: string[] = Object.values(groupOf);
  let watch: RunWatch | undefined;
  try {
    for (const stage of stages) await stage.awaitMessage('assigned', 120_000);
    progress(`chain floor: ${stages.length} stages have their partitions`);
    watch = await RunWatch.start(kafka, {
      events: topics.name('events'),
      predictions: topics.name('predictions'),
    });
    const producer = ChainProcess.start('replay producer', 'replay-producer.ts', {
      events: departures,
      pipeline: options.pipeline,
      topicPrefix: prefix,
      partitions: options.partitions,
    });
    all.push(producer);
    const stagePids = Object.fromEntries(stages.map((s) => [s.name, [s.pid]]));
    const measured = await watch.measure({
      stages: [
        [
          {
            name: 'ingestion',
            groupId: groupOf.ingestion,
            topics: [topics.name('events'), topics.name('outcomes')],
          },
        ],
        [
          {
            name: 'features',
            groupId: groupOf.features,
            topics: [topics.name('eventsValidated'), topics.name('outcomesValidated')],
          },
          { name: 'inference', groupId: groupOf.inference, topics: [topics.name('eventsValidated')] },
        ],
      ],
      sources: [
        { topic: topics.name('events'), records: departures },
        { topic: topics.name('outcomes'), records: options.outcomes },
      ],
      departures,
      failure: () => {
        const exited = all.find((p) => p.child.exitCode !== null);
        return exited ? `${exited.name} exited ${String(exited.child.exitCode)}` : undefined;
      },
      clock: () =>
        new RoleCpuClock({
          ...stagePids,
          producer: [producer.pid],
          broker: [options.brokerPid],
          redis: [options.redisPid],
        }),
    });
    const sent = await producer.awaitMessage('sent', 60_000);
    groups.push(sent.tailGroupId);
    expectCount('chain floor departures sent', sent.departures, departures);
    expectCount('chain floor outcomes sent', sent.outcomes, options.outcomes);
    const byName = new Map(stages.map((s) => [s.name, s]));
    await byName.get('drift-monitor')?.awaitDelivered(departures, 60_000);
    for (const [stage, rows] of [
      ['ingestion', departures + options.outcomes],
      ['features', departures + options.outcomes],
      ['inference', departures],
      ['drift-monitor', departures],
    ] as const)
      expectCount(`chain floor ${stage} records delivered`, byName.get(stage)?.delivered ?? 0, rows);
    await checkChainOutputs(kafka, topics.name.bind(topics), options, measured);
    return measured;
  } finally {
    const codes = await Promise.all(all.map((p) => p.stop()));
    codes.forEach((code, i) => {
      if (code !== 0) progress(`chain floor: ${all[i]?.name ?? '?'} exited ${String(code)}`);
    });
    await watch?.stop();
    await admin.deleteTopics({ topics: topics.all().map((t) => t.name) }).catch(() => undefined);
    await admin.deleteGroups(groups).catch(() => undefined);
  }
}

/** The validated copies, and one prediction per departure (each id once), read back read_committed. */
async function checkChainOutputs(
  kafka: Kafka,
  name: (key: 'eventsValidated' | 'outcomesValidated' | 'predictions') => string,
  options: ChainFloorOptions,
  measured: RunMeasure,
): Promise<void> {
  const departures = options.departureIds.length;
  expectCount(
    'chain floor validated departures',
    (await readOutputs(kafka, name('eventsValidated'), departures)).length,
    departures,
  );
  expectCount(
    'chain floor validated outcomes',
    (await readOutputs(kafka, name('outcomesValidated'), options.outcomes)).length,
    options.outcomes,
  );
  const prediction = loadSchemaHistory(join(ROOT, 'schemas', 'prediction')).latest.type;
  const ids = (await readOutputs(kafka, name('predictions'), departures)).map((m) =>
    m.value
      ? (prediction.decode(m.value, SINGLE_OBJECT_HEADER_BYTES).value as { eventId: string }).eventId
      : undefined,
  );
  expectEachOnce('chain floor predictions, one per departure', ids, options.departureIds);
  expectCount(
    'chain floor predictions seen by the watch (read_committed)',
    measured.predictionsReceived,
    departures,
  );
}
