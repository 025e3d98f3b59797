import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../../../protocol/index.js';
import { HostError } from '../../../../protocol/index.js';
import type { Logger } from '../../../../electron/core/log/logger.js';
import { classifyUpdateError, UpdatePolicy, type Timers, type UpdaterLike } from '../../../../electron/main/update-policy.js';

/** Shaped like electron-updater's AppUpdater: the same properties, events and methods. */
class StubUpdater extends EventEmitter implements UpdaterLike {
  channel: string | null = null;
  allowPrerelease = false;
  allowDowngrade = true;
  autoDownload = false;
  autoInstallOnAppQuit = true;
  installs: [boolean | undefined, boolean | undefined][] = [];
  nextCheck: () => Promise<unknown> = () => Promise.resolve(null);
  checks = 0;
  checkForUpdates(): Promise<unknown> {
    this.checks++;
    this.emit('checking-for-update');
    return this.nextCheck();
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push([isSilent, isForceRunAfter]);
  }
}

function setup(channel: 'stable' | 'beta' = 'stable') {
  const updater = new StubUpdater();
  const statuses: UpdateStatus[] = [];
  const warnings: string[] = [];
  const log: Logger = {
    log: () => undefined,
    info: () => undefined,
    warn: (message, context) => warnings.push(`${message} ${JSON.stringify(context)}`),
    error: () => undefined,
    child: () => log,
  };
  const scheduled: { kind: string; ms: number; fn: () => void }[] = [];
  const timers: Timers = {
    setTimeout: (fn, ms) => scheduled.push({ kind: 'timeout', ms, fn }),
    setInterval: (fn, ms) => scheduled.push({ kind: 'interval', ms, fn }),
    clear: () => undefined,
  };
  const policy = new UpdatePolicy(updater, {
    currentVersion: '1.0.0',
    channel,
    log,
    onStatus: (s) => statuses.push(s),
    timers,
    now: () => new Date('2030-01-01T00:00:00Z'),
  });
  const download = (version = '1.1.0') => {
    updater.emit('update-available', { version });
    updater.emit('download-progress', { percent: 50 });
    updater.emit('update-downloaded', { version });
  };
  return { updater, policy, statuses, warnings, scheduled, download };
}

