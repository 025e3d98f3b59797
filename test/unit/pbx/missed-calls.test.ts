import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missedCallsDir, parseClosedLine, spoolClosedCall } from '../../../pbx/missed-calls.js';

const LINE =
  ' 2(26644) NOTICE: {1 61524 INVITE e648f0d1} <script>: FIRMDAY-CLOSED tenant=tischlerei caller=+4917612345678 dialled=+492211234567 callid=e648f0d1@host notdienst=-';

describe('calls to a closed firm, from the PBX log to the spool', () => {
  it("reads Kamailio's FIRMDAY-CLOSED line and nothing else", () => {
    expect(parseClosedLine(LINE, new Date('2026-12-07T20:00:00Z'))).toEqual({
      tenant: 'tischlerei',
      caller: '+4917612345678',
      dialled: '+492211234567',
      callId: 'e648f0d1@host',
      at: '2026-12-07T20:00:00.000Z',
    });
    expect(parseClosedLine('INFO: firm tischlerei is in mode closed')).toBeUndefined();
    expect(parseClosedLine(LINE.replace('tenant=tischlerei', 'tenant=../etc'))).toBeUndefined();
  });

  it('writes one JSON file per call, whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'missed-'));
    try {
      spoolClosedCall(dir, LINE);
      spoolClosedCall(dir, 'some other line');
      const files = readdirSync(missedCallsDir(dir));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^\d+-e648f0d1_host\.json$/);
      expect(JSON.parse(readFileSync(join(missedCallsDir(dir), files[0]!), 'utf8'))).toMatchObject({ tenant: 'tischlerei' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
