// Forms in a real browser (started by crates/server/tests/api/browser_forms.rs): a refused
// portal form keeps its input and names the field (Chinese on a phone, English on a
// desktop, with a file that is kept and sent with progress); the resolve form likewise; the
// admin's JSON editor keeps a broken edit and names the place; a double click posts once;
// rejecting and deactivating ask first; axe-core finds no serious or critical violation on
// the main pages in either language. Prints one JSON line; screenshots go to $SCREENSHOTS.
import { createRequire } from "node:module";
import { BASE, SHOTS, check, desktop, login, phone, walk } from "./lib.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const env = (name) => {
  const v = process.env[name];
  check(v, name + " is set");
  return v;
};

// What is said next to a field, and whether the field points at it.
async function fieldError(page, id) {
  const invalid = await page.getAttribute("#" + id, "aria-invalid");
  const describedBy = (await page.getAttribute("#" + id, "aria-describedby")) || "";
  const target = describedBy.split(" ").find((x) => x.endsWith("-error"));
  check(invalid === "true" && target, id + " is marked invalid and described");
  return (await page.textContent("#" + target)).trim();
}

// The serious and critical violations axe-core finds on the page.
async function axe(page, where) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  return found.map((v) => ({ where, ...v }));
}

await walk(async ({ out, context }) => {
  const ticket = env("TICKET"), ticketEn = env("TICKET_EN"), tracking = env("TRACKING"), contact = env("CONTACT");

  // 1. Chinese, on a phone: a phone number that is not one.
  const zh = await (await context(phone, "zh-CN")).newPage();
  await zh.goto(BASE + "/");
  await zh.fill("#f-name", "韩梅梅");
  await zh.fill("#f-contact", "12");
  await zh.fill("#f-subject", "净水器滤芯提示灯常亮");
  await zh.fill("#f-content", "更换滤芯后提示灯一直亮着，\n复位也没有用。");
  await Promise.all([zh.waitForNavigation(), zh.click("#feedback-form button[type=submit]")]);
  out.portal_zh = {
    top: (await zh.textContent("#form-error")).trim(),
    contact: await fieldError(zh, "f-contact"),
    name: await zh.inputValue("#f-name"),
    content: await zh.inputValue("#f-content"),
    contact_value: await zh.inputValue("#f-contact"),
  };
  await zh.screenshot({ path: SHOTS + "/forms-portal-refused-phone-zh.png", fullPage: true });

  // 2. English, on a desktop, with a photo: sent with progress; refused, the photo stays chosen.
  const en = await (await context(desktop, "en-US")).newPage();
  await en.goto(BASE + "/");
  await en.fill("#f-content", "The purifier's filter light stays on after a filter change.");
  // A 2 MB photo: large enough to be sent with progress (small ones post plainly).
  const png = Buffer.concat([
    Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de", "hex"),
    Buffer.alloc(2 << 20),
  ]);
  await en.setInputFiles("#f-files", { name: "light.png", mimeType: "image/png", buffer: png });
  const answered = en.waitForResponse((r) => r.url().endsWith("/submit"));
  await en.click("#feedback-form button[type=submit]");
  out.portal_en_status = (await answered).status();
  await en.waitForSelector("#form-error");
  out.portal_en = {
    top: (await en.textContent("#form-error")).trim(),
    contact: await fieldError(en, "f-contact"),
    content: await en.inputValue("#f-content"),
    files_kept: await en.$eval("#f-files", (i) => i.files.length),
  };
  // Corrected, sent again (still with the photo): thanked.
  await en.fill("#f-contact", "lin@example.com");
  await en.click("#feedback-form button[type=submit]");
  await en.waitForSelector("#tracking-no");
  out.portal_en_tracking = (await en.textContent("#tracking-no")).trim();
  await en.screenshot({ path: SHOTS + "/forms-portal-sent-en.png", fullPage: true });

  // 3. A double click posts once.
  const twice = await (await context(desktop, "zh-CN")).newPage();
  await twice.goto(BASE + "/");
  await twice.fill("#f-contact", "13700001111");
  await twice.fill("#f-content", env("DOUBLE_TEXT"));
  await Promise.all([twice.waitForNavigation(), twice.dblclick("#feedback-form button[type=submit]")]);
  out.double_tracking = (await twice.textContent("#tracking-no")).trim();

  // 4. The resolve form, in both languages: partially solved without saying what is left.
  for (const [locale, id, key] of [["zh-CN", ticket, "resolve_zh"], ["en-US", ticketEn, "resolve_en"]]) {
    const a = await (await context(desktop, locale)).newPage();
    await login(a, "agent");
    await a.goto(BASE + "/console/tickets/" + id);
    await Promise.all([a.waitForNavigation(), a.click("#assign-me")]);
    await Promise.all([a.waitForNavigation(), a.click("#acknowledge")]);
    // The resolve panel is one of the ticket page's always-shown actions.
    await a.waitForSelector("#resolve-form");
    await a.selectOption("#resolve-form select[name=kind]", "partially_solved");
    await a.fill("#resolve-summary", "更换了滤芯，提示灯仍亮");
    await a.fill("#resolve-reason", "主板需返厂检测");
    await Promise.all([a.waitForNavigation(), a.click("#resolve-form button[type=submit]")]);
    out[key] = {
      open: await a.$eval("#act-resolve", (d) => getComputedStyle(d).display !== "none"),
      unresolved: await fieldError(a, "resolve-unresolved"),
      summary: await a.inputValue("#resolve-summary"),
      reason: await a.inputValue("#resolve-reason"),
      kind: await a.inputValue("#resolve-form select[name=kind]"),
      url: new URL(a.url()).pathname,
    };
    if (locale === "zh-CN") {
      await a.screenshot({ path: SHOTS + "/forms-resolve-refused-zh.png", fullPage: true });
      // 5. Rejecting (a new ticket) asks first: cancelled, nothing happens; confirmed, rejected.
      // Its panel opens from the page's link row (#act-reject, :target).
      await a.goto(BASE + "/console/tickets/" + env("TICKET_NEW") + "#act-reject");
      await a.fill("#reject-body", "重复提交");
      await a.click("#reject-submit");
      await a.waitForSelector("dialog.confirm[open]");
      out.reject_question = (await a.textContent("dialog.confirm p")).trim();
      await a.click("#confirm-no");
      await a.waitForSelector("dialog.confirm", { state: "detached" });
      out.state_after_cancel = (await a.textContent("#state")).trim();
      await a.click("#reject-submit");
      await a.waitForSelector("dialog.confirm[open]");
      await Promise.all([a.waitForNavigation(), a.click("#confirm-yes")]);
      out.state_after_confirm = (await a.textContent("#state")).trim();
    }
  }

  // 6. The admin's JSON editor keeps a broken edit and says where.
  const adminCtx = await context(desktop, "zh-CN");
  const ad = await adminCtx.newPage();
  await login(ad, "admin");
  await ad.goto(BASE + "/console/admin/documents/reply_templates");
  // Standard replies have a form now: the JSON editor is the folded advanced view.
  await ad.click("#advanced summary");
  const broken = '{\n  "templates": [\n    {"name": "hi" "title_zh": "问候"}\n  ]\n}';
  await ad.fill("#document-body", broken);
  await ad.fill("#document-comment", "问候语");
  await Promise.all([ad.waitForNavigation(), ad.click("#document-save")]);
  out.editor = {
    kept: (await ad.inputValue("#document-body")) === broken,
    error: await fieldError(ad, "document-body"),
    comment: await ad.inputValue("#document-comment"),
    caret: await ad.$eval("#document-body", (t) => [document.activeElement === t, t.selectionStart]),
  };
  // Deactivating a user asks first too (cancelled here).
  await ad.goto(BASE + "/console/admin");
  await Promise.all([ad.waitForNavigation(), ad.click("#user-agent2")]);
  await ad.click("#user-deactivate");
  await ad.waitForSelector("dialog.confirm[open]");
  out.deactivate_question = (await ad.textContent("dialog.confirm p")).trim();
  await ad.click("#confirm-no");
  await ad.waitForSelector("dialog.confirm", { state: "detached" });
  out.still_active = (await ad.$("#inactive")) === null;

  // 7. axe-core on the main pages, in both languages (script injection needs CSP bypassed).
  out.axe = [];
  for (const locale of ["zh-CN", "en-US"]) {
    const portal = await (await context({ ...desktop, bypassCSP: true }, locale)).newPage();
    await portal.goto(BASE + "/");
    out.axe.push(...(await axe(portal, locale + " portal form")));
    await portal.goto(BASE + "/track");
    await portal.fill("input[name=tracking_no]", tracking);
    await portal.fill("input[name=contact]", contact);
    await Promise.all([portal.waitForNavigation(), portal.click("form button[type=submit]")]);
    out.axe.push(...(await axe(portal, locale + " portal status")));
    const staff = await (await context({ ...desktop, bypassCSP: true }, locale)).newPage();
    await login(staff, "admin");
    for (const [name, path] of [
      ["queue", "/console?view=all"],
      ["ticket", "/console/tickets/" + ticket],
      ["dashboard", "/console/dashboard"],
      ["admin", "/console/admin"],
      ["document", "/console/admin/documents/sla_policy"],
      ["account", "/console/account"],
    ]) {
      await staff.goto(BASE + path);
      out.axe.push(...(await axe(staff, locale + " " + name)));
    }
  }
});
