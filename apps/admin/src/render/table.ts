/** Columns a terminal gives a character: CJK ideographs and full-width forms take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6);
    width += wide ? 2 : 1;
  }
  return width;
}

const pad = (text: string, width: number, align: 'left' | 'right') => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'left' ? text + fill : fill + text;
};

const FIGURE = /^#?-?[\d.,]+( %)?$/;

/** A plain boxed table; columns of figures are right-aligned, text left-aligned. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const aligns = header.map((_, i) => (rows.length > 0 && rows.every((r) => FIGURE.test(r[i] ?? '')) ? 'right' : 'left'));
  const line = (cells: readonly string[], body = true) => `│ ${cells.map((c, i) => pad(c, widths[i], body ? aligns[i] : 'left')).join(' │ ')} │`;
  const rule = (left: string, middle: string, right: string) => `${left}${widths.map((w) => '─'.repeat(w + 2)).join(middle)}${right}`;
  return [rule('┌', '┬', '┐'), line(header, false), rule('├', '┼', '┤'), ...rows.map((row) => line(row)), rule('└', '┴', '┘')].join('\n');
}

export const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;
