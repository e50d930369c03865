import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { AlertPipeline } from '../../index.js';
import { fixedAlert, makeFinding, waitFor } from '../../testing.js';
import { alertSinks, type SinkContext } from '../index.js';

/**
 * Email against a real SMTP conversation: a minimal SMTP responder on 127.0.0.1 (smtp-server is not installed)
 * speaking the verbs nodemailer uses (EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), recording each
 * message, and answering a chosen verb with a chosen code to test rejections and retries.
 */

interface Mail {
  from: string;
  to: string[];
  data: string;
  auth: string | null;
}

class SmtpResponder {
  readonly mails: Mail[] = [];
  /** verb -> replies to use in order (then 250). */
  readonly fail = new Map<string, string[]>();
  authRequired = false;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<this> {
    const server = createServer((s) => this.session(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private reply(verb: string, ok: string): string {
    const queue = this.fail.get(verb);
    return queue && queue.length > 0 ? (queue.shift() as string) : ok;
  }

  private session(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
    let buf = '';
    let inData = false;
    let mail: Mail = { from: '', to: [], data: '', auth: null };
    let auth: string | null = null;
    s.write('220 127.0.0.1 ESMTP test responder\r\n');
    s.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buf.slice(0, end).replace(/\r\n\.\./g, '\r\n.');
          buf = buf.slice(end + 5);
          inData = false;
          const r = this.reply('DATA-END', '250 2.0.0 queued');
          if (r.startsWith('250')) this.mails.push({ ...mail, auth });
          s.write(`${r}\r\n`);
          mail = { from: '', to: [], data: '', auth: null };
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') s.write(`250-127.0.0.1\r\n250-8BITMIME\r\n${this.authRequired ? '250-AUTH PLAIN\r\n' : ''}250 SMTPUTF8\r\n`);
        else if (verb === 'HELO') s.write('250 127.0.0.1\r\n');
        else if (verb === 'AUTH') {
          const r = this.reply('AUTH', '235 2.7.0 accepted');
          if (r.startsWith('235')) auth = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8');
          s.write(`${r}\r\n`);
        } else if (verb === 'MAIL') {
          if (this.authRequired && !auth) s.write('530 5.7.0 authentication required\r\n');
          else {
            mail.from = line.slice(10).replace(/[<>]/g, '').split(' ')[0];
            s.write(`${this.reply('MAIL', '250 2.1.0 ok')}\r\n`);
          }
        } else if (verb === 'RCPT') {
          const r = this.reply('RCPT', '250 2.1.5 ok');
          if (r.startsWith('250')) mail.to.push(line.slice(8).replace(/[<>]/g, '').split(' ')[0]);
          s.write(`${r}\r\n`);
        } else if (verb === 'DATA') {
          inData = true;
          s.write('354 go ahead\r\n');
        } else if (verb === 'RSET' || verb === 'NOOP') s.write('250 ok\r\n');
        else if (verb === 'QUIT') s.end('221 bye\r\n');
        else s.write('502 5.5.2 not implemented\r\n');
      }
    });
  }
}

const ctx: SinkContext = { fetch: globalThis.fetch, externalUrl: '', requestTimeoutMs: 3000, where: 'test' };
const emailSink = (port: number, extra: Record<string, unknown> = {}) =>
  alertSinks.get('email').create(alertSinks.get('email').schema.parse({ type: 'email', host: '127.0.0.1', port, from: 'peregrine@example.org', to: ['oncall@example.org', 'sre@example.org'], ...extra }), ctx)[0];

test('email: the pipeline delivers a mail over SMTP with the incident headers and evidence', async (t) => {
  const smtp = await new SmtpResponder().start();
  const p = new AlertPipeline({
    config: { groupWaitSeconds: 0, retry: { baseMs: 20, maxMs: 100 }, sinks: [{ type: 'email', host: '127.0.0.1', port: smtp.port, from: 'peregrine@example.org', to: ['oncall@example.org'] }] },
    dataDir: null,
    registry: new Registry(),
  });
  t.after(() => Promise.all([p.close(), smtp.stop()]));
  smtp.fail.set('MAIL', ['451 4.3.0 try again later']); // one temporary failure first
  await p.start();
  const a = p.submit(makeFinding({ id: '1' }));
  await waitFor(() => p.outboxStats().bySink.email.delivered === 1, 8000, 'the mail');
  assert.equal(smtp.mails.length, 1);
  const m = { ...smtp.mails[0], data: smtp.mails[0].data.replace(/\r\n[ \t]+/g, ' ').replace(/\r\n/g, '\n') }; // unfold headers
  assert.equal(m.from, 'peregrine@example.org');
  assert.deepEqual(m.to, ['oncall@example.org']);
  assert.match(m.data, /^Subject: \[peregrine\] \[WARNING\] container activity departs from its baseline on shop\/frontend$/m);
  assert.match(m.data, new RegExp(`^Message-ID: <[0-9a-f]{32}@peregrine\\.alerts>$`, 'm'));
  assert.match(m.data, new RegExp(`^References: <${a?.id}@peregrine\\.alerts>$`, 'm'));
  assert.match(m.data, new RegExp(`^X-Peregrine-Incident: ${a?.id}$`, 'm'));
  assert.match(m.data, /1 anomalous interval in 1 minute on 1 pod of shop\/frontend/);
  assert.match(m.data, /execve \/tmp\/xmrig by sh/);
  assert.ok(p.outboxStats().bySink.email.lastError === null, 'cleared after the recovery');
});

test('email: 5xx is rejected with the reason, 4xx and a dead server are retryable, the password never shows', async (t) => {
  const smtp = await new SmtpResponder().start();
  t.after(() => smtp.stop());
  smtp.authRequired = true;
  const password = 'smtp-pass-DO-NOT-LOG-42';
  const sink = emailSink(smtp.port, { username: 'peregrine', password });
  t.after(() => sink.close());
  const n = [{ alert: fixedAlert(), change: 'opened' as const, key: 'k1' }];
  assert.deepEqual(await sink.healthcheck(), { ok: true, detail: `smtp 127.0.0.1:${smtp.port} ready` });
  assert.deepEqual(await sink.send(n, 0), { status: 'delivered' });
  assert.equal(smtp.mails[0].auth, `\u0000peregrine\u0000${password}`, 'AUTH PLAIN carried the password to the server');

  smtp.fail.set('RCPT', ['550 5.1.1 no such user', '550 5.1.1 no such user']);
  const rejected = await sink.send(n, 0);
  assert.equal(rejected.status, 'rejected');
  assert.match(JSON.stringify(rejected), /550 5\.1\.1 no such user/);

  smtp.fail.set('DATA-END', ['452 4.3.1 insufficient storage']);
  assert.equal((await sink.send(n, 0)).status, 'retryable');

  smtp.fail.set('AUTH', ['535 5.7.8 bad credentials']);
  await sink.close(); // a new connection, so AUTH runs again
  const denied = await sink.send(n, 0);
  assert.equal(denied.status, 'rejected');
  assert.ok(!JSON.stringify(denied).includes(password));

  await smtp.stop();
  const down = await sink.send(n, 0);
  assert.equal(down.status, 'retryable');
  assert.match(JSON.stringify(down), /ECONNREFUSED|ECONNECTION/);
  assert.equal((await sink.healthcheck()).ok, false);
});
