/**
 * C0 and C1 control characters and DEL: an escape sequence in a document's title must not reach a
 * terminal as one.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;
