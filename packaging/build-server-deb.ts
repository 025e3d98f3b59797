/**
 * `npm run package:server [-- --out DIR]`: builds dist/vermittlung-server_<version>_<arch>.deb.
 *
 * Our TypeScript (server/, pbx/, protocol/, packaging/server/) is bundled by esbuild into a few ESM
 * files for Node 20; the npm packages it imports stay external and are copied with everything they
 * depend on into /usr/lib/vermittlung-server/node_modules, so nothing is installed on the target.
 * None of them is native (PGlite is WASM). The one native file is the OpenSSL fork guard Debian 12's
 * Kamailio is started with (pbx/openssl-fork-guard.c), built here with the C compiler, which makes
 * the package the build machine's architecture.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { buildForkGuard, FORK_GUARD_LIBRARY } from '../pbx/openssl-fork-guard.js';

const REPO = resolve(import.meta.dirname, '..');
const SOURCES = join(REPO, 'packaging', 'server');
const LIB = 'usr/lib/vermittlung-server';
const UNITS = 'lib/systemd/system';

export const PACKAGE_NAME = 'vermittlung-server';
export const DEPENDS = [
  'nodejs (>= 20.19)',
  'kamailio',
  'kamailio-websocket-modules',
  'kamailio-tls-modules',
  'kamailio-presence-modules',
  'kamailio-utils-modules',
  'rtpengine-daemon',
  'adduser',
  'libc6',
];
export const UNIT_FILES = [
  'vermittlung.target',
  'vermittlung-server.service',
  'vermittlung-kamailio.service',
  'vermittlung-rtpengine.service',
  'vermittlung-pbx-reload.path',
  'vermittlung-pbx-reload.service',
];

const ENTRIES = {
  server: join(REPO, 'server', 'main.ts'),
  admin: join(SOURCES, 'admin-main.ts'),
  'pbx-config': join(SOURCES, 'pbx-config-main.ts'),
  'pbx-reload': join(SOURCES, 'pbx-reload-main.ts'),
  'pbx-kamailio': join(SOURCES, 'pbx-kamailio-main.ts'),
};

/** Files of the copied npm packages nobody needs at run time (PGlite's optional extensions are most of its size). */
function wanted(source: string): boolean {
  const name = basename(source);
  // TypeScript sources (zod ships its own) are never loaded: Node runs the packages' JavaScript.
  if (/\.(map|ts|mts|cts|md|markdown)$/.test(name) && !/^license/i.test(name)) return false;
  if (source.includes('/@electric-sql/pglite/dist/') && name.endsWith('.tar.gz')) return false;
  return !['test', 'tests', '__tests__', 'docs', 'example', 'examples', '.github'].includes(name);
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** The npm packages `roots` need, found the way Node resolves them from the repository's node_modules. */
function dependencyClosure(roots: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (name: string, from: string): void => {
    let dir = from;
    let location: string | undefined;
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        location = candidate;
        break;
      }
      if (dir === REPO || dir === dirname(dir)) break;
      dir = dirname(dir);
    }
    if (!location) return; // an optional dependency not installed here (pg-native)
    const key = relative(join(REPO, 'node_modules'), location);
    if (found.has(key)) return;
    found.set(key, location);
    const manifest = JSON.parse(readFileSync(join(location, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies })) {
      visit(dep, location);
    }
  };
  for (const root of roots) visit(root, REPO);
  return found;
}

export interface BuiltPackage {
  deb: string;
  version: string;
  /** npm packages copied (paths under node_modules). */
  modules: string[];
}

