/**
 * Finds a Chromium for the browser suite the way a user has one: `CHROMIUM_PATH`, then the
 * usual system paths, then the browser playwright-core would download (`npx playwright-core
 * install chromium`). Without one the suite is skipped with one line on stderr, except under
 * CI (`CI` set), where a missing browser fails the run so it is never silently not tested.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

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
