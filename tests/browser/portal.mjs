// The customer's side of the portal on a phone, in Chinese and in English (issue 18, item 7):
// a customer submits, keeps the status link, opens it again in a fresh browser (nothing
// typed), sees their own message and the stage, writes a follow-up; the agent resolves
// through the API; the customer answers the survey unsatisfied and is told what happens
// next. Started by crates/server/tests/api/browser_portal.rs, which runs due jobs while
// this walk runs (so the survey goes out) and passes the staff sessions.
import { BASE, SHOTS, check, phone, walk } from "./lib.mjs";

const ADMIN = process.env.ADMIN_COOKIE;
const AGENT = process.env.AGENT_COOKIE;
const DEPT = Number(process.env.DEPT);
const AGENT_ID = Number(process.env.AGENT_ID);

async function api(cookie, method, path, body) {
  const res = await fetch(BASE + "/api/v1" + path, {
    method,
    headers: { cookie, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  check(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// The smallest height and width of the survey's choices, in CSS pixels.
async function smallestChoice(page) {
  return page.$$eval("label.choice", (els) =>
    els.reduce((m, el) => {
      const r = el.getBoundingClientRect();
      return { h: Math.min(m.h, r.height), w: Math.min(m.w, r.width) };
    }, { h: 1e9, w: 1e9 }));
}

const walks = {
  "zh-CN": {
    contact: "13612340001", subject: "洗碗机漏水", content: "洗碗机运行时底部漏水，地板都湿了。",
    followUp: "补充：漏水位置在左下角，已拍照。", comment: "漏水问题没有解决。", stage: "已提交",
    rating: "总体评价",
  },
  en: {
    contact: "lee@example.com", subject: "Dishwasher leaks", content: "The dishwasher leaks from the bottom while it runs.",
    followUp: "More detail: the leak is at the front left corner.", comment: "It still leaks.", stage: "Submitted",
    rating: "Your overall rating",
  },
};

await walk(async ({ out, context }) => {
  for (const [locale, w] of Object.entries(walks)) {
    const o = (out[locale] = {});
    // 1. Submitted on a phone; the thanks page gives the personal status link.
    const first = await context(phone, locale);
    const p = await first.newPage();
    await p.goto(BASE + "/");
    await p.fill("input[name=contact]", w.contact);
    await p.fill("input[name=subject]", w.subject);
    await p.fill("textarea[name=content]", w.content);
    await Promise.all([p.waitForNavigation(), p.click("#feedback-form button[type=submit]")]);
    o.tracking_no = (await p.textContent("#tracking-no")).trim();
    o.status_url = (await p.textContent("#status-url")).trim();
    check(o.status_url.startsWith(BASE + "/status/"), "the status link is shown in full: " + o.status_url);
    await p.screenshot({ path: `${SHOTS}/portal-thanks-phone-${locale}.png`, fullPage: true });
    await first.close();

    // 2. The bookmark opened in a fresh browser: no cookie, nothing typed.
    const later = await context(phone, locale);
    const s = await later.newPage();
    await s.goto(o.status_url);
    o.state = (await s.textContent("#state")).trim();
    o.current_stage = (await s.textContent("#stages [aria-current=step] .name")).trim();
    o.stage_label = await s.getAttribute("#stages", "aria-label");
    o.own_message = (await s.textContent("#public-timeline li.mine .body")).trim();
    await s.screenshot({ path: `${SHOTS}/portal-status-phone-${locale}.png`, fullPage: true });

    // 3. A follow-up message, then it is on the page as the customer's.
    await s.fill("#follow-up-body", w.followUp);
    await Promise.all([s.waitForNavigation(), s.click("#follow-up-form button[type=submit]")]);
    o.follow_up_flash = (await s.textContent(".flash")).trim();
    o.mine = await s.$$eval("#public-timeline li.mine .body", (els) => els.map((e) => e.textContent.trim()));

    // 4. The agent resolves it (through the API); the survey goes out.
    const listed = (await api(ADMIN, "GET", "/tickets")).items;
    const id = listed.find((t) => t.tracking_no === o.tracking_no).id;
    await api(ADMIN, "POST", `/tickets/${id}/assign`, { department_id: DEPT, assignee_id: AGENT_ID });
    await api(AGENT, "POST", `/tickets/${id}/acknowledge`, {});
    const seen = await api(AGENT, "GET", `/tickets/${id}`);
    o.agent_sees_follow_up = JSON.stringify(seen.timeline).includes(w.followUp);
    await api(AGENT, "POST", `/tickets/${id}/resolve`, { kind: "solved", summary: "Replaced the door seal / 已更换门封" });
    let surveyUrl = null;
    for (let i = 0; i < 100 && !surveyUrl; i++) {
      const sv = await fetch(`${BASE}/api/v1/tickets/${id}/survey`, { headers: { cookie: ADMIN } });
      if (sv.ok) surveyUrl = (await sv.json()).survey_url || null;
      if (!surveyUrl) await new Promise((r) => setTimeout(r, 100));
    }
    check(surveyUrl, "the survey went out");
    await s.goto(o.status_url);
    o.resolved_stage = (await s.textContent("#stages [aria-current=step] .name")).trim();

    // 5. The survey link on the phone: large named choices, answered unsatisfied.
    const token = surveyUrl.split("/survey/")[1];
    await s.goto(`${BASE}/survey/${token}`);
    o.rating_groups = await s.getByRole("group", { name: w.rating }).count();
    o.radios = await s.getByRole("radio").count();
    o.selects = await s.locator("#survey select").count();
    o.smallest_choice = await smallestChoice(s);
    await s.check("#survey input[name=rating][value=unsatisfied]");
    await s.check("#survey input[name=score][value='2']");
    await s.fill("#survey textarea[name=comment]", w.comment);
    await s.screenshot({ path: `${SHOTS}/portal-survey-phone-${locale}.png`, fullPage: true });
    await Promise.all([s.waitForNavigation(), s.click("#survey button[type=submit]")]);
    o.next_steps = (await s.textContent("#next-steps")).trim();
    await s.screenshot({ path: `${SHOTS}/portal-survey-next-phone-${locale}.png`, fullPage: true });
    // Back on the status page: reopened, being handled again, and the same promise.
    await Promise.all([s.waitForNavigation(), s.click("#status-link")]);
    o.after_state = (await s.textContent("#state")).trim();
    o.after_stage = (await s.textContent("#stages [aria-current=step] .name")).trim();
    o.after_next_steps = (await s.textContent("#next-steps")).trim();
    await s.screenshot({ path: `${SHOTS}/portal-status-after-phone-${locale}.png`, fullPage: true });
    await later.close();
  }
});
