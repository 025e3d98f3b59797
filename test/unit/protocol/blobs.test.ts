import { describe, expect, it } from 'vitest';
import { sniffBlobType } from '../../../protocol/blobs.js';

const bytes = (...b: number[]) => Uint8Array.from([...b, 0, 0, 0, 0, 0, 0, 0, 0]);

describe('sniffBlobType', () => {
  it('recognises PDF, JPEG, PNG and both TIFF byte orders by their first bytes', () => {
    expect(sniffBlobType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniffBlobType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(sniffBlobType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('image/png');
    expect(sniffBlobType(bytes(0x49, 0x49, 0x2a, 0x00))).toBe('image/tiff');
    expect(sniffBlobType(bytes(0x4d, 0x4d, 0x00, 0x2a))).toBe('image/tiff');
  });

  it('refuses everything else, whatever a name would claim: programs, archives, text, a truncated header', () => {
    expect(sniffBlobType(Buffer.from('MZ\x90\x00\x03\x00\x00\x00'))).toBeUndefined(); // a Windows .exe
    expect(sniffBlobType(bytes(0x7f, 0x45, 0x4c, 0x46))).toBeUndefined(); // ELF
    expect(sniffBlobType(bytes(0x50, 0x4b, 0x03, 0x04))).toBeUndefined(); // ZIP (docx too)
    expect(sniffBlobType(Buffer.from('hello, PDF-1.4'))).toBeUndefined();
    expect(sniffBlobType(Buffer.from('%PDF'))).toBeUndefined();
    expect(sniffBlobType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b))).toBeUndefined();
    expect(sniffBlobType(new Uint8Array(0))).toBeUndefined();
  });
});
