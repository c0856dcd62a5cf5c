// The privacy center's session security: answers without a session, a forged and a replayed
// sign-in token, the language switch, CSRF on the sign-out form in the browser (missing and
// wrong token: 403 page, the session lives on; the right one signs out), and after signing out.
// web-crawl.journey.mjs holds every other form to CSRF. Test layer (browser journey; the
// harness checks headers, axe and inline code on each page).
export default {
  name: "web-security",
  async run(t) {
    const page = t.page;
    // no session: the center answers 401 with a page, not the overview
    await t.goto("/center/", "no-session", { status: 401 });
    // a forged token signs no one in
    await t.goto("/center/signin?token=v1.eyJraW5kIjoicGVyc29uIn0.AAAA", "forged-token", { status: [400, 401, 403] });
    t.expect(!(await page.context().cookies()).some((c) => c.name === "hogo_center"),
      "a forged token set a session cookie");

    // a token is single-use: a second browser presenting it again is refused
    t.person("irp", "sec-person");
    const token = t.store.token("person", "irp", "sec-person");
    const res = await page.goto(t.hogod.url(`/center/signin?token=${encodeURIComponent(token)}`));
    t.expect(res.status() === 200 && new URL(page.url()).pathname === "/center/",
      `sign-in with a fresh token landed on ${page.url()} (${res.status()})`);
    await t.checkSessionCookie("hogo_center", "/center/");
    await t.check("signed-in");
    const other = await t.newPage();
    await t.goto(`/center/signin?token=${encodeURIComponent(token)}`, "replayed-token",
      { status: [400, 401, 403], page: other });
    t.expect(!(await other.context().cookies()).some((c) => c.name === "hogo_center"),
      "a replayed token set a session cookie");

    // the English switch keeps the checks (the rest of the center is crawled in Japanese)
    await t.goto("/center/?lang=en", "english");
    t.expect(await page.evaluate(() => document.documentElement.lang) === "en", "?lang=en did not switch <html lang>");
    await t.goto("/center/?lang=ja", "japanese");
    t.expect(await page.evaluate(() => document.documentElement.lang) === "ja", "?lang=ja did not switch back");

    // a POST without csrf or with a wrong one, in the browser on the sign-out form, answers
    // 403 with a page checked like any other, and the session lives on
    await t.goto("/center/", "before-csrf");
    await t.navigate(() => page.evaluate(() => {
      const f = document.querySelector("form[action$='/center/signout']");
      f.querySelector("[name=csrf]").remove();
      f.submit();
    }), "csrf-missing", { status: 403 });
    await t.goto("/center/", "after-csrf-missing");
    await t.navigate(() => page.evaluate(() => {
      const f = document.querySelector("form[action$='/center/signout']");
      f.querySelector("[name=csrf]").value = "A".repeat(43);
      f.submit();
    }), "csrf-wrong", { status: 403 });
    await t.goto("/center/", "still-signed-in");

    // signing out ends the session: the cookie goes and the center answers 401 again
    await t.click(page.locator("form[action$='/center/signout'] button, form[action$='/center/signout'] [type=submit]").first(),
      "signed-out");
    t.expect(!(await page.context().cookies()).some((c) => c.name === "hogo_center" && c.value),
      "the hogo_center cookie is still set after signing out");
    await t.goto("/center/", "after-signout", { status: 401 });
  },
};
