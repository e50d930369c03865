import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { denyPeer, isolateAll, parseEndpoint, peerOf, selectorMatches } from './netpol.js';

describe('endpoint parsing and NetworkPolicy building', () => {
  it('parses IPv4 and bracketed IPv6 endpoints; rejects everything else', () => {
    assert.deepEqual(parseEndpoint('10.0.0.5:43512->203.0.113.9:4444/tcp'), { srcIp: '10.0.0.5', srcPort: 43512, dstIp: '203.0.113.9', dstPort: 4444, proto: 'TCP' });
    assert.deepEqual(parseEndpoint('[fd00::1]:5->[2001:db8::2]:53/udp'), { srcIp: 'fd00::1', srcPort: 5, dstIp: '2001:db8::2', dstPort: 53, proto: 'UDP' });
    for (const bad of ['', 'x', '10.0.0.5:1->10.0.0.6:2', '10.0.0.5:1->10.0.0.6:70000/tcp', 'a.b.c.d:1->10.0.0.6:2/tcp', '10.0.0.5->10.0.0.6:2/tcp']) {
      assert.equal(parseEndpoint(bad), null, bad);
    }
  });

  it('property: any formatted endpoint parses back; arbitrary strings never throw', () => {
    const ip = fc.oneof(fc.ipV4(), fc.ipV6().map((s) => `[${s}]`));
    const port = fc.integer({ min: 0, max: 65535 });
    fc.assert(
      fc.property(ip, port, ip, port, fc.constantFrom('tcp', 'udp', 'sctp', 'icmp'), (a, p, b, q, proto) => {
        const e = parseEndpoint(`${a}:${p}->${b}:${q}/${proto}`);
        assert.ok(e);
        assert.equal(e.srcPort, p);
        assert.equal(e.dstPort, q);
        assert.equal(e.proto, proto.toUpperCase());
        assert.equal(e.srcIp, a.replace(/^\[|\]$/g, ''));
      }),
    );
    fc.assert(fc.property(fc.string(), (s) => void parseEndpoint(s)));
  });

  it('direction comes from which side is the pod', () => {
    const e = parseEndpoint('10.0.0.5:1->1.2.3.4:80/tcp')!;
    assert.deepEqual(peerOf(e, ['10.0.0.5']), { direction: 'egress', ip: '1.2.3.4', port: 80, proto: 'TCP' });
    assert.deepEqual(peerOf(e, ['1.2.3.4']), { direction: 'ingress', ip: '10.0.0.5', port: 80, proto: 'TCP' });
    assert.equal(peerOf(e, ['10.9.9.9']), null);
  });

  it('port edges: 1, 65535 and 0 (unknown: every port of that protocol)', () => {
    const ports = (port: number) => (denyPeer('n', 'p', 'a', { direction: 'egress', ip: '1.2.3.4', port, proto: 'UDP' }).body.spec as { egress: Array<{ ports?: unknown }> }).egress[1].ports;
    assert.deepEqual(ports(1), [{ protocol: 'UDP', port: 2, endPort: 65535 }, { protocol: 'TCP' }, { protocol: 'SCTP' }]);
    assert.deepEqual(ports(65535), [{ protocol: 'UDP', port: 1, endPort: 65534 }, { protocol: 'TCP' }, { protocol: 'SCTP' }]);
    assert.deepEqual(ports(2), [{ protocol: 'UDP', port: 1 }, { protocol: 'UDP', port: 3, endPort: 65535 }, { protocol: 'TCP' }, { protocol: 'SCTP' }]);
    assert.deepEqual(ports(0), [{ protocol: 'TCP' }, { protocol: 'SCTP' }]);
  });

  it('names are deterministic, valid DNS names and differ per pod and per peer', () => {
    const a = isolateAll('shop', 'web-1', 'x').name;
    assert.equal(a, isolateAll('shop', 'web-1', 'other-alert').name);
    assert.notEqual(a, isolateAll('shop', 'web-2', 'x').name);
    const p1 = denyPeer('shop', 'web-1', 'x', { direction: 'egress', ip: '1.2.3.4', port: 80, proto: 'TCP' }).name;
    const p2 = denyPeer('shop', 'web-1', 'x', { direction: 'egress', ip: '1.2.3.4', port: 81, proto: 'TCP' }).name;
    assert.notEqual(p1, p2);
    for (const n of [a, p1, p2]) assert.match(n, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('label selectors: matchLabels and every matchExpressions operator', () => {
    const l = { app: 'web', tier: 'front' };
    assert.equal(selectorMatches({}, l), true);
    assert.equal(selectorMatches(undefined, l), true);
    assert.equal(selectorMatches({ matchLabels: { app: 'web' } }, l), true);
    assert.equal(selectorMatches({ matchLabels: { app: 'api' } }, l), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'x'] }] }, l), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, l), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, l), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, l), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, l), false);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'Bogus' }] }, l), false);
  });
});
