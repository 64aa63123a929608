#!/usr/bin/env node
/**
 * `npm install` and `npm start` build dist/ with this, and only when a source is newer than the
 * build: a repeated `npm start` starts at once, and `npx ourcoin` never builds (npm runs
 * `prepare` on every npx, which is why the build is not there). An installed package (the
 * packed tarball, which ships dist/ and no src/) has nothing to build.
 */
import { execSync } from 'node:child_process';
import process from 'node:process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (...parts) => join(root, ...parts);

/** The newest modification time under `path` (a file or a folder), in ms. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

if (!existsSync(at('src'))) process.exit(0);
const outputs = [at('dist', 'cli', 'main.js'), at('dist', 'explorer', 'index.html')];
const built = outputs.every(existsSync) ? Math.min(...outputs.map((p) => statSync(p).mtimeMs)) : 0;
const inputs = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'vite.config.ts'].map((p) => at(p));
if (built > Math.max(...inputs.filter(existsSync).map(newest))) process.exit(0);
process.stderr.write('building dist/ (tsc and the explorer)...\n');
execSync('npm run build', { cwd: root, stdio: 'inherit' });
