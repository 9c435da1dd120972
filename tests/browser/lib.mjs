// What every browser walk shares: the server's address, the test password, the screenshot
// folder, a headless Chromium, contexts that record any request leaving the server, and
// the console sign-in. Each walk is its own script (started by a Rust test through
// browser::run_script) and prints one JSON line with what it saw.
import { chromium } from "playwright-core";

export const BASE = process.env.BASE_URL;
export const PASSWORD = process.env.PASSWORD;
export const SHOTS = process.env.SCREENSHOTS;
export const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const desktop = { viewport: { width: 1366, height: 900 } };

export function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

// Runs `walk(tools)` with a fresh browser and prints `out` (or the error and what was seen
// so far) as the last line; the process fails when the walk throws.
export async function walk(body) {
  const out = {};
  const external = [];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const context = async (opts, locale) => {
    const ctx = await browser.newContext({ ...opts, locale, timezoneId: "Asia/Shanghai" });
    // Every request must go to our server.
    ctx.on("request", (r) => {
      if (!r.url().startsWith(BASE) && !r.url().startsWith("data:")) external.push(r.url());
    });
    return ctx;
  };
  try {
    await body({ out, browser, context });
    out.external_requests = external;
    console.log(JSON.stringify(out));
  } catch (e) {
    console.error(e && e.stack ? e.stack : String(e));
    console.log(JSON.stringify({ error: String(e), partial: out }));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

export async function login(page, user, password = PASSWORD) {
  await page.goto(BASE + "/console");
  check(page.url().includes("/console/login"), "unauthenticated console goes to login");
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit].primary")]);
}
