import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeviceTokens } from './device-tokens.ts';

const key = randomBytes(32);
const grant = { productKey: 'a1pk', deviceName: 'dev.1:x@y', dialect: 'things' as const, expiresAt: 2_000_000 };

describe('DeviceTokens', () => {
  it('gives back the grant of a token it issued, names with dots included', () => {
    const tokens = new DeviceTokens(key);
    expect(tokens.verify(tokens.issue(grant, 'secret'), 'secret', 1_000_000)).toEqual(grant);
    expect(DeviceTokens.peek(tokens.issue(grant, 'secret'))).toEqual(grant);
  });

  it('refuses expired tokens, other keys, other secrets and edited tokens', () => {
    const tokens = new DeviceTokens(key);
    const token = tokens.issue(grant, 'secret');
    expect(tokens.verify(token, 'secret', grant.expiresAt)).toEqual({ refused: 'token expired' });
    expect(new DeviceTokens(randomBytes(32)).verify(token, 'secret', 0)).toEqual({ refused: 'invalid token' });
    expect(tokens.verify(token, 'rotated', 0)).toEqual({ refused: 'invalid token' });
    const parts = token.split('.');
    expect(tokens.verify([...parts.slice(0, 3), String(grant.expiresAt + 1), parts[4]].join('.'), 'secret', 0)).toEqual({ refused: 'invalid token' });
    expect(tokens.verify([parts[0], parts[1], 'a', ...parts.slice(3)].join('.'), 'secret', 0)).toEqual({ refused: 'invalid token' });
    expect(tokens.verify('not.a.token', 'secret', 0)).toEqual({ refused: 'malformed token' });
    expect(tokens.verify(`${parts.slice(0, 4).join('.')}.`, 'secret', 0)).toEqual({ refused: 'invalid token' });
  });
});
