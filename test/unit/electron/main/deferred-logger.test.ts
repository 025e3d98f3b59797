import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileLogger } from '../../../../electron/core/log/logger.js';
import { DeferredLogger } from '../../../../electron/main/deferred-logger.js';

describe('DeferredLogger', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes to stderr before attach and to the file with dotted sources after, also for children made earlier', () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const deferred = new DeferredLogger('desktop');
    const links = deferred.child('links');
    links.warn('early link', { url: 'tel:1' });
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(String(stderr.mock.calls[0]?.[0])).toContain('[desktop] warn: early link');

    const dir = mkdtempSync(join(tmpdir(), 'vm-log-'));
    dirs.push(dir);
    deferred.attach(new FileLogger(dir));
    links.info('late link');
    deferred.error('boom', { code: 7 });
    links.child('tel').info('deeper');

    const lines = readFileSync(join(dir, 'vermittlung.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line['source'], line['level'], line['message']])).toEqual([
      ['desktop.links', 'info', 'late link'],
      ['desktop', 'error', 'boom'],
      ['desktop.links.tel', 'info', 'deeper'],
    ]);
    expect(lines[1]).toMatchObject({ code: 7 });
    expect(stderr).toHaveBeenCalledTimes(1);
  });
});
