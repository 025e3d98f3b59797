import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Two Kamailio nodes in network namespaces of their own share registrations over DMQ (docs/scale.md,
// "A second Kamailio"): what a second PBX host behind a dispatcher would rely on.
const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'pbx', 'dmq-pair', 'run.sh');

describe('a Kamailio pair sharing usrloc over DMQ', () => {
  it('finds on node B a user who registered at node A, and none before', { timeout: 60_000 }, async () => {
    const output = await new Promise<string>((resolve, reject) =>
      execFile('sh', [SCRIPT], { timeout: 50_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const [before = '', after = ''] = output.split('REGISTER alice at node A');
    expect(before).toContain('AOR not found');
    expect(after).toContain('received');
    expect(after).toMatch(/AoR: alice\s+Address: sip:alice@10\.77\.0\.1:5099/);
    expect(after.match(/status: active/g)).toHaveLength(2);
  });
});
