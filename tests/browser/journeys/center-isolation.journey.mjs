// Two people of two operators side by side: neither sees anything of the other, a token used
// once cannot be used again, and an expired one opens nothing.
export default {
  name: "center-isolation",
  async run(t) {
    const a = t.person("irp", "iso-a");
    t.store.hogo("data", "put", "iso-a", "email", "iso-a@example.jp", "--channel", "direct");
    t.store.hogo("subject", "set", "iso-a", "applied_to", "9234567890123");
    t.store.hogo("provide", "--subject", "iso-a", "-", {
      input: JSON.stringify({ policy: "irp", action: "provide", purpose: "recruitment_selection",
        data: ["name"], service: "recruit_agent",
        recipient: { id: "participating_company", corporate_number: "9234567890123" } }) });
    const b = t.person("rcc", "iso-b");
    await t.signinPerson(a, "a-home");
    const other = await t.newPage();
    await t.signinPerson(b, "b-home", other);
    for (const [path, step] of [["/center/held?values=1", "b-held"], ["/center/provided", "b-provided"]]) {
      await t.goto(path, step, { page: other });
      const text = await other.locator("main").innerText();
      t.expect(!text.includes("iso-a") && !text.includes("9234567890123"),
               `${path} of rcc's person shows nothing of irp's person: ${text.slice(0, 200)}`);
    }
    t.expect((await other.locator("header").innerText()).includes("リクルートキャリアコンサルティング"),
             "the rcc person's pages name their own operator");
    // a token is good once
    const token = t.store.token("person", "irp", "iso-a");
    await t.goto(`/center/signin?token=${encodeURIComponent(token)}`, "token-first", { page: other });
    await t.goto(`/center/signin?token=${encodeURIComponent(token)}`, "token-again",
                 { page: other, status: 403 });
    t.expect((await other.locator("main").innerText()).includes("すでに使用"),
             "the page says the link was used");
    // an expired token opens nothing
    const old = t.store.token("person", "irp", "iso-a", 1);
    await new Promise((r) => setTimeout(r, 2100));
    await t.goto(`/center/signin?token=${encodeURIComponent(old)}`, "token-expired",
                 { page: other, status: 403 });
    t.expect((await other.locator("main").innerText()).includes("有効期限"),
             "the page says the link expired");
  },
};
