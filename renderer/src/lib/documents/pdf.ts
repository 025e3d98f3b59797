import type * as PdfJs from 'pdfjs-dist';
import type { PDFDocumentProxy } from 'pdfjs-dist';
// The worker is a file of the app's own origin (Vite emits it as an asset): the CSP's
// `worker-src 'self'` admits it, and no blob: or data: worker is needed.
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

/** The bytes the host sends (`documents.read`, `intake.read`) as base64 — never a path or a file:// URL. */
export function base64ToBytes(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Base64 of dropped bytes for `documents.add {from: 'bytes'}`, in slices (a spread of 50 MB would overflow the stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

let library: Promise<typeof PdfJs> | undefined;

/** pdf.js is loaded on the first document only: the phone screens never pay for it. */
function pdfjs(): Promise<typeof PdfJs> {
  library ??= import('pdfjs-dist').then((module) => {
    module.GlobalWorkerOptions.workerSrc = workerUrl;
    return module;
  });
  return library;
}

/**
 * Opens a PDF from its bytes inside the strict CSP: `isEvalSupported: false` (no `new Function` for
 * PDF functions; the CSP has no `unsafe-eval`), no WebAssembly decoders (no `wasm-unsafe-eval`
 * either; pdf.js falls back to its JavaScript decoders), no XFA, and nothing fetched from elsewhere.
 */
export async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  const { getDocument } = await pdfjs();
  return getDocument({
    data: bytes,
    isEvalSupported: false,
    useWasm: false,
    enableXfa: false,
    stopAtErrors: false,
  }).promise;
}

/**
 * Draws page `number` (1-based) into `canvas` at `scale` (1 = 96 dpi), sharp on high-density screens:
 * the canvas has device pixels, its CSS size is set by the caller from the returned size.
 */
export async function renderPage(
  pdf: PDFDocumentProxy,
  number: number,
  canvas: HTMLCanvasElement,
  scale: number,
): Promise<{ width: number; height: number }> {
  const page = await pdf.getPage(number);
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  await page.render({
    canvas,
    viewport,
    transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0],
  }).promise;
  return { width: viewport.width, height: viewport.height };
}
