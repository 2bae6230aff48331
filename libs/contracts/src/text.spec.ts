import { validateSync } from 'class-validator';
import { IsReadableText, unreadableTextReason } from './text';

class Named {
  @IsReadableText()
  name!: string;

  @IsReadableText({ each: true })
  tags: string[] = [];
}

describe('readable text', () => {
  it.each([
    ['zero-width characters only', '\u200B\u200C\u200D\u2060\uFEFF'],
    ['control characters only', '\u0001\u0002'],
    ['a NUL inside a name', '王\u0000书记'],
    ['a lone high surrogate', 'a\uD800b'],
    ['a lone low surrogate', '\uDC00'],
    ['a right-to-left override', '\u202Eexe.txt'],
    ['a left-to-right isolate', '\u2066王\u2069'],
    ['spaces only, ideographic too', ' \u3000 '],
    ['a Hangul filler', '\u3164'],
    ['a combining mark alone', '\u0301'],
    ['a zero-width space inside a name', '王\u200B书记'],
    ['a byte-order mark before a name', '\uFEFF王书记'],
    ['a right-to-left mark', '王\u200F书记'],
    ['a word joiner', '王\u2060书记'],
    ['a line separator', '第一条\u2028第二条'],
    ['a paragraph separator', '第一条\u2029第二条'],
  ])('refuses %s', (_label, text) => {
    expect(unreadableTextReason(text)).toEqual(expect.any(String));
    expect(validateSync(Object.assign(new Named(), { name: text }))).toHaveLength(1);
  });

  it.each([
    ['Chinese', '长沙市岳麓区两新组织'],
    ['an emoji with joiners', '👨‍👩‍👧'],
    ['line breaks and tabs in a note', '第一条\n第二条\t备注'],
    ['Arabic with its own letters', 'مرحبا'],
    ['Persian with a zero-width non-joiner', 'می\u200Cخواهم'],
    ['empty text (required-ness is another rule)', ''],
  ])('keeps %s', (_label, text) => {
    expect(unreadableTextReason(text)).toBeUndefined();
  });

  it('checks each item of a list and names the field', () => {
    const [error] = validateSync(Object.assign(new Named(), { name: '王', tags: ['ok', '\u200B'] }));
    expect(error.property).toBe('tags');
  });
});
