import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryAuditLog, NdjsonAuditLog, SqliteAuditLog, type AuditLog } from './audit.js';
import type { ActionRecord, AuditRecord } from './types.js';

const rec = (i: number, over: Partial<AuditRecord> = {}): AuditRecord => ({
  at: 1000 + i,
  actor: 'peregrine-response',
  trigger: 'alert',
  alertId: i % 2 ? 'a1' : 'a2',
  action: i % 3 ? 'label' : 'quarantine',
  namespace: 'shop',
  target: 'Pod/web-1',
  decision: i % 4 ? 'act' : 'deny',
  rule: i % 4 ? 'allowed' : 'daemonset',
  reason: `reason ${i}`,
  dryRun: i % 2 === 0,
  result: i % 4 ? 'dry-run' : 'denied',
  requests: i % 4 ? [`PATCH /api/v1/namespaces/shop/pods/web-1?dryRun=All -> ok`] : [],
  actionId: i % 4 ? `label:shop/web-1@${1000 + i}` : '',
  error: '',
  ...over,
});

const action = (id: string, state: ActionRecord['state']): ActionRecord => ({
  id,
  key: id.split('@')[0],
  action: 'label',
  alertId: 'a1',
  namespace: 'shop',
  target: 'Pod/web-1',
  dryRun: false,
  state,
  createdAt: 1,
  expiresAt: 2,
  revertedAt: null,
  forensicsRef: '',
  error: '',
  plan: { key: 'k', action: 'label', alertId: 'a1', namespace: 'shop', target: 'Pod/web-1', requests: [], revertRequests: [], reversible: true, reason: 'r', warnings: [] },
});

describe('audit logs: memory, SQLite, NDJSON give the same answers and keep action state across reopen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgn-audit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const kinds: Array<[string, () => AuditLog]> = [
    ['memory', () => new MemoryAuditLog()],
    ['sqlite', () => new SqliteAuditLog(join(dir, 'response.db'))],
    ['ndjson', () => new NdjsonAuditLog(join(dir, 'nd'))],
  ];
  for (const [name, open] of kinds) {
    it(name, () => {
      const log = open();
      for (let i = 0; i < 12; i++) log.append(rec(i));
      assert.equal(log.query().length, 12);
      assert.equal(log.query()[0].at, 1011, 'newest first');
      assert.deepEqual(log.query({ limit: 2 }).map((r) => r.at), [1011, 1010]);
      assert.deepEqual(log.query({ decision: 'deny' }).map((r) => r.rule), ['daemonset', 'daemonset', 'daemonset']);
      assert.equal(log.query({ alertId: 'a1', action: 'label' }).length, 4);
      assert.equal(log.query({ since: 1010 }).length, 2);
      assert.deepEqual(log.query({ alertId: 'a1' })[0], rec(11));
      log.saveAction(action('x@1', 'active'));
      log.saveAction(action('x@1', 'expired'));
      log.saveAction(action('y@2', 'dry-run'));
      assert.deepEqual(log.loadActions().map((a) => [a.id, a.state]), [
        ['x@1', 'expired'],
        ['y@2', 'dry-run'],
      ]);
      log.close();
      if (name === 'memory') return;
      const again = open();
      assert.equal(again.query().length, 12);
      assert.deepEqual(again.loadActions().map((a) => a.state), ['expired', 'dry-run']);
      again.close();
    });
  }

  it('NDJSON is one JSON object per line', () => {
    const lines = readFileSync(join(dir, 'nd', 'response-audit.ndjson'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 12);
    assert.deepEqual(JSON.parse(lines[0]), rec(0));
  });
});
