/**
 * Packaging: installers for Windows (NSIS per machine, MSI), macOS (DMG, and the ZIP that
 * electron-updater needs) and Linux (deb, and an AppImage with the limits docs/it-rollout.md
 * names), the Electron fuses, and the update feed.
 *
 * Everything secret or site-specific comes from the environment of the build machine, never from
 * this repository (docs/it-rollout.md lists the variables):
 *   VERMITTLUNG_UPDATE_URL            HTTPS base URL of the update feed IT hosts
 *   VERMITTLUNG_WIN_PUBLISHER_NAME    the signing certificate's subject CN; updates must carry it
 *   VERMITTLUNG_RELEASE=1             a release build: refuses to build unsigned or without a feed
 *   CSC_LINK / CSC_KEY_PASSWORD       code-signing certificate (Windows .pfx, macOS Developer ID .p12)
 *   AZURE_TRUSTED_SIGNING_ENDPOINT, AZURE_CODE_SIGNING_ACCOUNT, AZURE_CERTIFICATE_PROFILE
 *                                     Azure Trusted Signing instead of a certificate file
 *                                     (credentials: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)
 *   APPLE_ID / APPLE_APP_SPECIFIC_PASSWORD / APPLE_TEAM_ID   notarization
 *
 *   npx electron-builder --config electron-builder.config.ts --linux
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Configuration } from 'electron-builder';

/** The feed of a development build: a reserved name that never resolves, so nothing is fetched. */
export const PLACEHOLDER_FEED = 'https://updates.invalid/vermittlung/';

/**
 * Native modules cannot be loaded from inside the archive, nor can a worker thread's entry: the
 * import worker (`dist/electron/import-worker.cjs`, self-contained but for better-sqlite3) runs from
 * `app.asar.unpacked` (worker-host.ts workerEntryFor), where require() finds better-sqlite3 and the
 * two packages it loads its addon with only when they are unpacked too.
 */
export const ASAR_UNPACK = [
  '**/*.node',
  'dist/electron/import-worker.cjs',
  'node_modules/better-sqlite3/**',
  'node_modules/bindings/**',
  'node_modules/file-uri-to-path/**',
] as const;

/**
 * electron-builder's own deb dependencies (app-builder-lib FpmTarget getDefaultDepends('deb')). A
 * `depends` list replaces them instead of adding to them, so they are repeated here, ours appended;
 * test/unit/distribution/packaging.test.ts fails when electron-builder changes its list.
 */
export const ELECTRON_BUILDER_DEB_DEPENDS = [
  'libgtk-3-0',
  'libnotify4',
  'libnss3',
  'libxss1',
  'libxtst6',
  'xdg-utils',
  'libatspi2.0-0',
  'libuuid1',
  'libsecret-1-0',
] as const;
/** Chromium links against GBM and ALSA; a softphone without sound is no phone (Ubuntu 24.04 renamed ALSA's package). */
export const OWN_DEB_DEPENDS = ['libgbm1', 'libasound2t64 | libasound2'] as const;

/** Per-machine registration for tel:, sip: and callto: — the MSI's share of build/installer.nsh. */
export const WINDOWS_URL_SCHEMES = [
  { scheme: 'tel', description: 'URL:Telefonnummer' },
  { scheme: 'callto', description: 'URL:Telefonnummer' },
  { scheme: 'sip', description: 'URL:SIP' },
] as const;
const CAPABILITIES_KEY = 'Software\\Vermittlung\\Capabilities';

/**
 * Rewrites electron-builder's WiX project before it is compiled: the MSI gets the URL classes,
 * Capabilities\URLAssociations and the RegisteredApplications entry (electron-builder writes none),
 * and loses `resources/app-update.yml`, so an MSI installation never updates itself through the
 * NSIS feed — IT's software distribution owns it (electron/main/update-route.ts).
 */
