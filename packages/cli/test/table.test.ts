import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { CONTROL_CHARACTERS } from '../src/control-characters';
import { columnWidths, renderTable } from '../src/table';

describe('renderTable', () => {
  const docs = [
    { id: 'doc_1', title: 'Quarterly report', metadata: { team: 'finance', year: '2026' }, n: 3 },
    { id: 'doc_22', title: 'Notes', metadata: {}, extra: null },
  ];

  it('a header of the fields (of every item), one aligned line per item, maps as key=value', () => {
    expect(renderTable(docs, 200).text).toBe(
      [
        'ID      TITLE             METADATA                 N  EXTRA',
        'doc_1   Quarterly report  team=finance, year=2026  3',
        'doc_22  Notes',
        '',
      ].join('\n'),
    );
  });

  it('fits the width: text columns are cut first (with …), ids stay whole', () => {
    const rows = [{ id: 'doc_0123456789abcdef', title: 'A title of some length', content: 'word '.repeat(200) }];
    const out = renderTable(rows, 60).text;
    for (const line of out.trimEnd().split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(60);
    expect(out).toContain('doc_0123456789abcdef');
    expect(out).toContain('…');
  });

  it('neutralises control characters and puts each item on one line', () => {
    const out = renderTable([{ title: 'red\u001b[31m alert\nsecond line\ttab' }], 80).text;
    expect(out.replaceAll('\n', '')).not.toMatch(new RegExp(CONTROL_CHARACTERS.source));
    expect(out.trimEnd().split('\n')).toHaveLength(2);
    expect(out).toContain('red\ufffd[31m alert second line tab');
  });

  it('measures wide characters as two columns', () => {
    const out = renderTable(
      [
        { a: '日本語', b: 'x' },
        { a: 'abc', b: 'y' },
      ],
      80,
    ).text;
    const [, first, second] = out.split('\n');
    expect(stringWidth(first?.split('x')[0] ?? '')).toBe(stringWidth(second?.split('y')[0] ?? ''));
  });

  it('items that are not objects are one VALUE column', () => {
    expect(renderTable([1, 'two'], 80)).toEqual({ text: 'VALUE\n1\ntwo\n', hidden: [] });
  });

  it('leaves out the last columns when cutting the text is not enough', () => {
    const rows = [
      {
        id: 'doc_0123456789abcdef0123',
        title: 'A title',
        created_at: '2026-12-02T22:11:34.026Z',
        updated_at: '2026-12-02T22:11:34.026Z',
      },
    ];
    const { text, hidden } = renderTable(rows, 60);
    expect(hidden).toEqual(['updated_at']);
    expect(text).toBe(
      'ID                        TITLE    CREATED_AT\ndoc_0123456789abcdef0123  A title  2026-12-02T22:11:34.026Z\n',
    );
  });
});

describe('columnWidths', () => {
  it('keeps natural widths that fit', () => {
    expect(columnWidths([5, 10], 40)).toEqual([5, 10]);
  });
  it('caps the widest columns of text at the largest common width that fits', () => {
    // 40 - 2 gaps of 2 = 36 for the columns.
    expect(columnWidths([10, 50, 30], 40, [true, true, true])).toEqual([10, 13, 13]);
  });
  it('cuts text, not the other columns', () => {
    expect(columnWidths([20, 50], 50, [false, true])).toEqual([20, 28]);
  });
  it('leaves out the last columns when text cut to 6 is not enough', () => {
    expect(columnWidths([20, 20, 20], 30, [false, true, false])).toEqual([20, 8]);
    expect(columnWidths([20, 20, 20], 10)).toEqual([10]);
  });
});
