import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { repoRoot } from '../testing/paths.js';
import { stopChild } from '../testing/process.js';

const CHROMIUM = '/usr/bin/chromium';
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

/** Starts `peregrine serve --demo` as a child process and resolves with its dashboard URL (token in the fragment). */
export function startDemo(dataDir: string, extra: string[] = []): Promise<{ child: ChildProcess; dashboard: string; base: string; token: string }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--demo', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PEREGRINE_LOG_LEVEL: 'warn', PEREGRINE_TOKEN: '' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve --demo did not start: ${out} ${err}`)), 15_000);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /dashboard: (http:\/\/[^\s]+\/ui\/#token=([^\s]+))/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, dashboard: m[1], base: m[1].replace(/\/ui\/.*$/, ''), token: m[2] });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${err}`)));
  });
}


test('dashboard in headless Chromium: serve --demo shows a live alert with evidence, stability timelines with the threshold line, the model registry', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (Debian chromium)` }, async () => {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-dash-'));
  const demo = await startDemo(dir, ['--demo-speed', '5']);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(demo.dashboard);
    assert.ok(!page.url().includes('token='), 'the token is taken out of the address bar');
    await page.waitForSelector('li.alert .title', { timeout: 40_000 });
    await page.waitForSelector('.timeline svg polyline.threshold', { timeout: 10_000, state: 'attached' });
    await page.waitForSelector('#models tbody tr', { timeout: 10_000 });
    // both halves of the demo feed: the staged miner (syscalls) and the port scan (flows)
    await page.waitForFunction('document.querySelectorAll("li.alert").length >= 2', undefined, { timeout: 30_000 });
    const titles = await page.locator('li.alert .title').allTextContents();
    assert.ok(titles.includes('container activity departs from its baseline'), titles.join('; '));
    assert.ok(titles.includes('network flows depart from the learned traffic'), titles.join('; '));
    assert.ok((await page.locator('li.alert .bar').count()) > 0, 'top features shown');
    assert.ok((await page.locator('li.alert .events li').count()) > 0, 'key events shown');
    assert.match((await page.textContent('#models tbody')) ?? '', /nginx/);
    await page.waitForTimeout(2500); // let a couple more intervals in, for a readable picture
    const shot = join(dir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 20_000);
    if (process.env.PEREGRINE_UPDATE_SCREENSHOT === '1') {
      const dest = join(repoRoot(), 'docs', 'img', 'dashboard.png');
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(shot, dest);
    }
    // without the token the shell asks for one and /api refuses
    const anon = await browser.newPage();
    await anon.goto(`${demo.base}/ui/`);
    await anon.waitForSelector('#token-form:not([hidden])', { timeout: 5000 });
  } finally {
    await browser.close();
    const code = await stopChild(demo.child);
    assert.equal(code, 0, 'SIGTERM drains and exits 0');
    rmSync(dir, { recursive: true, force: true });
  }
});
