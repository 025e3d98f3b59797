import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../../../electron/core/log/logger.js';
import { PbxConnection } from '../../../../../electron/core/pbx/pbx-connection.js';
import type { PbxState } from '../../../../../protocol/index.js';

const silent: Logger = {
  log: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

async function settle(connection: PbxConnection): Promise<PbxState[]> {
  const states: PbxState[] = [];
  connection.onState((state) => states.push(state));
  connection.connect();
  await new Promise((resolve) => setTimeout(resolve, 300));
  connection.close();
  return states;
}

describe('PBX login without a usable certificate', () => {
  it('says the certificate expired (not "no identity") and makes no login attempt', async () => {
    let asked = 0;
    const connection = new PbxConnection({
      endpoint: () => {
        asked++;
        return undefined;
      },
      whyNoEndpoint: () => 'certificate_expired',
      log: silent,
      baseDelayMs: 10,
    });
    const states = await settle(connection);
    expect(states.find((s) => s.state === 'failed')).toMatchObject({ error: { code: 'certificate_expired' } });
    expect(states.some((s) => s.state === 'connecting')).toBe(false);
    // A refusal that time cannot cure is not retried.
    expect(asked).toBe(1);
  });

  it('says "no identity" when none was imported', async () => {
    const states = await settle(
      new PbxConnection({ endpoint: () => undefined, whyNoEndpoint: () => 'no_identity', log: silent }),
    );
    expect(states.find((s) => s.state === 'failed')).toMatchObject({ error: { code: 'no_identity' } });
  });
});
