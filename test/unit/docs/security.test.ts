/**
 * docs/security.md maps every threat to the tests that cover it; this keeps the map true.
 * In the tests column, `file › \`title\`` names test/<file>.test.ts (file is a path such as
 * unit/protocol/rules/body) and a test (or group) title in it (or a case name in a helper it
 * imports), where "..." skips words; a bare `file` names the whole test file, or a folder of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const doc = readFileSync(new URL('../../../docs/security.md', import.meta.url), 'utf8');
const testRoot = new URL('../../', import.meta.url);
const testFile = (name: string): URL => new URL(`${name}.test.ts`, testRoot);

/** Stands in for `\|` while a row is split on its cell pipes. */
const ESCAPED_PIPE = '\u{E000}';

interface Row {
  readonly threat: string;
  readonly tests: string;
}

/** Table rows of the form | threat | defence | tests | (the header and separator excluded). */
function rows(): Row[] {
  return doc
    .split('\n')
    .filter((line) => line.startsWith('| **'))
    .map((line) => {
      // A pipe inside a cell is escaped as \| in Markdown.
      const cells = line
        .replaceAll('\\|', ESCAPED_PIPE)
        .split('|')
        .map((c) => c.trim().replaceAll(ESCAPED_PIPE, '|'));
      return { threat: cells[1]!, tests: cells[3]! };
    });
}

/** `file › \`a\`, \`b\`` and bare `file (notes)` references in one tests cell. */
function references(cell: string): { file: string; titles: string[] }[] {
  return cell.split(';').map((part) => {
    const file = /^\s*([A-Za-z][\w./]*)/.exec(part)?.[1] ?? '';
    const arrow = part.indexOf('›');
    const titles = arrow < 0 ? [] : [...part.slice(arrow).matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    return { file, titles };
  });
}

/** Whether `title` (with "..." as a gap) occurs in the source, piece after piece. */
function mentions(source: string, title: string): boolean {
  let from = 0;
  for (const piece of title
    .split('...')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = source.indexOf(piece, from);
    if (at < 0) return false;
    from = at + piece.length;
  }
  return true;
}

/** A test file's text and that of the helpers it imports, where table-driven cases are named. */
function sourceWithHelpers(file: string): string {
  const text = readFileSync(testFile(file), 'utf8');
  const helpers = [...text.matchAll(/from '(?:\.\.\/)+(helpers\/[\w.]+)\.js'/g)].map((m) =>
    readFileSync(new URL(`${m[1]!}.ts`, testRoot), 'utf8'),
  );
  return [text, ...helpers].join('\n');
}

describe('docs/security.md', () => {
  const table = rows();

  it('has a threat table with a test reference in every row', () => {
    expect(table.length).toBeGreaterThan(20);
    for (const row of table) {
      const refs = references(row.tests);
      expect(refs.length, row.threat).toBeGreaterThan(0);
      for (const r of refs) expect(r.file, `${row.threat}: a reference without a test file`).not.toBe('');
    }
  });

  it('names only test files that exist, and test titles that are in them', () => {
    for (const row of table) {
      for (const ref of references(row.tests)) {
        if (ref.titles.length === 0 && existsSync(new URL(`${ref.file}/`, testRoot))) continue; // a folder
        expect(existsSync(testFile(ref.file)), `${row.threat}: test/${ref.file}.test.ts`).toBe(true);
        const source = sourceWithHelpers(ref.file);
        for (const title of ref.titles)
          expect(mentions(source, title), `${row.threat}: ${ref.file} › ${title}`).toBe(true);
      }
    }
  });
});
