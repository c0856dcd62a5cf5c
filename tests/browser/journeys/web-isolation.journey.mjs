// Sign-in tokens cannot cross operators: a token that names a person under another operator
// than their own opens no session (the center's pages keep to the session's person; see
// web-crawl.journey.mjs). Test layer (browser journey).
export default {
  name: "web-isolation",
  async run(t) {
    t.person("irp", "webiso-a");
    t.person("rcc", "webiso-b");
    for (const [label, op, sub] of [["irp-token-for-rcc-person", "irp", "webiso-b"],
                                    ["rcc-token-for-irp-person", "rcc", "webiso-a"]]) {
      const page = await t.newPage();
      const token = t.store.token("person", op, sub);
      await t.goto(`/center/signin?token=${encodeURIComponent(token)}`, label,
        { status: [403, 404], page });
      t.expect(!(await page.context().cookies()).some((c) => c.name === "hogo_center"),
        `${label}: a session cookie was set`);
    }
  },
};
