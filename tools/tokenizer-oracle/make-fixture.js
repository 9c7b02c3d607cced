// Writes the oracle token ids for the tokenizer sample: line k of the output is the JSON array of ids
// that gpt-3-encoder gives for line k of the sample (encoded alone, without its "\n").
// Usage: node make-fixture.js [sampleFile] [expectedFile]
'use strict';
const fs = require('fs');
const path = require('path');
const { encode, decode } = require('gpt-3-encoder');

const fixtures = path.resolve(__dirname, '..', '..', 'tests', 'RawEdit.Tests', 'Models', 'Tokenization', 'Fixtures');
const sampleFile = process.argv[2] || path.join(fixtures, 'tokenizer-sample.txt');
const expectedFile = process.argv[3] || path.join(fixtures, 'tokenizer-expected.jsonl');

function check(condition, message) {
  if (!condition) { console.error(`oracle check failed: ${message}`); process.exit(1); }
}

// The oracle must reproduce well-known GPT-2 ids before we trust it.
check(JSON.stringify(encode('Hello world')) === '[15496,995]', `"Hello world" gave ${encode('Hello world')}`);
check(JSON.stringify(encode('<|endoftext|>')) !== '[50256]', '<|endoftext|> must be plain text');

const text = fs.readFileSync(sampleFile, 'utf8');
check(text.endsWith('\n'), 'the sample must end with "\\n"');
const lines = text.slice(0, -1).split('\n');

let tokens = 0;
const out = lines.map((line, i) => {
  const ids = encode(line);
  check(ids.every(id => Number.isInteger(id) && id >= 0 && id <= 50256), `line ${i + 1}: bad id in ${ids}`);
  check(decode(ids) === line, `line ${i + 1}: the oracle does not round-trip`);
  tokens += ids.length;
  return JSON.stringify(ids);
});
fs.writeFileSync(expectedFile, out.join('\n') + '\n', 'utf8');
console.log(`wrote ids for ${lines.length} lines (${tokens} tokens) to ${expectedFile}`);
