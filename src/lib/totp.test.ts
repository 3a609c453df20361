import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, base32Encode, hotp, totp, verifyTotp } from './totp.ts';

// RFC 4226 appendix D: secret "12345678901234567890", counters 0-9.
const rfcSecret = Buffer.from('12345678901234567890');
const rfc4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

test('HOTP matches RFC 4226 appendix D', () => {
  rfc4226.forEach((want, counter) => assert.equal(hotp(rfcSecret, counter), want));
});

test('TOTP matches RFC 6238 appendix B (SHA-1, 8 digits)', () => {
  const cases: Array<[number, string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [t, want] of cases) assert.equal(totp(rfcSecret, t, 8), want);
});

test('base32 matches RFC 4648 section 10 and round-trips', () => {
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
  assert.equal(base32Encode(Buffer.from('fo')), 'MZXQ');
  assert.equal(base32Decode('MZXW6YTBOI======').toString(), 'foobar');
  assert.equal(base32Decode('mzxw 6ytb oi').toString(), 'foobar');
  assert.throws(() => base32Decode('MZ1'), /not base32/);
});

test('verifyTotp accepts one step of drift and refuses replays and malformed codes', () => {
  const t = 1111111111;
  const code = totp(rfcSecret, t);
  assert.equal(verifyTotp(rfcSecret, code, t, null), Math.floor(t / 30));
  assert.equal(verifyTotp(rfcSecret, code, t + 30, null), Math.floor(t / 30));
  assert.equal(verifyTotp(rfcSecret, code, t + 90, null), null);
  assert.equal(verifyTotp(rfcSecret, code, t, Math.floor(t / 30)), null);
  assert.equal(verifyTotp(rfcSecret, '12345', t, null), null);
});
