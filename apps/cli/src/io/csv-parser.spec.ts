import { CsvError, parseCsv, parseCsvLines, parseCsvRows } from './csv-parser';

describe('parseCsvRows', () => {
  it('should split plain fields and LF or CRLF line ends', () => {
    expect(parseCsvRows('a,b\r\n1,2\n3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('should keep commas, line breaks and doubled quotes inside quoted fields', () => {
    expect(parseCsvRows('"x, y","say ""hi""","two\nlines"\n')).toEqual([['x, y', 'say "hi"', 'two\nlines']]);
  });

  it('should keep empty fields, including a trailing one', () => {
    expect(parseCsvRows('a,,c,\n')).toEqual([['a', '', 'c', '']]);
  });

  it('should ignore a byte-order mark', () => {
    expect(parseCsvRows('\ufeffa\n1')).toEqual([['a'], ['1']]);
  });

  it('should refuse an unclosed quote and text after a closing quote', () => {
    expect(() => parseCsvRows('"abc\n')).toThrow(CsvError);
    expect(() => parseCsvRows('"ab"c,d')).toThrow(/after a closing quote/);
  });

  it('should name the line the bad row starts on', () => {
    expect(() => parseCsvRows('a\n1\n"x\ny')).toThrow('line 3: a quoted field is not closed');
    expect(() => parseCsvRows('a\r\n\r\n"x\r\ny"c')).toThrow('line 3: characters after a closing quote');
    expect(() => parseCsvRows('a\nab"c')).toThrow('line 2: a quote inside an unquoted field');
  });
});

describe('parseCsvLines', () => {
  it('should number rows by the line feed they start after, whatever the line ends inside quotes', () => {
    expect(parseCsvLines('\ufeffa\r\n"x\r\ny"\n\nb\rc\n2').map(({ line }) => line)).toEqual([1, 2, 4, 5, 6]);
  });
});

describe('parseCsv', () => {
  it('should key rows by the header and skip blank lines', () => {
    expect(parseCsv('id,name\n1,JFK\n\n2,"LAX"\n')).toEqual([
      { id: '1', name: 'JFK' },
      { id: '2', name: 'LAX' },
    ]);
  });

  it('should refuse a row whose field count differs from the header', () => {
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow('data row 1: 3 fields, the header has 2');
  });

  it('should refuse duplicate and empty column names', () => {
    expect(() => parseCsv('a,a\n1,2')).toThrow(/appears twice/);
    expect(() => parseCsv('a,\n1,2')).toThrow(/empty column name/);
  });

  it('should return no records for empty text', () => {
    expect(parseCsv('')).toEqual([]);
  });
});
