import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeReceiver, makeFinding } from '../alerting/testing.js';
import { startTestHub, TEST_TOKEN, waitFor } from '../service/testing.js';
import { cli } from './testing.js';

test('peregrine alerts: stats, dead letters with the reason, redelivery after the sink is fixed; bad token and no service are one-line errors', async () => {
  const receiver = await new FakeReceiver().start();
  // The receiver rejects every notification first (400: not retried, dead-lettered at once).
  receiver.respond = () => ({ status: 400, body: 'bad payload' });
  const h = await startTestHub({}, (c) => {
    c.alerting.groupWaitSeconds = 0;
    c.alerting.sinks = [{ type: 'webhook', name: 'hook', url: `${receiver.url}/alerts` }] as typeof c.alerting.sinks;
  });
  const env = { PEREGRINE_TOKEN: TEST_TOKEN, PEREGRINE_URL: h.url };
  try {
    h.hub.alerts.submit(makeFinding({ id: 'f1', severity: 'critical' }));
    const deadOf = async () => JSON.parse((await cli(['alerts', 'dead-letters', '--json'], { env })).stdout) as { deadLetters: { seq: number; reason: string; sink: string }[] };
    await waitFor(async () => (await deadOf()).deadLetters.length > 0, 15_000, 200);
    const dead = (await deadOf()).deadLetters;
    assert.equal(dead[0].sink, 'hook');
    assert.match(dead[0].reason, /400/);

    const text = await cli(['alerts', 'dead-letters'], { env });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /SEQ .* REASON/);
    assert.match(text.stdout, new RegExp(`peregrine alerts redeliver ${dead[0].seq}`));

    const stats = await cli(['alerts', 'stats'], { env });
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /dead letters [1-9]/);
    assert.match(stats.stdout, /hook +pending 0/);

    // Fixed: redelivery reaches the receiver and empties the dead letters.
    receiver.respond = () => ({ status: 200, body: 'ok' });
    const before = receiver.requests.length;
    const re = await cli(['alerts', 'redeliver', ...dead.map((d) => String(d.seq)), '999999'], { env });
    assert.equal(re.code, 0, re.stderr);
    assert.match(re.stdout, new RegExp(`queued ${dead.length} of ${dead.length + 1} dead letters again \\(the others were not found`));
    await waitFor(() => receiver.requests.length > before, 15_000, 100);
    assert.equal((await deadOf()).deadLetters.length, 0);

    const bad = await cli(['alerts', 'stats', '--token', 'wrong-token'], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /PGN_ERR_UNAUTHORIZED/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    const badSeq = await cli(['alerts', 'redeliver', 'x'], { env });
    assert.equal(badSeq.code, 2);

    const response = await cli(['response', 'actions'], { env });
    assert.equal(response.code, 0, response.stderr);
    assert.match(response.stdout, /not enabled/);
    const revert = await cli(['response', 'revert', 'nope'], { env });
    assert.equal(revert.code, 2);
    assert.match(revert.stderr, /not enabled/);
  } finally {
    await h.close();
    await receiver.stop();
  }
  const down = await cli(['alerts', 'stats'], { env: { PEREGRINE_TOKEN: TEST_TOKEN, PEREGRINE_URL: h.url } });
  assert.equal(down.code, 5);
  assert.match(down.stderr, /PGN_ERR_UNAVAILABLE.*cannot reach the Peregrine service/);
});

test('peregrine response: audit and revert through a service with response on (dry run), and the token serve generated', async () => {
  const h = await startTestHub({}, (c) => {
    c.alerting.groupWaitSeconds = 0;
    c.response.enabled = true;
  });
  try {
    // No PEREGRINE_TOKEN: the client reads <data dir>/token, as `peregrine serve` writes it when none is configured.
    writeFileSync(join(h.dir, 'token'), TEST_TOKEN + '\n');
    const env = { PEREGRINE_TOKEN: '', PEREGRINE_URL: h.url, PEREGRINE_DATA_DIR: h.dir };
    h.hub.alerts.submit(makeFinding({ id: 'f2', severity: 'critical' }));
    const auditOf = async () => JSON.parse((await cli(['response', 'audit', '--json'], { env })).stdout) as { enabled: boolean; records: { decision: string; alertId: string }[] };
    await waitFor(async () => (await auditOf()).records.length > 0, 15_000, 200);
    const audit = await auditOf();
    assert.equal(audit.enabled, true);
    const text = await cli(['response', 'audit', '--decision', 'skip', '--limit', '5'], { env });
    assert.equal(text.code, 0, text.stderr);
    const badDecision = await cli(['response', 'audit', '--decision', 'maybe'], { env });
    assert.equal(badDecision.code, 2);
    assert.match(badDecision.stderr, /PGN_ERR_BAD_REQUEST.*decision must be act, skip or deny/);
    const unknown = await cli(['response', 'revert', 'no-such-action'], { env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no response action "no-such-action"/);
    const noToken = await cli(['response', 'actions'], { env: { PEREGRINE_TOKEN: '', PEREGRINE_URL: h.url, PEREGRINE_DATA_DIR: join(h.dir, 'elsewhere') } });
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /no service token/);
  } finally {
    await h.close();
  }
});
