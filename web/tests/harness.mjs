// Starts what the browser tests need: the real gateway binary in its embedded mode (in-memory
// broker, in-process workers) on a free loopback port, and Debian's headless Chromium.
// Everything started is stopped in `stop()`, and every wait is bounded.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { chromium } from "playwright-core";

const ROOT = resolve(import.meta.dirname, "../..");
const TARGET = process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : resolve(ROOT, "target");
const GATEWAY = process.env.GATEWAY_BIN ?? resolve(TARGET, "debug/gateway");
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
/** How long the gateway may take to print its banner (a debug build on a busy 2-core box). */
const START_TIMEOUT_MS = 30_000;
/** Flags that keep Chromium off the network (this machine has none) and quiet. */
const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Reads the gateway's banner: its URL and the dev token it minted. */
function readBanner(child) {
  return new Promise((resolvePromise, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`gateway printed no banner in ${START_TIMEOUT_MS} ms:\n${out}`)), START_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = out.match(/listening on (http:\/\/\S+)/)?.[1];
      const token = out.match(/^dev token.*\n(\S+)$/m)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolvePromise({ url, token });
      }
    });
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code} before its banner`)));
  });
}

/** A running gateway and browser; `stop()` ends both. */
export async function start() {
  const gateway = spawn(GATEWAY, ["--listen-addr", "127.0.0.1:0", "--drain-grace", "2s"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  try {
    const { url, token } = await readBanner(gateway);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: START_TIMEOUT_MS });
    const api = (path, init = {}) => fetch(`${url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...init.headers },
    });
    return {
      url,
      token,
      browser,
      api,
      /** A new tab on `session`, signed in through the URL fragment as the printed URL does. */
      async open(session) {
        const page = await browser.newPage();
        page.setDefaultTimeout(20_000);
        await page.goto(`${url}/?session=${session}#token=${token}`);
        await page.locator("#status[data-state=open]").waitFor();
        return page;
      },
      async stop() {
        await browser.close();
        if (gateway.exitCode === null) {
          const exited = once(gateway, "exit");
          gateway.kill("SIGTERM");
          await exited;
        }
      },
    };
  } catch (e) {
    gateway.kill("SIGKILL");
    throw e;
  }
}
