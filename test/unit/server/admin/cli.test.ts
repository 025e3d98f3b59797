import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../helpers/repo-root.js';

function admin(...args: string[]) {
  const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'server/admin/cli.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run admin', () => {
  it.each([['--help'], ['-h'], ['help'], ['user', 'add', '--help']])('%s prints the usage and exits 0', (...args) => {
    const { status, stdout, stderr } = admin(...args);
    expect(stderr).toBe('');
    expect(stdout.startsWith('usage: npm run admin -- <command>')).toBe(true);
    expect(stdout).toContain('user add ID');
    expect(status).toBe(0);
  });

  it('still refuses an unknown command with the usage and exit code 2', () => {
    const { status, stderr } = admin('frobnicate', 'now');
    expect(stderr.startsWith('error: unknown command "frobnicate now"')).toBe(true);
    expect(stderr).toContain('usage: npm run admin');
    expect(status).toBe(2);
  });
});
