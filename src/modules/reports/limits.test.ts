import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';

let t: TestApp;
before(async () => {
  // PEEL_PUBLIC_RATE_LIMIT, the name for the public limit, wins over the older name.
  t = await startTestApp({ PEEL_RATE_LIMIT_PUBLIC_PER_MINUTE: '1000', PEEL_PUBLIC_RATE_LIMIT: '4' });
});
after(() => t.close());

const submit = (headers: Record<string, string>, ip = '203.0.113.7') =>
  t.app.inject({
    method: 'POST',
    url: '/api/reports',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json', ...headers },
    payload: { category: 'other', description: 'limit test', latitude: 52.6, longitude: -1.1, occurredAt: new Date().toISOString() },
  });

test('one device is limited even from several addresses; one address is limited whatever the device', async () => {
  const device = { 'x-device-id': 'device-aaaa-1111' };
  const fromDevice = [];
  for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5']) fromDevice.push((await submit(device, ip)).statusCode);
  assert.deepEqual(fromDevice, [201, 201, 201, 201, 429]);

  const fromAddress = [];
  for (let i = 0; i < 5; i++) fromAddress.push((await submit({ 'x-device-id': `device-${i}` }, '192.0.2.50')).statusCode);
  assert.deepEqual(fromAddress, [201, 201, 201, 201, 429]);
  const res = await submit({}, '192.0.2.50');
  assert.equal(res.statusCode, 429);
  assert.equal(res.json().error.code, 'rate_limited');
  assert.match(res.json().error.message, /try again in \d+ seconds/);
});

test('the place search and the basemap question are public routes with the same per-address limit', async () => {
  for (const url of ['/api/public/places?q=char', '/api/public/map']) {
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await t.app.inject({ method: 'GET', url, remoteAddress: '192.0.2.77' })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200, 429], url);
  }
});
