// Admin configuration and two-step sign-in in headless Chromium, both languages. Started by
// crates/server/tests/api/browser_admin.rs, which passes the server clock's time (NOW, Unix
// seconds: the test server runs on a manual clock) so TOTP codes are computed here as an
// authenticator app would, with node's crypto module.
//  1. (zh-CN) An admin opens the SLA policy: a form with the values in force. A typo is
//     refused next to its field and what was typed stays; the fixed value saves v1. The
//     history compares v0 with v1 (the diff), and the rollback restores the defaults as v2.
//  2. (en) The same form in English.
//  3. (en) The admin sets up two-step sign-in on the account page, signs out, and signs in
//     with password and code; the code page in Chinese too.
import { createHmac } from "node:crypto";
import { BASE, SHOTS, check, desktop, login, walk } from "./lib.mjs";

const NOW = Number(process.env.NOW);

function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out = [];
  for (const c of text) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

// RFC 6238: HMAC-SHA1 of the 30-second step, dynamic truncation, six digits.
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = h[19] & 0x0f;
  const n = ((h[offset] & 0x7f) << 24) | (h[offset + 1] << 16) | (h[offset + 2] << 8) | h[offset + 3];
  return String(n % 1_000_000).padStart(6, "0");
}

const field = (name) => `[name="${name}"]`;

await walk(async ({ out, context }) => {
  // 1. The SLA policy in a form, in Chinese.
  const zh = await context(desktop, "zh-CN");
  const a = await zh.newPage();
  await login(a, "admin");
  await a.goto(BASE + "/console/admin/documents/sla_policy");
  out.sla_title = (await a.textContent("#sla-form-card h2")).trim();
  out.effective_hint = (await a.textContent("#effective-hint")).trim();
  out.high_first_response = await a.inputValue(field("high.first_response.amount"));
  out.high_first_response_unit = await a.inputValue(field("high.first_response.unit"));
  await a.screenshot({ path: SHOTS + "/admin-sla-form.png", fullPage: true });
  await a.fill(field("high.first_response.amount"), "6小时");
  await a.fill(field("low.result.amount"), "12");
  await Promise.all([a.waitForNavigation(), a.click("#sla-save")]);
  out.typo_error = (await a.textContent('[id="high.first_response-error"]')).trim();
  out.typo_invalid = await a.getAttribute(field("high.first_response.amount"), "aria-invalid");
  out.typo_kept = await a.inputValue(field("high.first_response.amount"));
  out.other_kept = await a.inputValue(field("low.result.amount"));
  await a.screenshot({ path: SHOTS + "/admin-sla-form-error.png", fullPage: true });
  await a.fill(field("high.first_response.amount"), "6");
  await a.selectOption(field("high.first_response.unit"), "hours");
  await a.fill("#sla-comment", "高优先级首次响应改为 6 小时");
  await Promise.all([a.waitForNavigation(), a.click("#sla-save")]);
  out.saved_flash = (await a.textContent(".flash")).trim();
  out.saved_version = (await a.textContent("h1 .hint")).trim();
  // The diff between the built-in defaults and v1, then the rollback.
  await Promise.all([a.waitForNavigation(), a.click("#compare-0")]);
  out.diff_summary = (await a.textContent("#diff-summary")).trim();
  out.diff_added = await a.locator(".diff-line.diff-add").count();
  out.diff_removed = await a.locator(".diff-line.diff-del").count();
  out.diff_added_text = (await a.locator(".diff-line.diff-add code").allTextContents()).join("\n");
  await a.screenshot({ path: SHOTS + "/admin-sla-diff.png", fullPage: true });
  await Promise.all([a.waitForNavigation(), a.click("#rollback-confirm")]);
  out.rollback_flash = (await a.textContent(".flash")).trim();
  out.after_rollback = await a.inputValue(field("high.first_response.amount"));
  out.after_rollback_unit = await a.inputValue(field("high.first_response.unit"));
  out.history = (await a.textContent("#history")).replace(/\s+/g, " ").trim();

  // 2. The same form in English.
  const en = await context(desktop, "en-US");
  const e = await en.newPage();
  await login(e, "admin");
  await e.goto(BASE + "/console/admin/documents/sla_policy");
  out.sla_title_en = (await e.textContent("#sla-form-card h2")).trim();
  out.first_label_en = (await e.textContent('label[for="urgent.first_response-amount"]')).trim();
  await e.screenshot({ path: SHOTS + "/admin-sla-form-en.png", fullPage: true });

  // 3. Two-step sign-in: set up on the account page, then sign in with a code.
  await e.goto(BASE + "/console/account");
  await Promise.all([e.waitForNavigation(), e.click("#totp-begin")]);
  const secret = (await e.textContent("#totp-secret")).trim();
  out.otpauth = await e.getAttribute("#totp-uri", "href");
  const step = Math.floor(NOW / 30);
  await e.fill("#totp-confirm-code", totp(secret, step));
  await Promise.all([e.waitForNavigation(), e.click("#totp-confirm")]);
  out.totp_flash = (await e.textContent(".flash")).trim();
  out.totp_state = (await e.textContent("#totp-state")).trim();
  out.secret_shown_after = (await e.content()).includes(secret);
  await e.screenshot({ path: SHOTS + "/account-totp.png", fullPage: true });

  const later = await context(desktop, "en-US");
  const l = await later.newPage();
  await login(l, "admin");
  check(await l.isVisible("#totp-code"), "the code is asked for after the password");
  out.code_hint = (await l.textContent("#totp-form .hint")).trim();
  // The code of this step was used to confirm: the same code is refused (replay)…
  await l.fill("#totp-code", totp(secret, step));
  await Promise.all([l.waitForNavigation(), l.click("#totp-form button[type=submit]")]);
  out.replay_error = (await l.textContent("#code-error")).trim();
  // …the next step's is accepted (a phone slightly ahead).
  await l.fill("#totp-code", totp(secret, step + 1));
  await Promise.all([l.waitForNavigation(), l.click("#totp-form button[type=submit]")]);
  out.signed_in_url = l.url();
  out.signed_in = await l.isVisible("form[action='/console/logout']");

  // The code page in Chinese (the password is right; no code entered).
  const zh2 = await context(desktop, "zh-CN");
  const z = await zh2.newPage();
  await login(z, "admin");
  out.code_hint_zh = (await z.textContent("#totp-form .hint")).trim();
  await z.screenshot({ path: SHOTS + "/login-totp-zh.png", fullPage: true });
});
