// journeys/transmit-list.journey.mjs — the public 外部送信一覧 page (docs/transmissions.md):
// anyone, signed in or not, reads a policy's list in Japanese and English; each site's table
// has one row per transmission of the registry (the CLI's listing on the same store says how
// many), each partner that offers its own opt-out is linked to exactly that page, the others
// say none is listed; an unknown policy is a 404 page.
export default {
  name: "transmit-list",
  async run(t) {
    const page = t.page;
    await t.goto("/center/transmissions/irp", "irp-ja");
    t.expect((await page.locator("html").getAttribute("lang")) === "ja", "the page is not in Japanese");
    t.expect(await page.getByRole("heading", { level: 1, name: "外部送信一覧" }).isVisible(),
      "no heading 外部送信一覧");
    t.expect(await page.getByText("例示データです。").isVisible(), "the example notice is missing");
    t.expect(await page.getByText("株式会社インディードリクルートパートナーズのウェブサイトおよびアプリ").isVisible(),
      "the operator is not named");

    // the registry as the CLI lists it on the same store: one table row per transmission
    const rows = JSON.parse(t.store.hogo("policy", "transmissions", "irp", "--format", "json").stdout);
    t.expect(rows.length === 10, `the CLI lists ${rows.length} transmissions, not 10`);
    const sites = [...new Set(rows.map((r) => r.site))];
    for (const site of sites) {
      const want = rows.filter((r) => r.site === site).length;
      const got = await page.locator(`section#${site} tbody tr`).count();
      t.expect(got === want, `site ${site}: ${got} rows on the page, ${want} in the registry`);
    }
    const loc = page.locator("section#recruit_agent_app tbody tr", { hasText: "位置情報解析SDK" });
    const cells = await loc.locator("th, td").allInnerTexts();
    t.expect(cells[1] === "サンプル位置情報解析株式会社（例）" && cells[2].startsWith("位置情報、広告識別子（AAID・IDFA）"),
      `the location SDK's row reads ${JSON.stringify(cells)}`);

    // per-partner opt-outs: the partner's own page where it offers one, else none listed
    for (const r of rows) {
      const row = page.locator("#opt-outs tbody tr#" + r.recipient);
      t.expect((await row.count()) === 1, `recipient ${r.recipient} is not in the opt-out table`);
      const link = row.getByRole("link");
      if (r.opt_out_url) {
        t.expect((await link.getAttribute("href")) === r.opt_out_url,
          `${r.recipient}: the opt-out link is ${await link.getAttribute("href")}, not ${r.opt_out_url}`);
      } else {
        t.expect((await link.count()) === 0 && (await row.innerText()).includes("記載なし"),
          `${r.recipient} offers no opt-out, yet the page links one or says nothing`);
      }
    }
    const optouts = await page.locator("#opt-outs a[href^='https://']").count();
    t.expect(optouts === 2, `${optouts} partner opt-out links, the registry has 2`);

    // the language switch
    await t.click(page.getByRole("link", { name: "English" }), "irp-en");
    t.expect((await page.locator("html").getAttribute("lang")) === "en", "the English page is not lang=en");
    t.expect(await page.getByRole("heading", { level: 1, name: "External transmissions" }).isVisible(),
      "no English heading");
    t.expect(await page.getByRole("link", { name: "Opt-out page of Sample Location Insights K.K. (example)" }).first().isVisible(),
      "no English opt-out link");

    // the JSON the page links to says the same
    const res = await page.request.get(t.hogod.url("/v1/transmissions/irp"));
    const doc = await res.json();
    t.expect(res.status() === 200 && doc.policy === "irp" && doc.example === true,
      `GET /v1/transmissions/irp: ${res.status()}`);
    t.expect(doc.sites.reduce((n, s) => n + s.transmissions.length, 0) === rows.length,
      "the JSON and the CLI disagree on the number of transmissions");

    // another policy, an unknown one
    await t.goto("/center/transmissions/rcc?lang=ja", "rcc");
    t.expect(await page.getByText("株式会社リクルートキャリアコンサルティング").first().isVisible(),
      "rcc's operator is not named");
    t.expect((await page.locator("section#rcc_web tbody tr").count()) === 3, "rcc's site has not 3 rows");
    await t.goto("/center/transmissions/nosuch", "unknown", { status: 404 });
    t.expect(await page.getByText("外部送信一覧はありません").isVisible(), "the 404 page does not say why");

    // a signed-in person reads the same list from inside the center
    const person = t.person("irp", "transmit-1");
    await t.signinPerson(person, "signed-in");
    await t.goto("/center/transmissions/irp", "irp-signed-in");
    t.expect((await page.locator("section#recruit_agent_web tbody tr").count()) === 4,
      "the signed-in person sees another list");
  },
};
