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

export class PdfTable {
  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly left: number,
  ) {}

  /** The text cut to fit `width` in the current font, with "…" where it was cut. */
  fit(text: string, width: number): string {
    const doc = this.doc;
    if (doc.widthOfString(text) <= width) return text;
    let low = 0;
    let high = text.length;
    // Binary search on the prefix length: widths grow with length.
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (doc.widthOfString(`${text.slice(0, mid)}…`) <= width) low = mid;
      else high = mid - 1;
    }
    return `${text.slice(0, low)}…`;
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
    doc.font(font).fontSize(size).fillColor('#000');
    const y = doc.y;
    let x = this.left;
    columns.forEach((column, index) => {
      const inner = column.width - 2 * PAD;
      const text = this.fit(values[index] ?? '', inner);
      if (text !== '') {
        const offset = column.align === 'right' ? inner - doc.widthOfString(text) : 0;
        doc.text(text, x + PAD + offset, y, { lineBreak: false });
      }
      x += column.width;
    });
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
