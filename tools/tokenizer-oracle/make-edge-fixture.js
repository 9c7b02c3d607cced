// Writes the oracle ids of edge-cases.js, one JSON object per line: {"category", "utf16", "ids"}. The text is
// stored as UTF-16 code units because JSON readers refuse (or silently repair) lone surrogates in strings.
// Usage: node make-edge-fixture.js [outFile]
'use strict';
const fs = require('fs');
const path = require('path');
const { encode, decode } = require('gpt-3-encoder');
const categories = require('./edge-cases.js');

const outFile = process.argv[2] ||
  path.resolve(__dirname, '..', '..', 'tests', 'RawEdit.Tests', 'Models', 'Tokenization', 'Fixtures', 'tokenizer-edge-cases.jsonl');

function check(condition, message) {
  if (!condition) { console.error(`oracle check failed: ${message}`); process.exit(1); }
}

check(JSON.stringify(encode('Hello world')) === '[15496,995]', `"Hello world" gave ${encode('Hello world')}`);
const lines = [];
for (const [category, texts] of Object.entries(categories)) {
  for (const text of texts) {
    check(!/[\u0085\ufeff]/.test(text), `${JSON.stringify(text)}: U+0085 and U+FEFF split differently in the oracle`);
    const ids = encode(text);
    check(ids.every(id => Number.isInteger(id) && id >= 0 && id <= 50256), `${JSON.stringify(text)}: bad id in ${ids}`);
    // A lone surrogate is encoded as U+FFFD (TextEncoder), so only the repaired text comes back.
    check(decode(ids) === text.toWellFormed(), `${JSON.stringify(text)}: the oracle does not round-trip`);
    const utf16 = Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
    lines.push(JSON.stringify({ category, utf16, ids }));
  }
}
fs.writeFileSync(outFile, lines.join('\n') + '\n', 'utf8');
console.log(`wrote ${lines.length} edge cases to ${outFile}`);
