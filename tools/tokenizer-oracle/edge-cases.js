// Edge cases by category, for tests/RawEdit.Tests/Models/Tokenization/Fixtures/tokenizer-edge-cases.jsonl.
// Unlike the sample, these may hold lone surrogates (not valid text, so not storable in a UTF-8 file) and long
// whitespace runs. Characters the oracle and Python's encoder disagree on (U+0085, U+FEFF, code points new in
// Unicode 17) are left out: see README.md.
'use strict';
const spaces = n => ' '.repeat(n);

module.exports = {
  'unicode': [
    'caf\u00e9 na\u00efve r\u00e9sum\u00e9', 'cafe\u0301 (combining acute)', '\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac',
    '\u0420\u0443\u0441\u0441\u043a\u0438\u0439 \u0442\u0435\u043a\u0441\u0442', '\u05e2\u05d1\u05e8\u05d9\u05ea',
    '\u0627\u0644\u0639\u0631\u0628\u064a\u0629', '\u0939\u093f\u0928\u094d\u0926\u0940', '\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22',
    '\u4e2d\u6587\u5b57\u7b26', '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8', '\ud55c\uad6d\uc5b4',
    '\u{20000}\u{20001} extension B', '\u{1D518}\u{1D52B}\u{1D526}', 'mix\u{1D518}ed', 'x\u{1D518}y z',
    '\u00df \u1e9e \u0130stanbul', 'a\u200bb zero width', 'a\u00a0b no-break', 'a\u2028b line separator',
    'a\u3000b ideographic space', '\u2167 \u217b letter numbers', '\u00bd \u00b2 \u00b3', '\ufffd replacement',
  ],
  'whitespace runs': [
    'a  b', 'a   b', 'a' + spaces(10) + 'b', 'a' + spaces(100) + 'b', 'a' + spaces(1000) + 'b', spaces(5),
    spaces(64), 'end' + spaces(3), spaces(3) + 'start', '\t\t\tx', 'a\t \tb', 'a\n\n\nb', 'line\r\nnext',
    ' \t \n x', 'a  !', '  \u00a0 x', 'x \u3000 y', '\n', ' \n ', 'word ' + '\t'.repeat(40) + ' word',
  ],
  'contractions': [
    "it's", "we're", "they've", "I'm", "we'll", "he'd", "don't", "IT'S", "John'S", "rock'n'roll", "'s",
    "''s", 'it\u2019s', "y'all'd've", "'ll've'd", "9's", "\u{1D518}'s", "x\u{1D518}'s", "\u{1D7CE}'t",
    "\u{1F600}'s", "caf\u00e9's", " 's", "'", "'sup",
  ],
  'digits': [
    '2024', '1,000,000', '3.14159', '12345678901234567890', '\u0663\u0664\u0665 Arabic-Indic',
    '\u0967\u0968\u0969 Devanagari', '\u{1D7CE}\u{1D7CF}\u{1D7D0}', 'a\u{1D7CE}9', '0x1F', '1e-10',
    'v2.0.1', 'A1B2', ' 42', '  42', '007', '9' + '0'.repeat(99),
  ],
  'emoji': [
    '\u{1F44D}', '\u{1F44D}\u{1F3FD}', '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}\u200d\u{1F466}', '\u{1F1EB}\u{1F1F7}\u{1F1E9}\u{1F1EA}',
    '\u{1F3F3}\ufe0f\u200d\u{1F308}', '\u2764\ufe0f', 'a\u{1F600}b', ' \u{1F600}', '\u{1F600}\u{1F600}\u{1F600}',
    '\u{1F44D}\u{1F3FD}!', 'ok \u{1F642} thanks', '\u{1F9D1}\u{1F3FB}\u200d\u{1F4BB}',
  ],
  'lone surrogates': [
    'a\ud800b', '\ud800', '\udc00', 'x\udc00y', '\udc00\ud800', '\ud83d', 'abc\ud83d', '\ud83dabc',
    '\ud800\ud800', 'word\ud800word', ' \ud800 ', "it\ud800's", '\u{1D518}\ud800', '\ud800\u{1D518}', '1\ud8002',
  ],
  'end-of-text marker': [
    '<|endoftext|>', 'a<|endoftext|>b', ' <|endoftext|> ', '<|endoftext|><|endoftext|>', '<|endoftext',
    '<|extratoken_1|>', 'document<|endoftext|> Paris',
  ],
};