describe('update policy', () => {
  it('checks shortly after start and every few hours, downloading in the background', async () => {
    const { updater, policy, scheduled, statuses } = setup();
    expect(updater.autoDownload).toBe(true);
    policy.start();
    expect(scheduled.map((s) => s.kind)).toEqual(['timeout', 'interval']);
    expect(scheduled[1]!.ms).toBeGreaterThanOrEqual(60 * 60 * 1000);
    expect(scheduled[1]!.ms).toBeLessThanOrEqual(12 * 60 * 60 * 1000);
    updater.nextCheck = () => {
      updater.emit('update-not-available', { version: '1.0.0' });
      return Promise.resolve(null);
    };
    scheduled[0]!.fn();
    scheduled[1]!.fn();
    await policy.check();
    expect(updater.checks).toBe(1); // concurrent checks collapse into one
    expect(statuses.at(-1)).toMatchObject({ state: 'up-to-date', checkedAt: '2030-01-01T00:00:00.000Z' });
  });

  it('maps the channel to the feed file and never downgrades', () => {
    const stable = setup('stable');
    expect(stable.updater).toMatchObject({ channel: 'latest', allowPrerelease: false, allowDowngrade: false });
    const beta = setup('beta');
    expect(beta.updater).toMatchObject({ channel: 'beta', allowPrerelease: true, allowDowngrade: false });
    stable.policy.setChannel('beta');
    expect(stable.updater).toMatchObject({ channel: 'beta', allowPrerelease: true, allowDowngrade: false });
    expect(stable.updater.checks).toBe(1); // a channel switch looks at the new feed at once
    expect(stable.policy.status().channel).toBe('beta');
  });

  it('installs when the user agrees and no call is active', () => {
    const { updater, policy, download } = setup();
    download();
    expect(policy.status()).toMatchObject({ state: 'downloaded', version: '1.1.0' });
    expect(updater.autoInstallOnAppQuit).toBe(true);
    expect(policy.install()).toMatchObject({ state: 'installing' });
    expect(updater.installs).toEqual([[true, true]]);
  });

  it('never installs on request during a call: the request waits for the hang-up; install-on-quit stays armed', () => {
    const { updater, policy, download } = setup();
    policy.setCallActive(true);
    download();
    // electron-updater arms install-on-quit only if the flag is true when the download finishes.
    expect(updater.autoInstallOnAppQuit).toBe(true);
    expect(policy.install()).toMatchObject({ state: 'install-deferred' });
    expect(updater.installs).toEqual([]);
    policy.setCallActive(true);
    expect(updater.installs).toEqual([]);
    policy.setCallActive(false);
    expect(updater.installs).toEqual([[true, true]]);
    expect(policy.status().state).toBe('installing');
  });

  it('refuses "install now" when nothing verified has been downloaded', () => {
    const { updater, policy } = setup();
    expect(() => policy.install()).toThrow(HostError);
    expect(updater.installs).toEqual([]);
  });

  it('reports an unreachable feed without crashing or installing', async () => {
    const { updater, policy, warnings } = setup();
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND updates.example.org'), { code: 'ENOTFOUND' });
    updater.nextCheck = () => {
      updater.emit('error', error);
      return Promise.reject(error);
    };
    const status = await policy.check();
    expect(status).toMatchObject({ state: 'error', error: { code: 'feed_unreachable' } });
    expect(warnings).toHaveLength(1); // emitted and rejected: logged once
    expect(updater.installs).toEqual([]);
    expect(() => policy.install()).toThrow(HostError);
  });

  it('throws away a download whose signature or checksum is wrong, also for install-on-quit', () => {
    const { updater, policy, download } = setup();
    download('1.1.0');
    expect(updater.autoInstallOnAppQuit).toBe(true);
    updater.emit(
      'error',
      Object.assign(new Error('New version 1.2.0 is not signed by the application owner: publisherNames: Büroservice GmbH'), {
        code: 'ERR_UPDATER_INVALID_SIGNATURE',
      }),
    );
    expect(policy.status()).toMatchObject({ state: 'error', error: { code: 'signature_invalid' } });
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(() => policy.install()).toThrow(HostError);
    expect(updater.installs).toEqual([]);
  });

  it('throws away a download whose checksum is wrong, also for install-on-quit', () => {
    const { updater, policy, download } = setup();
    download('1.1.0');
    updater.emit(
      'error',
      Object.assign(new Error('sha512 checksum mismatch, expected abc, got def'), { code: 'ERR_CHECKSUM_MISMATCH' }),
    );
    expect(policy.status()).toMatchObject({ state: 'error', error: { code: 'checksum_mismatch' } });
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(() => policy.install()).toThrow(HostError);
    expect(updater.installs).toEqual([]);
  });

  it('takes a signature refusal that talks of certificates for what it is, not for a feed problem', () => {
    const { updater, policy, download } = setup();
    download('1.1.0');
    // NsisUpdater appends Windows' own verdict, which names the certificate chain.
    const error = Object.assign(
      new Error(
        'New version 1.1.0 is not signed by the application owner: A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.',
      ),
      { code: 'ERR_UPDATER_INVALID_SIGNATURE' },
    );
    expect(classifyUpdateError(error)).toBe('signature_invalid');
    updater.emit('error', error);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(() => policy.install()).toThrow(HostError);
  });

  it('keeps install-on-quit armed through a call that began after the download, installing nothing by itself', () => {
    const { updater, policy, download } = setup();
    download();
    expect(updater.autoInstallOnAppQuit).toBe(true);
    policy.setCallActive(true);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    policy.setCallActive(false);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    expect(updater.installs).toEqual([]);
  });

  it('classifies the errors electron-updater raises', () => {
    expect(
      classifyUpdateError(
        Object.assign(new Error('sha512 checksum mismatch, expected a, got b'), { code: 'ERR_CHECKSUM_MISMATCH' }),
      ),
    ).toBe('checksum_mismatch');
    expect(classifyUpdateError(Object.assign(new Error('404 Not Found'), { statusCode: 404 }))).toBe('feed_unreachable');
    expect(classifyUpdateError(new Error('net::ERR_CONNECTION_REFUSED'))).toBe('feed_unreachable');
    expect(classifyUpdateError(new Error('something else'))).toBe('unknown');
    expect(classifyUpdateError('a string')).toBe('unknown');
  });

  it('reports a failing quitAndInstall as an error instead of throwing', () => {
    const { updater, policy, download } = setup();
    download();
    updater.quitAndInstall = () => {
      throw new Error('installer missing');
    };
    expect(policy.install()).toMatchObject({ state: 'error', error: { code: 'unknown' } });
  });
});
