// journeys/console-disclosure.journey.mjs — the privacy office works a disclosure request in
// the console: a handler signs in, finds the request in the queue, records the identity
// verification (call-back), completes it, and the person's request is done — checked in the
// store and through the API the person's service asks (GET /v1/dsr/{id} with the operator's
// key). Test layer.
export default {
  name: "console-disclosure",
  async run(t) {
    const person = t.person("irp", "console-person-1");
    const opened = t.store.hogo("dsr", "open", "--subject", person.subject ?? "console-person-1",
                                "--kind", "disclosure", "--channel", "web");
    const id = opened.stdout.trim();
    t.expect(/^dsr-/.test(id), `no request id: ${opened.stdout}`);
    const officer = t.officer("irp", "console-hana", "handler");
    await t.signinOfficer(officer, "home");
    t.expect(await t.page.getByRole("heading", { name: "プライバシー窓口コンソール" }).isVisible(),
             "the console's home has no heading");
    await t.click(t.page.getByRole("navigation").getByRole("link", { name: "開示等の請求" }), "queue");
    await t.click(t.page.getByRole("link", { name: id }), "request");
    t.expect(await t.page.getByText("受付済み").first().isVisible(), "the request is not shown as received");
    await t.page.getByLabel("確認の方法").selectOption("callback");
    await t.page.getByLabel("確認した担当者").fill("窓口 花子");
    await t.click(t.page.getByRole("button", { name: "本人確認を記録する" }), "verified");
    t.expect(await t.page.getByText("本人確認を記録しました。").isVisible(), "no flash after verifying");
    let shown = JSON.parse(t.store.hogo("dsr", "show", id).stdout);
    t.expect(shown.state === "verified" && shown.verification?.method === "callback",
             `the store does not hold the verification: ${JSON.stringify(shown)}`);
    await t.click(t.page.getByRole("button", { name: "完了する", exact: true }), "completed");
    t.expect(await t.page.getByText("請求を完了し、通知を作成しました。").isVisible(),
             "no flash after completing");
    t.expect(await t.page.getByRole("heading", { name: "本人への通知" }).isVisible(),
             "the notice to the person is not shown");
    shown = JSON.parse(t.store.hogo("dsr", "show", id).stdout);
    t.expect(shown.state === "completed", `the request is not completed in the store: ${shown.state}`);
    t.expect(shown.history.at(-1).actor === "officer:console-hana",
             `the completion's actor is not the officer: ${JSON.stringify(shown.history.at(-1))}`);
    // the person's side: the operator's service reads the request's state over the API
    const key = t.store.hogo("apikey", "create", "--operator", "irp", "--scopes", "rights:read").stdout.trim();
    const answer = await t.page.request.get(t.hogod.url(`/v1/dsr/${id}`),
                                            { headers: { Authorization: `Bearer ${key}` } });
    const body = await answer.json();
    t.expect(answer.status() === 200 && body.state === "completed" && body.notice,
             `the API does not show the request done: ${answer.status()} ${JSON.stringify(body).slice(0, 300)}`);
    // back in the queue it is closed
    await t.goto("/console/requests?show=closed", "closed");
    t.expect(await t.page.getByRole("link", { name: id }).isVisible(), "the request is not among the closed");
  },
};
