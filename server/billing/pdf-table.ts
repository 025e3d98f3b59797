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
  font?: { encodeText?: (this: unknown, text: string) => string[] };
}

interface RawFont {
  id: string;
  ascender: number;
  ref: () => unknown;
  codes: (text: string) => string;
}

function rawFont(doc: PDFKit.PDFDocument): RawFont | undefined {
  const font = (doc as unknown as { _font?: StandardFontInternals })._font;
  const afm = font?.font;
  if (!font || !afm || typeof afm.encodeText !== 'function' || typeof font.ref !== 'function') return undefined;
  return {
    id: font.id,
    ascender: font.ascender,
    ref: () => font.ref(),
    // A code outside the font's one-byte encoding would corrupt the string: print "?" for it.
    codes: (text) =>
      afm.encodeText!(text)
        .map((hex) => (hex.length > 2 ? '3f' : hex.padStart(2, '0')))
        .join(''),
  };
}

const num = (n: number) => String(Math.round(n * 100) / 100);

export class PdfTable {
  /** Widths by font, size and text: a month repeats the same times, durations and names thousands of times. */
  private readonly widths = new Map<string, number>();
  private font = '';
  private size = 0;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly left: number,
  ) {}

  private use(font: string, size: number): void {
    this.font = font;
    this.size = size;
    this.doc.font(font).fontSize(size);
  }

  private width(text: string): number {
    const key = `${this.font}\u0000${this.size}\u0000${text}`;
    let width = this.widths.get(key);
    if (width === undefined) {
      width = this.doc.widthOfString(text);
      this.widths.set(key, width);
    }
    return width;
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
  private put(texts: readonly { text: string; x: number; y: number }[]): void {
    const doc = this.doc;
    const font = rawFont(doc);
    if (!font) {
      for (const t of texts) doc.text(t.text, t.x, t.y, { lineBreak: false });
      return;
    }
    const fonts = (doc.page as unknown as { fonts: Record<string, unknown> }).fonts;
    fonts[font.id] ??= font.ref();
    // Like text(): pdfkit's pages run top-down (a flipped matrix); text is set bottom-up inside q … Q.
    const ops = ['q', `1 0 0 -1 0 ${num(doc.page.height)} cm`, `BT /${font.id} ${num(this.size)} Tf`];
    for (const t of texts) {
      const baseline = doc.page.height - t.y - (font.ascender / 1000) * this.size;
      ops.push(`1 0 0 1 ${num(t.x)} ${num(baseline)} Tm <${font.codes(t.text)}> Tj`);
    }
    ops.push('ET', 'Q');
    doc.addContent(ops.join('\n'));
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
    doc.fillColor('#000');
    const y = doc.y;
    let x = this.left;
    const texts: { text: string; x: number; y: number }[] = [];
    columns.forEach((column, index) => {
      const inner = column.width - 2 * PAD;
      const text = this.fit(values[index] ?? '', inner);
      if (text !== '') {
        const offset = column.align === 'right' ? inner - this.width(text) : 0;
        texts.push({ text, x: x + PAD + offset, y });
      }
      x += column.width;
    });
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
      doc
        .font('Helvetica-Oblique')
        .fontSize(size - 0.5)
        .fillColor('#444');
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
