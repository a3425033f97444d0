import { Command } from 'commander';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { createTestTopics, deleteTestTopics, testCatalogue, testKafka } from '@streamscore/testing';
import { modelsCommand } from '../commands/models.command';

const ROOT = join(__dirname, '..', '..', '..', '..');
const DEMO_VERSION = join(ROOT, 'models', 'flight-delay', '1');

/** `streamscore models …` in-process with extra environment; resolves with stdout. */
async function runModels(args: readonly string[], env: Readonly<Record<string, string>>): Promise<string> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  const out: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const program = new Command('streamscore').exitOverride().addCommand(modelsCommand());
    for (const command of program.commands.flatMap((c) => [c, ...c.commands])) command.exitOverride();
    await program.parseAsync(['node', 'streamscore', 'models', ...args]);
    return out.join('');
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }
}

/** Versions 1 and 2 are the demo model; 3 has flipped bytes under its original manifest. */
async function makeRepository(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'streamscore-models-'));
  for (const version of [1, 2, 3]) {
    const dir = join(root, 'flight-delay', String(version));
    await cp(DEMO_VERSION, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version }));
  }
  const onnx = join(root, 'flight-delay', '3', 'model.onnx');
  const bytes = await readFile(onnx);
  bytes[200] = (bytes[200] ?? 0) ^ 0xff;
  await writeFile(onnx, bytes);
  return root;
}

describe('streamscore models on the real Kafka', () => {
  const catalogue = testCatalogue({ prefix: 'cli-models' });
  const topics = [catalogue.spec('modelDeployments'), catalogue.spec('modelDeploymentsAudit')];
  const prefix = catalogue.name('modelDeployments').replace(/\.model-deployments$/, '');
  const env = { TOPIC_PREFIX: prefix, STREAMSCORE_SCHEMAS_DIR: join(ROOT, 'schemas') };
  let kafka: Kafka;
  let repository: string;
  let common: string[];

  beforeAll(async () => {
    kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, topics);
    await admin.disconnect();
    repository = await makeRepository();
    common = ['--repository', repository, '--by', 'ana'];
  }, 60_000);

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await deleteTestTopics(admin, topics);
    await admin.disconnect();
    await rm(repository, { recursive: true, force: true });
  });

  it('should deploy, start a canary and list the versions with their roles', async () => {
    // Before any record the services serve the repository's latest version, and the list says so.
    const before = (await runModels(['list', '--repository', repository], env)).split('\n');
    expect(before[0]).toBe(
      `flight-delay (${repository}): no deployment record: the services serve the repository's latest version, 3`,
    );
    const deployed = await runModels(['deploy', 'flight-delay', '1', ...common, '--reason', 'first'], env);
    expect(deployed).toMatch(/^flight-delay: active 1, canary none, shadow none \(.+Z by ana: first\)\n$/);
    const canary = await runModels(
      ['canary', 'flight-delay', '2', '--share', '0.1', ...common, '--reason', 'try v2'],
      env,
    );
    expect(canary).toMatch(/^flight-delay: active 1, canary 2 \(10%\), shadow none/);

    const listed = (await runModels(['list', '--repository', repository], env)).split('\n');
    expect(listed[0]).toBe(`flight-delay (${repository}): active 1, canary 2 (10%), shadow none`);
    expect(listed[1]).toMatch(/^ {2}VERSION +CREATED +AUC +LOG-LOSS +VAL-ROWS +ROLE$/);
    expect(listed[2]).toMatch(/^ {2}1 +\d{4}-\d\d-\d\d +0\.\d{4} +0\.\d{4} +\d+ +active$/);
    expect(listed[3]).toMatch(/ canary 10%$/);
    expect(listed[4]).toMatch(/^ {2}3 .* -$/);
  }, 60_000);

  it('should refuse a corrupt version with a message naming the file', async () => {
    const run = runModels(
      ['canary', 'flight-delay', '3', '--share', '0.5', ...common, '--reason', 'bad'],
      env,
    );
    await expect(run).rejects.toThrow(/sha256 mismatch for .*flight-delay\/3\/model\.onnx/);
  }, 60_000);

  it('should refuse a share outside [0, 1] and a change without a reason', async () => {
    await expect(
      runModels(['canary', 'flight-delay', '2', '--share', '1.5', ...common, '--reason', 'r'], env),
    ).rejects.toThrow(/must be a number in \[0, 1\]/);
    await expect(runModels(['promote', 'flight-delay', ...common], env)).rejects.toThrow(/--reason/);
  });

  it('should roll back and show the audit history', async () => {
    const back = await runModels(
      ['rollback', 'flight-delay', ...common, '--by', 'bo', '--reason', 'worse'],
      env,
    );
    expect(back).toMatch(/^flight-delay: active 1, canary none, shadow none \(.+ by bo: worse\)/);
    // A change returns once read_committed readers see it: no waiting here.
    const history = (await runModels(['history', 'flight-delay'], env)).trim().split('\n');
    expect(history).toHaveLength(3);
    expect(history[0]).toMatch(
      / ACTIVATE +by ana: no deployment -> active 1, canary none, shadow none \| first$/,
    );
    expect(history[1]).toMatch(
      / START_CANARY by ana: .* -> active 1, canary 2 \(10%\), shadow none \| try v2$/,
    );
    expect(history[2]).toMatch(/ ROLLBACK +by bo: .*canary 2 \(10%\).* -> active 1, canary none.* \| worse$/);
    const json = (await runModels(['history', 'flight-delay', '--json'], env)).trim().split('\n');
    expect(json.map((line) => (JSON.parse(line) as { action: string }).action)).toEqual([
      'ACTIVATE',
      'START_CANARY',
      'ROLLBACK',
    ]);
  }, 60_000);

  it('should declare every option of every subcommand in its --help', () => {
    for (const command of modelsCommand().commands) {
      const help = command.helpInformation();
      for (const option of command.options) expect(help).toContain(option.long ?? option.flags);
    }
  });
});
