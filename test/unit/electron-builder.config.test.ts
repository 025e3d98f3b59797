import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import type { Configuration } from 'electron-builder';
import { describe, expect, it } from 'vitest';
import { minimatch } from 'minimatch';
import { builderConfig, PLACEHOLDER_FEED } from '../../electron-builder.config.js';
import { workerEntryFor } from '../../electron/core/store/import/worker-host.js';
import { REPO_ROOT } from '../helpers/repo-root.js';

const root = REPO_ROOT;
const SIGNING_ENV = {
  VERMITTLUNG_RELEASE: '1',
  VERMITTLUNG_UPDATE_URL: 'https://updates.example.org/vermittlung/',
  VERMITTLUNG_WIN_PUBLISHER_NAME: 'Büroservice Muster GmbH',
};

function targets(list: unknown): string[] {
  return (list as ({ target: string } | string)[]).map((t) => (typeof t === 'string' ? t : t.target));
}

describe('electron-builder configuration', () => {
  it('is what electron-builder itself loads from the file, and passes its schema', async () => {
    const loaded = await getConfig(root, join(root, 'electron-builder.config.ts'), null);
    expect(loaded.appId).toBe('de.vermittlung.softphone');
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration(builderConfig(SIGNING_ENV), new DebugLogger(false))).resolves.toBeUndefined();
    await expect(
      validateConfiguration(
        builderConfig({
          ...SIGNING_ENV,
          AZURE_TRUSTED_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net',
          AZURE_CODE_SIGNING_ACCOUNT: 'a',
          AZURE_CERTIFICATE_PROFILE: 'p',
        }),
        new DebugLogger(false),
      ),
    ).resolves.toBeUndefined();
  });

  it('builds NSIS per machine + MSI, DMG + ZIP, deb + AppImage, in an asar with native modules unpacked', () => {
    const config = builderConfig({});
    expect(targets(config.win!.target)).toEqual(['nsis', 'msi']);
    expect(config.nsis).toMatchObject({ oneClick: true, perMachine: true });
    expect(config.msi).toMatchObject({ perMachine: true });
    expect(targets(config.mac!.target)).toEqual(['dmg', 'zip']);
    expect(targets(config.linux!.target)).toEqual(['deb', 'AppImage']);
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.npmRebuild).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*', 'resources/**/*']));
    expect(config.protocols).toEqual([
      { name: 'Telefonnummer', schemes: ['tel', 'callto'] },
      { name: 'SIP', schemes: ['sip'] },
    ]);
  });

  it('unpacks the import worker and better-sqlite3 from the asar, and the app finds the worker there', () => {
    const unpack = builderConfig({}).asarUnpack as string[];
    const unpacked = (file: string) => unpack.some((pattern) => minimatch(file, pattern, { dot: true }));
    // The paths vite.electron.config.ts writes and electron-builder then packs.
    expect(unpacked('dist/electron/import-worker.cjs')).toBe(true);
    expect(unpacked('dist/electron/main.cjs')).toBe(false);
    expect(unpacked('node_modules/better-sqlite3/lib/database.js')).toBe(true);
    expect(unpacked('node_modules/bindings/bindings.js')).toBe(true);
    expect(unpacked('node_modules/file-uri-to-path/index.js')).toBe(true);
    expect(unpacked('node_modules/zod/index.js')).toBe(false);

    // Packaged: main.cjs lives in the archive, the worker next to it in app.asar.unpacked.
    expect(workerEntryFor('/opt/Vermittlung/resources/app.asar/dist/electron/main.cjs').file).toBe(
      '/opt/Vermittlung/resources/app.asar.unpacked/dist/electron/import-worker.cjs',
    );
    expect(workerEntryFor('C:\\Program Files\\Vermittlung\\resources\\app.asar\\dist\\electron\\main.cjs').file).toBe(
      'C:\\Program Files\\Vermittlung\\resources\\app.asar.unpacked\\dist\\electron\\import-worker.cjs',
    );
    expect(workerEntryFor('/Applications/Vermittlung.app/Contents/Resources/app.asar/dist/electron/main.cjs').file).toBe(
      '/Applications/Vermittlung.app/Contents/Resources/app.asar.unpacked/dist/electron/import-worker.cjs',
    );
    // Unpackaged (electron . / dist) and sources: next to the module, untouched.
    expect(workerEntryFor('/work/app.asarx/dist/electron/main.cjs').file).toBe('/work/app.asarx/dist/electron/import-worker.cjs');
    expect(workerEntryFor('/work/dist/electron/main.cjs').file).toBe('/work/dist/electron/import-worker.cjs');
    expect(workerEntryFor('/work/electron/core/store/import/worker-host.ts').file).toBe(
      '/work/electron/core/store/import/import-worker.ts',
    );
  });

  it('sets every fuse explicitly and locks the binary down', () => {
    expect(builderConfig({}).electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: true,
    });
  });

  it('publishes to a generic HTTPS feed from the environment, never a hard-coded one', () => {
    expect(builderConfig({}).publish).toEqual([{ provider: 'generic', url: PLACEHOLDER_FEED }]);
    expect(builderConfig(SIGNING_ENV).publish).toEqual([
      { provider: 'generic', url: 'https://updates.example.org/vermittlung/' },
    ]);
    expect(builderConfig({}).generateUpdatesFilesForAllChannels).toBe(true);
    expect(() => builderConfig({ VERMITTLUNG_UPDATE_URL: 'http://updates.example.org/' })).toThrow(/https/);
    expect(() => builderConfig({ VERMITTLUNG_RELEASE: '1' })).toThrow(/VERMITTLUNG_UPDATE_URL/);
    expect(() => builderConfig({ ...SIGNING_ENV, VERMITTLUNG_WIN_PUBLISHER_NAME: '' })).toThrow(/PUBLISHER/);
  });

  it('takes signing from the environment only: publisher check on, notarization by env, forced for releases', () => {
    const dev = builderConfig({});
    expect(dev.forceCodeSigning).toBe(false);
    expect(dev.win!.verifyUpdateCodeSignature).toBe(true);
    expect(dev.mac).toMatchObject({ hardenedRuntime: true, notarize: false, entitlements: 'build/entitlements.mac.plist' });
    const release = builderConfig({ ...SIGNING_ENV, APPLE_TEAM_ID: 'TEAM' });
    expect(release.forceCodeSigning).toBe(true);
    expect(release.mac!.notarize).toBe(true);
    expect(release.win!.signtoolOptions).toEqual({ signingHashAlgorithms: ['sha256'], publisherName: 'Büroservice Muster GmbH' });
    const azure = builderConfig({
      ...SIGNING_ENV,
      AZURE_TRUSTED_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net',
      AZURE_CODE_SIGNING_ACCOUNT: 'buero',
      AZURE_CERTIFICATE_PROFILE: 'vermittlung',
    });
    expect(azure.win!.azureSignOptions).toMatchObject({
      codeSigningAccountName: 'buero',
      publisherName: 'Büroservice Muster GmbH',
    });
    expect(azure.win!.signtoolOptions).toBeUndefined();
    expect(() => builderConfig({ AZURE_CODE_SIGNING_ACCOUNT: 'buero' })).toThrow(/Azure Trusted Signing needs/);

    // No certificate, password or key in the config or anywhere in build/.
    const source = readFileSync(join(root, 'electron-builder.config.ts'), 'utf8');
    for (const forbidden of [
      /certificateFile\s*:/,
      /certificatePassword\s*:/,
      /\.(pfx|p12|pem|key)['"]/,
      /cscLink\s*:/,
      /cscKeyPassword\s*:/,
    ]) {
      expect(source).not.toMatch(forbidden);
    }
    const serialized = JSON.stringify(builderConfig(SIGNING_ENV) satisfies Configuration);
    expect(serialized).not.toMatch(/password|client_?secret|\.pfx|\.p12/i);
  });

  it('ships the icons and installer resources it names', () => {
    for (const file of ['build/icon.ico', 'build/icon.icns', 'build/icons/256x256.png', 'build/entitlements.mac.plist']) {
      expect(readFileSync(join(root, file)).length, file).toBeGreaterThan(0);
    }
    for (const status of ['available', 'away', 'dnd', 'offline', 'in-call']) {
      const png = readFileSync(join(root, 'resources', 'tray', `${status}.png`));
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(16); // width
      expect(readFileSync(join(root, 'resources', 'tray', `${status}@2x.png`)).readUInt32BE(16)).toBe(32);
    }
    const ico = readFileSync(join(root, 'build', 'icon.ico'));
    expect(ico.readUInt16LE(2)).toBe(1);
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(5);
    const icns = readFileSync(join(root, 'build', 'icon.icns'));
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
  });
});

