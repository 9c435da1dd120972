// The triage and macros forms in headless Chromium. Started by
// crates/server/tests/api/browser_forms_triage.rs, which passes WORD (a keyword no category
// knows yet) and TICKET (a ticket's id).
//  1. (zh-CN) An admin opens the taxonomy form, unfolds the logistics category and adds
//     WORD to its keywords. Saved without a reason: refused at the comment, the keyword
//     kept; with a reason it is saved as v1.
//  2. (zh-CN) A supervisor follows the navigation to the macros page, creates a macro
//     (priority high and a reply) and applies it on the ticket's page.
import { BASE, SHOTS, check, desktop, login, walk } from "./lib.mjs";

const WORD = process.env.WORD;
const TICKET = process.env.TICKET;
const field = (name) => `[name="${name}"]`;

await walk(async ({ out, context }) => {
  // 1. The taxonomy form.
  const zh = await context(desktop, "zh-CN");
  const a = await zh.newPage();
  await login(a, "admin");
  await a.goto(BASE + "/console/admin/documents/triage.taxonomy");
  out.taxonomy_title = (await a.textContent("#taxonomy-form-card h2")).trim();
  out.effective_hint = (await a.textContent("#effective-hint")).trim();
  // The logistics row: find it by its id field, unfold it.
  const ids = await a.locator('#taxonomy-form input[name$=".id"]').evaluateAll((els) =>
    els.map((e) => [e.name, e.value]),
  );
  const row = ids.find(([, v]) => v === "logistics")[0].replace(/\.id$/, "");
  const box = a.locator("details", { has: a.locator(field(row + ".id")) });
  out.folded = (await box.getAttribute("open")) === null;
  await box.locator("summary").click();
  out.logistics_name = await a.inputValue(field(row + ".name"));
  const kw = field(row + ".keywords");
  const before = await a.inputValue(kw);
  await a.fill(kw, before + "\n" + WORD);
  await a.locator(kw).scrollIntoViewIfNeeded();
  await a.screenshot({ path: SHOTS + "/admin-taxonomy-form.png" });
  await Promise.all([a.waitForNavigation(), a.click("#taxonomy-save")]);
  out.comment_error = (await a.textContent("#form-comment-error")).trim();
  out.comment_invalid = await a.getAttribute("#form-comment", "aria-invalid");
  out.keyword_kept = (await a.inputValue(kw)).endsWith("\n" + WORD);
  await a.fill("#form-comment", "物流类新增关键词");
  await Promise.all([a.waitForNavigation(), a.click("#taxonomy-save")]);
  out.saved_flash = (await a.textContent(".flash")).trim();
  out.saved_version = (await a.textContent("h1 .hint")).trim();
  out.keyword_shown = (await a.inputValue(kw)).split("\n").includes(WORD);
  // The priority rules: a rule with its condition as fields, one listed read-only.
  await a.goto(BASE + "/console/admin/documents/triage.priority-rules");
  await a.locator("#prule-14 summary").click();
  await a.locator("#prule-16 summary").click();
  out.fixed_hint = (await a.textContent("#r15-fixed")).trim();
  out.rule_signal_ticked = await a.isChecked(field("r13.sig.many_affected"));
  await a.locator("#prule-14").scrollIntoViewIfNeeded();
  await a.screenshot({ path: SHOTS + "/admin-priority-form.png" });

  // 2. The supervisor's macros.
  const s = await (await context(desktop, "zh-CN")).newPage();
  await login(s, "supervisor");
  await Promise.all([s.waitForNavigation(), s.click("#nav-macros")]);
  out.macros_title = (await s.textContent("h1")).trim();
  await s.fill(field("m0.id"), "urgent-callback");
  await s.fill(field("m0.title_zh"), "加急回电");
  await s.fill(field("m0.title_en"), "Urgent call-back");
  await s.selectOption(field("m0.priority"), "high");
  await s.fill(field("m0.reply_zh"), "{{customer_name}}您好，我们会在两小时内给您回电。");
  await s.fill("#form-comment", "新增加急回电宏");
  await s.locator("#macro-1").scrollIntoViewIfNeeded();
  await Promise.all([s.waitForNavigation(), s.click("#macros-save")]);
  out.macro_flash = (await s.textContent(".flash")).trim();
  out.macro_legend = (await s.textContent("#macro-1 legend")).trim();
  await s.screenshot({ path: SHOTS + "/console-macros.png" });
  await s.goto(BASE + "/console/tickets/" + TICKET);
  await s.selectOption("#macro-select", "urgent-callback");
  await Promise.all([s.waitForNavigation(), s.click("#apply-macro")]);
  out.applied_flash = (await s.textContent(".flash")).trim();
  check(out.applied_flash.length > 0, "a flash after applying");
});
