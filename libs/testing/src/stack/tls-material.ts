import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from './errors';
import { onPath, runSync } from './processes';

/** A throw-away CA and a server certificate for 127.0.0.1, made once per data dir. */
export interface TlsMaterial {
  /** PEM of the CA clients trust (KAFKA_TLS_CA_FILE, REDIS_TLS_CA_FILE). */
  readonly caFile: string;
  /** PEM server certificate (SAN IP:127.0.0.1, DNS:localhost) and its unencrypted key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The same certificate and key as PKCS#12, for the broker's keystore. */
  readonly keystoreFile: string;
  readonly keystorePassword: string;
}

/** Valid for two days: enough for any test run, short enough that nobody reuses it. */
const DAYS = '2';

export function tlsMaterial(tlsDir: string): TlsMaterial {
  const material: TlsMaterial = {
    caFile: join(tlsDir, 'ca.pem'),
    certFile: join(tlsDir, 'server.pem'),
    keyFile: join(tlsDir, 'server.key'),
    keystoreFile: join(tlsDir, 'server.p12'),
    keystorePassword: keystorePassword(tlsDir),
  };
  if (existsSync(material.keystoreFile)) return material;
  if (!onPath('openssl'))
    throw new StackError('TLS_FAILED', 'openssl not found on PATH: it makes the test CA for TLS listeners');
  mkdirSync(tlsDir, { recursive: true });
  const caKey = join(tlsDir, 'ca.key');
  const csr = join(tlsDir, 'server.csr');
  const extensions = join(tlsDir, 'server.ext');
  writeFileSync(extensions, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    tlsDir,
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', material.caFile].concat([
      '-days',
      DAYS,
      '-subj',
      '/CN=streamscore test CA',
    ]),
  );
  openssl(
    tlsDir,
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', material.keyFile, '-out', csr].concat([
      '-subj',
      '/CN=127.0.0.1',
    ]),
  );
  openssl(
    tlsDir,
    ['x509', '-req', '-in', csr, '-CA', material.caFile, '-CAkey', caKey, '-CAcreateserial'].concat([
      '-out',
      material.certFile,
      '-days',
      DAYS,
      '-extfile',
      extensions,
    ]),
  );
  openssl(
    tlsDir,
    ['pkcs12', '-export', '-in', material.certFile, '-inkey', material.keyFile]
      .concat(['-certfile', material.caFile, '-out', material.keystoreFile])
      .concat(['-passout', `pass:${material.keystorePassword}`]),
  );
  return material;
}

function keystorePassword(tlsDir: string): string {
  const file = join(tlsDir, 'keystore-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(tlsDir, { recursive: true });
  const password = randomBytes(12).toString('hex');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

function openssl(cwd: string, args: readonly string[]): void {
  const result = runSync('openssl', args, { cwd });
  if (result.status !== 0) {
    throw new StackError(
      'TLS_FAILED',
      `openssl ${args[0] ?? ''} failed making the test CA: ${(result.stderr || String(result.error)).trim()}`,
    );
  }
}
