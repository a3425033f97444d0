import { Command, InvalidArgumentError } from 'commander';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { ModelDeployment } from '@streamscore/contracts';
import type { DeploymentWriter } from '@streamscore/deployments';
import { ModelRepository } from '@streamscore/models';
import { cliContext } from '../cli-env';
import { auditLine, deploymentLine, servingSummary, versionTable } from '../models/deployment-lines';
import { repositoryVersions } from '../models/repository-versions';
import { deploymentWriter, servedVersion } from '../models/served-version';

interface CommonOptions {
  readonly repository?: string;
  readonly pipeline?: string;
}

interface ChangeOptions extends CommonOptions {
  readonly by: string;
  readonly reason: string;
}

interface CanaryOptions extends ChangeOptions {
  readonly share: number;
}

interface HistoryOptions extends CommonOptions {
  readonly json?: boolean;
}

function share(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidArgumentError('must be a number in [0, 1], e.g. 0.1 for 10%');
  }
  return value;
}

function defaultUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** --repository, else the pipeline's model repository (--pipeline or $STREAMSCORE_PIPELINE), else ./models. */
function repositoryRoot(options: CommonOptions): string {
  if (options.repository !== undefined) return resolve(options.repository);
  const context = cliContext();
  const file = options.pipeline ?? context.pipelineFile;
  return file === undefined ? resolve('models') : context.pipeline(file).modelRepository;
}

function writerFor(options: CommonOptions): DeploymentWriter {
  return deploymentWriter(cliContext(), repositoryRoot(options));
}

/** Runs one change and prints the deployment it wrote. */
async function change(
  options: CommonOptions,
  run: (writer: DeploymentWriter) => Promise<ModelDeployment>,
): Promise<void> {
  const writer = writerFor(options);
  try {
    process.stdout.write(`${deploymentLine(await run(writer))}\n`);
  } finally {
    await writer.disconnect();
  }
}

function withCommon(command: Command): Command {
  return command
    .option('--repository <dir>', 'model repository (default: the pipeline’s modelRepository, else ./models)')
    .option(
      '--pipeline <file>',
      'pipeline file naming the model repository (default: $STREAMSCORE_PIPELINE)',
    );
}

function withChange(command: Command): Command {
  return withCommon(command)
    .requiredOption('--reason <text>', 'why: kept in the audit trail')
    .option('--by <name>', 'who: kept in the audit trail (default: the OS user, as $USER)', defaultUser());
}

async function listModel(model: string, options: CommonOptions): Promise<void> {
  const root = repositoryRoot(options);
  const versions = await repositoryVersions(root, model);
  const writer = writerFor(options);
  const deployment = await writer.current(model);
  if (versions.length === 0) {
    process.stdout.write(`${model} (${root}): ${servingSummary(deployment)}\n`);
    process.stdout.write('  no versions in the repository\n');
    return;
  }
  const served = await servedVersion(deployment, root, model);
  process.stdout.write(
    `${model} (${root}): ${deployment ? servingSummary(deployment) : `${served.why}, ${served.version}`}\n`,
  );
  for (const line of versionTable(versions, deployment)) process.stdout.write(`  ${line}\n`);
}

/** `streamscore models`: list versions and change the desired deployment on model-deployments. */
export function modelsCommand(): Command {
  const models = new Command('models').description(
    'list model versions, deploy, canary, shadow, promote, roll back, and show the audit history',
  );

  withCommon(models.command('list [model]'))
    .description('versions in the repository with their validation metrics, marked active/canary/shadow')
    .action(async (model: string | undefined, options: CommonOptions) => {
      const names =
        model === undefined ? await new ModelRepository(repositoryRoot(options)).listModels() : [model];
      if (names.length === 0) throw new Error(`no models in ${repositoryRoot(options)}`);
      for (const name of names) await listModel(name, options);
    });

  withChange(models.command('deploy <model> <version>'))
    .description('make <version> the active version (drops any canary)')
    .action((model: string, version: string, options: ChangeOptions) =>
      change(options, (writer) => writer.deploy(model, version, options.by, options.reason)),
    );

  withChange(models.command('canary <model> <version>'))
    .description('send a share of the traffic (by routing key) to <version>')
    .requiredOption('--share <fraction>', 'fraction of keys routed to the canary, in [0, 1]', share)
    .action((model: string, version: string, options: CanaryOptions) =>
      change(options, (writer) =>
        writer.startCanary(model, version, options.share, options.by, options.reason),
      ),
    );

  withChange(models.command('shadow <model> <version>'))
    .description('score every event with <version> too, to predictions.shadow only')
    .action((model: string, version: string, options: ChangeOptions) =>
      change(options, (writer) => writer.startShadow(model, version, options.by, options.reason)),
    );

  withChange(models.command('promote <model>'))
    .description('make the canary the active version')
    .action((model: string, options: ChangeOptions) =>
      change(options, (writer) => writer.promote(model, options.by, options.reason)),
    );

  withChange(models.command('rollback <model>'))
    .description('restore the deployment before the last change (a second rollback undoes the first)')
    .action((model: string, options: ChangeOptions) =>
      change(options, (writer) => writer.rollback(model, options.by, options.reason)),
    );

  withChange(models.command('stop-canary <model>'))
    .description('route all traffic to the active version again')
    .action((model: string, options: ChangeOptions) =>
      change(options, (writer) => writer.stopCanary(model, options.by, options.reason)),
    );

  withChange(models.command('stop-shadow <model>'))
    .description('stop scoring with the shadow version')
    .action((model: string, options: ChangeOptions) =>
      change(options, (writer) => writer.stopShadow(model, options.by, options.reason)),
    );

  withCommon(models.command('history <model>'))
    .description('the audit trail of <model>: when, what, who, before -> after, why')
    .option('--json', 'one JSON audit record per line')
    .action(async (model: string, options: HistoryOptions) => {
      const history = await writerFor(options).history(model);
      if (history.length === 0 && !options.json) process.stdout.write(`no deployment changes of ${model}\n`);
      for (const audit of history) {
        process.stdout.write(`${options.json ? JSON.stringify(audit) : auditLine(audit)}\n`);
      }
    });

  return models;
}
