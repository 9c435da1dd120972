// The portal's branding form and the two-step set-up's QR code in headless Chromium.
// Started by crates/server/tests/api/browser_forms_channels.rs.
//  1. (zh-CN, desktop) An admin opens the portal document: a form with the values in
//     force (the built-in colour). A colour white text cannot be read on is refused at its
//     field with what was typed kept; a darker one saves a new version.
//     A webhook source is opened by its name: an empty form that creates it.
//  2. (zh-CN, phone) The portal shows the company's name and colour.
//  3. (zh-CN, desktop) The account page's two-step set-up shows the QR code beside the key.
import { BASE, SHOTS, check, desktop, login, phone, walk } from "./lib.mjs";

const field = (name) => `[name="${name}"]`;

await walk(async ({ out, context }) => {
  // 1. The portal's branding in a form, in Chinese.
  const zh = await context(desktop, "zh-CN");
  const a = await zh.newPage();
  await login(a, "admin");
  await a.goto(BASE + "/console/admin/documents/portal");
  out.form_title = (await a.textContent("#portal-form-card h2")).trim();
  out.accent_in_force = await a.inputValue(field("branding.accent"));
  out.builtin_checked = await a.isChecked(field("branding.accent_builtin"));
  out.hours_in_force = await a.inputValue(field("unsatisfied.contact_within_working_hours"));
  out.accent_label = (await a.textContent('label[for="portal-form-branding-accent"]')).trim();
  await a.fill(field("branding.company"), "海川电器");
  await a.uncheck(field("branding.accent_builtin"));
  await a.fill(field("branding.accent"), "#ffcc00");
  await a.fill("#portal-comment", "门户品牌");
  await Promise.all([a.waitForNavigation(), a.click("#portal-save")]);
  out.colour_error = (await a.textContent("#portal-form-branding-accent-error")).trim();
  out.colour_invalid = await a.getAttribute(field("branding.accent"), "aria-invalid");
  out.colour_described = await a.getAttribute(field("branding.accent"), "aria-describedby");
  out.colour_kept = await a.inputValue(field("branding.accent"));
  out.company_kept = await a.inputValue(field("branding.company"));
  out.comment_kept = await a.inputValue("#portal-comment");
  out.builtin_after_refusal = await a.isChecked(field("branding.accent_builtin"));
  await a.locator("#portal-form-branding-accent").scrollIntoViewIfNeeded();
  await a.screenshot({ path: SHOTS + "/admin-portal-form.png", fullPage: true });
  await a.fill(field("branding.accent"), "#0b5394");
  await Promise.all([a.waitForNavigation(), a.click("#portal-save")]);
  out.saved_flash = (await a.textContent(".flash")).trim();
  out.saved_heading = (await a.textContent("h1 .hint")).trim();

  // A webhook source not configured yet: an empty form that creates it.
  await a.goto(BASE + "/console/admin");
  await a.fill("#webhook-source", "shop-app");
  await Promise.all([a.waitForNavigation(), a.click("#webhook-source-open")]);
  out.webhook_new = (await a.textContent("#webhook-new")).trim();
  out.webhook_channel = await a.inputValue(field("channel"));
  await a.screenshot({ path: SHOTS + "/admin-webhook-form.png", fullPage: true });

  // 2. The portal on a phone shows them.
  const mobile = await context(phone, "zh-CN");
  const p = await mobile.newPage();
  await p.goto(BASE + "/");
  out.portal_company = (await p.textContent("#company")).trim();
  out.portal_button_colour = await p.evaluate(() => {
    const b = document.querySelector("button.primary, .button.primary");
    return b ? getComputedStyle(b).backgroundColor : null;
  });
  out.portal_overflows = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  await p.screenshot({ path: SHOTS + "/portal-branded-phone.png", fullPage: true });

  // 3. The two-step set-up's QR code.
  await a.goto(BASE + "/console/account");
  await Promise.all([a.waitForNavigation(), a.click("#totp-begin")]);
  check(await a.isVisible("#totp-qr svg"), "the QR code is drawn");
  out.qr_label = await a.getAttribute("#totp-qr", "aria-label");
  out.qr_size = await a.evaluate(() => {
    const r = document.querySelector("#totp-qr svg").getBoundingClientRect();
    return [Math.round(r.width), Math.round(r.height)];
  });
  out.qr_paths = await a.locator("#totp-qr svg path").count();
  out.otpauth = await a.getAttribute("#totp-uri", "href");
  out.secret_text = (await a.textContent("#totp-secret")).trim();
  await a.locator("#totp").scrollIntoViewIfNeeded();
  await a.screenshot({ path: SHOTS + "/account-totp-qr.png", fullPage: true });
});
