/**
 * What the installers write, checked from the configuration with electron-builder's own code where
 * it can run without the Electron runtime: the deb's dependencies, the NSIS include, the MSI's WiX
 * project (electron-builder's template and file list, then our msiProjectCreated patch), which
 * installations update themselves, and what the built main process loads at run time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { REPO_ROOT } from '../helpers/repo-root.js';
import { describe, expect, it } from 'vitest';
import {
  builderConfig,
  ELECTRON_BUILDER_DEB_DEPENDS,
  OWN_DEB_DEPENDS,
  patchMsiProject,
  WINDOWS_URL_SCHEMES,
} from '../../electron-builder.config.js';
import { updateRoute } from '../../electron/main/update-route.js';

const root = REPO_ROOT;
/** electron-builder's template engine (app-builder-lib depends on it; it ships no types). */
const ejs = createRequire(import.meta.url)('ejs') as { compile(template: string): (data: Record<string, unknown>) => string };
/** The YAML reader electron-updater parses the feed with. */
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

describe('Linux packages', () => {
  it('appends to electron-builder’s default deb dependencies instead of replacing them', async () => {
    const { default: FpmTarget } = (await import('app-builder-lib/out/targets/FpmTarget.js')) as unknown as {
      default: { prototype: { getDefaultDepends(target: string): string[] } };
    };
    expect([...ELECTRON_BUILDER_DEB_DEPENDS]).toEqual(FpmTarget.prototype.getDefaultDepends('deb'));
    const depends = builderConfig({}).deb!.depends!;
    expect(depends.slice(0, ELECTRON_BUILDER_DEB_DEPENDS.length)).toEqual([...ELECTRON_BUILDER_DEB_DEPENDS]);
    expect(depends).toEqual(expect.arrayContaining(['libgtk-3-0', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0']));
    expect(depends.slice(ELECTRON_BUILDER_DEB_DEPENDS.length)).toEqual([...OWN_DEB_DEPENDS]);
    expect(new Set(depends).size).toBe(depends.length);
  });

  it('makes the deb the primary Linux target', () => {
    const linux = builderConfig({}).linux!;
    expect(linux.target).toEqual(['deb', 'AppImage']);
    expect(linux.mimeTypes).toEqual(['x-scheme-handler/tel', 'x-scheme-handler/sip', 'x-scheme-handler/callto']);
  });
});

describe('which installations update themselves', () => {
  const files = (...names: string[]) => {
    const set = new Set(names.map((name) => join('/res', name)));
    return { resourcesPath: '/res', exists: (file: string) => set.has(file), read: () => 'deb\n' };
  };
  const base = { packaged: true, env: {} as NodeJS.ProcessEnv };

  it('NSIS, the macOS ZIP and the AppImage do; MSI, deb, unpackaged and switched-off ones do not', () => {
    expect(updateRoute({ ...base, platform: 'win32', ...files('app-update.yml') })).toEqual({ self: true });
    expect(updateRoute({ ...base, platform: 'darwin', ...files('app-update.yml') })).toEqual({ self: true });
    expect(updateRoute({ ...base, platform: 'linux', env: { APPIMAGE: '/opt/v.AppImage' }, ...files('app-update.yml') })).toEqual(
      { self: true },
    );
    // The MSI carries no app-update.yml (patchMsiProject).
    expect(updateRoute({ ...base, platform: 'win32', ...files() })).toMatchObject({ self: false });
    // deb: electron-builder writes package-type, and DebUpdater would ask for a root password.
    expect(updateRoute({ ...base, platform: 'linux', ...files('app-update.yml', 'package-type') })).toEqual({
      self: false,
      reason: 'deb package: updates come from the package manager',
    });
    expect(updateRoute({ ...base, platform: 'linux', ...files('app-update.yml') })).toMatchObject({ self: false });
    expect(
      updateRoute({ ...base, platform: 'win32', env: { VERMITTLUNG_DISABLE_UPDATES: '1' }, ...files('app-update.yml') }),
    ).toMatchObject({ self: false });
    expect(updateRoute({ ...base, packaged: false, platform: 'win32', ...files() })).toMatchObject({ self: false });
    expect(
      updateRoute({ ...base, packaged: false, platform: 'linux', env: { VERMITTLUNG_DEV_UPDATES: '1' }, ...files() }),
    ).toEqual({ self: true });
  });
});

describe('Windows: tel:, sip: and callto: per machine', () => {
  it('the NSIS include writes URL classes, URLAssociations and RegisteredApplications, and keeps them over updates', () => {
    const include = builderConfig({}).nsis!.include!;
    const nsh = readFileSync(join(root, include), 'utf8');
    for (const { scheme } of WINDOWS_URL_SCHEMES) {
      expect(nsh).toContain(`!insertmacro vermittlungRegisterScheme "${scheme}"`);
      expect(nsh).toContain(`!insertmacro vermittlungUnregisterScheme "${scheme}"`);
    }
    const register = nsh.slice(
      nsh.indexOf('!macro vermittlungRegisterScheme'),
      nsh.indexOf('!macro vermittlungUnregisterScheme'),
    );
    expect(register).toContain('WriteRegStr HKLM "Software\\Classes\\Vermittlung.Url.${SCHEME}" "URL Protocol" ""');
    expect(register).toContain(
      'WriteRegStr HKLM "Software\\Classes\\Vermittlung.Url.${SCHEME}\\shell\\open\\command" "" \'"$appExe" "%1"\'',
    );
    expect(register).toContain(
      'WriteRegStr HKLM "${VERMITTLUNG_CAPABILITIES}\\URLAssociations" "${SCHEME}" "Vermittlung.Url.${SCHEME}"',
    );
    expect(nsh).toContain('WriteRegStr HKLM "Software\\RegisteredApplications" "Vermittlung" "${VERMITTLUNG_CAPABILITIES}"');
    expect(nsh).not.toMatch(/HKCU|SHCTX/); // per machine, whatever the install mode
    const uninstall = nsh.slice(nsh.indexOf('!macro customUnInstall'));
    expect(uninstall.indexOf('${ifNot} ${isUpdated}')).toBeLessThan(uninstall.indexOf('DeleteRegValue'));
  });

  it('the MSI project gets the same registration and loses app-update.yml', async () => {
    const wxs = await electronBuilderMsiProject();
    expect(wxs).toContain('app-update.yml');
    const patched = patchMsiProject(wxs);
    const errors: string[] = [];
    const doc = new DOMParser({
      errorHandler: {
        warning: () => undefined,
        error: (e: unknown) => errors.push(String(e)),
        fatalError: (e: unknown) => errors.push(String(e)),
      },
    }).parseFromString(patched, 'text/xml');
    expect(errors).toEqual([]);
    const files = Array.from(doc.getElementsByTagName('File')).map((f) => f.getAttribute('Name'));
    expect(files).toEqual(expect.arrayContaining(['Vermittlung.exe', 'app.asar']));
    expect(files).not.toContain('app-update.yml');

    const values = Array.from(doc.getElementsByTagName('RegistryValue')).map((v) => ({
      root: v.getAttribute('Root'),
      key: v.getAttribute('Key'),
      name: v.hasAttribute('Name') ? v.getAttribute('Name') : null,
      value: v.getAttribute('Value'),
    }));
    expect(values.every((v) => v.root === 'HKLM')).toBe(true);
    for (const { scheme } of WINDOWS_URL_SCHEMES) {
      const progId = `Software\\Classes\\Vermittlung.Url.${scheme}`;
      expect(values).toContainEqual({ root: 'HKLM', key: progId, name: 'URL Protocol', value: '' });
      expect(values).toContainEqual({
        root: 'HKLM',
        key: `${progId}\\shell\\open\\command`,
        name: null,
        value: '"[#mainExecutable]" "%1"',
      });
      expect(values).toContainEqual({
        root: 'HKLM',
        key: 'Software\\Vermittlung\\Capabilities\\URLAssociations',
        name: scheme,
        value: `Vermittlung.Url.${scheme}`,
      });
    }
    expect(values).toContainEqual({
      root: 'HKLM',
      key: 'Software\\RegisteredApplications',
      name: 'Vermittlung',
      value: 'Software\\Vermittlung\\Capabilities',
    });
    // [#mainExecutable] must name a file of the project.
    expect(Array.from(doc.getElementsByTagName('File')).some((f) => f.getAttribute('Id') === 'mainExecutable')).toBe(true);
    // A change in electron-builder's file list must fail the build, not ship an MSI that updates itself.
    expect(() => patchMsiProject(wxs.replace('app-update.yml', 'something-else.yml'))).toThrow(/app-update\.yml/);
  });
});

/**
 * The WiX project electron-builder writes for our configuration: its own template
 * (templates/msi/template.xml, compiled as MsiTarget does) and its own file declaration over an
 * unpacked app with the files electron-builder puts there.
 */
async function electronBuilderMsiProject(): Promise<string> {
  const appOutDir = mkdtempSync(join(tmpdir(), 'vermittlung-win-unpacked-'));
  mkdirSync(join(appOutDir, 'resources'));
  for (const file of ['Vermittlung.exe', 'resources/app.asar', 'resources/app-update.yml', 'LICENSE.electron.txt']) {
    writeFileSync(join(appOutDir, file), 'x');
  }
  const config = builderConfig({});
  const { default: MsiTarget } = (await import('app-builder-lib/out/targets/MsiTarget.js')) as unknown as {
    default: { prototype: object };
  };
  const appInfo = {
    id: config.appId,
    productName: 'Vermittlung',
    productFilename: 'Vermittlung',
    sanitizedProductName: 'Vermittlung',
  };
  const target = Object.assign(Object.create(MsiTarget.prototype) as object, {
    packager: { appInfo, fileAssociations: [], expandMacro: (s: string) => s },
    options: config.msi,
  }) as unknown as {
    computeFileDeclaration(dir: string): Promise<{ files: string; dirs: string }>;
    iconId: string;
    upgradeCode: string;
  };
  const { files, dirs } = await target.computeFileDeclaration(appOutDir);
  const template = readFileSync(join(root, 'node_modules', 'app-builder-lib', 'templates', 'msi', 'template.xml'), 'utf8')
    .replace(/{{/g, '<%')
    .replace(/}}/g, '%>')
    .replace(/\${([^}]+)}/g, '<%=$1%>');
  return ejs.compile(template)({
    productName: 'Vermittlung',
    upgradeCode: target.upgradeCode,
    version: '1.2.0.0',
    manufacturer: 'Vermittlung',
    compressionLevel: 'high',
    iconPath: null,
    iconId: target.iconId,
    isRunAfterFinish: false,
    isAssisted: false,
    isPerMachine: true,
    programFilesId: 'ProgramFiles64Folder',
    installationDirectoryWixName: 'Vermittlung',
    menuCategory: null,
    isCreateDesktopShortcut: true,
    isCreateStartMenuShortcut: true,
    dirs,
    files,
  });
}

describe('the built main process', () => {
  it('bundles its JavaScript dependencies and requires only Electron, builtins, native modules and electron-updater', async () => {
    const { build } = await import('vite');
    const { MAIN_RUNTIME_MODULES } = await import('../../vite.electron.config.js');
    const outDir = mkdtempSync(join(tmpdir(), 'vermittlung-main-bundle-'));
    await build({
      configFile: join(root, 'vite.electron.config.ts'),
      mode: 'main',
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
    const bundle = readFileSync(join(outDir, 'main.cjs'), 'utf8');
    const required = new Set([...bundle.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]!));
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    const packages = [...required].filter((name) => !builtins.has(name));
    expect(packages.sort()).toEqual(['better-sqlite3', 'electron'].sort());
    // keytar and electron-updater come through createRequire at run time, never through import().
    expect(bundle).not.toMatch(/\bimport\(["'](?:keytar|electron-updater|uuid)["']\)/);
    expect(bundle).not.toMatch(/require\(["']uuid["']\)/);
    expect(MAIN_RUNTIME_MODULES).toEqual(expect.arrayContaining(['keytar', 'electron-updater']));
  }, 120_000);
});

describe('the update feed metadata electron-builder writes from this configuration', () => {
  /**
   * electron-builder's own update-info code (app-builder-lib out/publish/updateInfoBuilder.js and
   * PublishManager.getPublishConfigs) over a stand-in for the packager: the configuration, the
   * version and the platform are all it reads.
   */
  async function feedFiles(
    platform: 'linux' | 'win' | 'mac',
    version: string,
    artifact: string,
  ): Promise<Record<string, unknown>> {
    const { Arch, Platform } = await import('app-builder-lib');
    const { getPublishConfigs } = await import('app-builder-lib/out/publish/PublishManager.js');
    const { createUpdateInfoTasks, writeUpdateInfoFiles } = await import('app-builder-lib/out/publish/updateInfoBuilder.js');
    const config = builderConfig({ VERMITTLUNG_UPDATE_URL: 'https://updates.example.org/vermittlung/' });
    const target = { linux: Platform.LINUX, win: Platform.WINDOWS, mac: Platform.MAC }[platform];
    const channel = /-([a-z]+)/.exec(version)?.[1] ?? null;
    const appInfo = { version, channel };
    const info = { config, appInfo, metadata: { dependencies: { 'electron-updater': '6.8.10' } } };
    const packager = {
      platform: target,
      config,
      info,
      appInfo,
      platformSpecificBuildOptions: config[platform] ?? {},
      expandMacro: (value: string) => value,
      // No release-notes file in build/.
      getResource: () => Promise.resolve(null),
      emitArtifactCreated: () => Promise.resolve(),
    };
    const outDir = mkdtempSync(join(tmpdir(), 'vermittlung-feed-'));
    const file = join(outDir, artifact);
    writeFileSync(file, 'installer bytes');
    const publish = await getPublishConfigs(packager as never, null, Arch.x64, false);
    const tasks = await createUpdateInfoTasks(
      { packager, target: { outDir }, file, arch: Arch.x64, safeArtifactName: artifact } as never,
      publish ?? [],
    );
    await writeUpdateInfoFiles(tasks, packager as never);
    const result: Record<string, unknown> = {};
    for (const task of tasks) result[task.file.slice(outDir.length + 1)] = yaml.load(readFileSync(task.file, 'utf8'));
    return result;
  }

  it('a stable release writes latest*.yml and, for beta users, beta*.yml; a prerelease only beta*.yml', async () => {
    const linux = await feedFiles('linux', '1.2.0', 'Vermittlung-1.2.0.AppImage');
    expect(Object.keys(linux).sort()).toEqual(['alpha-linux.yml', 'beta-linux.yml', 'latest-linux.yml']);
    expect(linux['latest-linux.yml']).toMatchObject({
      version: '1.2.0',
      files: [{ url: 'Vermittlung-1.2.0.AppImage', sha512: createHash('sha512').update('installer bytes').digest('base64') }],
    });
    expect(Object.keys(await feedFiles('win', '1.2.0', 'Vermittlung Setup 1.2.0.exe'))).toContain('latest.yml');
    expect(Object.keys(await feedFiles('mac', '1.2.0', 'Vermittlung-1.2.0-universal-mac.zip'))).toContain('latest-mac.yml');
    const beta = await feedFiles('win', '1.3.0-beta.1', 'Vermittlung Setup 1.3.0-beta.1.exe');
    expect(Object.keys(beta).sort()).toEqual(['alpha.yml', 'beta.yml']);
    expect(beta['beta.yml']).toMatchObject({ version: '1.3.0-beta.1' });
  });
});