export async function buildServerDeb(outDir = join(REPO, 'dist')): Promise<BuiltPackage> {
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  const stage = mkdtempSync(join(tmpdir(), 'vermittlung-deb-'));
  try {
    const root = join(stage, 'root');
    const lib = join(root, LIB);
    const result = await build({
      entryPoints: ENTRIES,
      outdir: lib,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      metafile: true,
      logLevel: 'warning',
      legalComments: 'none',
    });
    const external = new Set<string>();
    for (const output of Object.values(result.metafile.outputs)) {
      for (const imported of output.imports) {
        if (imported.external && !imported.path.startsWith('node:') && !imported.path.startsWith('.')) {
          external.add(packageName(imported.path));
        }
      }
    }
    const modules = dependencyClosure([...external]);
    for (const [key, location] of modules) {
      if (key.includes('node_modules')) continue; // nested: copied with its parent
      cpSync(location, join(lib, 'node_modules', key), { recursive: true, dereference: true, filter: wanted });
    }
    // pbx/render.ts reads its templates next to itself, which in the bundle is this directory.
    for (const template of ['kamailio.cfg.template', 'tls.cfg.template'])
      copyFileSync(join(REPO, 'pbx', template), join(lib, template));
    // Found by pbx/openssl-fork-guard.ts beside the bundle, like the templates.
    copyFileSync(buildForkGuard(join(REPO, 'pbx', 'openssl-fork-guard.c'), join(stage, 'cc')), join(lib, FORK_GUARD_LIBRARY));
    writeFileSync(
      join(lib, 'package.json'),
      JSON.stringify({ name: PACKAGE_NAME, version, type: 'module', private: true }, null, 2) + '\n',
    );

    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    copyFileSync(join(SOURCES, 'vermittlung-admin'), join(root, 'usr/bin/vermittlung-admin'));
    chmodSync(join(root, 'usr/bin/vermittlung-admin'), 0o755);
    mkdirSync(join(root, 'etc/vermittlung'), { recursive: true });
    copyFileSync(join(SOURCES, 'vermittlung.conf'), join(root, 'etc/vermittlung/vermittlung.conf'));
    mkdirSync(join(root, UNITS), { recursive: true });
    for (const unit of UNIT_FILES) copyFileSync(join(SOURCES, 'systemd', unit), join(root, UNITS, unit));
    const doc = join(root, 'usr/share/doc', PACKAGE_NAME);
    mkdirSync(doc, { recursive: true });
    copyFileSync(join(REPO, 'docs', 'server-install.md'), join(doc, 'server-install.md'));
    writeFileSync(
      join(doc, 'copyright'),
      'Vermittlung server. The bundled npm packages under /usr/lib/vermittlung-server/node_modules carry their own licences.\n',
    );

    const control = join(root, 'DEBIAN');
    mkdirSync(control);
    for (const script of ['postinst', 'prerm', 'postrm']) {
      copyFileSync(join(SOURCES, 'debian', script), join(control, script));
      chmodSync(join(control, script), 0o755);
    }
    writeFileSync(join(control, 'conffiles'), '/etc/vermittlung/vermittlung.conf\n');
    const architecture = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
    const installedKb = Math.ceil(Number(execFileSync('du', ['-sk', '--exclude=DEBIAN', root]).toString().split('\t')[0]));
    writeFileSync(
      join(control, 'control'),
      [
        `Package: ${PACKAGE_NAME}`,
        `Version: ${version}`,
        `Architecture: ${architecture}`,
        'Section: net',
        'Priority: optional',
        'Maintainer: Vermittlung <it@vermittlung.invalid>',
        `Installed-Size: ${installedKb}`,
        `Depends: ${DEPENDS.join(', ')}`,
        'Recommends: postgresql-client',
        'Description: Vermittlung central server and reference PBX',
        " The office service's sync server (Fastify, PGlite or PostgreSQL), Kamailio and rtpengine",
        ' with the rendered configuration as systemd services, and vermittlung-admin for the CA,',
        ' the directory of firms and users, and backups.',
        '',
      ].join('\n'),
    );
    mkdirSync(outDir, { recursive: true });
    const deb = join(outDir, `${PACKAGE_NAME}_${version}_${architecture}.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z6', '--build', root, deb], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return { deb, version, modules: [...modules.keys()] };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const started = Date.now();
  const built = await buildServerDeb(values.out ? resolve(values.out) : undefined);
  process.stdout.write(`${built.deb} (${built.modules.length} npm packages, ${Date.now() - started} ms)\n`);
}
