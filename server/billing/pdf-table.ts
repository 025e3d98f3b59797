/**
 * Rows of fixed-width cells in a pdfkit document: one line per cell, cut with "…" rather than
 * wrapped, so every row has the same height and a 10,000-call month lays out in one pass; an
 * optional remark goes in a second, smaller line under the last column. A row that would reach the
 * footer starts a new page and repeats the header.
 */
export interface Column {
  title: string;
  width: number;
  align?: 'left' | 'right';
}

/** Kept free at the bottom of a page for the page number. */
const FOOTER_SPACE = 44;
const PAD = 2;

/**
 * pdfkit's standard-font object as its own text() uses it. A 10,000-call month is 100,000 cells, and
 * text() costs a graphics-state save, a transform and kerning per cell; a row written as one text
 * object with the font's own WinAnsi codes costs a fraction of that and reads the same in any viewer.
 */
interface StandardFontInternals {
  id: string;
  ascender: number;
  ref(): unknown;
  font?: {
    encodeText?: (text: string) => string[];
    characterToGlyph?: (code: number) => string;
    widthOfGlyph?: (glyph: string) => number;
    getKernPair?: (left: string, right: string | undefined) => number;
  };
}

/** Codes below this are looked up in arrays: Latin-1 and the punctuation and € of WinAnsi. */
const TABLE_CODES = 0x2200;

/**
 * A standard font's codes and advances per UTF-16 unit, read from pdfkit's own AFM data once per
 * character and pair: pdfkit works both out from glyph names for every string it measures, and cutting
 * and right-aligning 100,000 cells measures far more strings than that.
 */
class RawFont {
  private readonly codes: string[] = new Array<string>(TABLE_CODES).fill('');
  private readonly widths = new Float64Array(TABLE_CODES).fill(Number.NaN);
  private readonly kerns = new Map<number, number>();

  constructor(
    private readonly font: StandardFontInternals,
    private readonly afm: Required<NonNullable<StandardFontInternals['font']>>,
  ) {}

  static of(font: StandardFontInternals | undefined): RawFont | undefined {
    const afm = font?.font;
    if (!font || !afm || typeof font.ref !== 'function') return undefined;
    const { encodeText, characterToGlyph, widthOfGlyph, getKernPair } = afm;
    if (![encodeText, characterToGlyph, widthOfGlyph, getKernPair].every((f) => typeof f === 'function')) return undefined;
    return new RawFont(font, afm as Required<typeof afm>);
  }

  get id(): string {
    return this.font.id;
  }

  get ascender(): number {
    return this.font.ascender;
  }

  ref(): unknown {
    return this.font.ref();
  }

  private code(unit: number): string {
    let code = unit < TABLE_CODES ? this.codes[unit]! : '';
    if (code === '') {
      const hex = this.afm.encodeText(String.fromCharCode(unit))[0]!;
      // A code outside the font's one-byte encoding would corrupt the string: print "?" for it.
      code = hex.length > 2 ? '3f' : hex.padStart(2, '0');
      if (unit < TABLE_CODES) this.codes[unit] = code;
    }
    return code;
  }

  /** The text in the font's codes, as hex for a `<…> Tj`. */
  hex(text: string): string {
    let out = '';
    for (let i = 0; i < text.length; i++) out += this.code(text.charCodeAt(i));
    return out;
  }

  private glyphWidth(unit: number): number {
    let width = unit < TABLE_CODES ? this.widths[unit]! : Number.NaN;
    if (Number.isNaN(width)) {
      width = this.afm.widthOfGlyph(this.afm.characterToGlyph(unit));
      if (unit < TABLE_CODES) this.widths[unit] = width;
    }
    return width;
  }

  private kern(left: number, right: number): number {
    const key = left * 0x10000 + right;
    let kern = this.kerns.get(key);
    if (kern === undefined) {
      kern = this.afm.getKernPair(this.afm.characterToGlyph(left), this.afm.characterToGlyph(right));
      this.kerns.set(key, kern);
    }
    return kern;
  }

  /**
   * What pdfkit's widthOfString answers (kerned, the same sums in the same order, so the same
   * floating-point figure): cells are cut and aligned exactly as they were measured before.
   */
  widthOf(text: string, size: number): number {
    let units = 0;
    const last = text.length - 1;
    for (let i = 0; i <= last; i++) {
      const unit = text.charCodeAt(i);
      units += this.glyphWidth(unit) + (i < last ? this.kern(unit, text.charCodeAt(i + 1)) : 0);
    }
    return (units * (size / 1000) * 100) / 100;
  }
}

const num = (n: number) => String(Math.round(n * 100) / 100);
const BLACK: [number, number, number] = [0, 0, 0];

interface Placed {
  text: string;
  x: number;
  y: number;
}

