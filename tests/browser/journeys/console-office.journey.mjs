// journeys/console-office.journey.mjs — an officer (viewer) of irp reads the records: searches
// the ledger and downloads the same search as CSV (equal to hogo ledger export), checks the
// audit log, reads the policy's versions, and asks the decision explorer, which records
// nothing; then switches the explorer to English. Another operator's officer sees none of the
// records.
export default {
  name: "console-office",
  async run(t) {
    const page = t.page;
    // the records: a provision of irp for office-u1
    t.person("irp", "office-u1");
    t.store.hogo("subject", "set", "office-u1", "applied_to", "9234567890123");
    const req = JSON.stringify({
      policy: "irp", subject_id: "office-u1", action: "provide",
      purpose: "recruitment_selection", data: ["name", "contact", "work_history"],
      service: "recruit_agent",
      recipient: { id: "participating_company", corporate_number: "9234567890123" },
    });
    const provided = JSON.parse(t.store.hogo("provide", { input: req }).stdout);
    const id = provided.record_id;
    t.expect(id && id.startsWith("prov-"), `no record made: ${JSON.stringify(provided)}`);

    const officer = t.officer("irp", "office-viewer", "viewer");
    await t.signinOfficer(officer, "signin");
    await t.click(page.getByRole("navigation").getByRole("link", { name: "台帳" }), "ledger");
    t.expect(await page.getByRole("rowheader", { name: id }).isVisible(),
      `the ledger page does not list ${id}`);

    // search by subject, then the CSV of the same search
    await page.getByLabel("本人ID").fill("office-u1");
    await page.getByLabel("種別").selectOption("provision");
    await t.click(page.getByRole("button", { name: "検索" }), "ledger-search");
    t.expect(new URL(page.url()).searchParams.get("subject") === "office-u1",
      `the search is not in the address: ${page.url()}`);
    t.expect(await page.getByRole("rowheader", { name: id }).isVisible(),
      `the search for office-u1 does not list ${id}`);
    const href = await page.getByRole("link", { name: /CSVで出力/ }).getAttribute("href");
    const csv = await page.request.get(t.hogod.url(href));
    t.checkHeaders(csv, "ledger CSV");
    const cli = t.store.hogo("ledger", "export", "--operator", "irp", "--subject", "office-u1",
      "--kind", "provisions", "--format", "csv").stdout;
    t.expect((await csv.text()) === cli, "the CSV differs from hogo ledger export's");

    // the audit log: the last checkpoint and a verification now
    t.store.hogo("audit", "checkpoint");
    await t.click(page.getByRole("navigation").getByRole("link", { name: "監査ログ" }), "audit");
    t.expect(await page.getByText("署名あり・有効").isVisible(),
      "the audit page does not show the checkpoint's valid signature");
    await t.click(page.getByRole("button", { name: "検証する" }), "audit-verified");
    t.expect(await page.getByText("改ざんなし").isVisible(), "the verification did not say intact");

    // the policy's versions (the shipped irp has one) and its revision page
    await t.click(page.getByRole("navigation").getByRole("link", { name: "ポリシーの版" }),
      "policies");
    t.expect(await page.getByRole("rowheader", { name: /2025-04-01/ }).isVisible(),
      "the policy page does not list the current version");
    await t.goto("/console/policies/irp/diff", "policy-diff");
    t.expect(await page.getByText("条項と規則に違いはありません").isVisible(),
      "a version compared with itself shows differences");

    // the decision explorer: an example, its answer, nothing recorded
    // this officer's events only: other journeys may write to the same store meanwhile
    const events = () => t.store.hogo("audit", "export").stdout.split("\n")
      .filter((l) => l.includes('"actor":"officer:office-viewer"')).length;
    await t.click(page.getByRole("navigation").getByRole("link", { name: "判定エクスプローラー" }),
      "explorer");
    await page.getByLabel("例から選ぶ").selectOption({ label: "営業提案に氏名を含めた提供" });
    await t.click(page.getByRole("button", { name: "この例を入れる" }), "explorer-example");
    const before = events();
    await t.click(page.getByRole("button", { name: "判定する" }), "explorer-answer");
    const answer = await page.locator("#answer-text").innerText();
    t.expect(answer.startsWith("不可") && answer.includes("3(1)"),
      `the explorer's answer is not the denial by 3(1): ${answer.slice(0, 200)}`);
    t.expect(events() === before, "the explorer recorded an audit event");
    await t.click(page.getByRole("link", { name: "English" }), "explorer-en");
    t.expect((await page.locator("html").getAttribute("lang")) === "en",
      "the English switch did not change the page's language");
    t.expect(await page.getByRole("heading", { name: "Decision explorer" }).isVisible(),
      "the explorer's heading is not in English");

    // another operator's officer sees none of irp's records
    const other = await t.newPage();
    await t.signinOfficer(t.officer("rcc", "office-rcc", "viewer"), "other-signin", other);
    await t.goto("/console/ledger", "other-ledger", { page: other });
    t.expect(!(await other.content()).includes(id), "rcc's officer sees irp's record");
  },
};
