// End-to-end run of the portal and the console in headless Chromium (playwright-core).
// Started by crates/server/tests/api/browser.rs against a real server; prints one JSON line
// with what it saw, which the Rust test asserts on. Screenshots go to $SCREENSHOTS.
import { BASE, PASSWORD, SHOTS, check, desktop, login, phone, walk } from "./lib.mjs";

await walk(async ({ out, context }) => {
  // 1. A customer submits on the portal, in Chinese, on a phone.
  const zhPhone = await context(phone, "zh-CN");
  const p = await zhPhone.newPage();
  await p.goto(BASE + "/");
  check((await p.textContent("h1")).includes("请告诉我们"), "portal in Chinese");
  await p.fill("input[name=name]", "王芳");
  await p.fill("input[name=contact]", "13612345678");
  await p.fill("input[name=subject]", "扫地机器人无法充电");
  await p.fill("textarea[name=content]", "扫地机器人放回充电座后指示灯不亮，已经两天无法充电了，请尽快处理。");
  await p.fill("input[name=model]", "X20");
  await p.fill("input[name=order_no]", "DD20261102001");
  // A photo of the dock, uploaded with the form.
  const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de", "hex");
  await p.setInputFiles("#feedback-form input[name=attachment]", { name: "dock.png", mimeType: "image/png", buffer: png });
  await p.screenshot({ path: SHOTS + "/portal-phone.png", fullPage: true });
  await Promise.all([p.waitForNavigation(), p.click("#feedback-form button[type=submit]")]);
  out.tracking_no = (await p.textContent("#tracking-no")).trim();
  out.expected = (await p.textContent("#expected")).trim();
  await p.screenshot({ path: SHOTS + "/portal-thanks-phone.png", fullPage: true });

  // 1b. A second customer, in English, whose ticket stays open (for the calendar change).
  const enDesk = await context(desktop, "en-US");
  const p2 = await enDesk.newPage();
  await p2.goto(BASE + "/");
  check((await p2.textContent("h1")).includes("Tell us what happened"), "portal in English");
  await p2.fill("input[name=contact]", "anna@example.com");
  await p2.fill("input[name=subject]", "Invoice shows the wrong amount");
  await p2.fill("textarea[name=content]", "My invoice for order 7781 charges twice for shipping. Please correct it.");
  await Promise.all([p2.waitForNavigation(), p2.click("#feedback-form button[type=submit]")]);
  out.tracking_no2 = (await p2.textContent("#tracking-no")).trim();

  // 2. An agent (English console) finds it in the queue, replies and resolves it.
  const agentCtx = await context(desktop, "en-US");
  const a = await agentCtx.newPage();
  await login(a, "agent");
  await a.goto(BASE + "/console?view=unassigned");
  await a.fill("#search", "充电");
  await Promise.all([a.waitForNavigation(), a.click("#filters button[type=submit]")]);
  const row = a.locator("table.queue tbody tr", { hasText: out.tracking_no });
  check((await row.count()) === 1, "the ticket is in the unassigned queue, found by a Chinese word");
  await a.screenshot({ path: SHOTS + "/queue.png", fullPage: true });
  // The searched queue downloads as an Excel workbook with the Chinese text intact.
  const [found] = await Promise.all([a.waitForEvent("download"), a.click("#export-xlsx")]);
  await found.saveAs(SHOTS + "/queue-search.xlsx");
  // Keyboard: j selects the first row, a assigns it to me.
  await a.keyboard.press("j");
  check((await a.locator("tr.sel").count()) === 1, "j selects a row");
  await Promise.all([a.waitForNavigation(), a.keyboard.press("a")]);
  out.assign_flash = (await a.textContent(".flash")).trim();
  // Assigned and not yet accepted: its acknowledge clock counts down in "breaching soon".
  await a.goto(BASE + "/console?view=breaching");
  const soon = a.locator("table.queue tbody tr", { hasText: out.tracking_no }).locator(".due");
  out.breaching_due = (await soon.textContent()).trim();
  out.breaching_color = await soon.evaluate((el) => getComputedStyle(el).color);
  await a.screenshot({ path: SHOTS + "/queue-breaching.png", fullPage: true });
  await a.goto(BASE + "/console?view=mine");
  await a.keyboard.press("j");
  await Promise.all([a.waitForNavigation(), a.keyboard.press("Enter")]);
  check(a.url().includes("/console/tickets/"), "Enter opens the ticket");
  out.ticket_url = a.url();
  await Promise.all([a.waitForNavigation(), a.click("#acknowledge")]);
  await a.selectOption("#reply-template", "received");
  const filled = await a.inputValue("#reply-body");
  check(filled.includes(out.tracking_no), "the template filled in the tracking number");
  await Promise.all([a.waitForNavigation(), a.click("#send")]);
  await a.click("#quick-actions a[href=\"#act-resolve\"]");
  await a.fill("#resolve-form textarea[name=summary]", "Replaced the charging dock; charging works again.");
  await Promise.all([a.waitForNavigation(), a.click("#resolve-form button[type=submit]")]);
  out.agent_state = (await a.textContent("#state")).trim();
  await a.screenshot({ path: SHOTS + "/ticket.png", fullPage: true });

  // 3. The customer tracks it (Chinese, phone) and answers the survey.
  await p.goto(BASE + "/track");
  await p.fill("input[name=tracking_no]", out.tracking_no);
  await p.fill("input[name=contact]", "13612345678");
  await Promise.all([p.waitForNavigation(), p.click("#track-form button[type=submit]")]);
  out.customer_state = (await p.textContent("#state")).trim();
  out.public_timeline = await p.textContent("#public-timeline");
  out.portal_files = await p.textContent("#files");
  await p.screenshot({ path: SHOTS + "/portal-status-phone.png", fullPage: true });
  await p.check("#survey input[value=satisfied]");
  await p.check("#survey input[name=score][value='5']");
  await Promise.all([p.waitForNavigation(), p.click("#survey button[type=submit]")]);
  out.after_survey_state = (await p.textContent("#state")).trim();

  // 4. A supervisor (Chinese console) sees it on the dashboard.
  const supCtx = await context(desktop, "zh-CN");
  const s = await supCtx.newPage();
  await login(s, "supervisor");
  await s.goto(BASE + "/console/dashboard?period=today");
  out.kpi_volume = (await s.textContent("#kpi-volume")).trim();
  out.kpi_resolved = (await s.textContent("#kpi-resolved")).trim();
  out.kpi_satisfaction = (await s.textContent("#kpi-satisfaction")).trim();
  out.dashboard_title = (await s.textContent("h1")).trim();
  // The calendar's end-of-schedule warning is for admins only.
  out.schedule_warnings_supervisor = await s.locator(".schedule-warning").count();
  await s.screenshot({ path: SHOTS + "/dashboard.png", fullPage: true });

  // 4b. Their reports (Chinese): this month against the last, downloads that open in a
  // spreadsheet, and a breakdown number that opens the queue filtered the same way.
  await s.goto(BASE + "/console/reports");
  out.reports_title = (await s.textContent("h1")).trim();
  out.reports_volume = (await s.textContent("#summary tbody tr td.v")).trim();
  out.reports_charts = await s.locator("svg[role=img]").count();
  out.heatmap_title = (await s.textContent("#chart-heatmap-title")).trim();
  out.stacked_title = (await s.textContent("#chart-category-channel-title")).trim();
  await s.screenshot({ path: SHOTS + "/reports-zh.png", fullPage: true });
  for (const [id, file] of [["#download-breakdown-csv", "breakdown.csv"], ["#download-breakdown-xlsx", "breakdown.xlsx"]]) {
    const [dl] = await Promise.all([s.waitForEvent("download"), s.click(id)]);
    await dl.saveAs(SHOTS + "/" + file);
  }
  const cell = s.locator("#breakdown tbody a").first();
  out.drill_count = (await cell.textContent()).trim();
  await Promise.all([s.waitForNavigation(), cell.click()]);
  out.drill_url = s.url();
  out.drill_rows = await s.locator("table.queue tbody tr").count();
  // The queue as it is filtered downloads as CSV and as an Excel workbook.
  for (const [id, file] of [["#export-csv", "queue.csv"], ["#export-xlsx", "queue.xlsx"]]) {
    const [dl] = await Promise.all([s.waitForEvent("download"), s.click(id)]);
    await dl.saveAs(SHOTS + "/" + file);
  }

  // 5. An admin adds a holiday; the due times of the open ticket move.
  const adminCtx = await context(desktop, "en-US");
  const ad = await adminCtx.newPage();
  await login(ad, "admin");
  // The dashboard in English counts the same tickets as the Chinese one.
  await ad.goto(BASE + "/console/dashboard?period=today");
  out.dashboard_title_en = (await ad.textContent("h1")).trim();
  out.kpi_volume_en = (await ad.textContent("#kpi-volume")).trim();
  out.schedule_warning_en = (await ad.textContent(".schedule-warning")).trim();
  await ad.screenshot({ path: SHOTS + "/dashboard-en.png", fullPage: true });
  await ad.goto(BASE + "/console/reports");
  out.reports_title_en = (await ad.textContent("h1")).trim();
  out.heatmap_title_en = (await ad.textContent("#chart-heatmap-title")).trim();
  await ad.screenshot({ path: SHOTS + "/reports-en.png", fullPage: true });
  await ad.goto(BASE + "/console?view=all&q=" + encodeURIComponent("invoice"));
  await Promise.all([ad.waitForNavigation(), ad.click("table.queue a.open")]);
  const ticket2 = ad.url();
  const dues = async () => (await ad.locator("#sla td.due-at").allTextContents()).join(" | ");
  out.due_before = await dues();
  await ad.goto(BASE + "/console/admin/documents/calendars");
  await ad.selectOption("#day-calendar", "default");
  await ad.fill("#day-date", process.env.HOLIDAY);
  await ad.fill("#day-name", "Company day off");
  await Promise.all([ad.waitForNavigation(), ad.click("#day-save")]);
  out.calendar_flash = (await ad.textContent(".flash")).trim();
  out.calendar_history = await ad.textContent("#history");
  await ad.goto(ticket2);
  out.due_after = await dues();

  // 6. Live updates: while the admin has the ticket open, the supervisor (Chinese console)
  // writes on it; the message appears on the admin's page without a reload.
  await ad.evaluate(() => { window.__notReloaded = true; });
  await ad.waitForFunction(() => document.body.dataset.live === "sse");
  await s.goto(ticket2);
  await s.fill("#reply-body", "已转交财务核对运费");
  await s.check("#reply-form input[value=note]");
  await Promise.all([s.waitForNavigation(), s.click("#send")]);
  await ad.waitForFunction(
    (text) => document.getElementById("timeline").textContent.includes(text),
    "已转交财务核对运费",
    { timeout: 15000 },
  );
  out.live_update = await ad.evaluate(() => window.__notReloaded === true);

  // 7. The agent changes their own password: a wrong current one is named at its field.
  await a.goto(BASE + "/console/account");
  const setPasswords = async (current, next) => {
    await a.fill("#current-password", current);
    await a.fill("#new-password", next);
    await a.fill("#confirm-password", next);
    await Promise.all([a.waitForNavigation(), a.click("#password-submit")]);
  };
  await setPasswords("not my password", "a-new-secret-2026");
  out.password_error = (await a.textContent("#current-error")).trim();
  out.password_invalid = await a.getAttribute("#current-password", "aria-invalid");
  await setPasswords(PASSWORD, "a-new-secret-2026");
  out.password_flash = (await a.textContent(".flash")).trim();
});
