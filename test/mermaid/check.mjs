// Parses every ```mermaid block of the Markdown files named on the command
// line with Mermaid's own parser, as GitHub's renderer does before it draws
// (internal/riskreport/mermaid_test.go runs it on riskctl's reports).
// Prints "ok FILE N TYPE" per block; a block that does not parse is
// "error FILE N MESSAGE" and the exit status is 1.
//
// Mermaid sanitizes labels with DOMPurify, which needs a browser's DOM;
// parsing needs no sanitizing, so DOMPurify's hooks are stubbed before
// Mermaid loads. Nothing here reaches the network.
import { readFileSync } from 'node:fs';
import DOMPurify from 'dompurify';

for (const name of ['addHook', 'removeHook', 'removeHooks', 'removeAllHooks']) DOMPurify[name] = () => {};
DOMPurify.sanitize = (s) => String(s);
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let failed = false;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  for (const [i, block] of blocks.entries()) {
    try {
      const { diagramType } = await mermaid.parse(block);
      console.log(`ok ${file} ${i} ${diagramType}`);
    } catch (e) {
      failed = true;
      console.log(`error ${file} ${i} ${String(e.message ?? e).replaceAll('\n', ' ')}`);
    }
  }
}
process.exit(failed ? 1 : 0);
