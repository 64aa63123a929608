/**
 * Finds a Chromium for the browser suite the way a user has one: `CHROMIUM_PATH`, then the
 * usual system paths, then the browser playwright-core would download (`npx playwright-core
 * install chromium`). Without one the suite is skipped with one line on stderr, except under
 * CI (`CI` set), where a missing browser fails the run so it is never silently not tested.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startNode } from './nodeProcess.js';
import type { NodeProcess } from './nodeProcess.js';

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const HOW_TO_GET_ONE = "install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH";

/** Where playwright-core keeps its own Chromium, if it resolves one (it throws on unsupported hosts). */
function playwrightChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/** True when `CI` is set to anything but empty, `0` or `false`. */
function underCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env['CI']?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/**
 * The Chromium executable to drive, or undefined (after one stderr line) to skip the suite.
 * Throws when `CHROMIUM_PATH` names a file that does not exist (an explicit setting that is
 * wrong is a mistake to fix, not a reason to skip) and when no browser is found under CI.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env['CHROMIUM_PATH'];
  if (configured !== undefined && configured !== '') {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  const found = [...SYSTEM_CHROMIUMS, playwrightChromium()].find((p) => p !== undefined && existsSync(p));
  if (found !== undefined) return found;
  if (underCi(env)) throw new Error(`browser suite cannot run under CI: no Chromium found; ${HOW_TO_GET_ONE}`);
  process.stderr.write(`browser suite skipped: no Chromium found; ${HOW_TO_GET_ONE}\n`);
  return undefined;
}

/** Flags for a headless Chromium in a container (no sandbox, no GPU, no background traffic). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the browser suites save their screenshots. */
export const EXPLORER_ARTIFACTS = join('test-artifacts', 'explorer');
const EXPLORER_BUNDLED = [join('src', 'explorer'), join('src', 'protocol'), join('src', 'crypto')];
const EXPLORER_BUILD = join('dist', 'explorer', 'index.html');

/** Builds the explorer unless dist/explorer is newer than every source file it bundles. */
export function ensureExplorerBuilt(): void {
  // The bundle holds the protocol and crypto code too (the in-browser checks run it).
  const newestSource = Math.max(
    ...EXPLORER_BUNDLED.flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => statSync(join(dir, f)).mtimeMs),
    ),
    statSync(join('src', 'errors.ts')).mtimeMs,
  );
  if (existsSync(EXPLORER_BUILD) && statSync(EXPLORER_BUILD).mtimeMs >= newestSource) return;
  execFileSync(process.execPath, [join('node_modules', 'vite', 'bin', 'vite.js'), 'build'], { stdio: 'pipe' });
}

/** A headless Chromium with its own profile in `profileDir`, at a desktop viewport. */
export async function launchChromium(executablePath: string, profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
}

/** A full-page screenshot into test-artifacts/explorer/<name>.png. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(EXPLORER_ARTIFACTS, { recursive: true });
  const path = join(EXPLORER_ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** What a browser suite shares between its hooks and its test: a temp dir, a node, a browser. */
export interface ExplorerSuite {
  tmp: string;
  node?: NodeProcess;
  context?: BrowserContext;
}

/**
 * Registers the hooks of a browser suite (call it inside the `describe`, so a skipped suite
 * starts nothing): the explorer built, a regtest node process in a temp dir before the tests,
 * and the browser, the node and the dir gone after them.
 */
export function explorerSuite(name: string): ExplorerSuite {
  const suite: ExplorerSuite = { tmp: '' };
  beforeAll(async () => {
    ensureExplorerBuilt();
    suite.tmp = mkdtempSync(join(tmpdir(), `ourcoin-${name}-`));
    suite.node = await startNode(['--network', 'regtest', '--datadir', join(suite.tmp, 'node')]);
  }, 120_000);
  afterAll(async () => {
    await suite.context?.close();
    await suite.node?.stop();
    if (suite.tmp !== '') rmSync(suite.tmp, { recursive: true, force: true });
  });
  return suite;
}
