// The staffing and robots forms in headless Chromium, in Chinese. Started by
// crates/server/tests/api/browser_forms_ops.rs.
//  1. An admin opens staffing (nothing saved: the blank rows to add one), picks a
//     department, its supervisor and an agent by name, types skills and leave, saves, and
//     sees it saved with the names chosen. Leave that ends before it starts is refused at
//     its field with the input kept.
//  2. The admin adds a DingTalk robot with its address and signing secret and the alerts
//     it takes, and a person's alert mailbox; saved, the secrets are not in the page. An
//     address that is not a web address is refused at its field with the input kept.
import { BASE, SHOTS, desktop, login, walk } from "./lib.mjs";

const field = (name) => `[name="${name}"]`;
const selected = (page, name) => page.$eval(field(name), (s) => s.options[s.selectedIndex].textContent.trim());

await walk(async ({ out, context }) => {
  const zh = await context(desktop, "zh-CN");
  const a = await zh.newPage();
  await login(a, "admin");

  // 1. Staffing.
  await a.goto(BASE + "/console/admin/documents/staffing");
  out.staffing_title = (await a.textContent("#staffing-form-card h2")).trim();
  out.staffing_department_options = await a.$$eval(`${field("d0.department")} option`, (o) =>
    o.map((x) => x.textContent.trim()).filter((x) => x),
  );
  await a.selectOption(field("d0.department"), { label: "售后服务部" });
  await a.selectOption(field("d0.supervisor"), { label: "supervisor 用户 (supervisor)" });
  await a.selectOption(field("a0.user"), { label: "agent 用户 (agent)" });
  await a.selectOption(field("a0.department"), { label: "技术支持部" });
  await a.fill(field("a0.skills"), "退款，物流");
  await a.fill(field("a0.leave"), "2026-12-24 09:00 ~ 2026-12-26 18:00");
  await a.fill("#staffing-comment", "年底排班");
  await Promise.all([a.waitForNavigation(), a.click("#staffing-save")]);
  out.staffing_flash = (await a.textContent(".flash")).trim();
  out.staffing_version = (await a.textContent("h1 .hint")).trim();
  out.staffing_supervisor = await selected(a, "d0.supervisor");
  out.staffing_agent = await selected(a, "a0.user");
  out.staffing_leave = await a.inputValue(field("a0.leave"));
  await a.screenshot({ path: SHOTS + "/admin-staffing-form.png", fullPage: true });
  await a.fill(field("a0.leave"), "2026-12-26 ~ 2026-12-20");
  await Promise.all([a.waitForNavigation(), a.click("#staffing-save")]);
  out.leave_error = (await a.textContent("#a0-leave-error")).trim();
  out.leave_invalid = await a.getAttribute(field("a0.leave"), "aria-invalid");
  out.leave_described = await a.getAttribute(field("a0.leave"), "aria-describedby");
  out.leave_kept = await a.inputValue(field("a0.leave"));
  out.skills_kept = await a.inputValue(field("a0.skills"));
  await a.screenshot({ path: SHOTS + "/admin-staffing-form-error.png", fullPage: true });

  // 2. Robots.
  await a.goto(BASE + "/console/admin/documents/robots");
  out.robots_title = (await a.textContent("#robots-form-card h2")).trim();
  await a.fill(field("b0.name"), "值班群");
  await a.selectOption(field("b0.kind"), "dingtalk");
  await a.selectOption(field("b0.format"), "text");
  await a.fill(field("b0.url"), "https://oapi.dingtalk.com/robot/send?access_token=BROWSERTOKEN");
  await a.fill(field("b0.secret"), "SECbrowser");
  await a.check(field("b0.alert.sla_breach"));
  await a.check(field("b0.alert.new_urgent"));
  await a.selectOption(field("u0.user"), { label: "agent 用户 (agent)" });
  await a.fill(field("u0.email"), "agent@example.com");
  await Promise.all([a.waitForNavigation(), a.click("#robots-save")]);
  out.robots_flash = (await a.textContent(".flash")).trim();
  out.robots_version = (await a.textContent("h1 .hint")).trim();
  out.robots_name = await a.inputValue(field("b0.name"));
  out.robots_url_shown = await a.inputValue(field("b0.url"));
  out.robots_url_placeholder = await a.getAttribute(field("b0.url"), "placeholder");
  out.robots_secret_placeholder = await a.getAttribute(field("b0.secret"), "placeholder");
  out.robots_ticked = await a.isChecked(field("b0.alert.sla_breach"));
  out.robots_user = await selected(a, "u0.user");
  const html = await a.content();
  out.secret_in_page = html.includes("BROWSERTOKEN") || html.includes("SECbrowser");
  await a.screenshot({ path: SHOTS + "/admin-robots-form.png", fullPage: true });
  await a.fill(field("b0.url"), "oapi.dingtalk.com/robot");
  await Promise.all([a.waitForNavigation(), a.click("#robots-save")]);
  out.url_error = (await a.textContent("#b0-url-error")).trim();
  out.url_invalid = await a.getAttribute(field("b0.url"), "aria-invalid");
  out.url_kept = await a.inputValue(field("b0.url"));
  out.email_kept = await a.inputValue(field("u0.email"));
  await a.screenshot({ path: SHOTS + "/admin-robots-form-error.png", fullPage: true });
});
