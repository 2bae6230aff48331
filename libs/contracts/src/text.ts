import { ValidateBy, type ValidationOptions } from 'class-validator';

const LONE_SURROGATE = /\p{Cs}/u;
/** embedding, override and isolate controls: they make text read differently from what is stored (U+202A–202E, U+2066–2069) */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
/**
 * invisible characters that make two texts that read the same differ as stored: zero-width space, LRM/RLM, word
 * joiner and invisible operators, deprecated format controls, the byte-order mark, and the line/paragraph separators
 * (which JSON passes through but JavaScript source and many terminals break on). The zero-width joiner and non-joiner
 * stay allowed: emoji sequences and Persian or Indic writing need them.
 */
const INVISIBLE = /[\u200B\u200E\u200F\u2028\u2029\u2060-\u2064\u206A-\u206F\uFEFF]/u;
/** control characters other than tab and line breaks */
const CONTROL = /[^\P{Cc}\t\n\r]/u;
/** nothing a reader would see: spaces, control and format characters (zero-width ones among them), lone marks, fillers */
const NOTHING_VISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Z}\p{M}\u115F\u1160\u3164\uFFA0\u2800]*$/u;

/** Why a text is not readable as stored, or undefined when it is. Empty text is left to the required-ness rules. */
export function unreadableTextReason(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone surrogate (broken UTF-16)';
  if (BIDI_CONTROL.test(text)) return 'must not contain bidirectional override or isolate characters (U+202A–202E, U+2066–2069)';
  if (INVISIBLE.test(text)) return 'must not contain zero-width characters, byte-order marks or line/paragraph separators (U+200B, U+200E/F, U+2028/9, U+2060–2064, U+FEFF)';
  if (CONTROL.test(text)) return 'must not contain control characters other than tab and line breaks';
  if (text.length > 0 && NOTHING_VISIBLE.test(text)) return 'must contain visible characters, not only spaces, zero-width or control characters';
  return undefined;
}

/**
 * class-validator decorator for names and other free text: something visible, no lone surrogates, no bidi
 * overrides, no zero-width characters, BOM or U+2028/2029, no control characters but tab and line breaks. Non-strings are left to `@IsString`.
 */
export const IsReadableText = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isReadableText',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || unreadableTextReason(value) === undefined,
        defaultMessage: (args) => {
          const texts: unknown[] = Array.isArray(args?.value) ? args.value : [args?.value];
          const reason = texts.map((text) => (typeof text === 'string' ? unreadableTextReason(text) : undefined)).find(Boolean);
          return `${args?.property ?? 'text'} ${reason ?? 'must be readable text'}`;
        },
      },
    },
    options,
  );
