// SLA urgency in the console, in a real browser: an overdue ticket is listed on the
// "overdue" tab with a red countdown (Chinese and English), the ticket page counts its
// clock down in red too, and "breaching soon" lists what falls due within its window.
// Started by crates/server/tests/api/browser_sla.rs, which makes the ticket overdue first.
import { BASE, SHOTS, check, desktop, login, walk } from "./lib.mjs";

const OVERDUE = process.env.OVERDUE_TRACKING;

await walk(async ({ out, context }) => {
  for (const locale of ["zh-CN", "en-US"]) {
    const ctx = await context(desktop, locale);
    const a = await ctx.newPage();
    await login(a, "agent");
    await a.goto(BASE + "/console?view=overdue");
    const row = a.locator("table.queue tbody tr", { hasText: OVERDUE });
    check((await row.count()) === 1, `the overdue ticket is on the overdue tab (${locale})`);
    const due = row.locator(".due");
    const key = locale === "zh-CN" ? "zh" : "en";
    out[`overdue_text_${key}`] = (await due.textContent()).trim();
    out[`overdue_class_${key}`] = await due.getAttribute("class");
    out[`overdue_color_${key}`] = await due.evaluate((el) => getComputedStyle(el).color);
    out[`overdue_tab_${key}`] = (await a.textContent("#tab-overdue")).trim();
    out[`overdue_tab_on_${key}`] = await a.getAttribute("#tab-overdue", "class");
    await a.screenshot({ path: `${SHOTS}/queue-overdue-${key}.png`, fullPage: true });
    // The same ticket's page: its overdue clock in red.
    await Promise.all([a.waitForNavigation(), row.locator("a").first().click()]);
    const clock = a.locator("#sla .due.due-over");
    check((await clock.count()) >= 1, `the ticket page shows an overdue clock (${locale})`);
    out[`ticket_clock_${key}`] = (await clock.first().textContent()).trim();
    out[`ticket_clock_color_${key}`] = await clock.first().evaluate((el) => getComputedStyle(el).color);
    await ctx.close();
  }
});
