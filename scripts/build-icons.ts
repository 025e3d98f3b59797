/**
 * Renders the app icon (build/icon.svg) and the tray status icons (resources/tray/*.svg) into the
 * PNG, ICO and ICNS files electron-builder and the tray use. SVG → PNG is librsvg's rsvg-convert
 * (Debian package librsvg2-bin, listed in scripts/setup-debian.sh); ICO and ICNS are written here,
 * both as containers of PNG images, which every supported Windows and macOS version reads.
 *
 *   npx tsx scripts/build-icons.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function render(svg: string, size: number): Buffer {
  return execFileSync('rsvg-convert', ['--width', String(size), '--height', String(size), '--format', 'png', svg]);
}

/** ICO: a directory of entries, each a PNG (Windows Vista and later). */
export function packIco(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(images.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0); // 0 means 256
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt8(0, 2);
    entry.writeUInt8(0, 3);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

/** ICNS: big-endian chunks of a four-letter type and a PNG (macOS 10.7 and later). */
const ICNS_TYPES: Record<number, string> = {
  16: 'icp4',
  32: 'icp5',
  64: 'icp6',
  128: 'ic07',
  256: 'ic08',
  512: 'ic09',
  1024: 'ic10',
};
export function packIcns(images: { size: number; png: Buffer }[]): Buffer {
  const chunks = images
    .filter((i) => ICNS_TYPES[i.size])
    .map(({ size, png }) => {
      const head = Buffer.alloc(8);
      head.write(ICNS_TYPES[size]!, 0, 'ascii');
      head.writeUInt32BE(png.length + 8, 4);
      return Buffer.concat([head, png]);
    });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

function main(): void {
  const appSvg = join(root, 'build', 'icon.svg');
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
  const images = sizes.map((size) => ({ size, png: render(appSvg, size) }));
  mkdirSync(join(root, 'build', 'icons'), { recursive: true });
  for (const { size, png } of images) {
    // Linux: electron-builder takes a directory of <size>x<size>.png for the hicolor theme.
    if (size <= 512) writeFileSync(join(root, 'build', 'icons', `${size}x${size}.png`), png);
  }
  writeFileSync(join(root, 'build', 'icon.png'), images.find((i) => i.size === 1024)!.png);
  writeFileSync(join(root, 'build', 'icon.ico'), packIco(images.filter((i) => i.size <= 256)));
  writeFileSync(join(root, 'build', 'icon.icns'), packIcns(images));

  const trayDir = join(root, 'resources', 'tray');
  for (const file of readdirSync(trayDir).filter((f) => f.endsWith('.svg'))) {
    const svg = join(trayDir, file);
    const name = file.slice(0, -4);
    writeFileSync(join(trayDir, `${name}.png`), render(svg, 16));
    writeFileSync(join(trayDir, `${name}@2x.png`), render(svg, 32));
  }
  console.log(`icons written to build/ and resources/tray/`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
