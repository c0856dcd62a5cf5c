// The person's controls in the privacy center, in the browser: a person withdraws a consent
// and the next decision on their stored facts changes; finds a company by name, blocks it,
// and a scout provision to it is denied; asks for disclosure, an officer verifies their
// identity and completes the request in the console, and the person sees it done and
// downloads the package (an attachment with only their own data).

const SALES = {
  policy: "irp", action: "provide", purpose: "sales_proposal", data: ["name", "work_history"],
  recipient: { id: "participating_company", corporate_number: "3200000000002" },
  basis: "consent", consent_id: "cc-sales",
};
const SCOUT = {
  policy: "irp", action: "provide", purpose: "scout_selection", data: ["work_history"],
  service: "recruit_direct_scout", form: "deidentified",
  recipient: { id: "participating_company", corporate_number: "9234567890123" },
};

/** The decision on the person's stored facts (hogo check --subject): {code, out}. */
function decide(t, subject, request) {
  const r = t.store.hogo("check", "--subject", subject,
    { input: JSON.stringify(request), ok: [0, 1, 2] });
  return { code: r.code, out: r.stdout + r.stderr };
}

export default {
  name: "center-controls",
  async run(t) {
    const person = t.person("irp", "cc-person");
    t.store.hogo("subject", "set", "cc-person", "scout_service", "true");
    t.store.hogo("subject", "consent", "cc-person", "--id", "cc-sales", "--recipient",
      "participating_company", "--purpose", "sales_proposal", "--data", "name,work_history",
      "--policy", "irp", "--policy-version", "2025-04-01");
    t.store.hogo("corp", "name", "9234567890123", "株式会社サンプル商事");
    t.store.hogo("data", "put", "cc-person", "name", "保護 花子");
    await t.signinPerson(person, "signin");
    const page = t.page;

    // ---- a consent withdrawn: the next decision changes ----
    let d = decide(t, "cc-person", SALES);
    t.expect(d.code === 0, `with the consent the sales proposal should be allowed: ${d.out}`);
    await t.click(page.getByRole("link", { name: "同意", exact: true }), "consents");
    t.expect(await page.getByText("有効").isVisible(), "the consent is not shown as in force");
    await t.click(page.getByRole("button", { name: /同意を撤回する/ }), "consent-withdrawn");
    t.expect(await page.getByText("同意を撤回しました。").isVisible(), "no flash after withdrawing");
    t.expect(await page.getByText(/撤回済み/).isVisible(), "the consent is not shown as withdrawn");
    d = decide(t, "cc-person", SALES);
    t.expect(d.code === 2 && d.out.includes("consent 'cc-sales' is not among subject.consents"),
      `after the withdrawal the sales proposal must no longer be allowed: ${d.code} ${d.out}`);
    t.expect(t.store.hogo("audit", "export").stdout.includes('"action":"subject.withdraw"'),
      "no subject.withdraw audit event");

    // ---- a company found by name and blocked: a scout provision to it is denied ----
    d = decide(t, "cc-person", SCOUT);
    t.expect(d.code === 0, `before the block the scout provision should be allowed: ${d.out}`);
    await t.click(page.getByRole("link", { name: "企業ブロック" }), "blocks");
    await page.getByLabel("企業名または法人番号").fill("サンプル");
    await t.click(page.getByRole("button", { name: "検索" }), "blocks-search");
    t.expect(await page.getByText("9234567890123").first().isVisible(), "the search did not find the company");
    await t.click(page.getByRole("button", { name: "株式会社サンプル商事をブロックする" }), "blocked");
    t.expect(await page.getByText("企業をブロックしました。").isVisible(), "no flash after blocking");
    t.expect(t.store.hogo("subject", "facts", "cc-person").stdout.includes("9234567890123"),
      "the block is not stored");
    d = decide(t, "cc-person", SCOUT);
    t.expect(d.code === 1 && d.out.includes("11(3)"),
      `after the block the scout provision must be denied by 11(3): ${d.code} ${d.out}`);

    // ---- an opt-out of the newsletter ----
    await t.click(page.getByRole("link", { name: "配信・広告の停止" }), "optouts");
    await t.click(page.getByRole("button", { name: /当社グループ会社のサービスに関するメールマガジン.*を停止する/ }),
      "optout-stopped");
    t.expect(await page.getByText("停止しました。").isVisible(), "no flash after stopping");
    t.expect(t.store.hogo("subject", "facts", "cc-person").stdout.includes("own_group_newsletter"),
      "the opt-out is not stored");

    // ---- disclosure: asked here, completed in the console, downloaded here ----
    await t.click(page.getByRole("link", { name: "開示等の請求" }), "requests");
    await page.getByLabel("請求の種類").selectOption("disclosure");
    await t.click(page.getByRole("button", { name: "請求する" }), "request-received");
    const id = new URL(page.url()).pathname.split("/").pop();
    t.expect(/^dsr-/.test(id), `not on the request's page: ${page.url()}`);
    t.expect(await page.getByText(/受付済み/).first().isVisible(), "the request is not shown as received");
    const early = await page.request.get(t.hogod.url(`/center/requests/${id}/package`), { maxRedirects: 0 });
    t.expect(early.status() === 409, `the package before completion: ${early.status()}, expected 409`);

    const officer = t.officer("irp", "cc-officer", "handler");
    const office = await t.newPage();
    await t.signinOfficer(officer, "officer-signin", office);
    await t.goto(`/console/requests/${id}`, "officer-request", { page: office });
    await t.click(office.getByRole("button", { name: "本人確認を記録する" }), "officer-verified", { page: office });
    await t.click(office.getByRole("button", { name: "完了する" }), "officer-completed", { page: office });
    const state = JSON.parse(t.store.hogo("dsr", "show", id).stdout).state;
    t.expect(state === "completed", `the officer's completion did not take: ${state}`);

    await t.goto(`/center/requests/${id}`, "request-completed");
    t.expect(await page.locator("#state").innerText() === "完了", "the person does not see the request completed");
    const link = page.getByRole("link", { name: /ダウンロード/ });
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    t.expect(download.suggestedFilename() === `${id}.json`,
      `the download is named ${download.suggestedFilename()}, expected ${id}.json`);
    const r = await page.request.get(t.hogod.url(`/center/requests/${id}/package`));
    t.checkHeaders(r, "the disclosure package");
    t.expect(r.status() === 200 && (r.headers()["content-disposition"] || "").startsWith("attachment"),
      `the package: ${r.status()} ${r.headers()["content-disposition"]}`);
    const body = await r.text();
    let pkg = null;
    try { pkg = JSON.parse(body); } catch { t.fail(`the package is not JSON: ${body.slice(0, 200)}`); }
    t.expect(pkg && body.includes("cc-person") && body.includes("保護 花子"),
      "the package does not hold the person's own data");
    t.expect(!body.includes("crawl-") && !body.includes("他社"), "the package holds another person's data");

    // another person cannot open or download it
    const other = await t.newPage();
    await t.signinPerson(t.person("rcc", "cc-stranger"), "stranger-signin", other);
    await t.goto(`/center/requests/${id}`, "stranger-request", { page: other, status: 404 });
    const stolen = await other.request.get(t.hogod.url(`/center/requests/${id}/package`));
    t.expect(stolen.status() === 404, `another operator's person got the package: ${stolen.status()}`);
  },
};
