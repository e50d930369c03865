import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config.js';
import { PeregrineError } from '../core/errors.js';
import { cli } from '../cli/testing.js';
import { startTestHub, TEST_TOKEN, waitFor } from './testing.js';
import { tlsFetch, watchServerTls, type ServerTlsOptions } from './tls.js';
import { HttpTransport } from './transport.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skip = hasOpenssl() ? false : 'openssl not on PATH (Debian package openssl)';

/** A test PKI: a CA, a server certificate for 127.0.0.1, a client certificate, and a client of another CA. */
function pki(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'rogueCert' | 'rogueKey', string> {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'rogue-ca']) ssl('req', '-x509', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=${ca}`);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  const leaf = (name: string, ca: string, ext: boolean) => {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...(ext ? ['-extfile', 'san.ext'] : []));
  };
  leaf('server', 'ca', true);
  leaf('client', 'ca', false);
  leaf('rogue', 'rogue-ca', false);
  const p = (f: string) => join(dir, f);
  return { ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key'), rogueCert: p('rogue.crt'), rogueKey: p('rogue.key') };
}

test('mutual TLS: probes open, token routes need a client certificate of the configured CA, agent transport and operator CLI connect', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-tls-'));
  try {
    const k = pki(dir);
    const h = await startTestHub({ PEREGRINE_TLS_CERT_FILE: k.serverCert, PEREGRINE_TLS_KEY_FILE: k.serverKey, PEREGRINE_TLS_CLIENT_CA_FILE: k.ca });
    try {
      assert.match(h.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const auth = { authorization: `Bearer ${TEST_TOKEN}` };
      const anon = tlsFetch({ caFile: k.ca, certFile: '', keyFile: '' });
      assert.equal((await anon(`${h.url}/healthz`)).status, 200, 'probes need no client certificate');
      const noCert = await anon(`${h.url}/api/status`, { headers: auth });
      assert.equal(noCert.status, 401);
      assert.match(await noCert.text(), /client certificate required/);
      const client = tlsFetch({ caFile: k.ca, certFile: k.clientCert, keyFile: k.clientKey });
      assert.equal((await client(`${h.url}/api/status`, { headers: auth })).status, 200);
      assert.equal((await client(`${h.url}/api/status`)).status, 401, 'the token is still required');
      const rogue = tlsFetch({ caFile: k.ca, certFile: k.rogueCert, keyFile: k.rogueKey });
      assert.equal((await rogue(`${h.url}/api/status`, { headers: auth })).status, 401, 'a certificate of another CA is refused');
      await assert.rejects(fetch(`${h.url}/healthz`), 'the system trust store does not know the private CA');
      await new HttpTransport(h.url, TEST_TOKEN, client).send({ node: 'n1', batchId: 'b1', findings: [] });
      const env = { PEREGRINE_TOKEN: TEST_TOKEN, PEREGRINE_URL: h.url };
      const ok = await cli(['alerts', 'stats', '--cacert', k.ca, '--cert', k.clientCert, '--key', k.clientKey], { env });
      assert.equal(ok.code, 0, ok.stderr);
      const bad = await cli(['alerts', 'stats', '--cacert', k.ca], { env });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /PGN_ERR_UNAUTHORIZED.*client certificate required/);
      const half = await cli(['alerts', 'stats', '--cert', k.clientCert], { env });
      assert.equal(half.code, 2);
      assert.match(half.stderr, /--cert and --key go together/);
    } finally {
      await h.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TLS configuration errors are one line naming the key: a lone certFile, mutual TLS without a certificate, an unreadable file', async () => {
  assert.throws(() => loadConfig({ env: { PEREGRINE_TLS_CERT_FILE: '/x.crt' } }), /server\.tls\.certFile.*both certFile and keyFile/);
  assert.throws(() => loadConfig({ env: { PEREGRINE_TLS_CLIENT_CA_FILE: '/ca.crt' } }), /server\.tls\.clientCaFile.*needs certFile and keyFile/);
  await assert.rejects(
    startTestHub({ PEREGRINE_TLS_CERT_FILE: '/nonexistent/hub.crt', PEREGRINE_TLS_KEY_FILE: '/nonexistent/hub.key' }),
    (e) => e instanceof PeregrineError && e.code === 'PGN_ERR_FILE_NOT_FOUND' && e.where === 'server.tls.certFile' && /ENOENT/.test(e.message),
  );
});

test('certificate rotation: a changed file is read again and applied; a bad one is reported and the old context kept', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-tls-'));
  try {
    const k = pki(dir);
    const files = { certFile: join(dir, 'live.crt'), keyFile: join(dir, 'live.key'), clientCaFile: '' };
    writeFileSync(files.certFile, readFileSync(k.serverCert));
    writeFileSync(files.keyFile, readFileSync(k.serverKey));
    const applied: ServerTlsOptions[] = [];
    const errors: string[] = [];
    const stop = watchServerTls(files, (o) => applied.push(o), (e) => errors.push(e.message), 50);
    try {
      await new Promise((r) => setTimeout(r, 120));
      writeFileSync(files.certFile, readFileSync(k.clientCert));
      await waitFor(() => applied.length > 0, 5000, 20);
      assert.equal(applied[applied.length - 1].cert.toString(), readFileSync(k.clientCert, 'utf8'));
      rmSync(files.keyFile);
      await waitFor(() => errors.length > 0, 5000, 20);
      assert.match(errors[0], /cannot read .*live\.key/);
    } finally {
      stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
