import {
  ContentTypes,
  createDecoder,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  type Decoder,
  type DecodeResult,
  type ModelDeployment,
  type ModelDeploymentAudit,
  type SchemaHistory,
} from '@streamscore/contracts';
import { join } from 'node:path';
import { plainAudit, plainDeployment } from './deployment-records';

export const DEPLOYMENT_SCHEMA_DIR = 'model-deployment';
export const AUDIT_SCHEMA_DIR = 'model-deployment-audit';

/** The repository's schemas/ directory, as seen from a process started at the repository root. */
export function defaultSchemasDir(): string {
  return join(process.cwd(), 'schemas');
}

/** Avro single-object encoding of deployment and audit records, with the schemas' histories. */
export class DeploymentCodec {
  private readonly deployments: SchemaHistory;
  private readonly audits: SchemaHistory;
  private readonly deploymentDecoder: Decoder<ModelDeployment>;
  private readonly auditDecoder: Decoder<ModelDeploymentAudit>;

  constructor(schemasDir: string = defaultSchemasDir()) {
    this.deployments = loadSchemaHistory(join(schemasDir, DEPLOYMENT_SCHEMA_DIR));
    this.audits = loadSchemaHistory(join(schemasDir, AUDIT_SCHEMA_DIR));
    this.deploymentDecoder = createDecoder<ModelDeployment>(this.deployments);
    this.auditDecoder = createDecoder<ModelDeploymentAudit>(this.audits);
  }

  encodeDeployment(deployment: ModelDeployment): Buffer {
    return encodeSingleObject(this.deployments.latest.type, deployment);
  }

  encodeAudit(audit: ModelDeploymentAudit): Buffer {
    return encodeSingleObject(this.audits.latest.type, audit);
  }

  /** Bad bytes are a failure value (avsc-style), never an exception. */
  async decodeDeployment(value: Buffer): Promise<DecodeResult<ModelDeployment>> {
    const result = await this.deploymentDecoder.decode(value);
    return result.ok ? { ...result, record: plainDeployment(result.record) } : result;
  }

  async decodeAudit(value: Buffer): Promise<DecodeResult<ModelDeploymentAudit>> {
    const result = await this.auditDecoder.decode(value);
    return result.ok ? { ...result, record: plainAudit(result.record) } : result;
  }
}

/** Headers of every record this library writes. */
export const RECORD_HEADERS = { [Headers.contentType]: ContentTypes.avro } as const;
