// journeys/console-roles.journey.mjs — the console for each role: an admin signs in with the
// password form and visits the home page, the queue, a breach incident and the officers page
// (and switches to English); a viewer of the same operator sees a request without any action;
// an officer of another operator gets 404 for it. Test layer.
export default {
  name: "console-roles",
  async run(t) {
    t.person("irp", "console-person-2");
    const id = t.store.hogo("dsr", "open", "--subject", "console-person-2", "--kind",
                            "suspension", "--channel", "mail").stdout.trim();
    const brc = t.store.hogo("breach", "open", "--operator", "irp", "--summary", "メール誤送信",
                             "--discovered", "2026-04-06", "--items", "name,email",
                             "--wrongful").stdout.trim();
    t.store.hogo("breach", "affected", brc, "--subject", "console-person-2");
    t.store.hogo("breach", "assess", brc);
    const admin = t.officer("irp", "console-adam", "admin");
    await t.goto("/console/signin", "signin-form");
    await t.page.getByLabel("担当者名").fill(admin.name);
    await t.page.getByLabel("パスワード").fill("wrong password here");
    await t.click(t.page.getByRole("button", { name: "サインイン" }), "signin-failed", { status: 401 });
    t.expect(await t.page.getByRole("alert").isVisible(), "the failure is not announced");
    await t.page.getByLabel("パスワード").fill(admin.password);
    await t.click(t.page.getByRole("button", { name: "サインイン" }), "admin-home");
    await t.goto("/console/requests", "admin-queue");
    await t.goto(`/console/requests/${id}`, "admin-request");
    await t.goto("/console/breaches", "admin-breaches");
    await t.goto(`/console/breaches/${brc}`, "admin-breach");
    await t.goto("/console/officers", "admin-officers");
    await t.goto("/console/?lang=en", "admin-home-en");
    t.expect(await t.page.getByRole("heading", { name: "Privacy office console" }).isVisible(),
             "no English heading");
    await t.goto("/console/requests", "admin-queue-en");

    const viewer = t.officer("irp", "console-vera", "viewer");
    const vpage = await t.newPage();
    await t.signinOfficer(viewer, "viewer-home", vpage);
    await t.goto(`/console/requests/${id}`, "viewer-request", { page: vpage });
    t.expect(await vpage.getByRole("button").filter({ hasText: "本人確認" }).count() === 0,
             "a viewer is offered an action");
    await t.goto("/console/officers", "viewer-officers", { page: vpage, status: 403 });

    const other = t.officer("rcc", "console-otto", "admin");
    const opage = await t.newPage();
    await t.signinOfficer(other, "other-home", opage);
    await t.goto(`/console/requests/${id}`, "other-request", { page: opage, status: 404 });
    await t.goto(`/console/breaches/${brc}`, "other-breach", { page: opage, status: 404 });
    const state = JSON.parse(t.store.hogo("dsr", "show", id).stdout).state;
    t.expect(state === "received", `the request changed: ${state}`);
  },
};