export class PdfTable {
  /** The standard fonts' tables by pdfkit font id. */
  private readonly fonts = new Map<string, RawFont | null>();
  private raw: RawFont | undefined;
  private size = 0;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly left: number,
  ) {}

  private use(font: string, size: number): void {
    this.size = size;
    this.doc.font(font).fontSize(size);
    const current = (this.doc as unknown as { _font?: StandardFontInternals })._font;
    const id = current?.id ?? '';
    let raw = this.fonts.get(id);
    if (raw === undefined) {
      raw = RawFont.of(current) ?? null;
      this.fonts.set(id, raw);
    }
    this.raw = raw ?? undefined;
  }

  private width(text: string): number {
    return this.raw ? this.raw.widthOf(text, this.size) : this.doc.widthOfString(text);
  }

  /** The text cut to fit `width` in the current font, with "…" where it was cut. */
  fit(text: string, width: number): string {
    if (this.width(text) <= width) return text;
    let low = 0;
    let high = text.length;
    // Binary search on the prefix length: widths grow with length.
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (this.width(`${text.slice(0, mid)}…`) <= width) low = mid;
      else high = mid - 1;
    }
    return `${text.slice(0, low)}…`;
  }

  /** Lines of text at their (x, y), top-left as in pdfkit, in the current font, as one text object. */
  private put(texts: readonly Placed[]): void {
    const doc = this.doc;
    const font = this.raw;
    if (!font) {
      for (const t of texts) doc.text(t.text, t.x, t.y, { lineBreak: false });
      return;
    }
    const fonts = (doc.page as unknown as { fonts: Record<string, unknown> }).fonts;
    fonts[font.id] ??= font.ref();
    // Like text(): pdfkit's pages run top-down (a flipped matrix); text is set bottom-up inside q … Q.
    const height = doc.page.height;
    const rise = (font.ascender / 1000) * this.size;
    let ops = `q\n1 0 0 -1 0 ${num(height)} cm\nBT /${font.id} ${num(this.size)} Tf`;
    for (const t of texts) ops += `\n1 0 0 1 ${num(t.x)} ${num(height - t.y - rise)} Tm <${font.hex(t.text)}> Tj`;
    // As bytes: pdfkit would convert the string one character at a time, and add the same newline.
    doc.addContent(Buffer.from(`${ops}\nET\nQ\n`, 'latin1'));
  }

  private ensure(height: number, onNewPage?: () => void): void {
    const doc = this.doc;
    if (doc.y + height <= doc.page.height - FOOTER_SPACE) return;
    doc.addPage();
    doc.y = doc.page.margins.top;
    onNewPage?.();
  }

  private cells(columns: readonly Column[], values: readonly string[], size: number, font: string): void {
    const doc = this.doc;
    this.use(font, size);
    // Rows follow rows: the fill is still this black unless something else was drawn in between (a
    // new page starts black anyway).
    if ((doc as unknown as { _fillColor?: unknown[] })._fillColor?.[0] !== BLACK) doc.fillColor(BLACK);
    const y = doc.y;
    let x = this.left;
    const texts: Placed[] = [];
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index]!;
      const inner = column.width - 2 * PAD;
      const text = this.fit(values[index] ?? '', inner);
      if (text !== '') {
        const offset = column.align === 'right' ? inner - this.width(text) : 0;
        texts.push({ text, x: x + PAD + offset, y });
      }
      x += column.width;
    }
    this.put(texts);
    doc.x = this.left;
    doc.y = y + size * 1.35;
  }

  header(columns: readonly Column[], size: number): void {
    this.ensure(size * 3);
    this.cells(
      columns,
      columns.map((c) => c.title),
      size,
      'Helvetica-Bold',
    );
    this.rule();
  }

  /** A row; `remark` adds a second line in the last column; `onNewPage` repeats the header after a break. */
  row(
    columns: readonly Column[],
    values: readonly string[],
    size: number,
    font = 'Helvetica',
    remark = '',
    onNewPage?: () => void,
  ): void {
    const height = size * 1.35 * (remark ? 2 : 1);
    this.ensure(height, onNewPage);
    this.cells(columns, values, size, font);
    if (remark) {
      const doc = this.doc;
      const last = columns[columns.length - 1]!;
      const x = this.left + columns.slice(0, -1).reduce((sum, c) => sum + c.width, 0);
      const y = doc.y - 1;
      this.use('Helvetica-Oblique', size - 0.5);
      doc.fillColor('#444');
      const width = last.width - 2 * PAD;
      doc.text(this.fit(remark, width), x + PAD, y, { lineBreak: false });
      doc.x = this.left;
      doc.y = y + size * 1.35;
    }
  }

  rule(): void {
    const doc = this.doc;
    const width = doc.page.width - 2 * this.left;
    doc
      .moveTo(this.left, doc.y)
      .lineTo(this.left + width, doc.y)
      .lineWidth(0.4)
      .strokeColor('#888')
      .stroke();
    doc.y += 2;
  }
}
