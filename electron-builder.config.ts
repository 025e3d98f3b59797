/**
 * Packaging: installers for Windows (NSIS per machine, MSI), macOS (DMG, and the ZIP that
 * electron-updater needs) and Linux (AppImage, deb), the Electron fuses, and the update feed.
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
    },
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
      target: ['AppImage', 'deb'],
      icon: 'build/icons',
      category: 'Office',
      synopsis: 'Softphone for office services and craft businesses',
      mimeTypes: ['x-scheme-handler/tel', 'x-scheme-handler/sip', 'x-scheme-handler/callto'],
      maintainer: 'Vermittlung IT',
    },
    deb: {
      // keytar talks to the desktop keyring through libsecret.
      depends: ['libsecret-1-0', 'libnss3', 'libnotify4', 'libxss1', 'libxtst6', 'xdg-utils'],
    },
  };
}

export default builderConfig();
