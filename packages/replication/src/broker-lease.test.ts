import { describe, expect, it } from 'vitest';
import { BrokerLease } from './broker-lease.js';

describe('BrokerLease', () => {
  it('is held for the session timeout from when the answered heartbeat was sent', () => {
    const lease = new BrokerLease(300);
    expect(lease.isValid(0)).toBe(false);
    lease.heartbeatAnswered(100);
    expect(lease.isValid(399)).toBe(true);
    expect(lease.isValid(400)).toBe(false);
    // A late answer to an older heartbeat never shortens it.
    lease.heartbeatAnswered(50);
    expect(lease.expiresAtMs).toBe(400);
    lease.revoke();
    expect(lease.isValid(200)).toBe(false);
    lease.heartbeatAnswered(250);
    expect(lease.isValid(500)).toBe(true);
  });
});
