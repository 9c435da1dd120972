// Finding a customer in headless Chromium, both languages. Started by
// crates/server/tests/api/browser_customer.rs with two tickets of one customer whose phone
// number was written differently (PHONE_A "138 0013 8000" and PHONE_B "+86 13800138000"),
// one of another customer, the first customer's e-mail (EMAIL) and an order number (ORDER).
//  1. (zh-CN) The agent types the phone, as each ticket wrote it, into the console's search
//     box: both tickets are found, the other customer's is not. The same for the e-mail
//     address and the order number.
//  2. (zh-CN) On the first ticket's page the customer panel (#customer-tickets) lists the
//     second ticket, and the other way round.
//  3. (en) The same search and panel in English.
import { BASE, SHOTS, check, desktop, login, walk } from "./lib.mjs";

const env = (name) => {
  const v = process.env[name];
  check(v, name + " is set");
  return v;
};
const A = env("TICKET_A"), B = env("TICKET_B"), OTHER = env("TICKET_OTHER");

// Types `text` into the queue's search box and submits it; returns the ticket ids listed.
async function search(page, text) {
  await page.goto(BASE + "/console?view=all");
  await page.fill("#search", text);
  await Promise.all([page.waitForNavigation(), page.press("#search", "Enter")]);
  check((await page.inputValue("#search")) === text, "the search box keeps " + text);
  return page.$$eval("table.queue tbody tr[data-id]", (rows) => rows.map((r) => r.dataset.id).sort());
}

// The customer panel of a ticket: heading and the linked tickets' ids.
async function panel(page, id) {
  await page.goto(BASE + "/console/tickets/" + id);
  return {
    heading: (await page.textContent("#customer-tickets h2")).trim(),
    ids: await page.$$eval("#customer-tickets a[href^='/console/tickets/']", (as) =>
      as.map((a) => a.getAttribute("href").split("/").pop())),
    text: (await page.textContent("#customer-tickets")).replace(/\s+/g, " ").trim(),
  };
}

await walk(async ({ out, context }) => {
  const zh = await context(desktop, "zh-CN");
  const a = await zh.newPage();
  await login(a, "agent");
  out.search_label = (await a.textContent("label.q")).trim();
  out.phone_a = await search(a, env("PHONE_A"));
  await a.screenshot({ path: SHOTS + "/customer-search.png", fullPage: true });
  out.phone_b = await search(a, env("PHONE_B"));
  out.phone_bare = await search(a, "13800138000");
  out.email = await search(a, env("EMAIL"));
  out.order = await search(a, env("ORDER"));
  out.other_phone = await search(a, env("PHONE_OTHER"));
  const pa = await panel(a, A);
  out.panel_a = pa.ids;
  out.panel_heading = pa.heading;
  out.panel_text = pa.text;
  await a.screenshot({ path: SHOTS + "/ticket-customer-panel.png", fullPage: true });
  out.panel_b = (await panel(a, B)).ids;
  out.panel_other = await panel(a, OTHER);

  const en = await context(desktop, "en");
  const e = await en.newPage();
  await login(e, "agent");
  out.search_label_en = (await e.textContent("label.q")).trim();
  out.phone_a_en = await search(e, env("PHONE_A"));
  const pe = await panel(e, B);
  out.panel_b_en = pe.ids;
  out.panel_heading_en = pe.heading;
  await e.screenshot({ path: SHOTS + "/ticket-customer-panel-en.png", fullPage: true });
});
