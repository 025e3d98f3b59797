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

// Main process and preload, as CommonJS: a sandboxed preload cannot load ES modules, nor any file
// but `electron`, so each entry is built alone (`--mode main`, `--mode preload`) into one file.
export default defineConfig(({ mode }) => {
  if (mode !== 'main' && mode !== 'preload') throw new Error('build with --mode main or --mode preload');
  return {
    build: {
      outDir: 'dist/electron',
      emptyOutDir: mode === 'main',
      target: 'node20',
      minify: false,
      sourcemap: true,
      ssr: true,
      lib: {
        entry: { [mode]: `electron/${mode}/index.ts` } as Record<string, string>,
        formats: ['cjs'],
        fileName: (_format, name) => `${name}.cjs`,
      },
      rollupOptions: { external },
    },
  };
});
