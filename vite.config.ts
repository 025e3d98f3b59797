import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The renderer bundle, served by app:// in Electron and by the browser shell.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) })],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    // No inline scripts or data: modules: the CSP allows only 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    // The SIP stack, the phone-number metadata and the other libraries each in their own file: one
    // bundle of everything passed the 500 kB that Vite warns about on every build.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'sip', test: /node_modules[\\/]sip\.js/ },
            { name: 'phone-numbers', test: /node_modules[\\/]libphonenumber-js/ },
            // pdf.js is loaded on the first document only (lib/documents/pdf.ts), never with the app.
            { name: 'pdf', test: /node_modules[\\/]pdfjs-dist/ },
            { name: 'vendor', test: /node_modules/ },
          ],
        },
      },
    },
  },
});