describe('fuses as electron-builder flips them', () => {
  it('sets the intended bits in an Electron binary (a stand-in with the real fuse wire layout)', async () => {
    const { FuseV1Options, flipFuses, getCurrentFuseWire } = await import('@electron/fuses');
    // The wire holds ASCII '1' (on) or '0' (off) per fuse.
    const ENABLE = 0x31;
    const DISABLE = 0x30;
    const { PlatformPackager } = await import('app-builder-lib');
    // Electron's shipped defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on,
    // ASAR integrity off, only-ASAR off, V8 snapshot off, file:// privileges on.
    const shipped = '10110001';
    const binary = join(mkdtempSync(join(tmpdir(), 'vermittlung-fuses-')), 'vermittlung');
    writeFileSync(
      binary,
      Buffer.concat([
        randomBytes(4096),
        Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
        Buffer.from([1, shipped.length]),
        Buffer.from(shipped),
        randomBytes(4096),
      ]),
    );
    // electron-builder's own translation of `electronFuses` for @electron/fuses; it uses no instance state.
    const packager = Object.create(PlatformPackager.prototype) as {
      generateFuseConfig(fuses: unknown): Promise<Parameters<typeof flipFuses>[1]>;
    };
    await flipFuses(binary, await packager.generateFuseConfig(builderConfig({}).electronFuses));
    const wire = (await getCurrentFuseWire(binary)) as unknown as Record<number, number>;
    const state = (fuse: number) => (wire[fuse] === ENABLE ? 'on' : wire[fuse] === DISABLE ? 'off' : 'other');
    expect({
      runAsNode: state(FuseV1Options.RunAsNode),
      cookieEncryption: state(FuseV1Options.EnableCookieEncryption),
      nodeOptions: state(FuseV1Options.EnableNodeOptionsEnvironmentVariable),
      inspect: state(FuseV1Options.EnableNodeCliInspectArguments),
      asarIntegrity: state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation),
      onlyAsar: state(FuseV1Options.OnlyLoadAppFromAsar),
      v8Snapshot: state(FuseV1Options.LoadBrowserProcessSpecificV8Snapshot),
      fileProtocolPrivileges: state(FuseV1Options.GrantFileProtocolExtraPrivileges),
    }).toEqual({
      runAsNode: 'off',
      cookieEncryption: 'on',
      nodeOptions: 'off',
      inspect: 'off',
      asarIntegrity: 'on',
      onlyAsar: 'on',
      v8Snapshot: 'off',
      fileProtocolPrivileges: 'off',
    });
  });
});
