import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

/**
 * What the main process loads at run time instead of carrying it in `main.cjs`: Electron, Node's
 * builtins, the native modules (better-sqlite3, keytar: their addons cannot live in a bundle) and
 * electron-updater (CommonJS that requires `electron` lazily and picks its updater class by
 * platform). Everything else — zod, uuid (ESM only), ws, … — is bundled, so nothing in app.asar is
 * loaded through Node's ESM loader, which Electron has repeatedly broken for archive paths.
 */
export const MAIN_RUNTIME_MODULES = ['electron', 'better-sqlite3', 'keytar', 'electron-updater'] as const;
const builtins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
const external = [...MAIN_RUNTIME_MODULES, ...builtins];

// Main process, preload and the import worker, as CommonJS: a sandboxed preload cannot load ES
// modules, nor any file but `electron`, so each entry is built alone (`--mode main|preload|worker`)
// into one file; the worker thread loads `import-worker.cjs` next to `main.cjs`.
const ENTRIES: Record<string, [string, string]> = {
  main: ['main', 'electron/main/index.ts'],
  preload: ['preload', 'electron/preload/index.ts'],
  worker: ['import-worker', 'electron/core/store/import/import-worker.ts'],
};

// The worker runs from app.asar.unpacked (a worker thread's entry cannot live in the archive), where
// require() cannot reach the archive's node_modules: it carries its JavaScript dependencies itself,
// and only better-sqlite3 (native) stays outside, unpacked next to it (electron-builder.config.ts).
const WORKER_EXTERNAL = ['better-sqlite3', ...builtins];

export default defineConfig(({ mode }) => {
  const entry = ENTRIES[mode];
  if (!entry) throw new Error('build with --mode main, --mode preload or --mode worker');
  const worker = mode === 'worker';
  return {
    ssr: { noExternal: true },
    build: {
      outDir: 'dist/electron',
      emptyOutDir: mode === 'main',
      target: 'node20',
      minify: false,
      sourcemap: true,
      ssr: true,
      lib: {
        entry: { [entry[0]]: entry[1] } as Record<string, string>,
        formats: ['cjs'],
        fileName: (_format, name) => `${name}.cjs`,
      },
      rollupOptions: { external: worker ? WORKER_EXTERNAL : external },
    },
  };
});
