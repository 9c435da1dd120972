// The console on a phone-sized screen (390 px wide), in Chinese and English: the queue, a
// ticket page and the admin SLA form fit the width (the page itself never scrolls sideways;
// a wide table scrolls inside its own box), their main controls are big enough to tap, and
// each is photographed. Started by crates/server/tests/api/browser_phone.rs.
import { BASE, SHOTS, check, login, phone, walk } from "./lib.mjs";

const TICKET = process.env.TICKET_ID;

// How far the page reaches beyond the screen, and the smallest tap target among `sel`.
async function fit(page, sel) {
  return page.evaluate((sel) => {
    const doc = document.scrollingElement;
    const small = [...document.querySelectorAll(sel)]
      .filter((el) => el.offsetParent !== null)
      .map((el) => {
        // A box or radio button is tapped through its label too.
        const r = (el.closest("label") || el).getBoundingClientRect();
        return { h: Math.round(r.height), what: (el.id || el.name || el.textContent || "").trim().slice(0, 30) };
      })
      .sort((a, b) => a.h - b.h);
    // Against the device's width: a phone browser zooms out to show a page that is too wide.
    // What reaches past the screen's edge (innermost first), to say what to fix.
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > screen.width + 1 && el.children.length === 0)
      .slice(0, 3)
      .map((el) => el.tagName + (el.id ? "#" + el.id : "") + "." + el.className);
    return { overflow: doc.scrollWidth - screen.width, smallest: small[0] || null, count: small.length, wide };
  }, sel);
}

await walk(async ({ out, context }) => {
  for (const locale of ["zh-CN", "en-US"]) {
    const key = locale === "zh-CN" ? "zh" : "en";
    const ctx = await context(phone, locale);
    const a = await ctx.newPage();
    await login(a, "admin");
    check(a.url().startsWith(BASE + "/console"), "signed in on a phone");

    await a.goto(BASE + "/console?view=all");
    check((await a.locator("table.queue tbody tr").count()) >= 1, "the queue lists tickets");
    out[`queue_${key}`] = await fit(a, "nav a, .tabs a, button, input[type=search]");
    await a.screenshot({ path: `${SHOTS}/queue-phone-${key}.png`, fullPage: true });

    await a.goto(`${BASE}/console/tickets/${TICKET}`);
    check((await a.locator("#sla").count()) === 1, "the ticket page shows its SLA clocks");
    out[`ticket_${key}`] = await fit(a, "button, textarea");
    await a.screenshot({ path: `${SHOTS}/ticket-phone-${key}.png`, fullPage: true });

    await a.goto(BASE + "/console/admin/documents/sla_policy");
    check((await a.locator("#sla-form").count()) === 1, "the SLA form is shown");
    out[`sla_form_${key}`] = await fit(a, "#sla-form input, #sla-form select, #sla-form button");
    await a.screenshot({ path: `${SHOTS}/admin-sla-form-phone-${key}.png`, fullPage: true });
    await ctx.close();
  }
});
