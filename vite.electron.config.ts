import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};
// Native modules and runtime dependencies stay outside the bundle; electron-builder ships them.
const external = [
  'electron',
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
  ...Object.keys(pkg.dependencies),
];

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
const WORKER_EXTERNAL = ['better-sqlite3', ...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default defineConfig(({ mode }) => {
  const entry = ENTRIES[mode];
  if (!entry) throw new Error('build with --mode main, --mode preload or --mode worker');
  const worker = mode === 'worker';
  return {
    ...(worker ? { ssr: { noExternal: true } } : {}),
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
