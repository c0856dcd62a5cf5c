// A person of irp signs in to the privacy center and reads every page: the overview, what is
// held (categories, provenance; values only when asked), the provision records, the policy
// with the cards saying what it means for them; switches to English (kept across pages),
// crawls every page the links reach, and signs out (the session is then gone).
export default {
  name: "center-view",
  async run(t) {
    const person = t.person("irp", "view-1");
    const s = t.store;
    s.hogo("subject", "link", "view-1", "ponta");
    s.hogo("subject", "optout", "view-1", "ad_delivery");
    s.hogo("subject", "set", "view-1", "applied_to", "9234567890123");
    s.hogo("data", "put", "view-1", "email", "view1@example.jp", "--channel", "direct",
           "--service", "recruit_agent");
    s.hogo("data", "put", "view-1", "address", "東京都千代田区1-1", "--channel", "third_party",
           "--source", "Ponta");
    s.hogo("provide", "--subject", "view-1", "-", {
      input: JSON.stringify({ policy: "irp", action: "provide", purpose: "recruitment_selection",
        data: ["name", "work_history"], service: "recruit_agent",
        recipient: { id: "participating_company", corporate_number: "9234567890123" } }) });

    await t.signinPerson(person, "home");
    const p = t.page;
    t.expect(await p.getByRole("heading", { level: 1, name: "あなたの情報の取り扱い" }).isVisible(),
             "the overview has its heading");
    t.expect((await p.locator("main").innerText()).includes("Ponta会員ID"),
             "the overview lists the linked account");

    await t.click(p.getByRole("navigation").getByRole("link", { name: "保有している情報" }), "held");
    const held = await p.locator("main").innerText();
    t.expect(held.includes("メールアドレス") && held.includes("住所"), `categories shown: ${held}`);
    t.expect(held.includes("第三者から（取得元: Ponta）"), "the address's provenance is shown");
    t.expect(!held.includes("view1@example.jp"), "no value is shown before the person asks");
    await t.click(p.getByRole("link", { name: /内容も表示する/ }), "held-values");
    t.expect((await p.locator("main").innerText()).includes("view1@example.jp"),
             "the value is shown when asked");
    t.expect(s.hogo("audit", "export").stdout.includes("subject.disclose"),
             "showing the values is an audited disclosure");

    await t.click(p.getByRole("navigation").getByRole("link", { name: "提供の記録" }), "provided");
    const rows = await p.locator("main table tbody tr").count();
    t.expect(rows === 1, `one provision record listed, found ${rows}`);
    t.expect((await p.locator("main").innerText()).includes("9234567890123"),
             "the record names the recipient's corporate number");

    await t.click(p.getByRole("navigation").getByRole("link", { name: "プライバシーポリシー" }), "policy");
    const policy = await p.locator("main").innerText();
    t.expect(policy.includes("Ponta会員ID を連携しているため"), "the Ponta card applies to this person");
    t.expect(policy.includes("dアカウント を連携した場合に限り"), "the d account card does not");
    t.expect(policy.includes("停止中"), "the stopped purpose is marked");
    const anchor = p.locator("a[href='#clause-3-5']").first();
    t.expect(await anchor.count() === 1, "a card links to its clause");
    t.expect(await p.locator("#clause-3-5").count() === 1, "the clause has its anchor");

    await t.click(p.getByRole("link", { name: "English" }), "policy-en");
    t.expect(await p.getAttribute("html", "lang") === "en", "the page is in English");
    await t.click(p.getByRole("navigation").getByRole("link", { name: "Provision records" }),
                  "provided-en");
    t.expect(await p.getAttribute("html", "lang") === "en", "English is kept by the session");
    await t.click(p.getByRole("link", { name: "日本語" }), "provided-ja");

    // every page the center's links reach, each checked
    const visited = await t.crawl("/center/", "/center/", { stepPrefix: "crawl-",
      skip: (u) => u.pathname.startsWith("/center/signin") });
    t.expect(visited.length >= 5, `the crawl reached ${visited.length} pages`);

    await t.goto("/center/?lang=ja", "before-signout"); // the crawl switched languages too
    await t.click(p.getByRole("button", { name: "サインアウト" }), "signed-out");
    t.expect(new URL(p.url()).pathname === "/center/signed-out", `signed out to ${p.url()}`);
    await t.goto("/center/", "after-signout", { status: 401 });
  },
};
