// The agent's workspace in headless Chromium: a supervisor (Chinese console) replies to a
// ticket with a file and resolves it in one step, sees the e-mail's delivery state on the
// timeline, applies a macro and opens the shortcuts help with "?"; an admin (English
// console) keeps a selection across queue pages and changes the priority of both tickets
// in one bulk action. Started by crates/server/tests/api/browser_workspace.rs with
// TICKET, TICKET2 and MAIL; prints one JSON line.
import { BASE, SHOTS, check, desktop, login, walk } from "./lib.mjs";

const TICKET = process.env.TICKET;
const TICKET2 = process.env.TICKET2;
const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de", "hex");

await walk(async ({ out, context }) => {
  // 1. Reply with a file and resolve, in Chinese.
  const zh = await context(desktop, "zh-CN");
  const s = await zh.newPage();
  await login(s, "supervisor");
  await s.goto(`${BASE}/console/tickets/${TICKET}`);
  out.send_resolve_label = (await s.textContent("#send-resolve")).trim();
  await s.fill("#reply-body", "您好，已为您更换电池，检测报告见附件。");
  await s.setInputFiles("#reply-files", { name: "检测报告.png", mimeType: "image/png", buffer: png });
  await Promise.all([s.waitForNavigation(), s.click("#send-resolve")]);
  out.flash = (await s.textContent("p.flash")).trim();
  out.resolved_state = (await s.textContent("#state")).trim();
  out.reply_files = (await s.textContent("#timeline li.replied ul.files")).trim();

  // 2. The result e-mail's delivery state appears on the resolution (the test's worker
  //    sends it meanwhile); reloaded until it is settled.
  let delivery = "";
  for (let i = 0; i < 60; i++) {
    await s.goto(`${BASE}/console/tickets/${TICKET}`);
    const el = await s.$("#timeline li.resolved .delivery");
    const state = el ? await el.getAttribute("data-delivery") : null;
    if (state && state !== "queued" && state !== "sending") {
      delivery = state;
      out.delivery_text = (await el.textContent()).replace(/\s+/g, " ").trim();
      break;
    }
    await s.waitForTimeout(250);
  }
  out.delivery_state = delivery;
  await s.screenshot({ path: SHOTS + "/workspace-ticket-resolved.png", fullPage: true });

  // 3. A macro in one click on the second ticket.
  await s.goto(`${BASE}/console/tickets/${TICKET2}`);
  out.named_buttons = await s.$$eval("#actions button[type=submit]", (bs) => bs.map((b) => b.textContent.trim()));
  await s.selectOption("#macro-select", "expedite");
  await Promise.all([s.waitForNavigation(), s.click("#apply-macro")]);
  out.macro_flash = (await s.textContent("p.flash")).trim();
  out.macro_priority = (await s.textContent("#priority")).trim();
  out.macro_reply = (await s.textContent("#timeline li.replied .body")).trim();

  // 4. "?" opens the shortcuts; Escape closes them.
  await s.click("h1");
  await s.keyboard.press("?");
  await s.waitForSelector("#shortcuts[open]");
  out.help_title = (await s.textContent("#shortcuts h2")).trim();
  out.help_rows = await s.$$eval("#shortcuts tr", (r) => r.length);
  await s.screenshot({ path: SHOTS + "/workspace-shortcuts.png" });
  await s.keyboard.press("Escape");
  out.help_closed = await s.$eval("#shortcuts", (d) => !d.open);
  // "e" opens the resolve panel on a ticket in progress.
  await s.keyboard.press("e");
  out.e_hash = await s.evaluate(() => location.hash);
  await s.screenshot({ path: SHOTS + "/workspace-ticket.png", fullPage: true });

  // 5. An English admin keeps a selection across queue pages and changes both at once.
  const en = await context(desktop, "en-US");
  const a = await en.newPage();
  await login(a, "admin");
  await a.goto(`${BASE}/console?view=all&sort=newest`);
  await a.keyboard.press("/");
  out.slash_focus = await a.evaluate(() => document.activeElement && document.activeElement.id);
  await a.evaluate(() => document.activeElement && document.activeElement.blur());
  const first = await a.$$eval("table.queue tbody tr[data-id]", (rs) => rs.map((r) => r.dataset.id));
  // j j j then x selects the third row with the keyboard (the first two are the tickets
  // above, newest first).
  await a.keyboard.press("j");
  await a.keyboard.press("j");
  await a.keyboard.press("j");
  await a.keyboard.press("x");
  out.first_page_pick = first[2];
  out.count_one = (await a.textContent("#selected-count")).trim();
  await Promise.all([a.waitForNavigation(), a.click("#next-page")]);
  const second = await a.$$eval("table.queue tbody tr[data-id]", (rs) => rs.map((r) => r.dataset.id));
  await a.check(`input[name=ids][value="${second[0]}"]`);
  out.second_page_pick = second[0];
  out.count_two = (await a.textContent("#selected-count")).trim();
  await a.screenshot({ path: SHOTS + "/workspace-queue-selection.png", fullPage: true });
  await a.goBack();
  await a.waitForSelector("table.queue");
  out.kept_on_back = await a.isChecked(`input[name=ids][value="${first[2]}"]`);
  await a.selectOption("#bulk-action", "set_priority");
  await a.selectOption("#bulk-form select[name=priority]", "urgent");
  await a.fill("#bulk-form input[name=reason]", "customer escalation");
  await Promise.all([a.waitForNavigation(), a.click("#bulk-apply")]);
  out.bulk_flash = (await a.textContent("p.flash")).trim();
  out.count_after = (await a.textContent("#selected-count")).trim();
  // A destructive bulk action asks first; dismissing keeps everything.
  await a.check(`input[name=ids][value="${first[3]}"]`);
  await a.selectOption("#bulk-action", "close");
  let asked = "";
  a.once("dialog", (d) => { asked = d.message(); d.dismiss(); });
  await a.click("#bulk-apply");
  await a.waitForTimeout(200);
  out.confirm_text = asked;
  out.still_on_queue = a.url().includes("/console");

  // 6. The English ticket page names the same buttons in English.
  await a.goto(`${BASE}/console/tickets/${TICKET2}`);
  out.english_buttons = await a.$$eval("#actions button[type=submit]", (bs) => bs.map((b) => b.textContent.trim()));
  await a.screenshot({ path: SHOTS + "/workspace-ticket-en.png", fullPage: true });
  check(out.help_title, "the help dialog opened");
});
