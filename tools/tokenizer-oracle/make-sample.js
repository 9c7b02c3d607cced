// Builds the tokenizer test sample: WikiText-2 lines, CounterFact strings and hand-written edge cases,
// one per line ("\n"-separated). Usage: node make-sample.js [sharedDataDir] [outFile]
'use strict';
const fs = require('fs');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..');
const sharedData = process.argv[2] || path.resolve(repoRoot, '..', 'shared', 'data');
const outFile = process.argv[3] ||
  path.join(repoRoot, 'tests', 'RawEdit.Tests', 'Models', 'Tokenization', 'Fixtures', 'tokenizer-sample.txt');

const WIKITEXT_LINES = 2000;     // first non-empty lines of the test split
const COUNTERFACT_STRIDE = 25;   // every 25th of the 10,000 training records

function wikitextLines() {
  const raw = fs.readFileSync(path.join(sharedData, 'wikitext', 'wiki.test.raw'), 'utf8');
  // This copy uses CRLF line ends; the lines keep their trailing space, which is worth testing.
  return raw.split('\n').map(l => l.replace(/\r$/, '')).filter(l => l.length > 0).slice(0, WIKITEXT_LINES);
}

function counterfactLines() {
  const records = JSON.parse(fs.readFileSync(path.join(sharedData, 'counterfact', 'counterfact-train.json'), 'utf8'));
  const lines = [];
  records.filter((_, i) => i % COUNTERFACT_STRIDE === 0).forEach(r => {
    lines.push(r.prompt, r.subject, r.rephrase_prompt, r.locality_prompt);
    // Targets are scored after a prompt, i.e. with a leading space; test both spellings.
    for (const target of [r.target_new, r.ground_truth, r.locality_ground_truth]) lines.push(target, ' ' + target);
  });
  return lines;
}

// Where gpt-3-encoder (JavaScript) and OpenAI's Python encoder disagree, the line cannot be an oracle case:
// JS \s includes U+FEFF and omits U+0085 (Python: Unicode White_Space); a lone surrogate is not valid text.
const ORACLE_DIVERGES = /[\u0085\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const seen = new Set();
const kept = [];
const dropped = [];
for (const [source, lines] of [['wikitext', wikitextLines()], ['counterfact', counterfactLines()],
                               ['handwritten', require('./handwritten-lines.js')]]) {
  let count = 0;
  for (const line of lines) {
    if (typeof line !== 'string' || line.length === 0 || line.includes('\n') || seen.has(line)) continue;
    seen.add(line);
    if (ORACLE_DIVERGES.test(line)) { dropped.push(`${source}: ${JSON.stringify(line.slice(0, 60))}`); continue; }
    kept.push(line);
    count++;
  }
  console.log(`${source}: ${count} lines`);
}
fs.writeFileSync(outFile, kept.join('\n') + '\n', 'utf8');
console.log(`wrote ${kept.length} lines, ${kept.reduce((n, l) => n + l.length, 0)} UTF-16 chars to ${outFile}`);
if (dropped.length) console.log(`dropped ${dropped.length} lines where the oracle diverges:\n  ${dropped.join('\n  ')}`);