export function patchMsiProject(wxs: string): string {
  const updateConfig = /<Component\b[^>]*>\s*<File Name="app-update\.yml"[^>]*\/>\s*<\/Component>/g;
  const withoutUpdates = wxs.replace(updateConfig, '');
  if (withoutUpdates === wxs) throw new Error('MSI project: no app-update.yml component found to remove');
  const exe = '&quot;[#mainExecutable]&quot;';
  const value = (key: string, name: string | undefined, data: string, keyPath = false) =>
    `<RegistryValue Root="HKLM" Key="${key}"${name === undefined ? '' : ` Name="${name}"`} Type="string" Value="${data}"${keyPath ? ' KeyPath="yes"' : ''}/>`;
  const values = [
    value(CAPABILITIES_KEY, 'ApplicationName', 'Vermittlung', true),
    value(CAPABILITIES_KEY, 'ApplicationDescription', 'Softphone'),
    ...WINDOWS_URL_SCHEMES.flatMap(({ scheme, description }) => {
      const progId = `Software\\Classes\\Vermittlung.Url.${scheme}`;
      return [
        value(progId, undefined, description),
        value(progId, 'URL Protocol', ''),
        value(`${progId}\\DefaultIcon`, undefined, `${exe},0`),
        value(`${progId}\\shell\\open\\command`, undefined, `${exe} &quot;%1&quot;`),
        value(`${CAPABILITIES_KEY}\\URLAssociations`, scheme, `Vermittlung.Url.${scheme}`),
      ];
    }),
    value('Software\\RegisteredApplications', 'Vermittlung', CAPABILITIES_KEY),
  ];
  const component = [
    '<Component Id="vermittlungUrlAssociations" Directory="APPLICATIONFOLDER" Guid="{6F1C0E52-3C1B-4E0B-9B8A-5D2F7A1E4C31}">',
    ...values.map((line) => `  ${line}`),
    '</Component>',
  ].join('\n      ');
  const end = withoutUpdates.lastIndexOf('</ComponentGroup>');
  if (end < 0) throw new Error('MSI project: no ComponentGroup to add the URL registration to');
  return `${withoutUpdates.slice(0, end)}  ${component}\n    ${withoutUpdates.slice(end)}`;
}

/** electron-builder's `msiProjectCreated` hook: patches the project file in place. */
export async function patchMsiProjectFile(file: string): Promise<void> {
  await writeFile(file, patchMsiProject(await readFile(file, 'utf8')));
}

export function builderConfig(env: NodeJS.ProcessEnv = process.env): Configuration {
  const release = env.VERMITTLUNG_RELEASE === '1';
  const feed = env.VERMITTLUNG_UPDATE_URL ?? (release ? undefined : PLACEHOLDER_FEED);
  if (!feed) throw new Error('VERMITTLUNG_UPDATE_URL must be set for a release build');
  if (new URL(feed).protocol !== 'https:') throw new Error('VERMITTLUNG_UPDATE_URL must be an https:// URL');
  const publisherName = env.VERMITTLUNG_WIN_PUBLISHER_NAME || undefined;
  if (release && !publisherName) throw new Error('VERMITTLUNG_WIN_PUBLISHER_NAME must be set for a release build');
  const azureWanted = Boolean(env.AZURE_TRUSTED_SIGNING_ENDPOINT || env.AZURE_CODE_SIGNING_ACCOUNT);
  if (
    azureWanted &&
    !(env.AZURE_TRUSTED_SIGNING_ENDPOINT && env.AZURE_CODE_SIGNING_ACCOUNT && env.AZURE_CERTIFICATE_PROFILE && publisherName)
  ) {
    throw new Error(
      'Azure Trusted Signing needs AZURE_TRUSTED_SIGNING_ENDPOINT, AZURE_CODE_SIGNING_ACCOUNT, AZURE_CERTIFICATE_PROFILE and VERMITTLUNG_WIN_PUBLISHER_NAME',
    );
  }
  const azure = azureWanted
    ? {
        endpoint: env.AZURE_TRUSTED_SIGNING_ENDPOINT!,
        codeSigningAccountName: env.AZURE_CODE_SIGNING_ACCOUNT!,
        certificateProfileName: env.AZURE_CERTIFICATE_PROFILE!,
        publisherName: publisherName!,
      }
    : undefined;

  return {
    appId: 'de.vermittlung.softphone',
    productName: 'Vermittlung',
    executableName: 'vermittlung',
    copyright: 'Vermittlung',
    directories: { buildResources: 'build', output: 'release' },
    files: ['dist/**/*', 'resources/**/*', '!resources/**/*.svg', 'package.json', '!**/*.map'],
    asar: true,
    asarUnpack: [...ASAR_UNPACK],
    // better-sqlite3 and keytar are rebuilt against Electron's ABI (@electron/rebuild) at packaging.
    npmRebuild: true,
    nodeGypRebuild: false,
    buildDependenciesFromSource: false,
    // Flipped in the Electron binary itself before signing, so the signature covers them.
    electronFuses: {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      // LoadBrowserProcessSpecificV8Snapshot stays at Electron's default (off): electron-builder's
      // schema does not accept it, and the app ships no custom snapshot.
      resetAdHocDarwinSignature: true,
    },
    protocols: [
      { name: 'Telefonnummer', schemes: ['tel', 'callto'] },
      { name: 'SIP', schemes: ['sip'] },
    ],
    forceCodeSigning: release,
    // x.y.z-beta.n versions go to beta.yml; beta.yml also lists newer stable releases.
    detectUpdateChannel: true,
    generateUpdatesFilesForAllChannels: true,
    publish: [{ provider: 'generic', url: feed }],

    win: {
      target: [
        { target: 'nsis', arch: ['x64'] },
        { target: 'msi', arch: ['x64'] },
      ],
      icon: 'build/icon.ico',
      // electron-updater refuses an update not signed by this publisher (app-update.yml).
      verifyUpdateCodeSignature: true,
      ...(azure
        ? { azureSignOptions: azure }
        : { signtoolOptions: { signingHashAlgorithms: ['sha256'], ...(publisherName ? { publisherName } : {}) } }),
    },
    nsis: {
      oneClick: true,
      perMachine: true,
      allowElevation: true,
      runAfterFinish: false,
      deleteAppDataOnUninstall: false,
      createDesktopShortcut: true,
      createStartMenuShortcut: true,
      differentialPackage: true,
      // URL classes, Capabilities\\URLAssociations and RegisteredApplications for tel:/sip:/callto:.
      include: 'build/installer.nsh',
    },
    msiProjectCreated: patchMsiProjectFile,
    msi: {
      oneClick: true,
      perMachine: true,
      runAfterFinish: false,
      createDesktopShortcut: true,
    },

    mac: {
      target: [
        { target: 'dmg', arch: ['universal'] },
        { target: 'zip', arch: ['universal'] },
      ],
      icon: 'build/icon.icns',
      category: 'public.app-category.business',
      hardenedRuntime: true,
      gatekeeperAssess: false,
      entitlements: 'build/entitlements.mac.plist',
      entitlementsInherit: 'build/entitlements.mac.plist',
      // Notarization needs the APPLE_* variables; a development build on a Mac skips it.
      notarize: Boolean(env.APPLE_TEAM_ID),
      extendInfo: {
        NSMicrophoneUsageDescription:
          'Vermittlung braucht das Mikrofon für Telefonate. / Vermittlung needs the microphone for calls.',
      },
    },
    dmg: { sign: false },

    linux: {
      // deb first: it installs the Chromium sandbox helper and an AppArmor profile (Ubuntu 24.04
      // refuses the AppImage's sandbox without one) and takes its updates from the package channel.
      target: ['deb', 'AppImage'],
      icon: 'build/icons',
      category: 'Office',
      synopsis: 'Softphone for office services and craft businesses',
      mimeTypes: ['x-scheme-handler/tel', 'x-scheme-handler/sip', 'x-scheme-handler/callto'],
      maintainer: 'Vermittlung IT',
    },
    deb: {
      // keytar talks to the desktop keyring through libsecret-1-0, which is among the defaults.
      depends: [...ELECTRON_BUILDER_DEB_DEPENDS, ...OWN_DEB_DEPENDS],
    },
  };
}

export default builderConfig();
